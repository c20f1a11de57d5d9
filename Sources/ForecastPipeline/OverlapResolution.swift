import ForecastStore

/// What a load does with hours the store already holds: a newer file is appended, and an
/// hour whose measured value differs from the stored measurement is a conflict, counted,
/// named (the first few) and settled by ``Policy``.
///
/// A value equal to the stored one changes nothing, and interpolated values follow the
/// store's rule (``ImputedMask``): a measurement replaces an interpolated value without a
/// conflict, and an interpolated value never replaces a measurement. So only two
/// measurements that disagree conflict: a corrected export, or the wrong file.
public struct OverlapResolution: Sendable {
    /// Which value wins a conflict.
    public enum Policy: String, Sendable, CaseIterable, Codable {
        /// The stored measurement stays (the default: nothing stored is lost).
        case keep
        /// The file's measurement replaces it.
        case replace
        /// Nothing is loaded: the conflicts are an error.
        case refuse
    }

    /// How many conflicts a report names.
    public static let maximumNamed = 5

    /// What the comparison found.
    public struct Report: Sendable, Equatable, Codable {
        /// The policy applied.
        public var policy: Policy
        /// Values of the file at hours where the store had none for that variable.
        public var newValues = 0
        /// Values equal to the stored ones.
        public var unchangedValues = 0
        /// Stored interpolated values the file's measurements replace.
        public var replacedInterpolated = 0
        /// Measured values that differ from stored measurements.
        public var conflicts = 0
        /// The first ``OverlapResolution/maximumNamed`` conflicts, e.g.
        /// `Portland 2017-11-30 01:00:00 temperature: stored 280.1, file 281.3`.
        public var named: [String] = []
    }

    /// Compares `batch` with what `store` holds and returns the batch to load (under
    /// `keep`, without the conflicting values, so the stored ones stay) and the report.
    /// Throws under `refuse` when there is a conflict.
    public static func resolve(_ batch: ObservationBatch, store: any ObservationStore,
                               policy: Policy) throws -> (batch: ObservationBatch, report: Report) {
        var report = Report(policy: policy)
        var series: [CitySeries] = []
        for var city in batch.series {
            let end = city.start + Int64(max(city.hours - 1, 0)) * 3600
            let variables = Variable.allCases.filter { !city[$0].isEmpty }
            guard let stored = try store.series(city: city.city, from: city.start, to: end) else {
                report.newValues += variables.reduce(0) { $0 + city[$1].count(where: { !$0.isNaN }) }
                series.append(city)
                continue
            }
            // Hour by hour (the stored hour at the same time), each loaded variable in table order.
            var columns = variables.map { city[$0] }
            var changed = [Bool](repeating: false, count: variables.count)
            for hour in 0..<city.hours {
                let time = city.start + Int64(hour) * 3600
                let storedHour = stored.index(of: time)
                let fileMarks = city.imputedMarks(at: hour)
                let storedMarks = storedHour.map(stored.imputedMarks(at:)) ?? 0
                for (position, variable) in variables.enumerated() {
                    let value = columns[position][hour]
                    guard !value.isNaN else { continue }
                    guard let storedHour, let old = stored.value(variable, at: storedHour) else {
                        report.newValues += 1
                        continue
                    }
                    let bit = variable.imputedBit
                    if abs(old - value) <= 1e-9 * max(1, abs(old)) {
                        report.unchangedValues += 1
                    } else if storedMarks & bit != 0 {
                        if fileMarks & bit == 0 { report.replacedInterpolated += 1 }
                    } else if fileMarks & bit == 0 {
                        report.conflicts += 1
                        if report.named.count < maximumNamed {
                            report.named.append("\(city.city) \(Timestamp.format(time)) \(variable.name): stored \(old), file \(value)")
                        }
                        if policy == .keep {
                            columns[position][hour] = .nan
                            changed[position] = true
                        }
                    }
                }
            }
            for (position, variable) in variables.enumerated() where changed[position] { city[variable] = columns[position] }
            series.append(city)
        }
        if policy == .refuse, report.conflicts > 0 {
            throw PipelineError(.data, "\(report.conflicts) value(s) of the files differ from stored measurements, so nothing was loaded (--on-conflict keep or replace decides): "
                                    + report.named.joined(separator: "; ") + (report.conflicts > report.named.count ? "; ..." : ""))
        }
        return (report.conflicts > 0 && policy == .keep ? ObservationBatch(series) : batch, report)
    }
}
