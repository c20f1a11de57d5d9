import Foundation
import PluginHost

/// Runs ``ModelCheck`` in a child process with a time limit, so a plugin that crashes,
/// aborts or hangs while its new model is loaded or forecast fails its own job only.
///
/// The child is the host program itself started with `arguments` (for `forecast`,
/// `check-child`): it reads a ``ModelCheckRequest`` on standard input, answers with
/// ``ModelCheckRequest/answer(_:)`` and writes the reply (JSON) to file descriptor 3.
public struct ChildProcessModelCheck: ModelChecker {
    /// The program to start (normally this executable).
    public var executable: String
    /// Its arguments.
    public var arguments: [String]
    /// Seconds one check may take before the child is killed (nil: no limit).
    public var timeout: Double?

    /// Creates the checker.
    public init(executable: String, arguments: [String], timeout: Double?) {
        self.executable = executable
        self.arguments = arguments
        self.timeout = timeout
    }

    /// Nil when the child reports that the model passed; a crash, a time-out or no reply is a failure.
    public func check(_ plugin: LoadedPlugin, blob: [UInt8], variable: Variable) -> String? {
        let request: [UInt8]
        do {
            request = try ModelCheckRequest(plugin: plugin.name, path: plugin.path, variable: variable).encoded(blob: blob)
        } catch {
            return "cannot encode the check request: \(error)"
        }
        var child = ChildProcess(executable: executable, arguments: arguments)
        child.standardOutput = .standardError
        child.standardError = .standardError
        child.replyChannel = true
        let outcome: ChildProcess.Outcome
        do {
            outcome = try child.run(input: request, timeout: timeout)
        } catch {
            return "cannot start the checking process: \(error)"
        }
        switch outcome.termination {
        case .signalled:
            return "the plugin crashed loading or forecasting from it (checking process \(outcome.termination))"
        case .timedOut:
            return "loading and forecasting from it did not finish in time (checking process \(outcome.termination))"
        case .exited(let status) where outcome.reply.isEmpty:
            return "the checking process ended (exit status \(status)) without a reply; the plugin may have called exit()"
        case .exited:
            break
        }
        guard let reply = try? JSONDecoder().decode(ModelCheckReply.self, from: Data(outcome.reply)) else {
            return "the checking process sent an unreadable reply"
        }
        return reply.problem
    }
}

/// What `forecast train` asks a checking child: which plugin's library, which variable;
/// the blob follows the header line.
public struct ModelCheckRequest: Codable, Sendable, Equatable {
    /// The plugin's name, checked against the library the child loads.
    public var plugin: String
    /// The plugin library.
    public var path: String
    /// The model's variable.
    public var variable: Variable

    /// Creates a request.
    public init(plugin: String, path: String, variable: Variable) {
        self.plugin = plugin
        self.path = path
        self.variable = variable
    }

    /// One line of JSON, a newline, then the blob.
    func encoded(blob: [UInt8]) throws -> [UInt8] {
        Array(try JSONEncoder().encode(self)) + [UInt8(ascii: "\n")] + blob
    }

    /// The child's side: reads the request in `bytes`, loads the plugin, checks the model
    /// and returns the reply (JSON). Never throws: every failure is a reply.
    public static func answer(_ bytes: [UInt8]) -> [UInt8] {
        func reply(_ problem: String?) -> [UInt8] {
            Array((try? JSONEncoder().encode(ModelCheckReply(problem: problem))) ?? Data(#"{"problem":"cannot encode the reply"}"#.utf8))
        }
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")),
              let request = try? JSONDecoder().decode(ModelCheckRequest.self, from: Data(bytes[..<newline])) else {
            return reply("unreadable check request")
        }
        let plugin: LoadedPlugin
        do {
            plugin = try PluginLoader.load(path: request.path)
        } catch {
            return reply("the checking process cannot load the plugin: \(error.description)")
        }
        guard plugin.name == request.plugin else {
            return reply("\(request.path) is now plugin '\(plugin.name)', not '\(request.plugin)'")
        }
        return reply(ModelCheck.verify(plugin, blob: Array(bytes[(newline + 1)...]), variable: request.variable))
    }
}

/// The checking child's answer: nil when the model passed, else why not.
struct ModelCheckReply: Codable {
    var problem: String?
}
