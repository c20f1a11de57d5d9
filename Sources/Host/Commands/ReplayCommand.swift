import ArgumentParser
import AsyncHTTPClient
import ForecastPipeline
import ForecastServer
import Foundation
import NIOCore

/// `forecast replay`: feeds observations held back from a data set into a running server,
/// hour by hour, through `POST /observations`, so the whole live loop can be watched offline.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Post the hours of a data set that a running server has not seen yet, one simulated hour at a time.",
        discussion: """
            Reads the source's wide CSVs (--from DIR holding temperature.csv and humidity.csv, \
            e.g. <workdir>/data or the unzipped sample; or --temperature and --humidity), asks \
            the server which cities it serves and the latest hour it has (GET /readyz and \
            GET /{route}), and posts every later hour of those cities, one POST per hour, at \
            --hours-per-second (0: as fast as the server answers). The server conditions its \
            models after each POST, so its forecasts move one hour per POST. The token is \
            read from --write-token-file, else FORECAST_WRITE_TOKEN.
            """
    )

    @Option(name: .long, help: ArgumentHelp("The server, e.g. http://127.0.0.1:8080.", valueName: "url"))
    var url: String

    @Option(name: .long, help: ArgumentHelp("A directory holding temperature.csv and humidity.csv in the source's format.", valueName: "dir"))
    var from: String?

    @Option(name: .long, help: ArgumentHelp("The temperature CSV (default <from>/temperature.csv).", valueName: "file"))
    var temperature: String?

    @Option(name: .long, help: ArgumentHelp("The humidity CSV (default <from>/humidity.csv).", valueName: "file"))
    var humidity: String?

    @Option(name: .customLong("hours-per-second"), help: "Simulated hours posted per second (0: no pause).")
    var hoursPerSecond = 1.0

    @Option(name: .customLong("since"), help: ArgumentHelp(
        "Post the hours after this one (2017-11-30T00:00:00Z); default: the latest hour the server's models have seen.", valueName: "time"))
    var since: String?

    @Option(name: .customLong("hours"), help: "Post at most this many hours.")
    var hours: Int?

    @Option(name: .customLong("write-token-file"), help: ArgumentHelp("The file holding the server's write token.", valueName: "path"))
    var writeTokenFile: String?

    func validate() throws {
        guard hoursPerSecond >= 0, hoursPerSecond.isFinite else { throw ValidationError("--hours-per-second must be 0 or more; got \(hoursPerSecond)") }
        guard from != nil || (temperature != nil && humidity != nil) else {
            throw ValidationError("name the data: --from DIR, or --temperature FILE and --humidity FILE")
        }
        if let hours, hours < 1 { throw ValidationError("--hours must be at least 1; got \(hours)") }
    }

    func run() async throws {
        guard let token = try WriteAuthorization.loadToken(path: writeTokenFile,
                                                           environment: ProcessInfo.processInfo.environment["FORECAST_WRITE_TOKEN"]) else {
            throw ValidationError("replay posts observations, which needs the server's write token: --write-token-file FILE or FORECAST_WRITE_TOKEN")
        }
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await replay(client: client, base: base, token: token)
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private func replay(client: HTTPClient, base: String, token: String) async throws {
        let (cities, latest) = try await serverState(client: client, base: base)
        let start: Int64
        if let since {
            guard let time = Self.parse(since) else { throw ValidationError("--since must look like 2017-11-30T00:00:00Z; got '\(since)'") }
            start = time
        } else {
            start = latest
        }
        let temperaturePath = temperature ?? "\(from!)/\(Variable.temperature.name).csv"
        let humidityPath = humidity ?? "\(from!)/\(Variable.humidity.name).csv"
        let tables = try [Variable.temperature, .humidity].map { variable in
            let table = try WideCSVReader.read(path: variable == .temperature ? temperaturePath : humidityPath, variable: variable, selection: .all)
            return table
        }
        // Hour -> city -> (temperature, humidity), for the served cities only.
        var byHour: [Int64: [String: (Double?, Double?)]] = [:]
        for table in tables {
            for (column, city) in table.cities.enumerated() where cities.contains(city) {
                for (row, time) in table.times.enumerated() where time > start {
                    let value = table.columns[column][row]
                    guard !value.isNaN else { continue }
                    var entry = byHour[time, default: [:]][city] ?? (nil, nil)
                    if table.variable == .temperature { entry.0 = value } else { entry.1 = value }
                    byHour[time, default: [:]][city] = entry
                }
            }
        }
        var times = byHour.keys.sorted()
        if let hours { times = Array(times.prefix(hours)) }
        guard !times.isEmpty else {
            print("nothing to replay: the files hold no hour after \(Timestamp.format(start)) for \(cities.sorted().joined(separator: ", "))")
            return
        }
        print("replaying \(times.count) hours (\(Timestamp.format(times.first!)) .. \(Timestamp.format(times.last!))) for \(cities.count) cities into \(base)")
        let pause = hoursPerSecond > 0 ? 1 / hoursPerSecond : 0
        let clock = ContinuousClock()
        var next = clock.now
        for time in times {
            var observations: [[String: Any]] = []
            for (city, values) in byHour[time]!.sorted(by: { $0.key < $1.key }) {
                var item: [String: Any] = ["city": city, "time": Self.iso(time)]
                if let t = values.0 { item[Variable.temperature.name] = t }
                if let h = values.1 { item[Variable.humidity.name] = h }
                observations.append(item)
            }
            let body = try JSONSerialization.data(withJSONObject: ["observations": observations])
            let sent = clock.now
            let (status, answer) = try await send(client: client, url: base + "/observations", body: body, token: token)
            guard status == 200 else { throw ValidationError("POST /observations for \(Timestamp.format(time)) answered \(status): \(answer)") }
            let milliseconds = Double((clock.now - sent).components.attoseconds) / 1e15 + Double((clock.now - sent).components.seconds) * 1000
            print("\(Timestamp.format(time)): \(observations.count) cities posted, answered in \(String(format: "%.1f", milliseconds)) ms")
            next = next.advanced(by: .seconds(pause))
            if pause > 0, next > clock.now { try await Task.sleep(until: next, clock: clock) }
        }
    }

    /// The cities the server's plugin routes serve and the earliest of their latest hours.
    private func serverState(client: HTTPClient, base: String) async throws -> (Set<String>, Int64) {
        let (_, ready) = try await send(client: client, url: base + "/readyz")
        guard let readiness = try JSONSerialization.jsonObject(with: Data(ready.utf8)) as? [String: Any],
              let routes = readiness["routes"] as? [[String: Any]] else {
            throw ValidationError("\(base)/readyz did not answer the server's readiness JSON: \(ready.prefix(200))")
        }
        var cities: Set<String> = []
        var latest: Int64?
        for route in routes where route["plugin"] != nil {
            guard let name = route["route"] as? String else { continue }
            let (status, info) = try await send(client: client, url: base + "/" + name)
            guard status == 200, let object = try JSONSerialization.jsonObject(with: Data(info.utf8)) as? [String: Any],
                  let models = object["models"] as? [[String: Any]] else { continue }
            for model in models {
                guard let city = model["city"] as? String, let last = (model["lastObserved"] as? String).flatMap(Self.parse) else { continue }
                cities.insert(city)
                latest = min(latest ?? last, last)
            }
        }
        guard let latest, !cities.isEmpty else { throw ValidationError("\(base) serves no models, so there is nothing to replay into") }
        return (cities, latest)
    }

    static func iso(_ time: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(time)))
    }

    static func parse(_ text: String) -> Int64? {
        ISO8601DateFormatter().date(from: text).map { Int64($0.timeIntervalSince1970) }
    }

    /// GET `url`, or POST `body` to it; the status and the body.
    private func send(client: HTTPClient, url: String, body: Data? = nil,
                      token: String? = nil) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: url)
        request.method = body == nil ? .GET : .POST
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await client.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return (Int(response.status.code), String(buffer: bytes))
    }
}
