import Dispatch
import Foundation
import ForecastStore
import Hummingbird
import NIOCore

/// Every store write and re-conditioning of this process runs here, one at a time: the
/// conflict check and the write it decides are one step, and no request task blocks.
private let observationWrites = DispatchQueue(label: "forecast.observations")

extension ForecastServer {
    /// `POST /observations`: checks the write token, parses and validates the body, writes
    /// the new values in one transaction, re-conditions the models, and answers what changed.
    ///
    /// A value equal to the stored one is left as it is (posting twice changes nothing); a
    /// value that differs from a stored measured one is a conflict (409, nothing written,
    /// the first few named); one that differs from a stored interpolated one replaces it.
    func postObservations(_ request: Request, context: ServerRequestContext) async throws(APIError) -> Response {
        try writeAuthorization.authorize(request, endpoint: "POST /observations")
        guard let store = configuration.store else {
            throw APIError(.serviceUnavailable, code: "store_unavailable",
                           message: "POST /observations: no observation store: \(configuration.storeProblem ?? "none is configured")")
        }
        let bytes = try await Self.collectBody(request, limit: configuration.maximumRequestBytes)
        let contentType = (request.headers[.contentType] ?? "application/json").lowercased()
        let variables = request.uri.queryParameters.getAll("variable")
        guard variables.count <= 1, variables.allSatisfy({ Variable(rawValue: $0) != nil }) else {
            throw APIError(.badRequest, code: "bad_variable",
                           message: "variable must be given once, as one of \(Variable.allCases.map(\.name).joined(separator: ", ")); got \(variables.map { "'\($0)'" }.joined(separator: ", "))")
        }
        let variable = variables.first
        let now = Int64(Date().timeIntervalSince1970)
        let models = library.current
        let result: Result<String, APIError> = await withCheckedContinuation { continuation in
            observationWrites.async {
                continuation.resume(returning: Result { () throws(APIError) in
                    try self.storeObservations(bytes, contentType: contentType, variable: variable, now: now,
                                               store: store, models: models)
                })
            }
        }
        return Self.json(try result.get())
    }

    /// The body's bytes, or 413 when it is longer than `limit`.
    static func collectBody(_ request: Request, limit: Int) async throws(APIError) -> [UInt8] {
        let tooLarge = APIError(.contentTooLarge, code: "body_too_large",
                                message: "the request body is larger than the limit of \(limit) bytes; send fewer hours per request")
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit { throw tooLarge }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch {
            throw tooLarge
        }
    }

    /// Parses, checks against the store, writes, re-conditions; the JSON answer. On the write queue.
    private func storeObservations(_ bytes: [UInt8], contentType: String, variable: String?, now: Int64,
                                   store: any ObservationStore, models: ModelSet) throws(APIError) -> String {
        var known = Set(models.routes.values.flatMap { $0.cities.values.map(\.city) })
        do {
            known.formUnion(try store.cities())
        } catch {
            throw APIError(.serviceUnavailable, code: "store_unavailable", message: "cannot read the store's cities: \(error)")
        }
        let csv = contentType.hasPrefix("text/csv")
        guard csv || contentType.hasPrefix("application/json") else {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type",
                           message: "POST /observations takes application/json or text/csv; got \(contentType)")
        }
        let post: ObservationPost
        do throws(ObservationPost.Refusal) {
            post = csv ? try ObservationPost.parseCSV(bytes, variable: variable, knownCities: known, now: now)
                : try ObservationPost.parseJSON(bytes, knownCities: known, now: now)
        } catch {
            let status: HTTPResponse.Status = switch error.code {
            case "bad_body": .badRequest
            case "unknown_city": .notFound
            default: .unprocessableContent
            }
            throw APIError(status, code: error.code,
                           message: "POST /observations: " + error.message)
        }
        let plan: ObservationWritePlan
        do {
            plan = try ObservationWritePlan(post.observations, store: store)
        } catch {
            throw APIError(.serviceUnavailable, code: "store_unavailable", message: "cannot read the stored observations: \(error)")
        }
        guard plan.conflicts.isEmpty else {
            throw APIError(.conflict, code: "conflict",
                           message: "POST /observations: \(plan.conflicts.count) value(s) differ from the stored measurements, so nothing was stored: "
                               + ObservationPost.summary(plan.conflicts))
        }
        if !plan.writes.isEmpty {
            do {
                try store.upsert(try ObservationBatch(rows: plan.writes))
            } catch {
                throw APIError(.serviceUnavailable, code: "store_unavailable", message: "the observations could not be stored (nothing was): \(error)")
            }
        }
        let conditioned = plan.writes.isEmpty ? library.current : library.recondition()
        if !plan.writes.isEmpty { accuracy.enqueue(models: conditioned, store: store) }
        var json = JSONWriter()
        json.beginObject()
        json.int("stored", Int64(plan.storedValues))
        json.int("unchanged", Int64(plan.unchangedValues))
        json.int("replacedImputed", Int64(plan.replacedImputed))
        json.int("dataVersion", Int64(conditioned.dataVersion))
        json.beginArray("cities")
        for (city, last) in plan.lastHour.sorted(by: { $0.key < $1.key }) {
            json.beginObject()
            json.string("city", city)
            json.string("lastPosted", ISOTime.format(last))
            json.beginObject("forecastsStartAfter")
            for (name, route) in conditioned.routes.sorted(by: { $0.key < $1.key }) {
                if let pair = route.cities.values.first(where: { $0.city == city }) {
                    json.string(name, ISOTime.format(pair.lastObserved))
                }
            }
            json.endObject()
            json.endObject()
        }
        json.endArray()
        if !post.ignoredCities.isEmpty {
            json.beginArray("ignoredCities")
            for city in post.ignoredCities { json.string(nil, city) }
            json.endArray()
        }
        json.endObject()
        return json.text
    }
}

/// What a POST of observations changes in the store: the rows to write, the conflicts
/// that refuse it, and counts for the answer.
struct ObservationWritePlan {
    /// Rows to upsert: only the values that are new or replace interpolated ones (nil keeps the stored value).
    var writes: [Observation] = []
    /// One sentence per value that differs from a stored measurement.
    var conflicts: [String] = []
    /// Values written.
    var storedValues = 0
    /// Values equal to the stored ones.
    var unchangedValues = 0
    /// Values that replace interpolated ones.
    var replacedImputed = 0
    /// The latest hour posted per city.
    var lastHour: [String: Int64] = [:]

    /// Compares `observations` (sorted by city and time) with what `store` holds.
    init(_ observations: [Observation], store: any ObservationStore) throws {
        let byCity = Dictionary(grouping: observations, by: \.city)
        for city in byCity.keys.sorted() {
            let rows = byCity[city]!
            let first = rows.map(\.time).min()!
            let last = rows.map(\.time).max()!
            lastHour[city] = last
            let stored = try store.series(city: city, from: first, to: last)
            for row in rows {
                var write = Observation(city: city, time: row.time, values: [:])
                let hour = stored?.index(of: row.time)
                let mark = hour.flatMap { stored?.imputedMarks(at: $0) } ?? 0
                for variable in Variable.allCases {
                    let name = variable.name, old = hour.flatMap { stored?.value(variable, at: $0) }, bit = variable.imputedBit
                    guard let posted = row[variable] else { continue }
                    let value: Double?
                    if let old, mark & bit == 0 {
                        if abs(old - posted) <= 1e-9 * max(1, abs(old)) {
                            unchangedValues += 1
                            continue
                        }
                        conflicts.append("\(city) \(ISOTime.format(row.time)) \(name): stored \(old), posted \(posted)")
                        continue
                    } else {
                        if old != nil { replacedImputed += 1 }
                        value = posted
                    }
                    storedValues += 1
                    write[variable] = value
                }
                if write.hasValue { writes.append(write) }
            }
        }
    }
}
