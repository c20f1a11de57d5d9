/// One step of the store's schema history; applied in order, each exactly once.
///
/// The schema is the same on SQLite and PostgreSQL; where the dialects differ a
/// migration carries one script for each. Migrations are only ever appended: a
/// database records the highest version applied in `schema_migrations`, and a
/// program refuses a database whose version is newer than the ones it knows.
public struct Migration: Sendable {
    /// The version this migration brings the schema to (1, 2, ...).
    public var version: Int
    /// One line saying what it does.
    public var summary: String
    /// The statements for SQLite.
    public var sqlite: [String]
    /// The statements for PostgreSQL.
    public var postgres: [String]

    /// Every migration, oldest first.
    public static let all: [Migration] = [
        Migration(
            version: 1,
            summary: "observations: one row per (city, hour) with temperature (K) and humidity (%)",
            sqlite: [
                """
                CREATE TABLE observations (
                    city        TEXT    NOT NULL,
                    time        INTEGER NOT NULL CHECK (time % 3600 = 0),
                    temperature REAL    CHECK (temperature BETWEEN 150 AND 350),
                    humidity    REAL    CHECK (humidity BETWEEN 0 AND 100),
                    PRIMARY KEY (city, time)
                ) WITHOUT ROWID
                """,
            ],
            postgres: [
                """
                CREATE TABLE observations (
                    city        TEXT             NOT NULL,
                    time        BIGINT           NOT NULL CHECK (time % 3600 = 0),
                    temperature DOUBLE PRECISION CHECK (temperature BETWEEN 150 AND 350),
                    humidity    DOUBLE PRECISION CHECK (humidity BETWEEN 0 AND 100),
                    PRIMARY KEY (city, time)
                )
                """,
            ]),
    ]

    /// The newest schema version this program knows.
    public static var latestVersion: Int { all.last?.version ?? 0 }

    /// The table that records applied migrations (same text on both dialects).
    static let historyTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY,
            summary    TEXT    NOT NULL,
            applied_at BIGINT  NOT NULL
        )
        """

    /// The error for a database written by a newer program.
    static func tooNew(_ version: Int, store: String) -> StoreError {
        StoreError(.migration, "\(store) has schema version \(version), newer than this program's \(latestVersion): upgrade forecast, or use another database")
    }
}
