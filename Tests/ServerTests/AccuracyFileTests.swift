import Foundation
@testable import ForecastServer
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@Suite("the accuracy file")
struct AccuracyFileTests {
    /// Two series with scores on two days and forecasts still waiting on some leads.
    static func record() -> AccuracyRecord {
        var day = DayScores(day: 19_000)
        day.bands[0] = BandSums(count: 30, absolute: 12.5, squares: 9.25, inside: 28, pairedCount: 30, pairedAbsolute: 12.5,
                                pairedBaselineAbsolute: 14.125)
        day.bands[1] = BandSums(count: 3, absolute: 1.0 / 3, squares: 0.1, inside: 2, pairedCount: 0, pairedAbsolute: 0,
                                pairedBaselineAbsolute: 0)
        day.leadCount[0] = 24
        day.leadAbsolute[0] = 7.75
        day.leadCount[71] = 1
        day.leadAbsolute[71] = .pi
        var next = DayScores(day: 19_001)
        next.leadCount[5] = 2
        let waiting = PendingForecast(origin: 19_001 * 86_400 + 3600, leads: [3, 4, 70], mean: [280.25, 281, 290.5],
                                      lower: [275, 276, 280], upper: [285.5, 286, 300.125])
        return AccuracyRecord(series: [
            AccuracySeries(plugin: "seasonal-naive", city: "Portland", variable: "temperature", latestOrigin: 19_001 * 86_400 + 3600,
                           pending: [waiting], days: [day, next]),
            AccuracySeries(plugin: "autoreg", city: "São Paulo", variable: "humidity", latestOrigin: 0),
        ])
    }

    @Test("a record comes back from its bytes exactly, and its size is what the estimate says")
    func roundTrip() throws {
        let record = Self.record()
        let bytes = AccuracyFile.encode(record)
        #expect(bytes.count == AccuracyFile.estimatedSize(record))
        #expect(try AccuracyFile.decode(bytes) == record)
        #expect(try AccuracyFile.decode(AccuracyFile.encode(AccuracyRecord())) == AccuracyRecord())
    }

    @Test("a changed byte, a cut file or another format version is refused with the reason")
    func damaged() throws {
        let bytes = AccuracyFile.encode(Self.record())
        for position in [0, 9, 40, bytes.count / 2, bytes.count - 9, bytes.count - 1] {
            var changed = bytes
            changed[position] ^= 0x20
            #expect(throws: AccuracyFile.Damaged.self) { try AccuracyFile.decode(changed) }
        }
        #expect(throws: AccuracyFile.Damaged.self) { try AccuracyFile.decode(Array(bytes.prefix(bytes.count - 20))) }
        // Version 3, with a hash that matches: refused for its version.
        var other = Array(bytes.prefix(bytes.count - 8))
        other[AccuracyFile.magic.count] = 3
        withUnsafeBytes(of: AccuracyFile.hash(other[...]).littleEndian) { other += $0 }
        do {
            _ = try AccuracyFile.decode(other)
            Issue.record("version 3 was read")
        } catch {
            #expect(error.description.contains("version 3"), "\(error)")
        }
    }

    @Test("a first-format accuracy.json is converted at start: its scores answer from accuracy.bin, and the old file is gone")
    func convertsTheFirstFormat() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let origin = ServerFixture.lastTime
        // Origin T scored on 5 leads of 1-24 h; leads 6-72 waiting (the first three shown).
        let errors = (0..<72).map { $0 < 5 ? "0.5" : "null" }.joined(separator: ",")
        let values = Array(repeating: "280.5", count: 72).joined(separator: ",")
        let paired = Array(repeating: "false", count: 72).joined(separator: ",")
        let band = #"{"count":5,"absolute":2.5,"squares":1.25,"inside":4,"pairedCount":0,"pairedAbsolute":0,"pairedBaselineAbsolute":0}"#
        let empty = #"{"count":0,"absolute":0,"squares":0,"inside":0,"pairedCount":0,"pairedAbsolute":0,"pairedBaselineAbsolute":0}"#
        let legacy = #"{"version":1,"series":[{"route":"v1","city":"Portland","variable":"temperature","latestOrigin":\#(origin),"#
            + #""pending":[{"origin":\#(origin),"mean":[\#(values)],"lower":[\#(values)],"upper":[\#(values)],"errors":[\#(errors)],"paired":[\#(paired)]}],"#
            + #""scores":[{"origin":\#(origin),"bands":[\#(band),\#(empty),\#(empty)]}]}]}"#
        try Data(legacy.utf8).write(to: URL(fileURLWithPath: fixture.root + "/accuracy.json"))
        let server = try ObservationsEndpointTests.server(fixture)
        let app = Application(router: server.buildRouter())
        try await app.test(.router) { client in
            let json = try await client.execute(uri: "/v1/accuracy?city=Portland", method: .get).json()
            let variables = try #require((json["cities"] as? [[String: Any]])?.first?["variables"] as? [String: [[String: Any]]])
            let first = try #require(variables["temperature"]?.first)
            #expect(first["n"] as? Int == 5)
            #expect(first["mae"] as? Double == 0.5)
            #expect(first["coverage95"] as? Double == 0.8)
        }
        let waiting = try #require(server.accuracy.snapshot.series.first { $0.plugin == "seasonal-naive" && $0.variable == "temperature" && $0.city == "Portland" })
        #expect(waiting.pending.first?.leads == (5..<72).map { UInt8($0) })
        let names = try FileManager.default.contentsOfDirectory(atPath: fixture.root)
        #expect(names.contains("accuracy.bin") && !names.contains("accuracy.json"), "\(names)")
    }
}
