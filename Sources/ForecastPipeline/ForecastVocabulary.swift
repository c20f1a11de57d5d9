// The pipeline speaks the shared vocabulary (``Variable``): every module that imports the
// pipeline gets it too.
@_exported import ForecastVocabulary
