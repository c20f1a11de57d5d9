import Foundation
import ModelFiles
import PluginBinding

/// What `forecast train` sends a training child: which plugin, its options, and the series.
///
/// Written to the child's standard input as a ``FramedMessage`` whose payload is the
/// series' values as little-endian IEEE 754 doubles.
public struct TrainingRequest: Sendable, Equatable {
    /// The first line of every request.
    static let magic = "forecast-train-request 1"

    private struct Header: Codable {
        var plugin: String
        var path: String
        var options: String
        var startTime: Int64
        var stepSeconds: Int64
        var count: Int
    }

    /// The plugin's name, checked against the library the child loads.
    public var plugin: String
    /// The plugin library.
    public var path: String
    /// The plugin's options (a JSON object).
    public var options: String
    /// The series to train on.
    public var series: TimeSeries

    /// Creates a request.
    public init(plugin: String, path: String, options: String, series: TimeSeries) {
        self.plugin = plugin
        self.path = path
        self.options = options
        self.series = series
    }

    /// The request's bytes.
    public func encoded() throws -> [UInt8] {
        let header = Header(plugin: plugin, path: path, options: options, startTime: series.startTime,
                            stepSeconds: series.stepSeconds, count: series.count)
        var payload = [UInt8]()
        payload.reserveCapacity(series.count * 8)
        for value in series.values {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { payload.append(contentsOf: $0) }
        }
        return try FramedMessage.encode(magic: Self.magic, header: header, payload: payload)
    }

    /// Reads a request; the error text says what is wrong.
    public static func decode(_ bytes: [UInt8]) throws -> TrainingRequest {
        let (header, payload) = try FramedMessage.decode(bytes, magic: magic, as: Header.self)
        guard header.count >= 0, payload.count == header.count * 8 else {
            throw FramedMessageError(message: "the request carries \(payload.count) bytes of values, its header says \(header.count) values")
        }
        var values = [Double]()
        values.reserveCapacity(header.count)
        var index = payload.startIndex
        for _ in 0..<header.count {
            var bits: UInt64 = 0
            for shift in stride(from: 0, to: 64, by: 8) {
                bits |= UInt64(payload[index]) << UInt64(shift)
                index += 1
            }
            values.append(Double(bitPattern: bits))
        }
        return TrainingRequest(plugin: header.plugin, path: header.path, options: header.options,
                               series: TimeSeries(values: values, startTime: header.startTime, stepSeconds: header.stepSeconds))
    }
}
