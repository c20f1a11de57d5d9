#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

extension SQLiteStore {
    /// Builds the database file `path`, which does not exist yet, holding the rows of `batch`,
    /// and publishes it whole; returns false, leaving nothing behind, when there already is
    /// a file at `path` (or a journal of one), so the caller loads it the usual way.
    ///
    /// The first load of a new store is the biggest one, and no reader can have the file
    /// open yet. So it is built under a temporary name beside `path`, with the rollback
    /// journal in memory and no syncs, written once instead of twice (WAL, then the
    /// checkpoint); switched to WAL mode; synced; and published with `link`, which fails
    /// when `path` appeared meanwhile (another loader won: the caller then upserts into
    /// that file). A crash or a failure at any point leaves no file at `path` (at most a
    /// temporary that the next build removes), never a partial one. The result is the
    /// same database `StoreFactory.open` plus ``upsert(_:progress:beforeCommit:)`` would give.
    /// `beforeCommit` runs before the file is published; when it throws, nothing is.
    public static func createLoaded(path: String, batch: ObservationBatch, progress: (Int) -> Void,
                                    beforeCommit: () throws -> Void = {}) throws -> Bool {
        try createLoaded(path: path, rows: BatchRows(batch: batch), progress: progress, beforeCommit: beforeCommit)
    }

    private static func createLoaded(path: String, rows: BatchRows, progress: (Int) -> Void,
                                                     beforeCommit: () throws -> Void) throws -> Bool {
        let fileManager = FileManager.default
        if [path, path + "-wal", path + "-journal", path + "-shm"].contains(where: { fileManager.fileExists(atPath: $0) }) {
            return false
        }
        let directory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        do {
            try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError(.connection, "cannot create the directory of \(path): \(error.localizedDescription)")
        }
        if let problem = writeAccessProblem(path: path) { throw StoreError(.connection, problem) }
        let prefix = "." + (path as NSString).lastPathComponent + ".tmp-"
        removeAbandonedTemporaries(in: directory, prefix: prefix)
        let temporary = "\(directory)/\(prefix)\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        var published = false
        defer {
            if !published {
                for file in [temporary, temporary + "-journal", temporary + "-wal", temporary + "-shm"] { unlink(file) }
            }
        }
        try build(temporary, rows, progress)
        try syncFile(temporary)
        try beforeCommit()
        guard link(temporary, path) == 0 else {
            // EEXIST: someone created the file meanwhile. Any other reason (a file system
            // without hard links): the usual load works there too.
            return false
        }
        published = true
        unlink(temporary)
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if descriptor >= 0 {
            fsync(descriptor)
            close(descriptor)
        }
        return true
    }

    /// Creates, migrates and loads the private file; the connection is closed on return.
    private static func build(_ file: String, _ rows: BatchRows, _ progress: (Int) -> Void) throws {
        let store = try SQLiteStore(path: file, readOnly: false, privateFile: true)
        try store.migrate()
        try store.upsert(rows: rows, progress: progress, beforeCommit: {})
        // Readers and later loads of the published file use WAL, like any other store file.
        try store.switchToWAL()
    }

    private static func syncFile(_ file: String) throws(StoreError) {
        let descriptor = open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0, fsync(descriptor) == 0 else {
            let message = String(cString: strerror(errno))
            if descriptor >= 0 { close(descriptor) }
            throw StoreError(.query, "cannot sync the new database \(file): \(message)")
        }
        close(descriptor)
    }

    /// Deletes temporaries of builds whose process is gone (killed part way).
    private static func removeAbandonedTemporaries(in directory: String, prefix: String) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for entry in entries where entry.hasPrefix(prefix) {
            guard let pid = Int32(entry.dropFirst(prefix.count).prefix { $0 != "-" }) else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(directory + "/" + entry) }
        }
    }
}
