import Foundation
import ModelFiles

/// One message between `forecast serve` and a plugin's serving worker (`forecast serve-worker`).
///
/// On the socket each message is a 4-byte little-endian length, then a ``FramedMessage``
/// (magic line, one line of JSON header, payload): the payload is a model blob (`load`),
/// a series' values (`condition`, `train`) or a forecast's mean, lower and upper values
/// (the reply to `forecast`; per level, the reply to `train`), as little-endian IEEE 754
/// doubles. Every request gets exactly one reply,
/// in order, so the host can tell which answer belongs to which call.
public struct WorkerMessage: Sendable, Equatable {
    /// The first line of every message.
    static let magic = "forecast-worker 1"
    /// The largest message either side accepts (a model blob, a long series).
    public static let maximumBytes = 256 << 20

    /// What a request asks, or what a reply answers.
    public enum Operation: String, Codable, Sendable {
        /// The worker's first message, unasked: the plugin it loaded.
        case hello
        /// Load the blob in the payload as model `model`.
        case load
        /// Forecast `horizon` steps at `level` with model `model`.
        case forecast
        /// Condition model `model` on the series in the payload, as model `newModel`.
        case condition
        /// Release model `model`.
        case release
        /// Train a throw-away model on the series in the payload with `options`, forecast
        /// `horizon` steps at each of `levels`, release it; the reply carries the summary
        /// and the training time (`POST /{route}/forecast`).
        case train
    }

    /// The JSON line; which fields are set depends on the operation.
    public struct Header: Codable, Sendable, Equatable {
        /// The operation.
        public var op: Operation
        /// The model the request is about.
        public var model: Int?
        /// `condition`: the id of the new model.
        public var newModel: Int?
        /// `forecast`: the steps ahead.
        public var horizon: Int?
        /// `forecast`: the interval level.
        public var level: Double?
        /// `condition`: the series' first time and step.
        public var startTime: Int64?
        /// `condition`: seconds between observations.
        public var stepSeconds: Int64?
        /// Replies: whether the call succeeded.
        public var ok: Bool?
        /// Failed replies: the `FP_STATUS_*` code and the message.
        public var status: Int32?
        /// Failed replies: what went wrong.
        public var message: String?
        /// `hello`: the plugin's name and version.
        public var name: String?
        /// `hello`: the plugin's version.
        public var version: String?
        /// `train`: the interval levels to forecast at.
        public var levels: [Double]?
        /// `train`: the training options (JSON object text).
        public var options: String?
        /// `train` replies: the plugin's fit summary (JSON object text).
        public var summary: String?
        /// `train` replies: seconds the train call took.
        public var seconds: Double?

        /// A header for `op`; set the other fields as needed.
        public init(op: Operation) {
            self.op = op
        }
    }

    /// The header.
    public var header: Header
    /// The raw payload.
    public var payload: [UInt8]

    /// A message.
    public init(header: Header, payload: [UInt8] = []) {
        self.header = header
        self.payload = payload
    }

    /// The framed bytes, length prefix included.
    public func encoded() throws -> [UInt8] {
        let body = try FramedMessage.encode(magic: Self.magic, header: header, payload: payload)
        var bytes = [UInt8]()
        bytes.reserveCapacity(body.count + 4)
        withUnsafeBytes(of: UInt32(body.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: body)
        return bytes
    }

    /// Reads a message from its bytes without the length prefix.
    static func decode(_ body: [UInt8]) throws(FramedMessageError) -> WorkerMessage {
        let (header, payload) = try FramedMessage.decode(body, magic: magic, as: Header.self)
        return WorkerMessage(header: header, payload: Array(payload))
    }

    /// The length a 4-byte prefix announces.
    static func length(prefix: [UInt8]) -> Int {
        Int(UInt32(prefix[0]) | UInt32(prefix[1]) << 8 | UInt32(prefix[2]) << 16 | UInt32(prefix[3]) << 24)
    }

    /// `values` as little-endian doubles.
    public static func bytes(of values: [Double]) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * 8)
        for value in values {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }

    /// The doubles in `bytes` (a multiple of 8 long).
    public static func doubles(in bytes: ArraySlice<UInt8>) -> [Double] {
        var values = [Double]()
        values.reserveCapacity(bytes.count / 8)
        var index = bytes.startIndex
        while index + 8 <= bytes.endIndex {
            var bits: UInt64 = 0
            for shift in stride(from: 0, to: 64, by: 8) {
                bits |= UInt64(bytes[index]) << UInt64(shift)
                index += 1
            }
            values.append(Double(bitPattern: bits))
        }
        return values
    }
}
