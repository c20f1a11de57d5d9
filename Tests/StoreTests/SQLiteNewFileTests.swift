import ForecastStore
import Foundation
import TestSupport
import Testing

@Suite("SQLite: the first load builds a new file and publishes it whole")
struct SQLiteNewFileTests {
    /// Names in `directory` other than the database itself (temporaries, journals).
    static func leftovers(_ directory: Scratch, besides name: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0 != name }.sorted()
    }

    @Test("a new file holds the rows an upsert would give, in WAL mode with 64 KiB pages, and nothing else is left")
    func newFile() throws {
        let directory = try Scratch("store")
        defer { directory.remove() }
        let path = directory.file("new.db")
        let rows = SQLiteStoreTests.rows("Lima", 500) + SQLiteStoreTests.rows("Quito", 30)
        var reported: [Int] = []
        #expect(try SQLiteStore.createLoaded(path: path, observations: rows) { reported.append($0) })
        #expect(reported.last == rows.count)
        #expect(Self.leftovers(directory, besides: "new.db") == [])

        let header = try #require(FileManager.default.contents(atPath: path))
        #expect(header[16] == 0 && header[17] == 1, "page size 65536 is stored as 1")
        #expect(header[18] == 2 && header[19] == 2, "file format 2: WAL")

        let reference = try SQLiteStore(path: directory.file("reference.db"))
        try reference.migrate()
        try reference.upsert(rows)
        let store = try SQLiteStore(path: path)
        #expect(try store.schemaVersion() == Migration.latestVersion)
        #expect(try store.allObservations() == reference.allObservations())
        #expect(try store.cities() == ["Lima", "Quito"])
    }

    @Test("an existing file is left alone for the usual upsert")
    func existingFile() throws {
        let directory = try Scratch("store")
        defer { directory.remove() }
        let path = directory.file("old.db")
        let store = try SQLiteStore(path: path)
        try store.migrate()
        try store.upsert(SQLiteStoreTests.rows("Lima", 10))
        let before = try store.allObservations()
        #expect(try !SQLiteStore.createLoaded(path: path, observations: SQLiteStoreTests.rows("Quito", 10)) { _ in })
        #expect(try store.allObservations() == before)
        #expect(Self.leftovers(directory, besides: "old.db").allSatisfy { $0.hasPrefix("old.db-") }, "only SQLite's own -wal/-shm")
    }

    @Test("a refused row leaves no file and no temporary behind")
    func refusedRow() throws {
        let directory = try Scratch("store")
        defer { directory.remove() }
        let path = directory.file("bad.db")
        var rows = SQLiteStoreTests.rows("Lima", 100)
        rows[60].humidity = 101
        #expect(throws: StoreError.self) { try SQLiteStore.createLoaded(path: path, observations: rows) { _ in } }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(Self.leftovers(directory, besides: "bad.db") == [])
    }

    @Test("an error from beforeCommit publishes nothing; StoreFactory.load rethrows it")
    func beforeCommitFailure() throws {
        let directory = try Scratch("store")
        defer { directory.remove() }
        let path = directory.file("late.db")
        #expect(throws: SQLiteStoreTests.Abandoned()) {
            try StoreFactory.load(SQLiteStoreTests.rows("Lima", 100), url: "sqlite://" + path, progress: { _ in }) {
                throw SQLiteStoreTests.Abandoned()
            }
        }
        #expect(Self.leftovers(directory, besides: "late.db") == [])
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("the temporary of a build whose process is gone is removed by the next build")
    func abandonedTemporary() throws {
        let directory = try Scratch("store")
        defer { directory.remove() }
        // No process has this id (above any pid_max), so its writer is gone.
        let abandoned = directory.write(".x.db.tmp-2147483646-7", "half a database")
        let ours = directory.write(".x.db.tmp-\(getpid())-7", "a build of this process")
        #expect(try SQLiteStore.createLoaded(path: directory.file("x.db"), observations: SQLiteStoreTests.rows("Lima", 5)) { _ in })
        #expect(!FileManager.default.fileExists(atPath: abandoned))
        #expect(FileManager.default.fileExists(atPath: ours))
    }

    @Test("StoreFactory.load: a new file, then an upsert into it, give the same rows as two upserts")
    func factoryLoad() throws {
        let directory = try Scratch("store")
        defer { directory.remove() }
        let first = SQLiteStoreTests.rows("Lima", 48)
        let second = SQLiteStoreTests.rows("Lima", 72, offset: 3) + SQLiteStoreTests.rows("Cusco", 5)
        let url = "sqlite://" + directory.file("sub/dir/f.db")
        try StoreFactory.load(first, url: url) { _ in }
        try StoreFactory.load(second, url: url) { _ in }
        let reference = try SQLiteStore(path: directory.file("reference.db"))
        try reference.migrate()
        try reference.upsert(first)
        try reference.upsert(second)
        #expect(try SQLiteStore(path: directory.file("sub/dir/f.db")).allObservations() == reference.allObservations())
    }
}
