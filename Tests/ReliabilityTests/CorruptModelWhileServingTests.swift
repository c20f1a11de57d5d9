import Foundation
import Testing
import TestSupport

/// A model file is damaged on disk while `forecast serve` runs: requests keep being
/// answered from the models in memory, a reload is refused with the reason, and the
/// old models keep serving until a good file is published.
@Suite("model file corrupted under a running server", .serialized)
struct CorruptModelWhileServingTests {
    @Test("corrupt file + reload: the old models keep serving and the refusal names the checksum")
    func corruptThenReload() throws {
        let scratch = try Scratch("serve")
        defer { scratch.remove() }
        let workdir = scratch.path
        let common = try ForecastCommand.prepareTrainedWorkdir(workdir, hours: 800, cities: ["San Francisco"])

        let server = try ServedProcess(common, in: workdir)
        defer { _ = server.stop() }
        let route = "/seasonal-naive/forecast/24?city=San%20Francisco"
        let before = try server.request(route)
        #expect(before.status == 200, "\(before.body)")

        // Flip one byte of the blob in place, as a failing disk or a stray write would.
        let path = workdir + "/models/seasonal-naive/san-francisco/temperature.model"
        var bytes = try #require(FileManager.default.contents(atPath: path))
        bytes[bytes.count - 3] ^= 0x5A
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.write(contentsOf: bytes)
        try handle.close()

        let during = try server.request(route)
        #expect(during.status == 200 && during.body == before.body)

        let reload = try server.request("/admin/reload", method: "POST")
        #expect(reload.status == 409, "\(reload.body)")
        #expect(reload.body.contains("reload_failed") && reload.body.contains("checksum"), "\(reload.body)")
        let afterReload = try server.request(route)
        #expect(afterReload.status == 200 && afterReload.body == before.body)

        // SIGHUP takes the same path: refused, still serving, still alive.
        server.send(SIGHUP)
        Thread.sleep(forTimeInterval: 0.3)
        #expect(server.child.isRunning)
        #expect(try server.request(route).body == before.body)
        #expect(try server.request("/readyz").status == 200)

        // A good file is published again: the reload is accepted and serves it.
        try ForecastCommand.check(try ForecastCommand.run(["train"] + common, in: workdir), "train")
        let accepted = try server.request("/admin/reload", method: "POST")
        #expect(accepted.status == 200, "\(accepted.body)")
        let after = try server.request(route)
        #expect(after.status == 200)
        #expect(server.stop() == 0)
    }
}
