/// The 36 cities of the source data set, in the source's column order, with the
/// climate figures the sample generator draws from.
struct SampleCity: Sendable {
    /// Column name, exactly as in the source's header.
    var name: String
    /// Annual mean temperature, °C.
    var meanCelsius: Double
    /// Half the difference between the warmest and coldest month, °C.
    var seasonalAmplitude: Double
    /// Half the typical difference between afternoon and pre-dawn, °C.
    var dailyAmplitude: Double
    /// Standard-time offset from UTC, hours (the source's timestamps are UTC).
    var utcOffset: Double
    /// Annual mean relative humidity, %.
    var meanHumidity: Double

    /// Rough climate normals; only their plausibility matters for sample data.
    static let all: [SampleCity] = [
        SampleCity(name: "Vancouver", meanCelsius: 10.5, seasonalAmplitude: 7, dailyAmplitude: 3.5, utcOffset: -8, meanHumidity: 80),
        SampleCity(name: "Portland", meanCelsius: 12.5, seasonalAmplitude: 8, dailyAmplitude: 5, utcOffset: -8, meanHumidity: 75),
        SampleCity(name: "San Francisco", meanCelsius: 14.5, seasonalAmplitude: 3.5, dailyAmplitude: 4, utcOffset: -8, meanHumidity: 75),
        SampleCity(name: "Seattle", meanCelsius: 11.5, seasonalAmplitude: 7, dailyAmplitude: 4.5, utcOffset: -8, meanHumidity: 77),
        SampleCity(name: "Los Angeles", meanCelsius: 18.5, seasonalAmplitude: 4, dailyAmplitude: 5, utcOffset: -8, meanHumidity: 65),
        SampleCity(name: "San Diego", meanCelsius: 18, seasonalAmplitude: 3.5, dailyAmplitude: 4, utcOffset: -8, meanHumidity: 70),
        SampleCity(name: "Las Vegas", meanCelsius: 20.5, seasonalAmplitude: 13, dailyAmplitude: 7, utcOffset: -8, meanHumidity: 30),
        SampleCity(name: "Phoenix", meanCelsius: 24, seasonalAmplitude: 10.5, dailyAmplitude: 7.5, utcOffset: -7, meanHumidity: 35),
        SampleCity(name: "Albuquerque", meanCelsius: 14, seasonalAmplitude: 11, dailyAmplitude: 8, utcOffset: -7, meanHumidity: 40),
        SampleCity(name: "Denver", meanCelsius: 10.5, seasonalAmplitude: 11, dailyAmplitude: 8, utcOffset: -7, meanHumidity: 50),
        SampleCity(name: "San Antonio", meanCelsius: 21, seasonalAmplitude: 8.5, dailyAmplitude: 6, utcOffset: -6, meanHumidity: 65),
        SampleCity(name: "Dallas", meanCelsius: 19.5, seasonalAmplitude: 10, dailyAmplitude: 6, utcOffset: -6, meanHumidity: 62),
        SampleCity(name: "Houston", meanCelsius: 21, seasonalAmplitude: 8, dailyAmplitude: 5, utcOffset: -6, meanHumidity: 75),
        SampleCity(name: "Kansas City", meanCelsius: 13, seasonalAmplitude: 13, dailyAmplitude: 6, utcOffset: -6, meanHumidity: 68),
        SampleCity(name: "Minneapolis", meanCelsius: 8, seasonalAmplitude: 15.5, dailyAmplitude: 5.5, utcOffset: -6, meanHumidity: 68),
        SampleCity(name: "Saint Louis", meanCelsius: 14, seasonalAmplitude: 13, dailyAmplitude: 6, utcOffset: -6, meanHumidity: 68),
        SampleCity(name: "Chicago", meanCelsius: 10, seasonalAmplitude: 13, dailyAmplitude: 5, utcOffset: -6, meanHumidity: 70),
        SampleCity(name: "Nashville", meanCelsius: 15.5, seasonalAmplitude: 10.5, dailyAmplitude: 6, utcOffset: -6, meanHumidity: 70),
        SampleCity(name: "Indianapolis", meanCelsius: 12, seasonalAmplitude: 12.5, dailyAmplitude: 5.5, utcOffset: -5, meanHumidity: 72),
        SampleCity(name: "Atlanta", meanCelsius: 17, seasonalAmplitude: 9, dailyAmplitude: 5.5, utcOffset: -5, meanHumidity: 68),
        SampleCity(name: "Detroit", meanCelsius: 10, seasonalAmplitude: 12.5, dailyAmplitude: 5, utcOffset: -5, meanHumidity: 72),
        SampleCity(name: "Jacksonville", meanCelsius: 20.5, seasonalAmplitude: 7, dailyAmplitude: 5.5, utcOffset: -5, meanHumidity: 75),
        SampleCity(name: "Charlotte", meanCelsius: 16, seasonalAmplitude: 9.5, dailyAmplitude: 6, utcOffset: -5, meanHumidity: 68),
        SampleCity(name: "Miami", meanCelsius: 25, seasonalAmplitude: 3.5, dailyAmplitude: 3.5, utcOffset: -5, meanHumidity: 73),
        SampleCity(name: "Pittsburgh", meanCelsius: 11, seasonalAmplitude: 11.5, dailyAmplitude: 5.5, utcOffset: -5, meanHumidity: 70),
        SampleCity(name: "Toronto", meanCelsius: 9, seasonalAmplitude: 12.5, dailyAmplitude: 4.5, utcOffset: -5, meanHumidity: 72),
        SampleCity(name: "Philadelphia", meanCelsius: 13.5, seasonalAmplitude: 11, dailyAmplitude: 5, utcOffset: -5, meanHumidity: 67),
        SampleCity(name: "New York", meanCelsius: 13, seasonalAmplitude: 11, dailyAmplitude: 4.5, utcOffset: -5, meanHumidity: 65),
        SampleCity(name: "Montreal", meanCelsius: 7, seasonalAmplitude: 14.5, dailyAmplitude: 5, utcOffset: -5, meanHumidity: 72),
        SampleCity(name: "Boston", meanCelsius: 11, seasonalAmplitude: 11.5, dailyAmplitude: 4.5, utcOffset: -5, meanHumidity: 68),
        SampleCity(name: "Beersheba", meanCelsius: 20, seasonalAmplitude: 7, dailyAmplitude: 7, utcOffset: 2, meanHumidity: 60),
        SampleCity(name: "Tel Aviv District", meanCelsius: 21, seasonalAmplitude: 6, dailyAmplitude: 4, utcOffset: 2, meanHumidity: 70),
        SampleCity(name: "Eilat", meanCelsius: 25.5, seasonalAmplitude: 8, dailyAmplitude: 6, utcOffset: 2, meanHumidity: 35),
        SampleCity(name: "Haifa", meanCelsius: 20.5, seasonalAmplitude: 6, dailyAmplitude: 4, utcOffset: 2, meanHumidity: 70),
        SampleCity(name: "Nahariyya", meanCelsius: 20, seasonalAmplitude: 6, dailyAmplitude: 4, utcOffset: 2, meanHumidity: 72),
        SampleCity(name: "Jerusalem", meanCelsius: 17, seasonalAmplitude: 7, dailyAmplitude: 5.5, utcOffset: 2, meanHumidity: 62),
    ]
}
