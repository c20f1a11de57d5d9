import ForecastServer
import Testing

@Suite("the series a model is conditioned on")
struct ModelConditionerTests {
    @Test("starts one step after the model's last hour; a plugin that accepts missing values gets NaN for the gaps")
    func missingAsNaN() throws {
        let values: [(Int64, Double?)] = [(3600, 1), (7200, 2), (10800, nil), (18000, 5), (21600, nil)]
        let series = try #require(ModelConditioner.continuation(after: 0, step: 3600, values: values, acceptsMissingValues: true))
        #expect(series.startTime == 3600)
        #expect(series.values.count == 5 && series.values[2].isNaN && series.values[3].isNaN)
        #expect(series.values[4] == 5 && series.lastTime == 18000)
    }

    @Test("any other plugin gets the unbroken stretch after its last hour, and nothing when that hour is missing")
    func unbrokenStretch() throws {
        let values: [(Int64, Double?)] = [(3600, 1), (7200, 2), (14400, 4)]
        let series = try #require(ModelConditioner.continuation(after: 0, step: 3600, values: values, acceptsMissingValues: false))
        #expect(series.values == [1, 2])
        #expect(ModelConditioner.continuation(after: 3600 * 2, step: 3600, values: values, acceptsMissingValues: false) == nil)
        #expect(ModelConditioner.continuation(after: 14400, step: 3600, values: values, acceptsMissingValues: true) == nil)
    }
}
