/// A store operation that failed, with a sentence a user can act on.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which kind of failure this is.
    public enum Kind: Sendable, Equatable {
        /// The URL is malformed or names an unknown scheme.
        case badURL
        /// The database cannot be opened or reached.
        case connection
        /// The schema is newer than this program or a migration failed.
        case migration
        /// A statement or a load failed; the transaction was rolled back.
        case query
    }

    /// Which kind of failure.
    public var kind: Kind
    /// What happened, including the database's own message.
    public var message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
