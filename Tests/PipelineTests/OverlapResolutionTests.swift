import ForecastPipeline
import ForecastStore
import Foundation
import Testing
import TestSupport

@Suite("a load compared with the store's hours: new, unchanged, replacing interpolated, conflicting")
struct OverlapResolutionTests {
    static let base: Int64 = 1_500_000_000 / 3600 * 3600

    /// A store with Oslo hours 0..<4: measured temperatures 270...273, humidity 50, except
    /// hour 2's temperature, which was interpolated.
    static func store(_ directory: Scratch) throws -> SQLiteStore {
        let store = try SQLiteStore(path: directory.file("a.db"))
        try store.migrate()
        try fill(store)
        return store
    }

    static func fill(_ store: any ObservationStore) throws {
        let marks: [UInt8] = [0, 0, ImputedMask.temperature, 0]
        try store.upsert(ObservationBatch([.init(city: "Oslo", start: base, temperature: [270, 271, 272, 273],
                                                 humidity: [50, 50, 50, 50], imputed: marks)]),
                         progress: { _ in }, beforeCommit: {})
    }

    /// A newer file: hours 1..<6, hour 1 equal, hour 2 measured over the interpolation,
    /// hour 3 a different measurement, hours 4 and 5 new.
    static let newer = ObservationBatch([.init(city: "Oslo", start: base + 3600, temperature: [271, 280, 290, 274, 275],
                                               humidity: [50, 50, 50, 51, 52])])

    @Test("keep: the conflicting measurement stays stored, the new hours are appended, the interpolation replaced")
    func keep() throws {
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        let store = try Self.store(directory)
        let (batch, report) = try OverlapResolution.resolve(Self.newer, store: store, policy: .keep)
        #expect(report.conflicts == 1 && report.replacedInterpolated == 1 && report.newValues == 4 && report.unchangedValues == 4)
        #expect(report.named == ["Oslo \(Timestamp.format(Self.base + 3 * 3600)) temperature: stored 273.0, file 290.0"])
        try store.upsert(batch, progress: { _ in }, beforeCommit: {})
        let temperatures = try store.observations(city: "Oslo", from: nil, to: nil).map(\.temperature)
        #expect(temperatures == [270, 271, 280, 273, 274, 275])
        #expect(try store.imputedMarks(city: "Oslo", from: Self.base, to: Self.base + 10 * 3600).isEmpty)
    }

    @Test("replace: the file's measurement wins; refuse: an error naming the conflict, nothing changed")
    func replaceAndRefuse() throws {
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        let store = try Self.store(directory)
        #expect(throws: PipelineError.self) { try OverlapResolution.resolve(Self.newer, store: store, policy: .refuse) }
        let (batch, report) = try OverlapResolution.resolve(Self.newer, store: store, policy: .replace)
        #expect(report.conflicts == 1)
        try store.upsert(batch, progress: { _ in }, beforeCommit: {})
        #expect(try store.observations(city: "Oslo", from: nil, to: nil).map(\.temperature) == [270, 271, 280, 290, 274, 275])
    }

    @Test("the same file twice: every value unchanged, no conflict")
    func idempotent() throws {
        let directory = try Scratch("pipeline")
        defer { directory.remove() }
        let store = try Self.store(directory)
        let (_, first) = try OverlapResolution.resolve(Self.newer, store: store, policy: .keep)
        #expect(first.conflicts == 1)
        let (batch, _) = try OverlapResolution.resolve(Self.newer, store: store, policy: .replace)
        try store.upsert(batch, progress: { _ in }, beforeCommit: {})
        let (_, again) = try OverlapResolution.resolve(Self.newer, store: store, policy: .keep)
        #expect(again.conflicts == 0 && again.newValues == 0 && again.unchangedValues == 10)
    }
}

// On a database of its own, so that no PostgreSQL store test truncates its tables meanwhile.
@Suite("overlap resolution on PostgreSQL (needs FORECAST_TEST_POSTGRES_URL)",
       .enabled(if: TestPostgres.isConfigured, "FORECAST_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped"))
struct PostgresOverlapResolutionTests {
    @Test("a load compared with the store: interpolated marks and conflicts read the same on PostgreSQL")
    func overlapResolution() throws {
        let store = try PostgresStore(url: try SharedModelsTests.freshDatabase("forecast_overlap_resolution"))
        try OverlapResolutionTests.fill(store)
        #expect(try store.imputedMarks(city: "Oslo", from: OverlapResolutionTests.base, to: OverlapResolutionTests.base + 9 * 3600)
                    == [OverlapResolutionTests.base + 2 * 3600: ImputedMask.temperature])
        let (batch, report) = try OverlapResolution.resolve(OverlapResolutionTests.newer, store: store, policy: .keep)
        #expect(report.conflicts == 1 && report.replacedInterpolated == 1 && report.newValues == 4 && report.unchangedValues == 4)
        try store.upsert(batch, progress: { _ in }, beforeCommit: {})
        #expect(try store.observations(city: "Oslo", from: nil, to: nil).map(\.temperature) == [270, 271, 280, 273, 274, 275])
    }
}
