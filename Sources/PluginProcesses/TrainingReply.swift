import Foundation
import ModelFiles

/// What a training child answers: the trained model, or the plugin's error.
///
/// Written to the child's reply channel (file descriptor 3) as a ``FramedMessage`` whose
/// payload is the model blob, so nothing a plugin prints can corrupt it.
public enum TrainingReply: Sendable, Equatable {
    /// The first line of every reply.
    static let magic = "forecast-train-reply 1"

    /// The plugin trained: its blob and fit summary.
    case trained(blob: [UInt8], summaryJSON: String)
    /// The plugin (or loading it) failed: an `FP_STATUS_*` code and the message.
    case failed(status: Int32, message: String)

    private struct Header: Codable {
        var ok: Bool
        var summary: String?
        var status: Int32?
        var message: String?
        var blobSize: Int
    }

    /// The reply's bytes.
    public func encoded() throws -> [UInt8] {
        switch self {
        case .trained(let blob, let summary):
            try FramedMessage.encode(magic: Self.magic, header: Header(ok: true, summary: summary, blobSize: blob.count), payload: blob)
        case .failed(let status, let message):
            try FramedMessage.encode(magic: Self.magic, header: Header(ok: false, status: status, message: message, blobSize: 0), payload: [])
        }
    }

    /// Reads a reply; the error text says what is wrong.
    public static func decode(_ bytes: [UInt8]) throws -> TrainingReply {
        let (header, payload) = try FramedMessage.decode(bytes, magic: magic, as: Header.self)
        guard payload.count == header.blobSize else {
            throw FramedMessageError(message: "the reply carries \(payload.count) bytes of model, its header says \(header.blobSize)")
        }
        if header.ok {
            return .trained(blob: Array(payload), summaryJSON: header.summary ?? "{}")
        }
        return .failed(status: header.status ?? -1, message: header.message ?? "the training child gave no message")
    }
}
