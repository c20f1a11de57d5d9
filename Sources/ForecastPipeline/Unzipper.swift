import Foundation
import ZIPFoundation

/// Extracts the CSV from a downloaded archive, refusing anything unsafe.
///
/// Entries with an absolute path or a `..` component are refused (zip-slip); the total
/// uncompressed size is capped, counted while inflating so a lying header cannot get
/// past it; CRC-32 is checked; a corrupt archive is a clear error. Extraction writes a
/// temporary file and renames it, so the target is never half written.
public struct Unzipper: Sendable {
    /// The most bytes extracted from one archive (default 1 GiB).
    public var maxUncompressedBytes: UInt64

    /// Creates an unzipper.
    public init(maxUncompressedBytes: UInt64 = 1 << 30) {
        self.maxUncompressedBytes = maxUncompressedBytes
    }

    /// Whether the file at `path` starts like a zip archive.
    public static func isZip(path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let magic = (try? handle.read(upToCount: 4)) ?? Data()
        return magic == Data([0x50, 0x4B, 0x03, 0x04]) || magic == Data([0x50, 0x4B, 0x05, 0x06])
    }

    /// Extracts the archive's CSV file to `destination`.
    ///
    /// An archive with one CSV entry gives that one. One with several is refused unless
    /// `entry` names the one to use (its path in the archive, or its file name): picking one
    /// by its name alone would silently use data the user never chose. Messages call the
    /// archive `name` (the user's file or URL), not the path it was downloaded to.
    ///
    /// - Returns: the name of the entry extracted and its size in bytes.
    @discardableResult
    public func extractCSV(from archivePath: String, to destination: String, preferredName: String,
                           entry requested: String? = nil, name: String? = nil) throws(PipelineError) -> (entry: String, bytes: UInt64) {
        let shown = name ?? archivePath
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: archivePath), accessMode: .read)
        } catch {
            throw PipelineError(.archive, "\(shown) is not a readable zip archive (corrupt or truncated): \(error)")
        }
        var entries: [Entry] = []
        var declared: UInt64 = 0
        for entry in archive {
            let path = entry.path
            if Self.isUnsafe(path) {
                throw PipelineError(.archive, "\(shown): entry '\(WideCSVReader.quoted(path, limit: 120))' has an absolute or '..' path; refusing the archive")
            }
            declared &+= entry.uncompressedSize
            entries.append(entry)
        }
        guard declared <= maxUncompressedBytes else {
            throw PipelineError(.archive, "\(shown): the entries would expand to \(declared) bytes, over the limit of \(maxUncompressedBytes)")
        }
        let csvs = entries.filter { $0.type == .file && $0.path.lowercased().hasSuffix(".csv") && !$0.path.hasPrefix("__MACOSX/") }
        let listed = WideCSVReader.quoted(csvs.map(\.path).joined(separator: ", "), limit: 400)
        let chosen: Entry
        if let requested {
            guard let match = csvs.first(where: { $0.path == requested })
                    ?? csvs.first(where: { ($0.path as NSString).lastPathComponent == requested }) else {
                throw PipelineError(.archive, "\(shown) has no CSV entry '\(WideCSVReader.quoted(requested, limit: 120))'; its CSV entries: \(csvs.isEmpty ? "none" : listed)")
            }
            chosen = match
        } else if csvs.count == 1 {
            chosen = csvs[0]
        } else if csvs.isEmpty {
            let names = WideCSVReader.quoted(entries.map(\.path).joined(separator: ", "), limit: 400)
            throw PipelineError(.archive, "\(shown) holds no .csv entry (\(preferredName).csv expected); found: \(names.isEmpty ? "nothing" : names)")
        } else {
            throw PipelineError(.archive, "\(shown) holds \(csvs.count) CSV entries (\(listed)); name the one to use with --\(preferredName)-entry")
        }
        let entry = chosen

        let directory = (destination as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temporary = "\(directory)/.\((destination as NSString).lastPathComponent).unzip-\(getpid())"
        _ = FileManager.default.createFile(atPath: temporary, contents: nil)
        guard let output = FileHandle(forWritingAtPath: temporary) else {
            let reason = access(directory, W_OK) != 0 ? "the directory is read-only (\(String(cString: strerror(errno))))" : "cannot create a file there"
            throw PipelineError(.archive, "cannot extract \(shown) into \(directory): \(reason)")
        }
        var written: UInt64 = 0
        let limit = maxUncompressedBytes
        do {
            _ = try archive.extract(entry, bufferSize: 1 << 16, skipCRC32: false) { chunk in
                written += UInt64(chunk.count)
                if written > limit { throw SizeLimitExceeded() }
                try output.write(contentsOf: chunk)
            }
            try output.synchronize()
            try output.close()
        } catch is SizeLimitExceeded {
            try? output.close()
            try? FileManager.default.removeItem(atPath: temporary)
            throw PipelineError(.archive, "\(shown): '\(entry.path)' expands past the limit of \(limit) bytes; refusing it")
        } catch {
            try? output.close()
            try? FileManager.default.removeItem(atPath: temporary)
            throw PipelineError(.archive, "\(shown): cannot extract '\(entry.path)' (corrupt archive): \(error)")
        }
        guard rename(temporary, destination) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw PipelineError(.archive, "cannot move the extracted file to \(destination): \(String(cString: strerror(errno)))")
        }
        return (entry.path, written)
    }

    /// True for absolute paths, Windows drive paths and any `..` component.
    static func isUnsafe(_ path: String) -> Bool {
        if path.hasPrefix("/") || path.hasPrefix("\\") { return true }
        if path.count >= 2, path.dropFirst().first == ":" { return true }
        let components = path.split(whereSeparator: { $0 == "/" || $0 == "\\" })
        return components.contains("..")
    }
}

private struct SizeLimitExceeded: Error {}
