import Foundation
import ModelFiles
import PluginBinding

/// A loaded plugin's identity, as a check process reports it.
public struct CheckedPluginInfo: Sendable, Equatable, Codable {
    /// The plugin's name.
    public var name: String
    /// Its version.
    public var version: String
    /// Its ABI version, `major.minor`.
    public var abi: String
    /// Its capabilities by name.
    public var capabilities: [String]
    /// The library's path as loaded.
    public var path: String
}

/// What one check process answers: its checks, the library's identity or refusal, the
/// train step's blob; and before it, one `call ENTRY` line per entry point it called.
///
/// Written to the reply channel (file descriptor 3). The `call` lines are written as the
/// calls happen, so when the process dies the last one names the entry point it died in.
public struct ConformanceStepReply: Sendable, Equatable {
    static let magic = "forecast-check-reply 1"
    /// The prefix of a trace line.
    static let tracePrefix = "call "

    private struct Header: Codable {
        var checks: [ConformanceSuite.Check]
        var info: CheckedPluginInfo?
        var refusal: String?
        var blobSize: Int
    }

    /// The checks the step ran.
    public var checks: [ConformanceSuite.Check] = []
    /// For the `library` step: the plugin, when it loaded.
    public var info: CheckedPluginInfo?
    /// For the `library` step: why the library was refused.
    public var refusal: String?
    /// For the `train` step: the blob, when train succeeded.
    public var blob: [UInt8]?

    /// Creates a reply.
    public init(checks: [ConformanceSuite.Check] = [], info: CheckedPluginInfo? = nil, refusal: String? = nil, blob: [UInt8]? = nil) {
        self.checks = checks
        self.info = info
        self.refusal = refusal
        self.blob = blob
    }

    /// The trace line for a call of `entry`.
    static func traceLine(_ entry: String) -> [UInt8] { Array((tracePrefix + entry + "\n").utf8) }

    /// The reply's bytes (without trace lines).
    public func encoded() throws -> [UInt8] {
        try FramedMessage.encode(magic: Self.magic, header: Header(checks: checks, info: info, refusal: refusal, blobSize: blob?.count ?? -1),
                                 payload: blob ?? [])
    }

    /// The entry points named by the trace lines in `bytes`, in order, and the reply after
    /// them (nil when the process wrote none, e.g. because it died).
    public static func decode(_ bytes: [UInt8]) throws -> (calls: [String], reply: ConformanceStepReply?) {
        var calls: [String] = []
        var index = bytes.startIndex
        let prefix = Array(tracePrefix.utf8)
        while index < bytes.endIndex, bytes[index...].starts(with: prefix), let end = bytes[index...].firstIndex(of: UInt8(ascii: "\n")) {
            calls.append(String(decoding: bytes[(index + prefix.count)..<end], as: UTF8.self))
            index = end + 1
        }
        guard index < bytes.endIndex else { return (calls, nil) }
        let (header, payload) = try FramedMessage.decode(Array(bytes[index...]), magic: magic, as: Header.self)
        guard header.blobSize < 0 ? payload.isEmpty : payload.count == header.blobSize else {
            throw FramedMessageError(message: "the reply carries \(payload.count) bytes of model, its header says \(header.blobSize)")
        }
        return (calls, ConformanceStepReply(checks: header.checks, info: header.info, refusal: header.refusal,
                                            blob: header.blobSize < 0 ? nil : Array(payload)))
    }
}
