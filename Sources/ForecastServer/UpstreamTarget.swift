import Foundation
import NIOHTTP1

/// A plain-HTTP upstream, parsed once from a route's `upstream` URL, so that forwarding a
/// request only appends the path remainder and query to a prepared base path.
struct UpstreamTarget: Sendable, Hashable {
    /// The host name or address, without IPv6 brackets.
    let host: String
    /// The TCP port (80 when the URL names none).
    let port: Int
    /// The URL's path without a trailing slash, percent-encoded as written: `/v1`, or empty.
    let basePath: String
    /// The `Host` header for requests to it: `host:port`, brackets around an IPv6 address.
    let hostHeader: String

    /// The target of `base`, or nil when it is not a plain `http://host[:port][/path]` URL
    /// (https upstreams go through AsyncHTTPClient instead).
    init?(base: String) {
        guard let url = URL(string: base), url.scheme?.lowercased() == "http",
              let host = url.host(percentEncoded: false), !host.isEmpty,
              url.query == nil, url.fragment == nil, url.user == nil else { return nil }
        let port = url.port ?? 80
        guard (1...65_535).contains(port) else { return nil }
        self.host = host
        self.port = port
        var path = url.path(percentEncoded: true)
        while path.hasSuffix("/") { path.removeLast() }
        basePath = path
        let name = host.contains(":") ? "[\(host)]" : host
        hostHeader = port == 80 ? name : "\(name):\(port)"
    }

    /// The request target for `remainder` (the path after the route, from its leading `/`,
    /// or empty) and `query`: `/v1/forecast/72?city=X`.
    func uri(remainder: String, query: String?) -> String {
        var uri = basePath + remainder
        if uri.isEmpty { uri = "/" }
        if let query, !query.isEmpty { uri += "?" + query }
        return uri
    }

    /// The request head forwarding a request of `route` to this upstream: its method, the
    /// path after the route and the query, the client's `Accept`, and `X-Forwarded-Route`.
    func requestHead(method: HTTPMethod, remainder: String, query: String?, accept: String?, route: String) -> HTTPRequestHead {
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: uri(remainder: remainder, query: query))
        head.headers.add(name: "host", value: hostHeader)
        if let accept { head.headers.add(name: "accept", value: accept) }
        head.headers.add(name: "x-forwarded-route", value: route)
        return head
    }
}
