import ForecastVocabulary
import CoreMetrics
import Foundation
import Metrics
import Prometheus
import Locking

/// The server's Prometheus metrics: requests and latency per route and status, model age.
///
/// Uses its own registry (no global `MetricsSystem.bootstrap`), so several servers in
/// one process (tests) keep separate counts.
public final class ServerMetrics: Sendable {
    /// The registry `GET /metrics` renders.
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let handles = Locked<[HandleKey: (Metrics.Counter, Metrics.Timer)]>([:])
    private let ageGauges = Locked<[String: Metrics.Gauge]>([:])

    private struct HandleKey: Hashable {
        var route: String
        var method: String
        var status: Int
    }

    /// A fresh registry.
    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ]
        self.factory = factory
    }

    /// Counts one request and records its latency, `elapsed`.
    public func record(route: String, method: String, status: Int, elapsed: Duration) {
        let key = HandleKey(route: route, method: method, status: status)
        let (counter, timer) = handles.withLock { handles in
            if let existing = handles[key] { return existing }
            let dimensions = [("route", route), ("method", method), ("status", String(status))]
            let made = (Metrics.Counter(label: "forecast_http_requests_total", dimensions: dimensions, factory: factory),
                        Metrics.Timer(label: "forecast_http_request_duration_seconds", dimensions: dimensions, factory: factory))
            handles[key] = made
            return made
        }
        counter.increment()
        timer.recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }

    /// Sets `forecast_model_age_seconds` (now minus training time) for every loaded model.
    public func updateModelAges(_ models: ModelSet, now: Int64 = Int64(Date().timeIntervalSince1970)) {
        for (route, routeModels) in models.routes {
            for city in routeModels.cities.values {
                for (variable, model) in city.models {
                    gauge(route: route, city: city.city, variable: variable.name)
                        .record(Double(now - model.manifest.trainedAt))
                }
            }
        }
    }

    private func gauge(route: String, city: String, variable: String) -> Metrics.Gauge {
        ageGauges.withLock { gauges in
            let key = "\(route)\u{0}\(city)\u{0}\(variable)"
            if let gauge = gauges[key] { return gauge }
            let gauge = Metrics.Gauge(label: "forecast_model_age_seconds",
                              dimensions: [("route", route), ("city", city), ("variable", variable)], factory: factory)
            gauges[key] = gauge
            return gauge
        }
    }

    /// The exposition text.
    public func render() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16_384)
        registry.emit(into: &buffer)
        return buffer
    }
}
