// The store speaks the shared vocabulary (``Variable``): its rows hold one value per variable.
@_exported import ForecastVocabulary

/// The variables in table order, built once: ``Variable/allCases`` builds its array on every
/// call (an allocation per row where a load or a read uses it per row).
let tableVariables = Variable.allCases
