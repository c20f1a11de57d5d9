#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Atomic file replacement: write a temporary sibling, fsync, rename, fsync the directory.
public enum AtomicFile {
    /// Replaces `path` with `data`; on any failure the old file is untouched.
    public static func write(_ data: Data, to path: String, permissions: mode_t = 0o644) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let name = (path as NSString).lastPathComponent
        let temporary = "\(directory)/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        guard descriptor >= 0 else { throw AtomicFileError(path: temporary, operation: "create", code: errno) }
        var succeeded = false
        defer {
            if !succeeded { unlink(temporary) }
        }
        do {
            defer { close(descriptor) }
            try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws in
                var offset = 0
                while offset < raw.count {
                    let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw AtomicFileError(path: temporary, operation: "write", code: errno)
                    }
                    offset += written
                }
            }
            guard fsync(descriptor) == 0 else { throw AtomicFileError(path: temporary, operation: "fsync", code: errno) }
        }
        guard rename(temporary, path) == 0 else { throw AtomicFileError(path: path, operation: "rename", code: errno) }
        succeeded = true
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }
}

extension AtomicFile {
    /// Deletes `.<name>.tmp-<pid>-<random>` siblings of `path` whose writer process is gone.
    public static func removeAbandonedTemporaries(besides path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        let prefix = "." + (path as NSString).lastPathComponent + ".tmp-"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for entry in entries where entry.hasPrefix(prefix) {
            guard let pid = Int32(entry.dropFirst(prefix.count).prefix { $0 != "-" }) else { continue }
            // kill(pid, 0) fails with ESRCH when no such process exists.
            if kill(pid, 0) != 0 && errno == ESRCH {
                unlink(directory + "/" + entry)
            }
        }
    }
}

/// A system call that failed while writing a file atomically.
public struct AtomicFileError: Error, Sendable, CustomStringConvertible {
    /// The file involved.
    public var path: String
    /// The failing step: create, write, fsync or rename.
    public var operation: String
    /// The `errno` value.
    public var code: Int32

    /// `cannot write /x/y: No space left on device`.
    public var description: String {
        "cannot \(operation) \(path): \(String(cString: strerror(code)))"
    }
}
