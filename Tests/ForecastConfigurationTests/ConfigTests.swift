import ForecastConfiguration
import ForecastVocabulary
import Foundation
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

    @Test("a route may not take a path the server answers itself", arguments: ["healthz", "readyz", "metrics", "admin"])
    func rejectsReservedRouteNames(name: String) {
        #expect(ForecastConfig.reservedRouteNames.contains(name))
        let json = #"{"routes": {"\#(name)": {"plugin": "arima"}}}"#
        #expect {
            _ = try ForecastConfig.parse(Data(json.utf8))
        } throws: { error in
            "\(error)".contains("route name '\(name)' is reserved by the server")
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

    @Test("per-variable options are merged over the plugin's, key by key, for that variable only")
    func mergesVariableOptions() throws {
        let json = """
            {"plugins": {"arima": {"options": {"ic": "aic", "bounds": [-1, 1]},
                                   "variables": {"humidity": {"options": {"bounds": [0, 100], "method": "ml"}}}},
                         "autoreg": {"variables": {"temperature": {"options": {"maxlag": 48}}}}}}
            """
        let config = try ForecastConfig.parse(Data(json.utf8))
        #expect(config.options(for: "arima", variable: .humidity) == #"{"bounds":[0,100],"ic":"aic","method":"ml"}"#)
        #expect(config.options(for: "arima", variable: .temperature) == #"{"bounds":[-1,1],"ic":"aic"}"#)
        #expect(config.options(for: "arima") == #"{"bounds":[-1,1],"ic":"aic"}"#)
        #expect(config.options(for: "autoreg", variable: .temperature) == #"{"maxlag":48}"#)
        #expect(config.options(for: "autoreg", variable: .humidity) == "{}")
        #expect(config.options(for: "seasonal-naive", variable: .humidity) == "{}")
    }

    @Test("every variable may have options of its own, keyed by its name in files; another spelling is refused with the allowed names")
    func acceptsEveryVariable() throws {
        let entries = Variable.allCases.map { #""\#($0.name)": {"options": {"bounds": [\#(Int($0.validRange.lowerBound)), \#(Int($0.validRange.upperBound))]}}"# }
        let config = try ForecastConfig.parse(Data(#"{"plugins": {"arima": {"variables": {\#(entries.joined(separator: ", "))}}}}"#.utf8))
        for variable in Variable.allCases {
            let range = variable.validRange
            #expect(config.options(for: "arima", variable: variable) == #"{"bounds":[\#(Int(range.lowerBound)),\#(Int(range.upperBound))]}"#)
        }
        #expect {
            _ = try ForecastConfig.parse(Data(#"{"plugins": {"arima": {"variables": {"windSpeed": {"options": {}}}}}}"#.utf8))
        } throws: { error in
            "\(error)".contains("unknown variable 'windSpeed'") && "\(error)".contains("allowed: humidity, pressure, temperature, wind_speed")
        }
    }

    @Test("an unknown variable, or per-variable options that are not an object, are rejected with where they are")
    func rejectsBadVariableOptions() {
        let cases: [(String, String)] = [
            (#"{"plugins": {"arima": {"variables": {"humdity": {"options": {}}}}}}"#, "unknown variable 'humdity' in 'plugins.arima.variables'"),
            (#"{"plugins": {"arima": {"variables": {"humidity": {"options": [1]}}}}}"#, "'plugins.arima.variables.humidity.options' must be a JSON object"),
            (#"{"plugins": {"arima": {"variables": {"humidity": {"option": {}}}}}}"#, "unknown key 'option' in 'plugins.arima.variables.humidity'"),
            (#"{"plugins": {"arima": {"variables": []}}}"#, "'plugins.arima.variables' must be an object"),
        ]
        for (json, expected) in cases {
            #expect {
                _ = try ForecastConfig.parse(Data(json.utf8))
            } throws: { error in
                "\(error)".contains(expected)
            }
        }
    }
}
