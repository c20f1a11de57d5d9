import Foundation
import PluginHost
import Testing

@Suite("plugins.json")
struct ConfigTests {
    @Test("a valid file maps routes to plugins and upstreams")
    func parsesRoutes() throws {
        let json = """
            {"defaultCity": "Portland", "plugins": {"arima": {"options": {"ic": "aic"}}},
             "routes": {"v1": {"plugin": "arima"}, "v9": {"upstream": "http://127.0.0.1:9000/v1"}}}
            """
        let config = try ForecastConfig.parse(Data(json.utf8))
        #expect(config.defaultCity == "Portland")
        #expect(config.route(named: "v1")?.target == .plugin("arima"))
        #expect(config.route(named: "v9")?.target == .upstream("http://127.0.0.1:9000/v1"))
        #expect(config.options(for: "arima") == #"{"ic":"aic"}"#)
        #expect(config.options(for: "autoreg") == "{}")
    }

    @Test("an unknown key is rejected with where it is")
    func rejectsUnknownKeys() {
        let json = #"{"routes": {"v1": {"plugn": "arima"}}}"#
        #expect {
            _ = try ForecastConfig.parse(Data(json.utf8))
        } throws: { error in
            "\(error)".contains("unknown key 'plugn' in 'routes.v1'")
        }
    }

    @Test("malformed JSON names the line and column")
    func rejectsMalformedJSON() {
        let json = "{\n  \"routes\": {,\n}"
        #expect {
            _ = try ForecastConfig.parse(Data(json.utf8))
        } throws: { error in
            "\(error)".contains("malformed JSON") && "\(error)".contains("line 2")
        }
    }
}
