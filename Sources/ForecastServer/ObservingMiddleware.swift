import Hummingbird

/// Wraps every endpoint (and the not-found fallback): turns errors into the JSON error
/// shape and records each request's route, status and latency in ``ServerMetrics``.
struct ObservingMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext

    let server: ForecastServer
    private let labels: Set<String>

    init(server: ForecastServer) {
        self.server = server
        labels = Set(server.routes.map(\.name)).union(["healthz", "readyz", "metrics", "openapi.json", "admin"])
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = errorResponse(error, request: request)
        }
        let elapsed = ContinuousClock.now - start
        let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
        server.metrics.record(route: routeLabel(request.uri.path), method: request.method.rawValue,
                              status: response.status.code, nanoseconds: nanoseconds)
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

    private func errorResponse(_ error: any Error, request: Request) -> Response {
        let apiError: APIError
        switch error {
        case let error as APIError:
            apiError = error
        case let error as HTTPError where error.status == .notFound:
            let known = server.routes.map { "/\($0.name)" }.joined(separator: ", ")
            apiError = APIError(.notFound, code: "not_found",
                                message: "no endpoint \(request.method.rawValue) \(request.uri.path); routes: \(known)")
        case let error as HTTPError:
            apiError = APIError(error.status, code: error.status == .methodNotAllowed ? "method_not_allowed" : "http_error",
                                message: error.body ?? error.status.reasonPhrase)
        default:
            server.logger.error("unexpected error on \(request.uri.path): \(error)")
            apiError = APIError(.internalServerError, code: "internal", message: "internal error: \(error)")
        }
        return APIError.jsonResponse(status: apiError.status, body: apiError.body)
    }
}
