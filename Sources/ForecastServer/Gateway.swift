import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1

/// Forwards requests for upstream routes to another host with AsyncHTTPClient.
///
/// `GET /v9/forecast/72?city=X` on a route whose upstream is `http://h:8081/v1` becomes
/// `GET http://h:8081/v1/forecast/72?city=X`. The upstream's status, content type and
/// body pass through; a connection failure answers 502 and a timeout 504, both as JSON.
public struct Gateway: Sendable {
    /// The largest upstream body passed through.
    public static let maxBodyBytes = 8 * 1024 * 1024

    let client: HTTPClient

    /// A gateway sending through `client`.
    public init(client: HTTPClient = Gateway.sharedClient) {
        self.client = client
    }

    /// The process-wide client for upstreams: keep-alive pools of up to 128 connections per
    /// upstream (the default of 8 would queue a loaded gateway), redirects passed through
    /// to the caller rather than followed. It lives as long as the process, so it is never
    /// shut down.
    public static let sharedClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 128)
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// The upstream URL for `remainder` (the path after the route, with its leading `/`, or empty) and `query`.
    static func upstreamURL(base: String, remainder: String, query: String?) -> String {
        var url = base.hasSuffix("/") ? String(base.dropLast()) : base
        url += remainder
        if let query, !query.isEmpty { url += "?" + query }
        return url
    }

    /// Forwards `request` to the upstream of `route`.
    public func forward(_ request: Request, route: String, base: String, timeoutSeconds: Double) async throws(APIError) -> Response {
        let path = request.uri.path
        let prefix = "/" + route
        let remainder = path.count > prefix.count ? String(path.dropFirst(prefix.count)) : ""
        let url = Self.upstreamURL(base: base, remainder: remainder, query: request.uri.query)
        var outgoing = HTTPClientRequest(url: url)
        outgoing.method = .init(rawValue: request.method.rawValue)
        if let accept = request.headers[.accept] { outgoing.headers.add(name: "accept", value: accept) }
        outgoing.headers.add(name: "x-forwarded-route", value: route)
        let timeout = TimeAmount.nanoseconds(Int64(timeoutSeconds * 1_000_000_000))
        do {
            let upstream = try await client.execute(outgoing, timeout: timeout)
            let body = try await upstream.body.collect(upTo: Self.maxBodyBytes)
            var headers = HTTPFields()
            headers[.contentType] = upstream.headers.first(name: "content-type") ?? "application/octet-stream"
            if let cache = upstream.headers.first(name: "cache-control") { headers[.cacheControl] = cache }
            return Response(status: .init(code: Int(upstream.status.code)), headers: headers,
                            body: .init(byteBuffer: body))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout
            || error == .connectTimeout {
            throw APIError(.gatewayTimeout, code: "upstream_timeout",
                           message: "the upstream \(base) for /\(route) did not answer within \(JSONText.number(timeoutSeconds)) s")
        } catch {
            throw APIError(.badGateway, code: "upstream_failed",
                           message: "the upstream \(base) for /\(route) failed: \(error)")
        }
    }
}
