import ForecastVocabulary
import Foundation

/// The contents of `plugins.json`: which plugin answers on which route, and each
/// plugin's training options, optionally refined per variable (so a plugin learns, say,
/// that relative humidity lies in 0-100 from its options rather than from the host).
///
/// ```json
/// {
///   "defaultCity": "San Francisco",
///   "plugins": {
///     "arima": {
///       "options": { "seasonal": "fourier" },
///       "variables": { "humidity": { "options": { "bounds": [0, 100] } } }
///     }
///   },
///   "routes": {
///     "v1": { "plugin": "arima" },
///     "v2": { "plugin": "autoreg" },
///     "v9": { "upstream": "http://127.0.0.1:8081/v1" },
///     "v8": { "upstreams": ["http://10.0.0.7:8080/v1", "http://10.0.0.8:8080/v1"] }
///   }
/// }
/// ```
/// Unknown keys are errors, so a typo never silently falls back to a default.
public struct ForecastConfig: Sendable, Equatable {
    /// A route: served in-process by a plugin, or proxied to another host.
    public enum RouteTarget: Sendable, Equatable {
        /// Answered by the loaded plugin with this name.
        case plugin(String)
        /// Forwarded to this base URL (`http://host:port/prefix`); for a replicated route,
        /// the first of ``Route/upstreams``.
        case upstream(String)
    }

    /// One entry of `routes`.
    public struct Route: Sendable, Equatable {
        /// The path segment, e.g. `v1`.
        public var name: String
        /// Where requests go.
        public var target: RouteTarget
        /// An optional human description shown at `GET /{route}`.
        public var description: String?
        /// Upstream request timeout in seconds (upstream routes only).
        public var timeoutSeconds: Double
        /// Every base URL of an upstream route, the replicas requests are spread over: one
        /// for `upstream`, several for `upstreams`; empty for a plugin route.
        public var upstreams: [String]

        /// Creates a route; `upstreams` defaults to the target's one URL.
        public init(name: String, target: RouteTarget, description: String? = nil, timeoutSeconds: Double = 10,
                    upstreams: [String]? = nil) {
            self.name = name
            self.target = target
            self.description = description
            self.timeoutSeconds = timeoutSeconds
            if let upstreams {
                self.upstreams = upstreams
            } else if case .upstream(let base) = target {
                self.upstreams = [base]
            } else {
                self.upstreams = []
            }
        }

        /// A route whose requests are spread over several upstreams (replicas of one host's route).
        public var isReplicated: Bool { upstreams.count > 1 }
    }

    /// The city a request without `?city=` is answered for.
    public var defaultCity: String
    /// Training options per plugin name, each a JSON object rendered as text.
    public var pluginOptions: [String: String]
    /// Per plugin name, then variable: options merged over the plugin's for that variable (JSON object text).
    public var variableOptions: [String: [Variable: String]]
    /// The configured routes, sorted by name.
    public var routes: [Route]
    /// Plugin directories named in the file (resolved against the file's directory).
    public var pluginDirectories: [String]
    /// Where `forecast serve` runs each plugin's calls, for the plugins the file names one for.
    public var pluginIsolation: [String: PluginIsolation] = [:]

    /// Creates a configuration.
    public init(defaultCity: String = "San Francisco", pluginOptions: [String: String] = [:],
                variableOptions: [String: [Variable: String]] = [:],
                routes: [Route] = [], pluginDirectories: [String] = []) {
        self.defaultCity = defaultCity
        self.pluginOptions = pluginOptions
        self.variableOptions = variableOptions
        self.routes = routes.sorted { $0.name < $1.name }
        self.pluginDirectories = pluginDirectories
    }

    /// The options JSON for `plugin` (`{}` when the file gives none).
    public func options(for plugin: String) -> String {
        pluginOptions[plugin] ?? "{}"
    }

    /// The options JSON for `plugin` training on `variable`: the plugin's options with the
    /// variable's merged over them key by key (a key the variable gives replaces the plugin's).
    public func options(for plugin: String, variable: Variable) -> String {
        let general = options(for: plugin)
        guard let specific = variableOptions[plugin]?[variable] else { return general }
        guard let base = (try? JSONSerialization.jsonObject(with: Data(general.utf8))) as? [String: Any],
              let over = (try? JSONSerialization.jsonObject(with: Data(specific.utf8))) as? [String: Any] else {
            return specific
        }
        let merged = base.merging(over) { _, new in new }
        guard let text = try? JSONSerialization.data(withJSONObject: merged, options: [.sortedKeys]) else { return specific }
        return String(decoding: text, as: UTF8.self)
    }

    /// The route called `name`.
    public func route(named name: String) -> Route? {
        routes.first { $0.name == name }
    }

    /// The routes for a set of loaded plugins: the configured ones, plus `/<name>` for
    /// every plugin no configured route already uses under that name.
    public func effectiveRoutes(pluginNames: [String]) -> [Route] {
        var result = routes
        for name in pluginNames where !result.contains(where: { $0.name == name }) {
            result.append(Route(name: name, target: .plugin(name)))
        }
        return result.sorted { $0.name < $1.name }
    }

    /// Reads and validates the file at `path`.
    public static func load(path: String) throws(ConfigError) -> ForecastConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(path: path, message: "cannot read the file (missing or unreadable)")
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try parse(data, path: path, baseDirectory: base)
    }

    /// Parses `data`; `path` is used in messages, `baseDirectory` resolves relative plugin directories.
    public static func parse(_ data: Data, path: String = "plugins.json", baseDirectory: String = ".") throws(ConfigError) -> ForecastConfig {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw ConfigError(path: path, message: "malformed JSON: \(jsonErrorText(error, data: data))")
        }
        guard let root = object as? [String: Any] else {
            throw ConfigError(path: path, message: "the top level must be a JSON object")
        }
        try requireKeys(root, allowed: ["$schema", "defaultCity", "plugins", "routes", "pluginDirectories"], at: "", path: path)

        var config = ForecastConfig()
        if let city = root["defaultCity"] {
            guard let city = city as? String, !city.isEmpty else {
                throw ConfigError(path: path, message: "'defaultCity' must be a non-empty string")
            }
            config.defaultCity = city
        }
        if let plugins = root["plugins"] {
            guard let plugins = plugins as? [String: Any] else {
                throw ConfigError(path: path, message: "'plugins' must be an object keyed by plugin name")
            }
            for (name, entry) in plugins {
                guard let entry = entry as? [String: Any] else {
                    throw ConfigError(path: path, message: "'plugins.\(name)' must be an object such as {\"options\": {...}}")
                }
                try requireKeys(entry, allowed: ["options", "variables", "isolation"], at: "plugins.\(name)", path: path)
                if let isolation = entry["isolation"] {
                    guard let text = isolation as? String, let value = PluginIsolation(rawValue: text) else {
                        let allowed = PluginIsolation.allCases.map { "'\($0.rawValue)'" }.joined(separator: " or ")
                        throw ConfigError(path: path, message: "'plugins.\(name).isolation' must be \(allowed)")
                    }
                    config.pluginIsolation[name] = value
                }
                if let options = entry["options"] {
                    config.pluginOptions[name] = try optionsText(options, at: "plugins.\(name).options", path: path)
                }
                if let variables = entry["variables"] {
                    let variableNames = Variable.allCases.map(\.name).sorted().joined(separator: ", ")
                    guard let variables = variables as? [String: Any] else {
                        throw ConfigError(path: path, message: "'plugins.\(name).variables' must be an object keyed by variable (\(variableNames))")
                    }
                    for (key, specific) in variables {
                        guard let variable = Variable(rawValue: key) else {
                            throw ConfigError(path: path, message: "unknown variable '\(key)' in 'plugins.\(name).variables'; allowed: \(variableNames)")
                        }
                        guard let specific = specific as? [String: Any] else {
                            throw ConfigError(path: path, message: "'plugins.\(name).variables.\(key)' must be an object such as {\"options\": {...}}")
                        }
                        try requireKeys(specific, allowed: ["options"], at: "plugins.\(name).variables.\(key)", path: path)
                        if let options = specific["options"] {
                            config.variableOptions[name, default: [:]][variable] = try optionsText(options, at: "plugins.\(name).variables.\(key).options", path: path)
                        }
                    }
                }
            }
        }
        if let routes = root["routes"] {
            guard let routes = routes as? [String: Any] else {
                throw ConfigError(path: path, message: "'routes' must be an object keyed by route name")
            }
            var parsed: [Route] = []
            for (name, entry) in routes {
                guard isValidRouteName(name) else {
                    throw ConfigError(path: path, message: "route name '\(name)' must be 1-64 characters of [A-Za-z0-9_-]")
                }
                guard let entry = entry as? [String: Any] else {
                    throw ConfigError(path: path, message: "'routes.\(name)' must be an object with 'plugin', 'upstream' or 'upstreams'")
                }
                try requireKeys(entry, allowed: ["plugin", "upstream", "upstreams", "description", "timeoutSeconds"], at: "routes.\(name)", path: path)
                let description = entry["description"] as? String
                if entry["description"] != nil && description == nil {
                    throw ConfigError(path: path, message: "'routes.\(name).description' must be a string")
                }
                var timeout = 10.0
                if let value = entry["timeoutSeconds"] {
                    guard let number = value as? Double, number > 0, number <= 600 else {
                        throw ConfigError(path: path, message: "'routes.\(name).timeoutSeconds' must be a number of seconds in (0, 600]")
                    }
                    timeout = number
                }
                if let replicas = entry["upstreams"] {
                    guard entry["plugin"] == nil, entry["upstream"] == nil else {
                        throw ConfigError(path: path, message: "'routes.\(name)' needs exactly one of 'plugin' (a plugin name), 'upstream' (a URL) or 'upstreams' (a list of URLs)")
                    }
                    let urls = try replicaURLs(replicas, route: name, path: path)
                    parsed.append(Route(name: name, target: .upstream(urls[0]), description: description, timeoutSeconds: timeout,
                                        upstreams: urls))
                    continue
                }
                switch (entry["plugin"], entry["upstream"]) {
                case (let plugin as String, nil) where !plugin.isEmpty:
                    parsed.append(Route(name: name, target: .plugin(plugin), description: description, timeoutSeconds: timeout))
                case (nil, let upstream as String):
                    guard let url = URL(string: upstream), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                        throw ConfigError(path: path, message: "'routes.\(name).upstream' must be an http(s) URL such as http://127.0.0.1:8081/v1; got '\(upstream)'")
                    }
                    parsed.append(Route(name: name, target: .upstream(upstream), description: description, timeoutSeconds: timeout))
                default:
                    throw ConfigError(path: path, message: "'routes.\(name)' needs exactly one of 'plugin' (a plugin name), 'upstream' (a URL) or 'upstreams' (a list of URLs)")
                }
            }
            if let clash = parsed.first(where: { Self.reservedRouteNames.contains($0.name) }) {
                throw ConfigError(path: path, message: "route name '\(clash.name)' is reserved by the server")
            }
            config.routes = parsed.sorted { $0.name < $1.name }
        }
        if let directories = root["pluginDirectories"] {
            guard let list = directories as? [String] else {
                throw ConfigError(path: path, message: "'pluginDirectories' must be an array of paths")
            }
            config.pluginDirectories = list.map { $0.hasPrefix("/") ? $0 : baseDirectory + "/" + $0 }
        }
        return config
    }

    /// The replicas of `routes.<route>.upstreams`: a list of distinct plain `http://` URLs
    /// with a host (replicas are hosts on one network; the gateway health-checks each at
    /// its `/readyz`).
    private static func replicaURLs(_ value: Any, route: String, path: String) throws(ConfigError) -> [String] {
        guard let list = value as? [Any], !list.isEmpty else {
            throw ConfigError(path: path, message: "'routes.\(route).upstreams' must be a non-empty array of http:// URLs")
        }
        var urls: [String] = []
        for item in list {
            guard let text = item as? String, let url = URL(string: text), url.scheme?.lowercased() == "http",
                  let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil, url.user == nil else {
                throw ConfigError(path: path, message: "'routes.\(route).upstreams' entries must be plain http:// URLs such as http://10.0.0.7:8080/v1; got '\(item)'")
            }
            guard !urls.contains(text) else {
                throw ConfigError(path: path, message: "'routes.\(route).upstreams' names '\(text)' twice")
            }
            urls.append(text)
        }
        return urls
    }

    /// The first path segments the server answers itself (`/healthz`, `/readyz`, `/metrics`,
    /// `/openapi.json`, `/admin/...`): no route may take one of these names, and the
    /// server's metrics label requests by them.
    public static let reservedRouteNames: Set<String> = ["healthz", "readyz", "metrics", "openapi.json", "admin"]

    /// Whether `name` can be a route: 1-64 characters of `[A-Za-z0-9_-]`.
    public static func isValidRouteName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    /// A JSON object rendered with sorted keys; anything else is an error at `location`.
    private static func optionsText(_ options: Any, at location: String, path: String) throws(ConfigError) -> String {
        guard options is [String: Any],
              let text = try? JSONSerialization.data(withJSONObject: options, options: [.sortedKeys]) else {
            throw ConfigError(path: path, message: "'\(location)' must be a JSON object")
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static func requireKeys(_ object: [String: Any], allowed: Set<String>, at location: String, path: String) throws(ConfigError) {
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            let place = location.isEmpty ? "at the top level" : "in '\(location)'"
            throw ConfigError(path: path, message: "unknown key '\(unknown)' \(place); allowed: \(allowed.sorted().joined(separator: ", "))")
        }
    }

    /// Foundation's parse errors carry a byte offset; turn it into a line and column.
    private static func jsonErrorText(_ error: any Error, data: Data) -> String {
        let nsError = error as NSError
        let detail = (nsError.userInfo[NSDebugDescriptionErrorKey] as? String) ?? nsError.localizedDescription
        var offset = nsError.userInfo["NSJSONSerializationErrorIndex"] as? Int
        if offset == nil, let range = detail.range(of: "character ") {
            offset = Int(detail[range.upperBound...].prefix(while: \.isNumber))
        }
        if let index = offset, index <= data.count {
            let prefix = data.prefix(index)
            let line = prefix.filter { $0 == UInt8(ascii: "\n") }.count + 1
            let column = index - (prefix.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0) + 1
            return "\(detail) (line \(line), column \(column))"
        }
        return detail
    }
}

/// A problem in `plugins.json`, naming the file and where in it.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// What is wrong and where.
    public var message: String

    /// Creates an error.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `plugins.json: unknown key 'pluginn' in 'routes.v1'; ...`.
    public var description: String { "\(path): \(message)" }
}
