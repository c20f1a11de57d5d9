import ForecastConfiguration
import HTTPTypes
import Hummingbird

/// Wraps every endpoint (and the not-found fallback): turns errors into the JSON error
/// shape and records each request's route, status and latency in ``ServerMetrics``.
///
/// The router falls back to not-found both for unknown paths and for known paths asked
/// with a method no endpoint there serves; the second is answered 405 with an `Allow`
/// header from ``ForecastServer/allowedMethods``.
struct ObservingMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext

    let server: ForecastServer
    private let labels: Set<String>

    init(server: ForecastServer) {
        self.server = server
        labels = Set(server.routes.map(\.name)).union(ForecastConfig.reservedRouteNames)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = errorResponse(error, request: request)
        }
        // HEAD is answered like GET, errors included, but never with a body.
        if request.method == .head { response = response.createHeadResponse() }
        server.metrics.record(route: routeLabel(request.uri.path), method: methodLabel(request.method),
                              status: response.status.code, elapsed: ContinuousClock.now - start)
        return response
    }

    /// The metrics label: the route or endpoint name, `page` for `/`, else `unmatched`
    /// (so unknown paths cannot grow the label set without bound).
    private func routeLabel(_ path: String) -> String {
        let trimmed = path.dropFirst()
        if trimmed.isEmpty { return "page" }
        let first = trimmed.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        return labels.contains(first) ? first : "unmatched"
    }

    /// The metrics label of a method: its name for the standard methods, else `other`
    /// (a method is any token a client sends, so it must not grow the label set either).
    private func methodLabel(_ method: HTTPRequest.Method) -> String {
        Self.standardMethods.contains(method) ? method.rawValue : "other"
    }

    private static let standardMethods: Set<HTTPRequest.Method> = [
        .get, .head, .post, .put, .delete, .patch, .options, .trace, .connect, .query,
    ]

    /// The answer to a request the router had no endpoint for: 405 with `Allow` when the
    /// path is served with other methods, else 404 `not_found`.
    private func unrouted(_ request: Request) -> APIError {
        let path = request.uri.path
        if let allow = server.allowedMethods.allowHeader(forPath: path) {
            return .methodNotAllowed(method: request.method.rawValue, path: path, allow: allow)
        }
        let known = server.routes.map { "/\($0.name)" }.joined(separator: ", ")
        return APIError(.notFound, code: "not_found", message: "no endpoint \(request.method.rawValue) \(path); routes: \(known)")
    }

    private func errorResponse(_ error: any Error, request: Request) -> Response {
        let apiError: APIError
        switch error {
        case let error as APIError:
            apiError = error
        case let error as HTTPError where error.status == .notFound:
            apiError = unrouted(request)
        case let error as HTTPError:
            apiError = APIError(error.status, code: error.status == .methodNotAllowed ? "method_not_allowed" : "http_error",
                                message: error.body ?? error.status.reasonPhrase)
        default:
            server.logger.error("unexpected error on \(request.uri.path): \(error)")
            apiError = APIError(.internalServerError, code: "internal", message: "internal error: \(error)")
        }
        return apiError.response
    }
}
