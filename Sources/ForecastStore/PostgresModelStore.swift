import Foundation
import Locking

/// Model files shared through PostgreSQL (migration 4), for several hosts with no shared
/// filesystem.
///
/// A training run publishes its files as one generation, in one transaction that ends
/// with `NOTIFY forecast_models`: a host sees every file of a generation or none. A host
/// serves, for every (plugin, city, variable), the file of the newest generation that has
/// one (``newest()``), so a run that trained one city replaces only that city's models.
/// The store keeps the files as it got them; whoever reads them verifies them (a model file
/// carries its own checksum).
///
/// One connection, used under a lock; ``Listener`` has a connection of its own.
public final class PostgresModelStore: @unchecked Sendable {
    // @unchecked: the connection is only touched while `lock` is held.
    private let lock = GuardLock(0)
    private let connection: PostgresConnection
    /// The URL with any password removed, for messages.
    public let displayURL: String

    /// The notification channel a publish signals on; its payload is the generation.
    public static let channel = "forecast_models"

    /// One published model file.
    public struct Model: Sendable, Equatable {
        /// The generation that published it.
        public var generation: Int64
        /// The plugin's name.
        public var plugin: String
        /// The city, as the model's manifest names it.
        public var city: String
        /// `temperature` or `humidity`.
        public var variable: String
        /// The SHA-256 of its blob, as its manifest gives it (for operators reading the table).
        public var sha256: String
        /// The whole model file (manifest and blob).
        public var file: Data

        /// A model of `generation` (0 for one not published yet).
        public init(generation: Int64 = 0, plugin: String, city: String, variable: String, sha256: String, file: Data) {
            self.generation = generation
            self.plugin = plugin
            self.city = city
            self.variable = variable
            self.sha256 = sha256
            self.file = file
        }
    }

    /// Connects to a `postgresql://` URL (the store's schema must be at migration 4 or later).
    public init(url: String) throws(StoreError) {
        connection = try PostgresConnection(url: url)
        displayURL = connection.displayURL
    }

    /// Publishes `models` as a new generation in one transaction and notifies every
    /// listening host; the generation's number.
    @discardableResult
    public func publish(_ models: [Model], now: Int64 = Int64(Date().timeIntervalSince1970)) throws(StoreError) -> Int64 {
        guard !models.isEmpty else { throw StoreError(.query, "nothing to publish: no models") }
        return try lock.withLock { _ throws(StoreError) in
            try ensureConnected()
            try execute("BEGIN")
            do throws(StoreError) {
                let result = try execute("INSERT INTO model_generations(published_at, models) VALUES ($1, $2) RETURNING generation",
                                         [String(now), String(models.count)])
                guard let generation = result.string(0, 0).flatMap(Int64.init) else {
                    throw StoreError(.query, "PostgreSQL (\(displayURL)): no generation number returned")
                }
                for model in models {
                    try execute("INSERT INTO models(generation, plugin, city, variable, sha256, file) VALUES ($1, $2, $3, $4, $5, decode($6, 'hex'))",
                                [String(generation), model.plugin, model.city, model.variable, model.sha256, Self.hex(model.file)])
                }
                try execute("SELECT pg_notify($1, $2)", [Self.channel, String(generation)])
                try execute("COMMIT")
                return generation
            } catch {
                if connection.isOpen { _ = try? execute("ROLLBACK") }
                throw error
            }
        }
    }

    /// For every (plugin, city, variable), the model of the newest generation that has one.
    public func newest() throws(StoreError) -> [Model] {
        try lock.withLock { _ throws(StoreError) in
            try ensureConnected()
            let result = try execute("""
                SELECT DISTINCT ON (plugin, city, variable) generation, plugin, city, variable, sha256, encode(file, 'hex')
                FROM models ORDER BY plugin, city, variable, generation DESC
                """)
            var models: [Model] = []
            for row in 0..<result.rows {
                guard let file = Self.bytes(hex: result.string(row, 5) ?? "") else {
                    throw StoreError(.query, "PostgreSQL (\(displayURL)): a model file came back unreadable")
                }
                models.append(Model(generation: Int64(result.int(row, 0)), plugin: result.string(row, 1) ?? "",
                                    city: result.string(row, 2) ?? "", variable: result.string(row, 3) ?? "",
                                    sha256: result.string(row, 4) ?? "", file: file))
            }
            return models
        }
    }

    /// The newest generation published, 0 when none.
    public func latestGeneration() throws(StoreError) -> Int64 {
        try lock.withLock { _ throws(StoreError) in
            try ensureConnected()
            return Int64(try execute("SELECT coalesce(max(generation), 0) FROM model_generations").int(0, 0))
        }
    }

    /// Removes, in one transaction, the models of generations published before `cutoff`
    /// (Unix seconds) that are not among the `keep` newest of their plugin, city and
    /// variable, then every generation older than `cutoff` left with no model (never the
    /// newest generation); see ``ModelPruning``. With `dryRun` the transaction is rolled
    /// back: the result says what would go. A publish running at the same time is safe:
    /// it only adds newer rows, which can only push old ones further down.
    public func prune(publishedBefore cutoff: Int64, keep: Int, dryRun: Bool = false) throws(StoreError) -> ModelPruning {
        guard keep >= 1 else {
            throw StoreError(.query, "keep must be at least 1 (the model each host serves), not \(keep)")
        }
        return try lock.withLock { _ throws(StoreError) in
            try ensureConnected()
            try execute("BEGIN")
            do throws(StoreError) {
                var pruning = ModelPruning()
                let models = try execute("""
                    WITH ranked AS (
                        SELECT generation, plugin, city, variable,
                               row_number() OVER (PARTITION BY plugin, city, variable ORDER BY generation DESC) AS rank
                        FROM models),
                    gone AS (
                        DELETE FROM models m USING ranked r, model_generations g
                        WHERE m.plugin = r.plugin AND m.city = r.city AND m.variable = r.variable
                          AND m.generation = r.generation AND r.rank > $1
                          AND g.generation = m.generation AND g.published_at < $2
                        RETURNING octet_length(m.file) AS size)
                    SELECT count(*), coalesce(sum(size), 0) FROM gone
                    """, [String(keep), String(cutoff)])
                pruning.models = models.int(0, 0)
                pruning.bytes = Int64(models.int(0, 1))
                let generations = try execute("""
                    WITH gone AS (
                        DELETE FROM model_generations g
                        WHERE g.published_at < $1
                          AND g.generation < (SELECT max(generation) FROM model_generations)
                          AND NOT EXISTS (SELECT 1 FROM models m WHERE m.generation = g.generation)
                        RETURNING generation)
                    SELECT generation FROM gone ORDER BY generation
                    """, [String(cutoff)])
                pruning.generations = (0..<generations.rows).map { Int64(generations.int($0, 0)) }
                try execute(dryRun ? "ROLLBACK" : "COMMIT")
                return pruning
            } catch {
                if connection.isOpen { _ = try? execute("ROLLBACK") }
                throw error
            }
        }
    }

    /// One generation in the store.
    public struct Generation: Sendable, Equatable {
        /// Its number.
        public var generation: Int64
        /// When it was published, Unix seconds.
        public var publishedAt: Int64
        /// The models it still holds (fewer than it published once older ones were pruned).
        public var models: Int
    }

    /// Every generation in the store, oldest first.
    public func generations() throws(StoreError) -> [Generation] {
        try lock.withLock { _ throws(StoreError) in
            try ensureConnected()
            let result = try execute("""
                SELECT g.generation, g.published_at, count(m.generation)
                FROM model_generations g LEFT JOIN models m ON m.generation = g.generation
                GROUP BY g.generation, g.published_at ORDER BY g.generation
                """)
            return (0..<result.rows).map {
                Generation(generation: Int64(result.int($0, 0)), publishedAt: Int64(result.int($0, 1)), models: result.int($0, 2))
            }
        }
    }

    // MARK: Helpers

    private func ensureConnected() throws(StoreError) {
        try connection.ensureConnected()
    }

    @discardableResult
    private func execute(_ sql: String, _ parameters: [String] = []) throws(StoreError) -> QueryResult {
        try connection.execute(sql, parameters)
    }

    static func hex(_ data: Data) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(data.count * 2)
        for byte in data {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    static func bytes(hex: String) -> Data? {
        let utf8 = Array(hex.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 97...102: c - 87
            case 65...70: c - 55
            default: nil
            }
        }
        var data = Data(capacity: utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            data.append(high << 4 | low)
            index += 2
        }
        return data
    }
}
