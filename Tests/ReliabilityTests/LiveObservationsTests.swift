import Foundation
import Testing
import TestSupport

/// The live loop with the real CLI: models trained on data up to hour T, the next 48 hours
/// posted to a running `forecast serve`, and forecasts that start at T+49 without a refit;
/// writes without the token refused.
@Suite("observations posted to a running server move its forecasts", .serialized)
struct LiveObservationsTests {
    /// Hours held back from training and posted instead.
    static let heldBack = 48

    @Test("train to T, post T+1..T+48: forecasts start at T+49, on a restart and after the worker is killed too")
    func postedHoursMoveTheForecast() throws {
        let token = "live-test-token-0123456789abcdef"
        let setup = try HeldBackWorkdir("live", cities: ["San Francisco", "Portland"], token: token)
        defer { setup.scratch.remove() }
        let (workdir, common, tokenFile, held) = (setup.workdir, setup.common, setup.tokenFile, setup.held)
        var server = try ServedProcess(common + ["--write-token-file", tokenFile], in: workdir)
        defer { _ = server.stop() }
        let route = "/seasonal-naive/forecast/24?city=Portland"

        let before = try Self.json(server.request(route))
        let model = try #require(before["model"] as? [String: Any])
        let trainingEnd = try #require(model["trainingEnd"] as? String)
        #expect(model["lastObservation"] as? String == trainingEnd)
        #expect(model["conditioned"] as? Bool == false)
        let t = try #require(Self.time(trainingEnd))
        #expect(Self.firstHour(before) == t + 3600)

        // Writes without the token, or with a wrong one, are refused and change nothing.
        let csv = held["temperature"]!
        let anonymous = try Self.post(server, "/observations?variable=temperature", body: csv, type: "text/csv", token: nil)
        #expect(anonymous.status == 401 && anonymous.body.contains("unauthorized"), "\(anonymous.body)")
        let wrong = try Self.post(server, "/observations?variable=temperature", body: csv, type: "text/csv", token: "not-the-token-at-all")
        #expect(wrong.status == 403 && wrong.body.contains("forbidden"), "\(wrong.body)")
        let reloadAnonymous = try Self.post(server, "/admin/reload", body: "", type: "application/json", token: nil)
        #expect(reloadAnonymous.status == 401, "\(reloadAnonymous.body)")
        #expect(Self.firstHour(try Self.json(server.request(route))) == t + 3600)

        // The held-back hours, posted in the source's format: the forecast moves to T+49.
        for variable in ["temperature", "humidity"] {
            let answer = try Self.post(server, "/observations?variable=\(variable)", body: held[variable]!, type: "text/csv", token: token)
            #expect(answer.status == 200, "\(answer.body)")
            let body = try Self.json(answer)
            #expect(body["stored"] as? Int == 2 * Self.heldBack, "\(answer.body)")
        }
        let after = try Self.json(server.request(route))
        let moved = try #require(after["model"] as? [String: Any])
        #expect(Self.firstHour(after) == t + 49 * 3600)
        #expect(moved["lastObservation"] as? String == Self.iso(t + 48 * 3600))
        #expect(moved["trainingEnd"] as? String == trainingEnd)
        #expect(moved["conditioned"] as? Bool == true)
        // The forecasts issued at T were scored on the 48 posted hours: 24 leads in each of
        // the first two bands, none beyond (scoring runs just after each POST answers).
        var accuracy = ""
        for _ in 0..<100 {
            accuracy = try server.request("/seasonal-naive/accuracy?city=Portland").body
            if Self.scoredLeads(accuracy) == [24, 24, 0, 24, 24, 0] { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(Self.scoredLeads(accuracy) == [24, 24, 0, 24, 24, 0], "\(accuracy)")
        // Seasonal naive repeats the last day: the forecast's first hour is the posted value 24 h before it.
        let posted = try #require(Self.value(csv: held["temperature"]!, city: "Portland", time: t + 25 * 3600))
        let first = try #require((after["forecast"] as? [[String: Any]])?.first?["temperature"] as? Double)
        #expect(abs(first - (posted - 273.15)) < 0.001, "first forecast \(first) °C, posted \(posted) K")

        // Posting the same hours again changes nothing; a different measured value is a conflict.
        let again = try Self.json(Self.post(server, "/observations?variable=humidity", body: held["humidity"]!, type: "text/csv", token: token))
        #expect(again["stored"] as? Int == 0 && again["unchanged"] as? Int == 2 * Self.heldBack)
        let conflict = try Self.post(server, "/observations", body: #"{"observations":[{"city":"Portland","time":"\#(Self.iso(t + 3600))","temperature":200.5}]}"#,
                                     type: "application/json", token: token)
        #expect(conflict.status == 409 && conflict.body.contains("Portland"), "\(conflict.body)")

        // A worker killed mid-service rebuilds the conditioned model: still T+49.
        let ready = try Self.json(server.request("/readyz"))
        let routes = try #require(ready["routes"] as? [[String: Any]])
        let worker = try #require(routes.first { $0["route"] as? String == "seasonal-naive" }?["worker"] as? [String: Any])
        let pid = try #require(worker["pid"] as? Int)
        kill(pid_t(pid), SIGKILL)
        var recovered: [String: Any]?
        for _ in 0..<120 {  // the restart takes 0.5 s; this bounds a hang, not a speed
            let answer = try server.request("/seasonal-naive/forecast/12?city=Portland")
            if answer.status == 200 { recovered = try Self.json(answer); break }
            Thread.sleep(forTimeInterval: 0.25)
        }
        #expect(recovered.map(Self.firstHour) == t + 49 * 3600)

        // A new server process conditions on the store at start.
        #expect(server.stop() == 0)
        server = try ServedProcess(common, in: workdir)
        let restarted = try Self.json(server.request(route))
        #expect(Self.firstHour(restarted) == t + 49 * 3600)
        // ... and reads the accuracy scores back from the work directory.
        #expect(try server.request("/seasonal-naive/accuracy?city=Portland").body == accuracy)
        let readOnly = try Self.post(server, "/observations", body: "{}", type: "application/json", token: token)
        #expect(readOnly.status == 403 && readOnly.body.contains("writes_disabled"), "\(readOnly.body)")
    }

    /// The `n` of every band of Portland's humidity then temperature in an accuracy answer.
    static func scoredLeads(_ body: String) -> [Int] {
        guard let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
              let city = (json["cities"] as? [[String: Any]])?.first,
              let variables = city["variables"] as? [String: [[String: Any]]] else { return [] }
        return ["humidity", "temperature"].flatMap { (variables[$0] ?? []).compactMap { $0["n"] as? Int } }
    }

    /// The work directory both live tests start from: sample data fetched, the last
    /// ``heldBack`` hours cut off both CSVs (kept whole in ``full``, the cut hours in
    /// ``held``), the rest ingested for `cities`, the seasonal-naive plugin trained, and a
    /// file holding the write token.
    struct HeldBackWorkdir {
        let scratch: Scratch
        /// Per variable, the held-back hours as a CSV with the file's header line.
        let held: [String: String]
        var workdir: String { scratch.path }
        /// `--workdir` and `--plugin-dir` for every command.
        var common: [String] { ["--workdir", workdir, "--plugin-dir", scratch.file("plugins")] }
        var tokenFile: String { scratch.file("token") }
        /// The fetched CSVs before they were cut.
        var full: String { scratch.file("full") }

        init(_ prefix: String, cities: [String], token: String) throws {
            scratch = try Scratch(prefix)
            let workdir = scratch.path
            try ForecastCommand.fetchSampleData(into: workdir, hours: 800)
            try FileManager.default.createDirectory(atPath: scratch.file("full"), withIntermediateDirectories: true)
            var held: [String: String] = [:]
            for variable in ["temperature", "humidity"] {
                let path = "\(workdir)/data/\(variable).csv"
                let text = try String(contentsOfFile: path, encoding: .utf8)
                try text.write(toFile: scratch.file("full/\(variable).csv"), atomically: true, encoding: .utf8)
                let lines = text.split(separator: "\n").map(String.init)
                try (lines.dropLast(LiveObservationsTests.heldBack).joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
                held[variable] = ([lines[0]] + lines.suffix(LiveObservationsTests.heldBack)).joined(separator: "\n") + "\n"
            }
            self.held = held
            let common = try ForecastCommand.seasonalNaivePlugins(in: workdir)
            try ForecastCommand.check(ForecastCommand.run(["ingest", "--workdir", workdir] + cities.flatMap { ["--city", $0] }, in: workdir), "ingest")
            try ForecastCommand.check(ForecastCommand.run(["train"] + common, in: workdir), "train")
            try (token + "\n").write(toFile: scratch.file("token"), atomically: true, encoding: .utf8)
        }
    }

    static func post(_ server: ServedProcess, _ path: String, body: String, type: String, token: String?) throws -> (status: Int, body: String) {
        let bodyFile = NSTemporaryDirectory() + "live-\(UUID().uuidString).in"
        let outFile = NSTemporaryDirectory() + "live-\(UUID().uuidString).out"
        defer {
            try? FileManager.default.removeItem(atPath: bodyFile)
            try? FileManager.default.removeItem(atPath: outFile)
        }
        try body.write(toFile: bodyFile, atomically: true, encoding: .utf8)
        var arguments = ["curl", "-s", "-m", "60", "-X", "POST", "-H", "Content-Type: \(type)", "--data-binary", "@" + bodyFile,
                         "-o", outFile, "-w", "%{http_code}"]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        let curl = try ProgramRun.run("/usr/bin/env", arguments + [server.baseURL + path], timeout: 120)
        let code = Int(curl.output) ?? 0
        guard code > 0 else { throw TestSetupFailure(message: "curl gave no status for POST \(path): \(curl.errors)") }
        return (code, (try? String(contentsOfFile: outFile, encoding: .utf8)) ?? "")
    }

    static func json(_ answer: (status: Int, body: String)) throws -> [String: Any] {
        guard answer.status == 200 else { throw TestSetupFailure(message: "status \(answer.status): \(answer.body)") }
        return try #require(try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any])
    }

    static func firstHour(_ body: [String: Any]) -> Int64? {
        ((body["forecast"] as? [[String: Any]])?.first?["time"] as? String).flatMap(time)
    }

    static func time(_ text: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text).map { Int64($0.timeIntervalSince1970) }
    }

    static func iso(_ seconds: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// The value of `city` at `time` in a wide CSV (`datetime` as `YYYY-MM-DD HH:MM:SS`).
    static func value(csv: String, city: String, time: Int64) -> Double? {
        let lines = csv.split(separator: "\n")
        guard let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false),
              let column = header.firstIndex(where: { $0 == city }) else { return nil }
        let stamp = iso(time).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            if fields.first.map(String.init) == stamp { return Double(fields[column]) }
        }
        return nil
    }
}

@Suite("forecast replay feeds held-back hours into a running server", .serialized)
struct ReplayTests {
    @Test("replaying the 48 held-back hours as fast as the server answers moves the forecast to T+49")
    func replayMovesTheForecast() throws {
        let setup = try LiveObservationsTests.HeldBackWorkdir("replay", cities: ["Portland"], token: "replay-test-token-0123456789abcdef")
        defer { setup.scratch.remove() }
        let (workdir, common, tokenFile, full) = (setup.workdir, setup.common, setup.tokenFile, setup.full)
        let server = try ServedProcess(common + ["--write-token-file", tokenFile], in: workdir)
        defer { _ = server.stop() }
        let route = "/seasonal-naive/forecast/24?city=Portland"
        let before = try LiveObservationsTests.json(server.request(route))
        let t = try #require(LiveObservationsTests.firstHour(before)) - 3600

        let replay = try ForecastCommand.run(["replay", "--url", server.baseURL, "--from", full, "--hours-per-second", "0",
                                          "--write-token-file", tokenFile], in: workdir)
        try ForecastCommand.check(replay, "replay")
        #expect(replay.output.contains("replaying \(LiveObservationsTests.heldBack) hours"), "\(replay.output)")
        let after = try LiveObservationsTests.json(server.request(route))
        #expect(LiveObservationsTests.firstHour(after) == t + 49 * 3600)
        // Nothing left to replay: the server has every hour of the files.
        let again = try ForecastCommand.run(["replay", "--url", server.baseURL, "--from", full, "--write-token-file", tokenFile], in: workdir)
        #expect(again.output.contains("nothing to replay"), "\(again.output)")
        // Without the token, replay refuses before posting anything.
        let anonymous = try ForecastCommand.run(["replay", "--url", server.baseURL, "--from", full], in: workdir)
        #expect(anonymous.status != 0 && anonymous.errors.contains("write token"), "\(anonymous.errors)")
    }
}
