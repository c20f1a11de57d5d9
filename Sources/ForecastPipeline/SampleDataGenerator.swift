import Foundation
import ZIPFoundation

/// Writes a deterministic data set in exactly the source's format, for offline runs.
///
/// Three archives, `temperature.csv.zip`, `humidity.csv.zip` and `pressure.csv.zip`, each
/// holding one wide CSV: `datetime` then the source's 36 city columns in the source's order,
/// one row per hour from 2012-10-01 12:00:00 (UTC), temperature in kelvin, humidity in
/// percent, sea-level pressure in whole hectopascals (as the source writes it). Values
/// follow each city's seasonal and daily cycle (peaking mid-afternoon local time) plus
/// persistent weather anomalies and measurement noise; humidity falls when the afternoon
/// warms. Pressure varies slowly around 1013 hPa as weather systems pass (an anomaly that
/// persists for days, a few hPa higher in winter) with the small twice-daily atmospheric
/// tide; it is drawn from a random stream of its own, so the temperature and humidity
/// files are the same as before pressure was added. Like the real files, the first row is mostly empty, there are
/// short gaps (1-3 hours), a few long ones (6-48 hours), and a missing tail for the
/// last six cities. The same seed and size give byte-identical files.
public struct SampleDataGenerator: Sendable {
    /// Rows (hours); the source has 45,253.
    public var hours: Int
    /// Seed of the random generator.
    public var seed: UInt64
    /// The first hour (Unix seconds); the source starts at 2012-10-01 12:00:00.
    public var start: Int64

    /// The source's row count.
    public static let sourceHours = 45_253
    /// The source's column names after `datetime`.
    public static var cityNames: [String] { SampleCity.all.map(\.name) }

    /// Creates a generator.
    public init(hours: Int = SampleDataGenerator.sourceHours, seed: UInt64 = 2012, start: Int64 = 1_349_092_800) {
        self.hours = hours
        self.seed = seed
        self.start = start
    }

    /// The two CSV texts, as bytes: (temperature, humidity).
    public func csvBytes() -> (temperature: [UInt8], humidity: [UInt8]) {
        let cities = SampleCity.all
        var temperature = [[Double]](repeating: [], count: cities.count)
        var humidity = [[Double]](repeating: [], count: cities.count)
        for (index, city) in cities.enumerated() {
            var random = SplitMix64(seed: seed &+ UInt64(index) &* 0x1000_0001)
            (temperature[index], humidity[index]) = series(city, random: &random)
            var gaps = SplitMix64(seed: seed ^ 0xA5A5_0000 &+ UInt64(index))
            punchGaps(&temperature[index], random: &gaps)
            punchGaps(&humidity[index], random: &gaps)
            // The first row is mostly empty: only the last six columns have values.
            if index < cities.count - 6, hours > 0 {
                temperature[index][0] = .nan
                humidity[index][0] = .nan
            }
            // A missing tail for the last six cities.
            if index >= cities.count - 6 {
                let tail = min(720, hours / 20)
                for row in max(hours - tail, 1)..<max(hours, 1) {
                    temperature[index][row] = .nan
                    humidity[index][row] = .nan
                }
            }
        }
        return (render(temperature, decimals: 2), render(humidity, decimals: 1))
    }

    /// The pressure CSV's text, as bytes (hPa).
    public func pressureCSVBytes() -> [UInt8] {
        let cities = SampleCity.all
        var pressure = [[Double]](repeating: [], count: cities.count)
        for (index, city) in cities.enumerated() {
            var random = SplitMix64(seed: seed &+ 0x5052_4553 &+ UInt64(index) &* 0x1000_0003)
            pressure[index] = pressureSeries(city, random: &random)
            var gaps = SplitMix64(seed: seed ^ 0x5A5A_0000 &+ UInt64(index))
            punchGaps(&pressure[index], random: &gaps)
            if index < cities.count - 6, hours > 0 { pressure[index][0] = .nan }
            if index >= cities.count - 6 {
                let tail = min(720, hours / 20)
                for row in max(hours - tail, 1)..<max(hours, 1) { pressure[index][row] = .nan }
            }
        }
        return render(pressure, decimals: 0)
    }

    /// Writes `temperature.csv.zip`, `humidity.csv.zip` and `pressure.csv.zip` into
    /// `directory`; returns their paths in that order.
    @discardableResult
    public func write(to directory: String) throws(PipelineError) -> [String] {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw PipelineError(.usage, "cannot create \(directory): \(error.localizedDescription)")
        }
        let (temperature, humidity) = csvBytes()
        var paths: [String] = []
        for (variable, bytes) in [(Variable.temperature, temperature), (.humidity, humidity), (.pressure, pressureCSVBytes())] {
            let name = variable.name
            let path = "\(directory)/\(name).csv.zip"
            try Self.zip(bytes, entry: "\(name).csv", to: path)
            paths.append(path)
        }
        return paths
    }

    /// Writes a one-entry deflated archive (fixed modification date, so the bytes are deterministic).
    static func zip(_ bytes: [UInt8], entry: String, to path: String) throws(PipelineError) {
        let temporary = path + ".tmp-\(getpid())"
        try? FileManager.default.removeItem(atPath: temporary)
        do {
            let archive = try Archive(url: URL(fileURLWithPath: temporary), accessMode: .create)
            let data = Data(bytes)
            try archive.addEntry(with: entry, type: .file, uncompressedSize: Int64(data.count),
                                 modificationDate: Date(timeIntervalSince1970: 1_512_000_000),
                                 permissions: 0o644, compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw PipelineError(.usage, "cannot write \(path): \(error)")
        }
        guard rename(temporary, path) == 0 else {
            throw PipelineError(.usage, "cannot move the archive to \(path): \(String(cString: strerror(errno)))")
        }
    }

    private func series(_ city: SampleCity, random: inout SplitMix64) -> ([Double], [Double]) {
        var temperature = [Double](repeating: 0, count: hours)
        var humidity = [Double](repeating: 0, count: hours)
        var weather = random.normal() * 2.5
        var moisture = random.normal() * 6
        for row in 0..<hours {
            let time = start + Int64(row) * 3600
            let day = Double(time) / 86_400
            let dayOfYear = day.truncatingRemainder(dividingBy: 365.2425)
            let seasonal = -city.seasonalAmplitude * cos(2 * .pi * (dayOfYear - 15) / 365.2425)
            let utcHour = Double((time % 86_400) / 3600)
            let localHour = (utcHour + city.utcOffset + 24).truncatingRemainder(dividingBy: 24)
            let daily = city.dailyAmplitude * cos(2 * .pi * (localHour - 15) / 24)
            weather = 0.97 * weather + 0.6 * random.normal()
            moisture = 0.95 * moisture + 2.0 * random.normal()
            let celsius = city.meanCelsius + seasonal + daily + weather + 0.2 * random.normal()
            temperature[row] = celsius + 273.15
            let relative = city.meanHumidity - 2.2 * daily - 1.5 * weather + moisture + 3 * sin(2 * .pi * dayOfYear / 365.2425)
            humidity[row] = min(100, max(5, relative.rounded()))
        }
        return (temperature, humidity)
    }

    /// Sea-level pressure: 1013 hPa, 3 hPa higher at midwinter, a synoptic anomaly (an AR(1)
    /// with a memory of about three days and a spread of about 8 hPa), the semidiurnal tide
    /// (1 hPa, highs near 10:00 and 22:00 local time) and 0.3 hPa of noise; rounded to whole
    /// hPa like the source.
    private func pressureSeries(_ city: SampleCity, random: inout SplitMix64) -> [Double] {
        var pressure = [Double](repeating: 0, count: hours)
        let persistence = 0.986
        let spread = 8.0
        var anomaly = random.normal() * spread
        let range = Variable.pressure.validRange
        for row in 0..<hours {
            let time = start + Int64(row) * 3600
            let dayOfYear = (Double(time) / 86_400).truncatingRemainder(dividingBy: 365.2425)
            let seasonal = 3 * cos(2 * .pi * (dayOfYear - 15) / 365.2425)
            let utcHour = Double((time % 86_400) / 3600)
            let localHour = (utcHour + city.utcOffset + 24).truncatingRemainder(dividingBy: 24)
            let tide = cos(2 * .pi * (localHour - 10) / 12)
            anomaly = persistence * anomaly + spread * (1 - persistence * persistence).squareRoot() * random.normal()
            let value = 1013 + seasonal + anomaly + tide + 0.3 * random.normal()
            pressure[row] = min(range.upperBound, max(range.lowerBound, value.rounded()))
        }
        return pressure
    }

    /// Short gaps (1-3 hours, about 4 per 1,000 hours) and rare long ones (6-48 hours).
    private func punchGaps(_ values: inout [Double], random: inout SplitMix64) {
        var row = 1
        while row < values.count {
            let draw = random.uniform()
            if draw < 0.0015 {
                let length = 1 + Int(random.uniform() * 3)
                for offset in 0..<length where row + offset < values.count { values[row + offset] = .nan }
                row += length + 1
            } else if draw < 0.0016 {
                let length = 6 + Int(random.uniform() * 43)
                for offset in 0..<length where row + offset < values.count { values[row + offset] = .nan }
                row += length + 1
            } else {
                row += 1
            }
        }
    }

    private func render(_ columns: [[Double]], decimals: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hours * (20 + columns.count * 8) + 512)
        bytes.append(contentsOf: ("datetime," + Self.cityNames.joined(separator: ",") + "\n").utf8)
        for row in 0..<hours {
            Timestamp.append(start + Int64(row) * 3600, to: &bytes)
            for column in columns {
                bytes.append(UInt8(ascii: ","))
                let value = column[row]
                if !value.isNaN { Self.appendFixed(value, decimals: decimals, to: &bytes) }
            }
            bytes.append(10)
        }
        return bytes
    }

    /// Appends `value` with exactly `decimals` digits after the point (value >= 0).
    static func appendFixed(_ value: Double, decimals: Int, to bytes: inout [UInt8]) {
        var scale = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int((value * Double(scale)).rounded())
        bytes.append(contentsOf: String(scaled / scale).utf8)
        if decimals > 0 {
            bytes.append(UInt8(ascii: "."))
            var fraction = String(scaled % scale)
            while fraction.count < decimals { fraction = "0" + fraction }
            bytes.append(contentsOf: fraction.utf8)
        }
    }
}
