import HTTPTypes

/// Which methods each served path accepts: what a request with another method on a known
/// path is told in the `Allow` header of its 405.
///
/// Paths match the way Hummingbird's router matches them: split at `/` with empty
/// components dropped, literal components compared exactly, `:name` standing for any one
/// component and `**` for one or more. A path no endpoint matches has no entry (404).
struct AllowedMethods: Sendable {
    private struct Entry: Sendable {
        let pattern: [Substring]
        var methods: [HTTPRequest.Method]
    }

    private let entries: [Entry]

    /// The methods of `endpoints`, each GET also allowing HEAD (the router answers HEAD
    /// for every GET endpoint).
    init(_ endpoints: [Endpoint]) {
        var entries: [Entry] = []
        for endpoint in endpoints {
            let pattern = endpoint.path.split(separator: "/")
            var methods = [endpoint.method]
            if endpoint.method == .get { methods.append(.head) }
            if let index = entries.firstIndex(where: { $0.pattern == pattern }) {
                for method in methods where !entries[index].methods.contains(method) {
                    entries[index].methods.append(method)
                }
            } else {
                entries.append(Entry(pattern: pattern, methods: methods))
            }
        }
        self.entries = entries
    }

    /// The methods allowed on `path`, in the order they were declared; nil when no endpoint has this path.
    func methods(forPath path: String) -> [HTTPRequest.Method]? {
        let components = path.split(separator: "/")
        var allowed: [HTTPRequest.Method] = []
        var known = false
        for entry in entries where Self.matches(components, entry.pattern) {
            known = true
            for method in entry.methods where !allowed.contains(method) {
                allowed.append(method)
            }
        }
        return known ? allowed : nil
    }

    /// The `Allow` header's value for `path`, e.g. `GET, HEAD`; nil when no endpoint has this path.
    func allowHeader(forPath path: String) -> String? {
        methods(forPath: path).map { $0.map(\.rawValue).joined(separator: ", ") }
    }

    private static func matches(_ components: [Substring], _ pattern: [Substring]) -> Bool {
        var index = 0
        for (position, part) in pattern.enumerated() {
            if part == "**" {
                // One or more remaining components (a bare `/{route}` is its own endpoint).
                return position == pattern.count - 1 && components.count > index
            }
            guard index < components.count else { return false }
            if !part.hasPrefix(":") && part != components[index] { return false }
            index += 1
        }
        return index == components.count
    }
}
