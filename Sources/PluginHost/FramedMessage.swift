import Foundation

/// The framing of the messages between `forecast train` and its training child process.
///
/// A magic line, one line of JSON (the header), then raw payload bytes; the same shape as
/// a model file (see ``ModelFile``), so `head -2` shows what a message holds.
enum FramedMessage {
    /// The bytes of a message.
    static func encode<Header: Encodable>(magic: String, header: Header, payload: [UInt8]) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes = Array((magic + "\n").utf8)
        bytes.append(contentsOf: try encoder.encode(header))
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: payload)
        return bytes
    }

    /// The header and payload of `bytes`; the error text says what is wrong.
    static func decode<Header: Decodable>(_ bytes: [UInt8], magic: String, as _: Header.Type) throws(FramedMessageError) -> (header: Header, payload: ArraySlice<UInt8>) {
        guard let firstBreak = bytes.firstIndex(of: UInt8(ascii: "\n")),
              String(decoding: bytes[..<firstBreak], as: UTF8.self) == magic else {
            throw FramedMessageError(message: bytes.isEmpty ? "the message is empty" : "the message does not start with '\(magic)'")
        }
        guard let secondBreak = bytes[(firstBreak + 1)...].firstIndex(of: UInt8(ascii: "\n")) else {
            throw FramedMessageError(message: "the message is truncated in its header")
        }
        do {
            let header = try JSONDecoder().decode(Header.self, from: Data(bytes[(firstBreak + 1)..<secondBreak]))
            return (header, bytes[(secondBreak + 1)...])
        } catch {
            throw FramedMessageError(message: "the message header is not valid: \(error)")
        }
    }
}

/// A message between the host and a training child that cannot be read.
struct FramedMessageError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    var message: String
    /// The message.
    var description: String { message }
}
