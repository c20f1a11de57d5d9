// libFuzzer target: the plugins.json parser on arbitrary bytes.
// Built by fuzz/run.sh together with Sources/ForecastConfiguration.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    do {
        let config = try ForecastConfig.parse(bytes)
        // What parses must be usable: routes named validly, options valid JSON objects.
        for route in config.routes where !ForecastConfig.isValidRouteName(route.name) { abort() }
        for (_, options) in config.pluginOptions {
            guard (try? JSONSerialization.jsonObject(with: Data(options.utf8))) is [String: Any] else { abort() }
        }
    } catch {
        if error.message.isEmpty { abort() }
    }
    return 0
}
