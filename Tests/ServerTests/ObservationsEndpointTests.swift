import Foundation
@testable import ForecastServer
import ForecastStore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("POST /observations (router)")
struct ObservationsEndpointTests {
    static let token = "router-test-token-0123456789"
    static let next = ServerFixture.lastTime + 3600

    static func server(_ fixture: ServerFixture, token: String? = ObservationsEndpointTests.token, limit: Int = 4 << 20) throws -> ForecastServer {
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, config: ServerFixture.config(), plugins: [fixture.plugin],
                                                repository: fixture.repository, store: try SQLiteStore(path: fixture.storePath))
        configuration.writeToken = token
        configuration.maximumRequestBytes = limit
        return ForecastServer(configuration: configuration)
    }

    static func post(_ client: some TestClientProtocol, _ body: String, type: String = "application/json",
                     token: String? = ObservationsEndpointTests.token, uri: String = "/observations") async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: type]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    static func iso(_ time: Int64) -> String { ISOTime.format(time) }

    @Test("a posted hour moves the forecast by one hour; posting it again changes nothing; a differing measurement is 409 and stores nothing")
    func postMovesForecast() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let app = Application(router: try Self.server(fixture).buildRouter())
        try await app.test(.router) { client in
            let body = #"{"observations":[{"city":"Portland","time":"\#(Self.iso(Self.next))","temperature":290.5,"humidity":61}]}"#
            let first = try await Self.post(client, body)
            #expect(first.status == .ok)
            #expect(try first.json()["stored"] as? Int == 2)
            let forecast = try await client.execute(uri: "/v1/forecast/24?city=Portland", method: .get).json()
            let hours = try #require(forecast["forecast"] as? [[String: Any]])
            #expect(hours.first?["time"] as? String == Self.iso(Self.next + 3600))
            // The other city has no new hour: it still starts after the training end.
            let other = try await client.execute(uri: "/v1/forecast/24?city=San%20Francisco", method: .get).json()
            #expect((other["forecast"] as? [[String: Any]])?.first?["time"] as? String == Self.iso(Self.next))

            let again = try await Self.post(client, body).json()
            #expect(again["stored"] as? Int == 0 && again["unchanged"] as? Int == 2)
            let conflict = try await Self.post(client, body.replacingOccurrences(of: "290.5", with: "291.5"))
            #expect(conflict.status == .conflict)
            #expect(String(buffer: conflict.body).contains("stored 290.5, posted 291.5"))
            let stored = try SQLiteStore(path: fixture.storePath).observations(city: "Portland", from: Self.next, to: Self.next)
            #expect(stored.first?.temperature == 290.5)
        }
    }

    @Test("pressure and wind speed are posted like the other variables (JSON and CSV), range-checked by the variable table")
    func postsEveryVariable() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let app = Application(router: try Self.server(fixture).buildRouter())
        try await app.test(.router) { client in
            let json = #"{"observations":[{"city":"Portland","time":"\#(Self.iso(Self.next))","pressure":1012.5,"windSpeed":4}]}"#
            let answer = try await Self.post(client, json)
            #expect(answer.status == .ok, "\(String(buffer: answer.body))")
            #expect(try answer.json()["stored"] as? Int == 2)
            let csv = "datetime,Portland\n\(Self.iso(Self.next + 3600)),1013\n"
            let posted = try await Self.post(client, csv, type: "text/csv", uri: "/observations?variable=pressure")
            #expect(posted.status == .ok, "\(String(buffer: posted.body))")
            let outside = try await Self.post(client, #"{"observations":[{"city":"Portland","time":"\#(Self.iso(Self.next))","wind_speed":200}]}"#)
            #expect(outside.status == .unprocessableContent)
            #expect(String(buffer: outside.body).contains("wind_speed 200.0 m/s is outside 0.0...113.0"))
        }
        let stored = try SQLiteStore(path: fixture.storePath).observations(city: "Portland", from: Self.next, to: Self.next + 3600)
        #expect(stored.map { $0[.pressure] } == [1012.5, 1013])
        #expect(stored.first?[.windSpeed] == 4 && stored.first?.temperature == nil)
    }

    @Test("a measurement replaces a stored interpolated value without a conflict")
    func replacesInterpolated() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let store = try SQLiteStore(path: fixture.storePath)
        try store.upsert(ObservationBatch([.init(city: "Portland", start: Self.next, temperature: [280], humidity: [.nan],
                                                 imputed: [ImputedMask.temperature])]), progress: { _ in }, beforeCommit: {})
        let app = Application(router: try Self.server(fixture).buildRouter())
        try await app.test(.router) { client in
            let answer = try await Self.post(client, #"{"observations":[{"city":"Portland","time":"\#(Self.iso(Self.next))","temperature":281}]}"#)
            #expect(answer.status == .ok)
            #expect(try answer.json()["replacedImputed"] as? Int == 1)
        }
        #expect(try store.observations(city: "Portland", from: Self.next, to: Self.next).first?.temperature == 281)
        #expect(try store.imputedMarks(city: "Portland", from: Self.next, to: Self.next).isEmpty)
    }

    @Test("every problem of a body is named and nothing is stored: range, future, unknown city, differing duplicate, not an hour")
    func validation() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let app = Application(router: try Self.server(fixture).buildRouter())
        try await app.test(.router) { client in
            let t = Self.iso(Self.next)
            let body = #"""
                {"observations":[{"city":"Portland","time":"\#(t)","temperature":400},
                 {"city":"Portland","time":"2999-01-01T00:00:00Z","humidity":50},
                 {"city":"Atlantis","time":"\#(t)","humidity":50},
                 {"city":"San Francisco","time":"\#(t)","humidity":50},{"city":"San Francisco","time":"\#(t)","humidity":51},
                 {"city":"San Francisco","time":"\#(Self.iso(Self.next + 60))","humidity":50}]}
                """#
            let answer = try await Self.post(client, body)
            #expect(answer.status == .unprocessableContent)
            let message = String(buffer: answer.body)
            for fragment in ["temperature 400.0 K is outside", "is in the future", "unknown city 'Atlantis'", "given twice with different values",
                             "is not a whole UTC hour"] {
                #expect(message.contains(fragment), "\(fragment) missing from \(message)")
            }
            #expect(try SQLiteStore(path: fixture.storePath).observations(city: "San Francisco", from: Self.next, to: nil).isEmpty)
            #expect(try await Self.post(client, "not json").status == .badRequest)
            let unknown = try await Self.post(client, #"{"observations":[{"city":"Atlantis","time":"\#(t)","humidity":50}]}"#)
            #expect(unknown.status == .notFound && String(buffer: unknown.body).contains("unknown_city"))
            #expect(try await Self.post(client, #"{"observations":[]}"#).json()["stored"] as? Int == 0)
            #expect(try await Self.post(client, "a,b", type: "text/plain").status == .unsupportedMediaType)
            // The source's wide CSV, one variable: unknown columns skipped and named.
            let csv = "datetime,Portland,Atlantis\n\(t.replacingOccurrences(of: "T", with: " ").dropLast()),285.5,290\n"
            let posted = try await Self.post(client, csv, type: "text/csv", uri: "/observations?variable=temperature")
            #expect(posted.status == .ok, "\(String(buffer: posted.body))")
            #expect(try posted.json()["ignoredCities"] as? [String] == ["Atlantis"])
        }
    }

    @Test("writes need the bearer token (401 without, 403 wrong), bodies over the limit are 413, a server without a token is read-only")
    func authorization() async throws {
        let fixture = try ServerFixture.make()
        defer { fixture.remove() }
        let body = #"{"observations":[{"city":"Portland","time":"\#(Self.iso(Self.next))","temperature":290}]}"#
        let app = Application(router: try Self.server(fixture, limit: 2048).buildRouter())
        try await app.test(.router) { client in
            let missing = try await Self.post(client, body, token: nil)
            #expect(missing.status == .unauthorized && missing.headers[.wwwAuthenticate] != nil)
            #expect(try missing.json()["error"] as? [String: Any] != nil)
            #expect(try await Self.post(client, body, token: "router-test-token-0123456780").status == .forbidden)
            #expect(try await client.execute(uri: "/admin/reload", method: .post).status == .unauthorized)
            let reload = try await client.execute(uri: "/admin/reload", method: .post, headers: [.authorization: "Bearer \(Self.token)"])
            #expect(reload.status == .ok)
            let large = try await Self.post(client, String(repeating: " ", count: 4096) + body)
            #expect(large.status == .contentTooLarge)
        }
        #expect(try SQLiteStore(path: fixture.storePath).observations(city: "Portland", from: Self.next, to: nil).isEmpty)
        let readOnly = Application(router: try Self.server(fixture, token: nil).buildRouter())
        try await readOnly.test(.router) { client in
            let refused = try await Self.post(client, body, token: Self.token)
            #expect(refused.status == .forbidden && String(buffer: refused.body).contains("writes_disabled"))
        }
    }

    @Test("the token comparison and the token's own checks")
    func tokens() throws {
        #expect(WriteAuthorization.constantTimeEqual(Array("abcdefgh".utf8), Array("abcdefgh".utf8)))
        #expect(!WriteAuthorization.constantTimeEqual(Array("abcdefgx".utf8), Array("abcdefgh".utf8)))
        #expect(!WriteAuthorization.constantTimeEqual(Array("abcdefgh!".utf8), Array("abcdefgh".utf8)))
        #expect(!WriteAuthorization.constantTimeEqual(Array("abc".utf8), Array("abcdefgh".utf8)))
        #expect(throws: WriteAuthorization.TokenError.self) { try WriteAuthorization.loadToken(path: nil, environment: "short") }
        #expect(throws: WriteAuthorization.TokenError.self) { try WriteAuthorization.loadToken(path: "/nonexistent/token", environment: nil) }
        #expect(try WriteAuthorization.loadToken(path: nil, environment: "  0123456789abcdef\n") == "0123456789abcdef")
        #expect(try WriteAuthorization.loadToken(path: nil, environment: nil) == nil)
    }
}
