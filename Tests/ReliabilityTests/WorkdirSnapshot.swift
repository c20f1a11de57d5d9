import ForecastStore
import Foundation
import ModelFiles

/// Everything a refused command must leave exactly as it was, in one comparable value:
/// a SHA-256 over every row of the store, and the SHA-256 of every file under the data,
/// processed and models directories (staging and temporary files included, so one left
/// behind is a difference too).
struct WorkdirSnapshot: Equatable, CustomStringConvertible {
    var rows: Int
    var rowsSHA256: String
    var files: [String: String]

    /// Takes the snapshot of `workdir` and its SQLite store `<workdir>/forecast.db`
    /// (or `database`, when given).
    init(_ workdir: String, database: String? = nil) throws {
        let path = database ?? workdir + "/forecast.db"
        if FileManager.default.fileExists(atPath: path) {
            let all = try SQLiteStore(path: path, readOnly: true).allObservations()
            rows = all.count
            var text = ""
            for row in all {
                text += "\(row.city)|\(row.time)|\(row.temperature.map { String($0.bitPattern) } ?? "-")|\(row.humidity.map { String($0.bitPattern) } ?? "-")\n"
            }
            rowsSHA256 = ModelFile.sha256(Array(text.utf8))
        } else {
            rows = 0
            rowsSHA256 = "no store"
        }
        files = [:]
        for directory in ["data", "processed", "models"] {
            let root = "\(workdir)/\(directory)"
            guard let walker = FileManager.default.enumerator(atPath: root) else { continue }
            while let relative = walker.nextObject() as? String {
                var isDirectory: ObjCBool = false
                let full = "\(root)/\(relative)"
                guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
                files["\(directory)/\(relative)"] = FileManager.default.contents(atPath: full).map { ModelFile.sha256([UInt8]($0)) } ?? "unreadable"
            }
        }
    }

    /// The files of `directory` (`data`, `processed` or `models`).
    func files(in directory: String) -> [String: String] { files.filter { $0.key.hasPrefix(directory + "/") } }

    var description: String {
        "\(rows) rows (sha256 \(rowsSHA256.prefix(12))), files: " + files.keys.sorted().map { "\($0)=\(files[$0]!.prefix(8))" }.joined(separator: ", ")
    }

    /// What differs from `other`, for a failure message.
    func differences(from other: WorkdirSnapshot) -> String {
        var lines: [String] = []
        if rows != other.rows || rowsSHA256 != other.rowsSHA256 { lines.append("store rows \(other.rows) -> \(rows) (hash changed: \(rowsSHA256 != other.rowsSHA256))") }
        for key in Set(files.keys).union(other.files.keys).sorted() where files[key] != other.files[key] {
            lines.append("\(key): \(other.files[key].map { String($0.prefix(8)) } ?? "absent") -> \(files[key].map { String($0.prefix(8)) } ?? "absent")")
        }
        return lines.joined(separator: "; ")
    }
}
