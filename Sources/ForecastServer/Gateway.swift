import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import NIOPosix

/// Forwards requests for upstream routes to another host.
///
/// `GET /v9/forecast/72?city=X` on a route whose upstream is `http://h:8081/v1` becomes
/// `GET http://h:8081/v1/forecast/72?city=X`. The upstream's status, content type and
/// body pass through; a connection failure answers 502 and a timeout 504, both as JSON.
///
/// Plain-HTTP upstreams (the usual case: hosts on the same network) go through
/// ``UpstreamClient``: the upstream request is written, answered and collected on the event
/// loop of the connection it came in on, over keep-alive connections that live on that
/// loop, with the upstream URL parsed once per route. Other schemes (https) go through
/// AsyncHTTPClient.
public struct Gateway: Sendable {
    /// The largest upstream body passed through.
    public static let maxBodyBytes = 8 * 1024 * 1024

    /// AsyncHTTPClient, for https upstreams and the page's upstream forecasts.
    let client: HTTPClient
    /// Keep-alive HTTP/1.1 to plain-HTTP upstreams, per event loop.
    let upstreams: UpstreamClient

    /// A gateway sending through `client` (https) and its own pools on the client's event loops.
    public init(client: HTTPClient = Gateway.sharedClient) {
        self.client = client
        upstreams = UpstreamClient(group: client.eventLoopGroup)
    }

    /// The process-wide AsyncHTTPClient, on the server's `EventLoopGroup`
    /// (``ForecastServer/eventLoopGroup``): keep-alive pools of up to 128 connections per
    /// upstream (the default of 8 would queue a loaded gateway), redirects passed through
    /// to the caller rather than followed. It lives as long as the process, so it is never
    /// shut down.
    public static let sharedClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 128)
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .shared(ForecastServer.eventLoopGroup), configuration: configuration)
    }()

    /// The upstream URL for `remainder` (the path after the route, with its leading `/`, or empty) and `query`.
    static func upstreamURL(base: String, remainder: String, query: String?) -> String {
        var url = base.hasSuffix("/") ? String(base.dropLast()) : base
        url += remainder
        if let query, !query.isEmpty { url += "?" + query }
        return url
    }

    /// The part of `path` after its route segment: `/forecast/72` for `/v9/forecast/72`,
    /// empty for `/v9`. The router matched the first non-empty segment to `route`, so
    /// leading slashes are skipped before it (`//v9/x` is `/v9/x` to the router too).
    static func remainder(of path: String, route: String) -> String {
        let segment = path.drop { $0 == "/" }
        return String(segment.dropFirst(route.count))
    }

    /// Forwards `request` to the upstream `base` of `route` (`target` is `base` parsed, nil
    /// when it is not plain http), or to one of `replicas` for a replicated route, on
    /// `eventLoop` (the request's own) when the gateway's pools have it.
    func forward(_ request: Request, route: String, base: String, target: UpstreamTarget?, replicas: UpstreamReplicaSet? = nil,
                 timeoutSeconds: Double, on eventLoop: (any EventLoop)?) async throws(APIError) -> Response {
        let remainder = Self.remainder(of: request.uri.path, route: route)
        let timeout = TimeAmount.nanoseconds(Int64(timeoutSeconds * 1_000_000_000))
        if let replicas {
            let (result, base) = await upstreams.execute(method: HTTPMethod(rawValue: request.method.rawValue), remainder: remainder,
                                                         query: request.uri.query, accept: request.headers[.accept],
                                                         replicas: replicas, timeout: timeout, limit: Self.maxBodyBytes, on: eventLoop)
            let (status, fields, body) = Self.answer(result, route: route, base: base, timeoutSeconds: timeoutSeconds)
            return Response(status: status, headers: fields, body: .init(byteBuffer: body))
        }
        do {
            let upstream: UpstreamResponse
            if let target {
                let head = target.requestHead(method: HTTPMethod(rawValue: request.method.rawValue), remainder: remainder,
                                              query: request.uri.query, accept: request.headers[.accept], route: route)
                upstream = try await upstreams.execute(head, to: target, timeout: timeout, limit: Self.maxBodyBytes, on: eventLoop)
            } else {
                upstream = try await viaAsyncHTTPClient(request, route: route, base: base, remainder: remainder, timeout: timeout)
            }
            return Response(status: .init(code: Int(upstream.status.code)), headers: Self.fields(of: upstream),
                            body: .init(byteBuffer: upstream.body))
        } catch {
            throw Self.error(error, route: route, base: base, timeoutSeconds: timeoutSeconds)
        }
    }

    /// The headers passed on from `upstream`: its content type, `Cache-Control` and `Date`.
    static func fields(of upstream: UpstreamResponse) -> HTTPFields {
        var fields = HTTPFields()
        fields[.contentType] = upstream.contentType ?? "application/octet-stream"
        if let cache = upstream.cacheControl { fields[.cacheControl] = cache }
        if let date = upstream.date { fields[.date] = date }
        return fields
    }

    /// The answer for a failed upstream request: 504 `upstream_timeout` when no answer came
    /// in time, else 502 `upstream_failed` with the reason.
    static func error(_ error: any Error, route: String, base: String, timeoutSeconds: Double) -> APIError {
        let timedOut: Bool
        switch error {
        case UpstreamError.timedOut:
            timedOut = true
        case let error as HTTPClientError:
            timedOut = error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout
        default:
            timedOut = false
        }
        if timedOut {
            return APIError(.gatewayTimeout, code: "upstream_timeout",
                            message: "the upstream \(base) for /\(route) did not answer within \(JSONText.number(timeoutSeconds)) s")
        }
        return APIError(.badGateway, code: "upstream_failed", message: "the upstream \(base) for /\(route) failed: \(error)")
    }

    /// The status, headers and body answering an upstream exchange's `result`, errors as JSON.
    static func answer(_ result: Result<UpstreamResponse, UpstreamError>, route: String, base: String,
                       timeoutSeconds: Double) -> (HTTPResponse.Status, HTTPFields, ByteBuffer) {
        switch result {
        case .success(let upstream):
            return (.init(code: Int(upstream.status.code)), fields(of: upstream), upstream.body)
        case .failure(let failure):
            let apiError = error(failure, route: route, base: base, timeoutSeconds: timeoutSeconds)
            var fields = apiError.headers
            fields[.contentType] = "application/json; charset=utf-8"
            fields[.date] = HTTPDate.format(Int64(Date().timeIntervalSince1970))
            return (apiError.status, fields, ByteBuffer(string: apiError.body))
        }
    }

    /// The request through AsyncHTTPClient (https upstreams).
    private func viaAsyncHTTPClient(_ request: Request, route: String, base: String, remainder: String,
                                    timeout: TimeAmount) async throws -> UpstreamResponse {
        var outgoing = HTTPClientRequest(url: Self.upstreamURL(base: base, remainder: remainder, query: request.uri.query))
        outgoing.method = .init(rawValue: request.method.rawValue)
        if let accept = request.headers[.accept] { outgoing.headers.add(name: "accept", value: accept) }
        outgoing.headers.add(name: "x-forwarded-route", value: route)
        let deadline = NIODeadline.now() + timeout
        let response = try await client.execute(outgoing, deadline: deadline)
        let body = try await response.body.collect(upTo: Self.maxBodyBytes)
        return UpstreamResponse(status: response.status, contentType: response.headers.first(name: "content-type"),
                                cacheControl: response.headers.first(name: "cache-control"), body: body)
    }
}
