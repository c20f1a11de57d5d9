/// Something a test needs could not be set up: a program failed, a server did not start.
public struct TestSetupFailure: Error, CustomStringConvertible {
    /// What failed and why.
    public var message: String
    /// The message.
    public var description: String { message }

    /// A failure saying `message`.
    public init(message: String) {
        self.message = message
    }
}
