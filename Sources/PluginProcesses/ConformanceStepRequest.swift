import Foundation
import ModelFiles

/// What `forecast plugins check` asks one check process to do: load the library (step
/// `library`), or run one ``ConformanceSuite/Step`` on the blob the train step made.
///
/// Written to the child's standard input as a ``FramedMessage`` whose payload is the blob.
public struct ConformanceStepRequest: Sendable, Equatable {
    static let magic = "forecast-check-request 1"
    /// The step that only loads the library and describes it.
    public static let libraryStep = "library"

    private struct Header: Codable {
        var path: String
        var options: String
        var step: String
        var checkPermissions: Bool
    }

    /// The plugin library (absolute, or relative to the child's working directory).
    public var path: String
    /// The training options (a JSON object).
    public var options: String
    /// ``libraryStep`` or a ``ConformanceSuite/Step`` raw value.
    public var step: String
    /// Whether the child refuses a library writable by group or others.
    public var checkPermissions: Bool
    /// The blob the train step made (empty for `library` and `train`).
    public var blob: [UInt8]

    /// Creates a request.
    public init(path: String, options: String, step: String, checkPermissions: Bool = true, blob: [UInt8] = []) {
        self.path = path
        self.options = options
        self.step = step
        self.checkPermissions = checkPermissions
        self.blob = blob
    }

    /// The request's bytes.
    public func encoded() throws -> [UInt8] {
        try FramedMessage.encode(magic: Self.magic, header: Header(path: path, options: options, step: step, checkPermissions: checkPermissions),
                                 payload: blob)
    }

    /// Reads a request; the error text says what is wrong.
    public static func decode(_ bytes: [UInt8]) throws -> ConformanceStepRequest {
        let (header, payload) = try FramedMessage.decode(bytes, magic: magic, as: Header.self)
        return ConformanceStepRequest(path: header.path, options: header.options, step: header.step,
                                      checkPermissions: header.checkPermissions, blob: Array(payload))
    }
}
