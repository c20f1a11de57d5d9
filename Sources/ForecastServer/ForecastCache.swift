import ForecastVocabulary
import NIOCore
import Locking

/// Rendered forecast bodies, keyed by everything that determines them.
///
/// A loaded model forecasts deterministically, so a body depends only on the model
/// generation and data version, route, city, hours, levels (in the order asked) and units.
/// Entries of older generations or data versions are never returned (both are in the key)
/// and are dropped on the next store after a reload or new observations. The cache is bounded: when full it starts over, which is cheap next to
/// tracking recency for a working set that is small in practice.
public final class ForecastCache: Sendable {
    /// What a cached body is for.
    public struct Key: Hashable, Sendable {
        /// The ``ModelSet`` generation.
        public var generation: Int
        /// The route name.
        public var route: String
        /// The city's slug.
        public var city: String
        /// Hours ahead.
        public var hours: Int
        /// The interval levels' bit patterns, in the order asked (exact match only).
        public var levels: [UInt64]
        /// Temperature unit.
        public var units: TemperatureUnit
        /// Wind speed unit.
        public var windSpeedUnits: MeasurementUnit = .metresPerSecond
        /// The ``ModelSet`` data version: bumped whenever the models are conditioned on new observations.
        public var dataVersion: Int

        /// Creates a key for one level.
        public init(generation: Int, route: String, city: String, hours: Int, level: Double, units: TemperatureUnit,
                    dataVersion: Int = 0) {
            self.init(generation: generation, route: route, city: city, hours: hours, levels: [level], units: units,
                      dataVersion: dataVersion)
        }

        /// Creates a key for several levels.
        public init(generation: Int, route: String, city: String, hours: Int, levels: [Double], units: TemperatureUnit,
                    dataVersion: Int = 0) {
            self.generation = generation
            self.dataVersion = dataVersion
            self.route = route
            self.city = city
            self.hours = hours
            self.levels = levels.map(\.bitPattern)
            self.units = units
        }
    }

    private struct Storage {
        var generation = 0
        var dataVersion = 0
        var bodies: [Key: ByteBuffer] = [:]
    }

    private let storage = Locked(Storage())
    /// The most bodies held at once.
    public let capacity: Int

    /// A cache holding at most `capacity` bodies.
    public init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    /// The cached body for `key`, if any.
    public func body(for key: Key) -> ByteBuffer? {
        storage.withLock { $0.bodies[key] }
    }

    /// Stores `body` for `key`, dropping everything of older generations first.
    public func store(_ body: ByteBuffer, for key: Key) {
        storage.withLock { storage in
            if (key.generation, key.dataVersion) > (storage.generation, storage.dataVersion) {
                storage.bodies.removeAll(keepingCapacity: true)
                storage.generation = key.generation
                storage.dataVersion = key.dataVersion
            } else if (key.generation, key.dataVersion) < (storage.generation, storage.dataVersion) {
                return
            }
            if storage.bodies.count >= capacity { storage.bodies.removeAll(keepingCapacity: true) }
            storage.bodies[key] = body
        }
    }

    /// How many bodies are held.
    public var count: Int { storage.withLock { $0.bodies.count } }
}
