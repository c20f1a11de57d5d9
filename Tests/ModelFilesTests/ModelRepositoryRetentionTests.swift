import Foundation
import ModelFiles
import Testing

/// The file repository's sweep of temporary files that killed writers left, on real files.
@Suite("model repository: abandoned temporary files")
struct ModelRepositoryRetentionTests {
    @Test("temporaries of writers that are gone, or older than the window, are removed; a live writer's, other files and the models stay")
    func sweep() throws {
        let root = NSTemporaryDirectory() + "retention-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let repository = ModelRepository(root: root + "/models")
        let folder = root + "/models/arima/oslo"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // A pid no process has: that of a child that has exited and been reaped.
        let exited = Process()
        exited.executableURL = URL(fileURLWithPath: "/bin/true")
        try exited.run()
        exited.waitUntilExit()
        let gone = exited.processIdentifier
        let me = ProcessInfo.processInfo.processIdentifier
        let files = [
            "temperature.model": "model",
            ".temperature.model.tmp-\(gone)-1": "killed writer",
            ".humidity.model.tmp-\(me)-2": "live writer",
            ".humidity.model.tmp-\(me)-3": "live pid, but written long ago",
            ".wind_speed.model.tmp-\(gone)-5": "killed writer of another variable",
            ".notes.tmp-\(gone)-4": "not a model's temporary",
        ]
        for (name, text) in files { try Data(text.utf8).write(to: URL(fileURLWithPath: "\(folder)/\(name)")) }
        let longAgo = Date().addingTimeInterval(-40 * 86_400)
        try FileManager.default.setAttributes([.modificationDate: longAgo], ofItemAtPath: "\(folder)/.humidity.model.tmp-\(me)-3")

        let removed = repository.removeAbandonedTemporaries(olderThan: Date().addingTimeInterval(-30 * 86_400))
        #expect(removed == ["\(folder)/.humidity.model.tmp-\(me)-3", "\(folder)/.temperature.model.tmp-\(gone)-1",
                           "\(folder)/.wind_speed.model.tmp-\(gone)-5"])
        let left = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(left == [".humidity.model.tmp-\(me)-2", ".notes.tmp-\(gone)-4", "temperature.model"])
        #expect(repository.removeAbandonedTemporaries(olderThan: Date().addingTimeInterval(-30 * 86_400)).isEmpty)
        #expect(ModelRepository(root: root + "/nowhere").removeAbandonedTemporaries(olderThan: Date()).isEmpty)
    }
}
