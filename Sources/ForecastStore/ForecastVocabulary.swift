// The store speaks the shared vocabulary (``Variable``): its rows hold one value per variable.
@_exported import ForecastVocabulary
