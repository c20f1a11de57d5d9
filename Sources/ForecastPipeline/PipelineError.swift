/// A pipeline step that cannot go on, with a sentence a user can act on.
///
/// Every bad input (a corrupt archive, a refused download, a malformed CSV cell) ends
/// in one of these; the step stops before it changes the store or publishes a file.
public struct PipelineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which step or check failed.
    public enum Kind: String, Sendable, Equatable {
        /// A download or copy failed.
        case fetch
        /// An archive is unsafe, too large or corrupt.
        case archive
        /// A CSV file is malformed or fails validation.
        case data
        /// The store refused a read or write.
        case store
        /// Training or evaluation failed.
        case model
        /// An argument does not make sense.
        case usage
    }

    /// Which step or check failed.
    public var kind: Kind
    /// What went wrong, naming the file, line, column or URL involved.
    public var message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
