import ForecastConfiguration
import HTTPTypes

/// One thing the server answers: a path pattern in Hummingbird's syntax (`/v1/forecast/:hours`,
/// `/v9/**`), a method, and what answers it.
///
/// ``ForecastServer/buildRouter()`` registers exactly ``all(routes:)`` and
/// ``AllowedMethods`` is built from the same list, so the `Allow` header of a 405 always
/// names the methods the router really serves on that path.
struct Endpoint: Sendable {
    /// What answers the request.
    enum Action: Sendable {
        /// `GET /`: the HTML page.
        case page
        /// `GET /healthz`.
        case health
        /// `GET /readyz`.
        case readiness
        /// `GET /metrics`.
        case metrics
        /// `GET /openapi.json`.
        case openAPI
        /// `POST /admin/reload`.
        case reload
        /// `POST /observations`.
        case observations
        /// `GET /{route}` of an in-process route.
        case routeInfo(ForecastConfig.Route)
        /// `GET /{route}/forecast/:hours` of an in-process route.
        case forecast(ForecastConfig.Route)
        /// `GET /{route}/accuracy` of an in-process route.
        case accuracy(ForecastConfig.Route)
        /// `POST /{route}/forecast` of an in-process route: forecast the series in the body.
        case seriesForecast(ForecastConfig.Route)
        /// `GET /{route}/models/:city` of an in-process route: the city's models in full.
        case cityModels(ForecastConfig.Route)
        /// `GET /{route}` and `GET /{route}/**` of an upstream route.
        case forward(ForecastConfig.Route, base: String)
    }

    /// The path pattern: literal components, `:name` for one component, `**` for the rest.
    let path: String
    /// The method it answers.
    let method: HTTPRequest.Method
    /// What answers it.
    let action: Action

    /// Every endpoint of a server serving `routes`.
    static func all(routes: [ForecastConfig.Route]) -> [Endpoint] {
        var endpoints = [
            Endpoint(path: "/", method: .get, action: .page),
            Endpoint(path: "/healthz", method: .get, action: .health),
            Endpoint(path: "/readyz", method: .get, action: .readiness),
            Endpoint(path: "/metrics", method: .get, action: .metrics),
            Endpoint(path: "/openapi.json", method: .get, action: .openAPI),
            Endpoint(path: "/admin/reload", method: .post, action: .reload),
            Endpoint(path: "/observations", method: .post, action: .observations),
        ]
        for route in routes {
            switch route.target {
            case .plugin:
                endpoints.append(Endpoint(path: "/\(route.name)", method: .get, action: .routeInfo(route)))
                endpoints.append(Endpoint(path: "/\(route.name)/forecast/:hours", method: .get, action: .forecast(route)))
                endpoints.append(Endpoint(path: "/\(route.name)/accuracy", method: .get, action: .accuracy(route)))
                endpoints.append(Endpoint(path: "/\(route.name)/forecast", method: .post, action: .seriesForecast(route)))
                endpoints.append(Endpoint(path: "/\(route.name)/models/:city", method: .get, action: .cityModels(route)))
            case .upstream(let base):
                endpoints.append(Endpoint(path: "/\(route.name)", method: .get, action: .forward(route, base: base)))
                endpoints.append(Endpoint(path: "/\(route.name)/**", method: .get, action: .forward(route, base: base)))
            }
        }
        return endpoints
    }
}
