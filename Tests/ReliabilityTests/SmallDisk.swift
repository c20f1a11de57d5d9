import Foundation
import TestSupport

/// A tiny tmpfs mounted for one test, so that writes fail with ENOSPC for real.
///
/// Mounting needs root (CAP_SYS_ADMIN); ``isAvailable`` probes once, and tests that need
/// a full disk are skipped with that reason when it is false.
struct SmallDisk {
    /// The mount point.
    let path: String
    private let scratch: Scratch

    /// Whether this process may mount a tmpfs (root, and the kernel allows it here).
    static let isAvailable: Bool = {
        guard getuid() == 0, let probe = try? SmallDisk(kilobytes: 16) else { return false }
        probe.unmount()
        return true
    }()

    /// Mounts a tmpfs of `kilobytes` on a fresh private directory.
    init(kilobytes: Int) throws {
        scratch = try Scratch("disk")
        path = scratch.path
        let status = Self.command("/bin/mount", ["-t", "tmpfs", "-o", "size=\(kilobytes)k,mode=0700", "tmpfs", path])
        guard status == 0 else {
            scratch.remove()
            throw TestSetupFailure(message: "mount -t tmpfs failed with status \(status) (needs root)")
        }
    }

    /// Unmounts the tmpfs and removes the mount point.
    func unmount() {
        _ = Self.command("/bin/umount", [path])
        scratch.remove()
    }

    /// Writes a file of zeros until the disk is full; returns its path.
    @discardableResult
    func fill(name: String = "filler") -> String {
        let filler = "\(path)/\(name)"
        let descriptor = open(filler, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return filler }
        defer { close(descriptor) }
        let block = [UInt8](repeating: 0, count: 512)
        while block.withUnsafeBytes({ write(descriptor, $0.baseAddress!, $0.count) }) > 0 {}
        return filler
    }

    static func command(_ executable: String, _ arguments: [String]) -> Int32 {
        (try? ProgramRun.run(executable, arguments, timeout: 60))?.status ?? -1
    }
}
