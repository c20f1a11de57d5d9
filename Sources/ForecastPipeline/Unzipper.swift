import Foundation
import PluginHost
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

    /// Extracts the archive's CSV file to `destination`; `preferredName` picks among several (e.g. `temperature`).
    ///
    /// - Returns: the name of the entry extracted and its size in bytes.
    @discardableResult
    public func extractCSV(from archivePath: String, to destination: String, preferredName: String) throws(PipelineError) -> (entry: String, bytes: UInt64) {
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: archivePath), accessMode: .read)
        } catch {
            throw PipelineError(.archive, "\(archivePath) is not a readable zip archive (corrupt or truncated): \(error)")
        }
        var entries: [Entry] = []
        var declared: UInt64 = 0
        for entry in archive {
            let path = entry.path
            if Self.isUnsafe(path) {
                throw PipelineError(.archive, "\(archivePath): entry '\(path)' has an absolute or '..' path; refusing the archive")
            }
            declared &+= entry.uncompressedSize
            entries.append(entry)
        }
        guard declared <= maxUncompressedBytes else {
            throw PipelineError(.archive, "\(archivePath): the entries would expand to \(declared) bytes, over the limit of \(maxUncompressedBytes)")
        }
        let csvs = entries.filter { $0.type == .file && $0.path.lowercased().hasSuffix(".csv") && !$0.path.hasPrefix("__MACOSX/") }
        let chosen = csvs.first { ($0.path as NSString).lastPathComponent.lowercased() == preferredName.lowercased() + ".csv" }
            ?? (csvs.count == 1 ? csvs[0] : nil)
        guard let entry = chosen else {
            let names = entries.map(\.path).joined(separator: ", ")
            throw PipelineError(.archive, "\(archivePath): expected one .csv entry (\(preferredName).csv); found: \(names.isEmpty ? "none" : names)")
        }

        let directory = (destination as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temporary = "\(directory)/.\((destination as NSString).lastPathComponent).unzip-\(getpid())"
        _ = FileManager.default.createFile(atPath: temporary, contents: nil)
        guard let output = FileHandle(forWritingAtPath: temporary) else {
            throw PipelineError(.archive, "cannot create \(temporary)")
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
            throw PipelineError(.archive, "\(archivePath): '\(entry.path)' expands past the limit of \(limit) bytes; refusing it")
        } catch {
            try? output.close()
            try? FileManager.default.removeItem(atPath: temporary)
            throw PipelineError(.archive, "\(archivePath): cannot extract '\(entry.path)' (corrupt archive): \(error)")
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
