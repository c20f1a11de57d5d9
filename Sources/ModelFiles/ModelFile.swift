import Crypto
import Foundation

/// A model file: the host's envelope around a plugin's blob.
///
/// Layout (the host's one envelope, ``FramedMessage``): line 1 `forecast-model 1`, line 2
/// the ``ModelManifest`` as one line of JSON, then the blob's bytes. `head -2 file.model`
/// shows what a file holds. The manifest
/// carries the blob's size and SHA-256, so a truncated or altered file is refused.
public struct ModelFile: Sendable, Equatable {
    /// The first line of every model file.
    public static let magicLine = "forecast-model 1"

    /// The envelope.
    public var manifest: ModelManifest
    /// The plugin's opaque bytes.
    public var blob: [UInt8]

    /// Creates a model file in memory.
    public init(manifest: ModelManifest, blob: [UInt8]) {
        self.manifest = manifest
        self.blob = blob
    }

    /// Lower-case hex SHA-256 of `bytes`.
    public static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// The file's bytes.
    public func encoded() throws -> Data {
        Data(try FramedMessage.encode(magic: Self.magicLine, header: manifest, payload: blob))
    }

    /// Parses and verifies a model file's bytes; `path` is used in messages.
    public static func decode(_ data: Data, path: String) throws(ModelFileError) -> ModelFile {
        let bytes = [UInt8](data)
        let (manifest, blobStart) = try readManifest(bytes, path: path)
        let blob = Array(bytes[blobStart...])
        guard blob.count == manifest.blobSize else {
            throw ModelFileError(path: path, message: "truncated or padded: the blob has \(blob.count) bytes, the manifest says \(manifest.blobSize)")
        }
        let digest = sha256(blob)
        guard digest == manifest.blobSHA256 else {
            throw ModelFileError(path: path, message: "checksum mismatch: the blob's SHA-256 is \(digest.prefix(12))..., the manifest says \(manifest.blobSHA256.prefix(12))...")
        }
        return ModelFile(manifest: manifest, blob: blob)
    }

    /// Reads the manifest of a model file's bytes without checking the blob, for listings.
    public static func decodeManifest(_ data: Data, path: String) throws(ModelFileError) -> ModelManifest {
        try readManifest([UInt8](data), path: path).manifest
    }

    /// Parses the magic line and the manifest line; returns the manifest and where the blob starts.
    private static func readManifest(_ bytes: [UInt8], path: String) throws(ModelFileError) -> (manifest: ModelManifest, blobStart: Int) {
        let manifest: ModelManifest, blobStart: Int
        do throws(FramedMessage.Malformed) {
            (manifest, blobStart) = try FramedMessage.parse(bytes, magic: magicLine, as: ModelManifest.self)
        } catch {
            switch error {
            case .wrongMagic:
                throw ModelFileError(path: path, message: "not a model file (the first line is not '\(magicLine)')")
            case .truncatedHeader:
                throw ModelFileError(path: path, message: "truncated: the manifest line is incomplete")
            case .invalidHeader(let explanation):
                throw ModelFileError(path: path, message: "the manifest is not valid: \(explanation)")
            }
        }
        guard manifest.formatVersion == ModelManifest.currentFormatVersion else {
            throw ModelFileError(path: path, message: "model-file format \(manifest.formatVersion) is not supported (this host reads \(ModelManifest.currentFormatVersion))")
        }
        return (manifest, blobStart)
    }
}

/// A model file that cannot be read or fails verification.
public struct ModelFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `path: message`.
    public var description: String { "\(path): \(message)" }
}
