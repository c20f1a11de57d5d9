extension Array where Element == Observation {
    /// The observations with one row per (city, time): the last occurrence wins,
    /// as it would in a sequence of single-row upserts. Order of first appearance is kept.
    func lastPerKey() -> [Observation] {
        if hasUniqueKeysInBlocks() { return self }
        var index: [ObservationKey: Int] = [:]
        index.reserveCapacity(count)
        var result: [Observation] = []
        result.reserveCapacity(count)
        for observation in self {
            let key = ObservationKey(city: observation.city, time: observation.time)
            if let position = index[key] {
                result[position] = observation
            } else {
                index[key] = result.count
                result.append(observation)
            }
        }
        return result
    }
}

extension Array where Element == Observation {
    /// Fast path: true when each city's rows form one block of strictly increasing times,
    /// which proves there are no duplicate keys (what ingest produces).
    func hasUniqueKeysInBlocks() -> Bool {
        var finished: Set<String> = []
        var current: String?
        var lastTime = Int64.min
        for observation in self {
            if observation.city == current {
                guard observation.time > lastTime else { return false }
            } else {
                if let current { finished.insert(current) }
                guard !finished.contains(observation.city) else { return false }
                current = observation.city
            }
            lastTime = observation.time
        }
        return true
    }
}

/// The primary key of the observations table.
struct ObservationKey: Hashable {
    var city: String
    var time: Int64
}
