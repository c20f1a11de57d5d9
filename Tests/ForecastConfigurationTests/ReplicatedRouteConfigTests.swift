import ForecastConfiguration
import Foundation
import Testing

@Suite("plugins.json: replicated routes")
struct ReplicatedRouteConfigTests {
    @Test("'upstreams' names every replica of a route; the first is also its target, and 'upstream' still means one")
    func parsesReplicas() throws {
        let json = """
            {"routes": {"v1": {"upstreams": ["http://10.0.0.7:8080/v1", "http://10.0.0.8:8080/v1"], "timeoutSeconds": 4},
                        "v9": {"upstream": "http://127.0.0.1:9000/v1"}}}
            """
        let config = try ForecastConfig.parse(Data(json.utf8))
        let replicated = try #require(config.route(named: "v1"))
        #expect(replicated.upstreams == ["http://10.0.0.7:8080/v1", "http://10.0.0.8:8080/v1"])
        #expect(replicated.target == .upstream("http://10.0.0.7:8080/v1"))
        #expect(replicated.isReplicated)
        #expect(replicated.timeoutSeconds == 4)
        let single = try #require(config.route(named: "v9"))
        #expect(single.upstreams == ["http://127.0.0.1:9000/v1"])
        #expect(!single.isReplicated)
    }

    @Test("a bad 'upstreams' is refused with what is wrong", arguments: [
        (#"{"upstreams": []}"#, "must be a non-empty array"),
        (#"{"upstreams": "http://a:1/v1"}"#, "must be a non-empty array"),
        (#"{"upstreams": ["https://a:1/v1", "http://b:1/v1"]}"#, "plain http:// URLs"),
        (#"{"upstreams": ["http://a:1/v1", 7]}"#, "plain http:// URLs"),
        (#"{"upstreams": ["http://a:1/v1", "http://a:1/v1"]}"#, "names 'http://a:1/v1' twice"),
        (#"{"upstreams": ["http://a:1/v1"], "upstream": "http://b:1/v1"}"#, "exactly one of"),
        (#"{"upstreams": ["http://a:1/v1"], "plugin": "arima"}"#, "exactly one of"),
    ])
    func refusesBadReplicas(route: String, message: String) {
        let json = #"{"routes": {"v1": "# + route + "}}"
        #expect {
            _ = try ForecastConfig.parse(Data(json.utf8))
        } throws: { error in
            "\(error)".contains(message) && "\(error)".contains("routes.v1")
        }
    }
}
