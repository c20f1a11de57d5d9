import ForecastStore

/// The check a load must pass before it may touch the store: the new files cover every
/// hour the store already has, and the files cover the same stretch of time.
///
/// A load never writes a missing value over a stored one, so a short file would not
/// erase data by itself; but a file that ends earlier than the store, has no values for a
/// city, or shares no hour with another variable's file is nearly always a mistake (a
/// truncated download, the header of an empty export, the wrong year's file), and loading
/// it would leave the store holding a mix of runs that trains worse models. So it is
/// refused with both time ranges, unless the user says that a partial file is meant
/// (`--allow-partial-files`). Only the variables being loaded are compared: a load of
/// humidity alone leaves the stored temperatures as they are.
public struct CoverageCheck: Sendable {
    /// Each loaded variable's file as the user named it.
    public var files: [Variable: String]
    /// Load even when a file covers fewer hours than the store or than another file.
    public var allowPartialFiles: Bool

    /// The flag that lets a partial file through, for messages.
    public static let overrideFlag = "--allow-partial-files"

    /// Creates a check of the files of the loaded variables.
    public init(files: [Variable: String], allowPartialFiles: Bool = false) {
        self.files = files
        self.allowPartialFiles = allowPartialFiles
    }

    /// Creates a check of a temperature and a humidity file.
    public init(temperatureFile: String, humidityFile: String, allowPartialFiles: Bool = false) {
        self.init(files: [.temperature: temperatureFile, .humidity: humidityFile], allowPartialFiles: allowPartialFiles)
    }

    /// The problems the load described by `summaries` has against `stored` (one sentence each).
    public func problems(_ summaries: [CitySummary], stored: [String: StoredCoverage]) -> [String] {
        var problems: [String] = []
        let loaded = Variable.allCases.filter { files[$0] != nil }
        for summary in summaries {
            let city = summary.city
            var new: [Variable: HourRange] = [:]
            for variable in loaded { new[variable] = summary.variables[variable].flatMap(Self.range) }
            let before = stored[city]
            for variable in loaded {
                let file = files[variable]!
                let old = before?.range(of: variable)
                switch (new[variable], old) {
                case (nil, let old?):
                    problems.append("\(file) has no \(variable.name) values for \(city), but the store holds \(Self.describe(old))")
                case (let range?, let old?) where !range.spans(old):
                    problems.append("\(file) covers \(city)'s \(variable.name) only \(Self.describe(range)), but the store holds \(Self.describe(old))")
                default:
                    break
                }
            }
            if let problem = pairProblem(city: city, loaded: loaded, new: new, before: before) { problems.append(problem) }
        }
        return problems
    }

    /// The first disagreement between two loaded files for one city: two files that share no
    /// hour, or a file with no values where another has some and the store has none.
    private func pairProblem(city: String, loaded: [Variable], new: [Variable: HourRange], before: StoredCoverage?) -> String? {
        for (position, first) in loaded.enumerated() {
            for second in loaded[(position + 1)...] {
                switch (new[first], new[second]) {
                case (let a?, let b?) where !a.overlaps(b):
                    return "\(files[first]!) covers \(city)'s \(first.name) \(Self.describe(a)) and \(files[second]!) its \(second.name) \(Self.describe(b)): the two files share no hour"
                case (nil, let b?) where before?.range(of: first) == nil:
                    return "\(files[first]!) has no \(first.name) values for \(city), none of the hours \(files[second]!) has \(second.name) for (\(Self.describe(b)))"
                case (let a?, nil) where before?.range(of: second) == nil:
                    return "\(files[second]!) has no \(second.name) values for \(city), none of the hours \(files[first]!) has \(first.name) for (\(Self.describe(a)))"
                default:
                    continue
                }
            }
        }
        return nil
    }

    /// Throws when ``problems(_:stored:)`` finds any and partial files are not allowed.
    public func check(_ summaries: [CitySummary], stored: [String: StoredCoverage]) throws(PipelineError) {
        let found = problems(summaries, stored: stored)
        guard let first = found.first, !allowPartialFiles else { return }
        let more = found.count > 1 ? " (and \(found.count - 1) more like it: \(found.dropFirst().prefix(3).joined(separator: "; "))\(found.count > 4 ? "; ..." : ""))" : ""
        throw PipelineError(.data, """
            refusing to load: \(first)\(more). A file that ends early or lacks a variable is usually a truncated \
            download or the wrong file. Nothing was written: the store and the models are as they were. \
            To load it anyway, pass \(Self.overrideFlag): hours a file has no value for keep their stored values.
            """)
    }

    /// The hours a variable has values at after cleaning (observed or interpolated).
    static func range(_ summary: VariableSummary) -> HourRange? {
        guard let first = summary.firstTime, let last = summary.lastTime else { return nil }
        return HourRange(first: first, last: last, count: summary.observed + summary.interpolated)
    }

    /// `2012-10-01 12:00 .. 2017-11-30 00:00 UTC (45,066 hours with a value)`.
    public static func describe(_ range: HourRange) -> String {
        "\(hour(range.first)) .. \(hour(range.last)) UTC (\(grouped(range.count)) hour\(range.count == 1 ? "" : "s") with a value)"
    }

    /// `2012-10-01 12:00`: an hour without its seconds.
    static func hour(_ time: Int64) -> String { String(Timestamp.format(time).dropLast(3)) }

    /// `45066` as `45,066`.
    static func grouped(_ value: Int) -> String {
        var digits = String(value.magnitude)
        var result = ""
        while digits.count > 3 {
            result = "," + digits.suffix(3) + result
            digits.removeLast(3)
        }
        return (value < 0 ? "-" : "") + digits + result
    }
}
