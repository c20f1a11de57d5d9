import AsyncHTTPClient
import ForecastConfiguration
import ForecastStore
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The forecast host: answers plugin routes from loaded models, proxies upstream routes,
/// and serves health, readiness, metrics, the OpenAPI document and the page.
///
/// ```swift
/// let server = ForecastServer(configuration: configuration)
/// let app = await server.buildApplication()
/// try await app.runService()
/// ```
public final class ForecastServer: Sendable {
    /// What the server was started with.
    public let configuration: ServerConfiguration
    /// The routes served, sorted by name.
    public let routes: [ForecastConfig.Route]
    /// The current models and reloads.
    public let library: ModelLibrary
    /// Rendered forecast bodies.
    public let cache: ForecastCache
    /// Live accuracy of the served forecasts (`GET /{route}/accuracy`).
    public let accuracy: AccuracyTracker
    /// Trains on the series `POST /{route}/forecast` sends.
    let seriesTrainer: SeriesTrainer
    /// Prometheus metrics.
    public let metrics: ServerMetrics
    /// Upstream forwarding.
    public let gateway: Gateway
    /// The server's log.
    public let logger: Logger
    /// The OpenAPI document, rendered once.
    let openAPI: ByteBuffer
    /// Every endpoint the router serves.
    let endpoints: [Endpoint]
    /// The methods each served path accepts (the `Allow` header of a 405).
    let allowedMethods: AllowedMethods
    /// The upstream routes answered in the channel pipeline.
    let pipelineRoutes: [GatewayChannelHandler.Route]
    /// The rule every write endpoint follows (the bearer token).
    let writeAuthorization: WriteAuthorization
    /// The replicated routes' upstreams, by route name.
    let replicaSets: [String: UpstreamReplicaSet]
    /// Set on SIGTERM (``DrainOnTerminate``): `/readyz` answers 503 until the server stops.
    let draining = Atomic<Bool>(false)

    /// Loads the models of every plugin route and prepares the server.
    public init(configuration: ServerConfiguration, httpClient: HTTPClient = Gateway.sharedClient,
                logger: Logger = Logger(label: "forecast.serve")) {
        self.configuration = configuration
        let routes = configuration.routes
        self.routes = routes
        library = ModelLibrary(routes: routes, plugins: configuration.plugins, repository: configuration.repository,
                               workerSettings: configuration.workerSettings, isolation: configuration.config.pluginIsolation,
                               conditioner: configuration.store.map { ModelConditioner(store: $0, logger: logger) })
        accuracy = AccuracyTracker(path: Self.accuracyPath(configuration.repository),
                                   legacyPath: Self.legacyAccuracyPath(configuration.repository), routes: routes)
        cache = ForecastCache(capacity: configuration.cacheCapacity)
        seriesTrainer = SeriesTrainer(limits: configuration.seriesLimits, workerSettings: configuration.workerSettings)
        metrics = ServerMetrics()
        gateway = Gateway(client: httpClient)
        self.logger = logger
        openAPI = ByteBuffer(string: OpenAPIDocument.render(routes: routes, defaultCity: configuration.config.defaultCity,
                                                            limits: configuration.seriesLimits))
        endpoints = Endpoint.all(routes: routes)
        allowedMethods = AllowedMethods(endpoints)
        writeAuthorization = WriteAuthorization(token: configuration.writeToken)
        let replicaSets = Self.replicaSets(routes, logger: logger)
        self.replicaSets = replicaSets
        pipelineRoutes = Self.pipelineRoutes(routes, replicaSets: replicaSets)
        accuracy.update(models: library.current, store: configuration.store)
    }

    /// The route called `name`.
    func route(named name: String) -> ForecastConfig.Route? {
        routes.first { $0.name == name }
    }

    /// Reloads the models (SIGHUP and `POST /admin/reload`), logging the outcome.
    @discardableResult
    public func reload() throws(ReloadError) -> ModelSet {
        do {
            let models = try library.reload()
            accuracy.enqueue(models: models, store: configuration.store)
            logger.info("models reloaded", metadata: ["generation": "\(models.generation)"])
            return models
        } catch {
            logger.error("\(error.description)")
            throw error
        }
    }

    /// ``reload()`` on NIO's blocking-work thread pool: a reload reads, hashes, loads and
    /// checks model files (and waits for the calls in flight to drain), work that must not
    /// hold a thread of Swift's cooperative pool, which serves every other request.
    @discardableResult
    public func reloadOffPool() async throws(ReloadError) -> ModelSet {
        let outcome: Result<ModelSet, ReloadError>
        do {
            outcome = try await NIOThreadPool.singleton.runIfActive {
                Result { () throws(ReloadError) in try self.reload() }
            }
        } catch {
            throw ReloadError(reasons: ["the reload could not start: the blocking-work thread pool is shut down (\(error))"])
        }
        return try outcome.get()
    }

    /// The router with every endpoint (and HEAD for every GET); the tests drive it with `app.test(.router)`.
    ///
    /// A request for a path the router knows with a method it does not serve there falls
    /// through to the not-found responder, and ``ObservingMiddleware`` answers it 405 with
    /// the path's ``AllowedMethods``.
    public func buildRouter() -> Router<ServerRequestContext> {
        let router = Router(context: ServerRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: ObservingMiddleware(server: self))
        for endpoint in endpoints {
            router.on(RouterPath(endpoint.path), method: endpoint.method, use: handler(endpoint.action))
        }
        return router
    }

    /// What answers `action`.
    private func handler(_ action: Endpoint.Action) -> @Sendable (Request, ServerRequestContext) async throws -> Response {
        switch action {
        case .page:
            return { request, _ in try await self.page(request) }
        case .health:
            return { _, _ in Self.json(#"{"status":"ok"}"#) }
        case .readiness:
            return { _, _ in self.readiness() }
        case .metrics:
            return { _, _ in self.metricsResponse() }
        case .openAPI:
            return { _, _ in
                Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                         body: .init(byteBuffer: self.openAPI))
            }
        case .reload:
            return { request, context in try await self.adminReload(request, context: context) }
        case .observations:
            return { request, context in try await self.postObservations(request, context: context) }
        case .routeInfo(let route):
            return { _, _ in try self.routeInfo(route) }
        case .forecast(let route):
            return { request, context in try await self.forecast(route, request: request, context: context) }
        case .accuracy(let route):
            return { request, _ in try self.accuracyResponse(route, request: request) }
        case .seriesForecast(let route):
            return { request, _ in try await self.seriesForecast(route, request: request) }
        case .cityModels(let route):
            return { _, context in try self.cityModels(route, context: context) }
        case .forward(let route, let base):
            let target = UpstreamTarget(base: base)  // parsed once, not per request
            let replicas = replicaSets[route.name]
            return { request, context in
                try await self.gateway.forward(request, route: route.name, base: base, target: target, replicas: replicas,
                                               timeoutSeconds: route.timeoutSeconds, on: context.eventLoop)
            }
        }
    }

    /// The event loops the server's connections and the gateway's upstream connections run
    /// on: one group, so a proxied request stays on the loop it arrived on.
    public static var eventLoopGroup: MultiThreadedEventLoopGroup { .singleton }

    /// The application: the router on `host:port`, plus SIGHUP reloads.
    ///
    /// - Parameter onListening: called with the bound address once the socket listens
    ///   (`forecast serve` prints it; with port 0 it is how callers learn the port).
    public func buildApplication(onListening: @escaping @Sendable (String, Int) async -> Void = { _, _ in }) async
        -> some ApplicationProtocol {
        Application(
            router: buildRouter(),
            server: .http1(configuration: .init(additionalChannelHandlers: self.channelHandlers())),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "forecast"),
            services: await services(),
            onServerRunning: { channel in
                let address = channel.localAddress
                await onListening(address?.ipAddress ?? self.configuration.host, address?.port ?? self.configuration.port)
            },
            eventLoopGroupProvider: .shared(Self.eventLoopGroup),
            logger: logger)
    }

    /// The services beside the HTTP server: SIGHUP reloads, and the replicas' health checks
    /// when a route is replicated.
    private func services() async -> [any Service] {
        var services: [any Service] = [await ReloadOnHangup.make(server: self)]
        if !replicaSets.isEmpty {
            services.append(UpstreamHealthCheck(sets: replicaSets.values.sorted { $0.route < $1.route },
                                                client: gateway.upstreams, interval: .seconds(1)))
        }
        return services
    }

    /// The upstream routes the server's channel pipeline answers itself (GET on plain-http
    /// upstreams; see ``GatewayChannelHandler``).
    static func pipelineRoutes(_ routes: [ForecastConfig.Route],
                               replicaSets: [String: UpstreamReplicaSet] = [:]) -> [GatewayChannelHandler.Route] {
        routes.compactMap { route in
            guard case .upstream(let base) = route.target, let target = UpstreamTarget(base: base) else { return nil }
            return GatewayChannelHandler.Route(name: route.name, base: base, target: target, timeoutSeconds: route.timeoutSeconds,
                                               replicas: replicaSets[route.name])
        }
    }

    /// The replica sets of the routes with several upstreams (the configuration admits only
    /// plain-http replicas).
    static func replicaSets(_ routes: [ForecastConfig.Route], logger: Logger) -> [String: UpstreamReplicaSet] {
        var sets: [String: UpstreamReplicaSet] = [:]
        for route in routes where route.isReplicated {
            sets[route.name] = UpstreamReplicaSet(route: route.name, bases: route.upstreams,
                                                  timeoutSeconds: route.timeoutSeconds, logger: logger)
        }
        return sets
    }

    /// The handlers added to each connection's pipeline: the gateway's, when there are upstream routes.
    private func channelHandlers() -> [any RemovableChannelHandler] {
        pipelineRoutes.isEmpty ? [] : [GatewayChannelHandler(routes: pipelineRoutes, server: self)]
    }

    /// A JSON response.
    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

extension ForecastServer {
    /// `GET /`: the HTML page; `?city=` narrows its accuracy charts to one city.
    func page(_ request: Request) async throws -> Response {
        let city = request.uri.queryParameters.get("city").flatMap { $0.isEmpty ? nil : $0 }
        let html = DashboardPage.render(await DashboardData.gather(server: self, accuracyCity: city))
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
