import Foundation

/// The one envelope the host writes around bytes: a magic line, one line of JSON (the
/// header), then the raw payload. Model files (``ModelFile``: the manifest, then the blob)
/// and the messages between the host and its child processes (training, checks, serving
/// workers) all have this shape, so `head -2` shows what any of them holds.
public enum FramedMessage {
    /// The bytes of a message (the header's JSON with sorted keys and unescaped slashes).
    public static func encode<Header: Encodable>(magic: String, header: Header, payload: [UInt8]) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes = Array((magic + "\n").utf8)
        bytes.append(contentsOf: try encoder.encode(header))
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: payload)
        return bytes
    }

    /// Why bytes are not a message of the expected kind; each reader says it in its own words.
    public enum Malformed: Error {
        /// The first line is not the magic line (or there is no line at all).
        case wrongMagic
        /// The header line does not end.
        case truncatedHeader
        /// The header line is not the expected JSON; the decoder's explanation.
        case invalidHeader(String)
    }

    /// The header of `bytes` and the index where its payload starts.
    public static func parse<Header: Decodable>(_ bytes: [UInt8], magic: String, as _: Header.Type) throws(Malformed) -> (header: Header, payloadStart: Int) {
        guard let firstBreak = bytes.firstIndex(of: UInt8(ascii: "\n")),
              String(decoding: bytes[..<firstBreak], as: UTF8.self) == magic else { throw .wrongMagic }
        guard let secondBreak = bytes[(firstBreak + 1)...].firstIndex(of: UInt8(ascii: "\n")) else { throw .truncatedHeader }
        do {
            return (try JSONDecoder().decode(Header.self, from: Data(bytes[(firstBreak + 1)..<secondBreak])), secondBreak + 1)
        } catch {
            throw .invalidHeader("\(error)")
        }
    }

    /// The header and payload of a message between the host and a child; the error text says what is wrong.
    public static func decode<Header: Decodable>(_ bytes: [UInt8], magic: String, as type: Header.Type) throws(FramedMessageError) -> (header: Header, payload: ArraySlice<UInt8>) {
        do throws(Malformed) {
            let (header, payloadStart) = try parse(bytes, magic: magic, as: type)
            return (header, bytes[payloadStart...])
        } catch {
            switch error {
            case .wrongMagic:
                throw FramedMessageError(message: bytes.isEmpty ? "the message is empty" : "the message does not start with '\(magic)'")
            case .truncatedHeader:
                throw FramedMessageError(message: "the message is truncated in its header")
            case .invalidHeader(let explanation):
                throw FramedMessageError(message: "the message header is not valid: \(explanation)")
            }
        }
    }
}

/// A message between the host and a child process that cannot be read.
public struct FramedMessageError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var message: String

    /// An error saying `message`.
    public init(message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
