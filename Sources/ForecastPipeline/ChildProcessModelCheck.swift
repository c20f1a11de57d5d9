import Foundation
import PluginBinding
import PluginProcesses

/// Runs ``ModelCheck`` in a child process with a time limit, so a plugin that crashes,
/// aborts or hangs while its new model is loaded or forecast fails its own job only.
///
/// The child (a ``PluginCallChild``, for `forecast` the `check-child` subcommand) reads a
/// ``ModelCheckRequest`` on standard input, answers with ``ModelCheckRequest/answer(_:)``
/// and writes the reply (JSON) to its reply channel.
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
        let answer: [UInt8]
        switch PluginCallChild(executable: executable, arguments: arguments, timeout: timeout).run(request) {
        case .notStarted(let why):
            return "cannot start the checking process: \(why)"
        case .crashed(let termination, _):
            return "the plugin crashed loading or forecasting from it (checking process \(termination))"
        case .timedOut(let termination, _):
            return "loading and forecasting from it did not finish in time (checking process \(termination))"
        case .exitedWithoutReply(let status):
            return "the checking process ended (exit status \(status)) without a reply; the plugin may have called exit()"
        case .answered(let reply, _):
            answer = reply
        }
        guard let reply = try? JSONDecoder().decode(ModelCheckReply.self, from: Data(answer)) else {
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
