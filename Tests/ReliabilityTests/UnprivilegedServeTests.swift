import Foundation
import Testing
import TestSupport

/// `forecast serve` run as `nobody` over files owned by another user (the usual service
/// layout: root-owned plugins, models and store, a service user that only reads them).
@Suite("forecast serve as an unprivileged user", .serialized,
       .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser"),
                "needs root and runuser to start the server as nobody (skipped)"))
struct UnprivilegedServeTests {
    /// A world-readable workdir with sample data, a store and seasonal-naive models, all owned by root.
    static func prepare(_ scratch: Scratch) throws -> [String] {
        chmod(scratch.path, 0o755)
        return try ForecastCommand.prepareTrainedWorkdir(scratch.path, hours: 800, cities: ["San Francisco"])
    }

    @Test("as nobody, with read-only files, the server starts, forecasts and reloads")
    func servesAsNobody() throws {
        let scratch = try Scratch("nobody")
        defer { scratch.remove() }
        let common = try Self.prepare(scratch)
        let server = try ServedProcess(common, in: scratch.path, user: "nobody")
        defer { _ = server.stop() }
        #expect(try server.request("/seasonal-naive/forecast/24").status == 200)
        #expect(try server.request("/readyz").status == 200)
        #expect(try server.request("/admin/reload", method: "POST").status == 200)
        #expect(try server.request("/").status == 200)
    }

    @Test("as nobody, the page's observations come from the read-only store")
    func readsStoreAsNobody() throws {
        let scratch = try Scratch("nobody-store")
        defer { scratch.remove() }
        let common = try Self.prepare(scratch)
        let server = try ServedProcess(common, in: scratch.path, user: "nobody")
        defer { _ = server.stop() }
        #expect(try server.request("/").status == 200)
        #expect(!server.log.contains("observations unavailable"), "\(server.log)")
    }
}
