import Foundation
import HTTPTypes
import Hummingbird

/// The one rule every write endpoint (`POST /observations`, `POST /admin/reload`) follows:
/// the request carries `Authorization: Bearer <token>` with the token the server was
/// started with (`--write-token-file` or `FORECAST_WRITE_TOKEN`).
///
/// No header, or one that is not a bearer token, is 401 `unauthorized` (with
/// `WWW-Authenticate: Bearer`); a wrong token is 403 `forbidden`. The comparison takes the
/// same time whatever the guess (it runs over every byte of the real token), so timing
/// tells nothing about how much of a guess was right.
///
/// A server started without a token is read-only: `POST /observations` answers 403
/// `writes_disabled`. Only `POST /admin/reload` keeps, for compatibility, its former rule
/// there (loopback peers only), as docs/server.md says.
public struct WriteAuthorization: Sendable {
    /// The shortest token accepted, in bytes: shorter ones are guessable.
    public static let minimumTokenBytes = 16

    /// The token's bytes, or nil when writes are disabled.
    let token: [UInt8]?

    /// Writes authorized by `token` (nil: a read-only server).
    public init(token: String?) {
        self.token = token.map { Array($0.utf8) }
    }

    /// Whether the server accepts writes at all.
    public var writesEnabled: Bool { token != nil }

    /// Reads the token from `path` (surrounding whitespace and the final newline dropped),
    /// else from `environment`; nil when neither names one. Throws a sentence naming the
    /// problem when the file cannot be read or the token is too short.
    public static func loadToken(path: String?, environment: String?) throws -> String? {
        let token: String
        let source: String
        if let path {
            do {
                token = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw TokenError(message: "cannot read the write token file \(path): \(error.localizedDescription)")
            }
            source = "the write token file \(path)"
        } else if let environment, !environment.isEmpty {
            token = environment
            source = "FORECAST_WRITE_TOKEN"
        } else {
            return nil
        }
        let trimmed = token.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.utf8.count >= minimumTokenBytes else {
            throw TokenError(message: "\(source) holds a token of \(trimmed.utf8.count) bytes; use at least \(minimumTokenBytes) (e.g. `openssl rand -hex 32`)")
        }
        guard !trimmed.contains(where: { $0.isWhitespace }) else {
            throw TokenError(message: "\(source) holds a token with whitespace inside; a bearer token is one word")
        }
        return trimmed
    }

    /// Throws the 401 or 403 that `request` earns, or returns when it carries the token.
    /// `endpoint` names the endpoint in the messages.
    func authorize(_ request: Request, endpoint: String) throws(APIError) {
        guard let token else {
            throw APIError(.forbidden, code: "writes_disabled",
                           message: "\(endpoint): this server was started without a write token, so it accepts no writes; start it with --write-token-file FILE or FORECAST_WRITE_TOKEN")
        }
        let challenge: HTTPFields = [.wwwAuthenticate: #"Bearer realm="forecast""#]
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, code: "unauthorized",
                           message: "\(endpoint) needs an Authorization: Bearer <token> header", headers: challenge)
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError(.unauthorized, code: "unauthorized",
                           message: "\(endpoint) needs an Authorization header of the form 'Bearer <token>'", headers: challenge)
        }
        guard Self.constantTimeEqual(Array(parts[1].utf8), token) else {
            throw APIError(.forbidden, code: "forbidden", message: "\(endpoint): the bearer token is not the server's write token")
        }
    }

    /// Whether `guess` equals `secret`, in a time that depends on `secret`'s length only.
    static func constantTimeEqual(_ guess: [UInt8], _ secret: [UInt8]) -> Bool {
        var difference: UInt8 = guess.count == secret.count ? 0 : 1
        for index in secret.indices {
            let byte = index < guess.count ? guess[index] : 0
            difference |= byte ^ secret[index]
        }
        return difference == 0
    }

    /// A token that cannot be used, with why.
    public struct TokenError: Error, CustomStringConvertible {
        /// The sentence to print.
        public var message: String
        /// The message.
        public var description: String { message }
    }
}
