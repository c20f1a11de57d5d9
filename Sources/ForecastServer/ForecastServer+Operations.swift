import Hummingbird

extension ForecastServer {
    /// `GET /readyz`: 200 when every in-process route has models for at least one city, else 503.
    func readiness() -> Response {
        let models = library.current
        var json = JSONWriter()
        json.beginObject()
        let notReady = models.routes.values.filter { !$0.isReady }.map(\.route).sorted()
        let draining = isDraining
        if draining {
            json.beginObject("error")
            json.string("code", "draining")
            json.string("message", "the server is shutting down (SIGTERM): requests are still served until it stops")
            json.endObject()
        } else if !notReady.isEmpty {
            json.beginObject("error")
            json.string("code", "not_ready")
            json.string("message", "no models for: " + notReady.map { "/\($0)" }.joined(separator: ", "))
            json.endObject()
        }
        json.bool("ready", notReady.isEmpty && !draining)
        json.bool("draining", draining)
        json.int("generation", Int64(models.generation))
        json.beginArray("routes")
        for route in routes {
            json.beginObject()
            json.string("route", route.name)
            switch route.target {
            case .plugin(let plugin):
                let routeModels = models.routes[route.name]
                json.string("plugin", plugin)
                json.bool("ready", (routeModels?.isReady ?? false) && routeModels?.workerProblem == nil)
                json.beginArray("cities")
                for city in routeModels?.sortedCities ?? [] { json.string(nil, city.city) }
                json.endArray()
                json.optionalString("problem", routeModels?.problem)
                json.beginArray("failures")
                for (slug, reason) in (routeModels?.failures ?? [:]).sorted(by: { $0.key < $1.key }) {
                    json.string(nil, "\(slug): \(reason)")
                }
                json.endArray()
                if let routeModels {
                    json.optionalString("workerProblem", routeModels.workerProblem)
                    WorkerReport.write(&json, routeModels: routeModels, statistics: nil)
                }
            case .upstream(let url):
                json.string("upstream", url)
                if let replicas = replicaSets[route.name] {
                    json.beginArray("upstreams")
                    for replica in replicas.replicas {
                        json.beginObject()
                        json.string("url", replica.base)
                        json.bool("inPool", replica.healthy.load(ordering: .relaxed))
                        json.int("outstanding", Int64(replica.outstanding.load(ordering: .relaxed)))
                        json.endObject()
                    }
                    json.endArray()
                }
            }
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return Self.json(json.text, status: notReady.isEmpty && !draining ? .ok : .serviceUnavailable)
    }

    /// `GET /metrics`: the Prometheus exposition, with model ages brought up to date.
    func metricsResponse() -> Response {
        let models = library.current
        metrics.updateModelAges(models)
        var bytes = metrics.render()
        bytes.append(contentsOf: WorkerReport.metrics(models).utf8)
        bytes.append(contentsOf: UpstreamReplicaSet.metrics(replicaSets.values.sorted { $0.route < $1.route }).utf8)
        bytes.append(contentsOf: accuracyMetrics().utf8)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// `POST /admin/reload`: swap in the newest model files. With a write token, the
    /// request must carry it (``WriteAuthorization``, from any peer); a server without one
    /// keeps the former rule, loopback peers only.
    func adminReload(_ request: Request, context: ServerRequestContext) async throws(APIError) -> Response {
        if writeAuthorization.writesEnabled {
            try writeAuthorization.authorize(request, endpoint: "POST /admin/reload")
        } else if !context.isLoopbackPeer {
            throw APIError(.forbidden, code: "forbidden",
                           message: "POST /admin/reload is accepted from loopback peers only (or with the write token, when the server has one)")
        }
        do {
            let models = try await reloadOffPool()
            var json = JSONWriter()
            json.beginObject()
            json.bool("reloaded", true)
            json.int("generation", Int64(models.generation))
            json.beginObject("cities")
            for (name, routeModels) in models.routes.sorted(by: { $0.key < $1.key }) {
                json.int(name, Int64(routeModels.cities.count))
            }
            json.endObject()
            json.endObject()
            return Self.json(json.text)
        } catch {
            throw APIError(.conflict, code: "reload_failed", message: error.description)
        }
    }
}
