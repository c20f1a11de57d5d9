import ArgumentParser
import ForecastPipeline
import Foundation
import PluginProcesses

/// `forecast check-child`: one new model's publish check, isolated; started by `forecast train`, not by people.
///
/// Reads a check request on standard input (the plugin, the variable and the blob), loads
/// the model through the plugin, forecasts from it (``ModelCheck``) and writes the reply to
/// file descriptor 3 (see ``ChildProcessModelCheck``).
struct CheckChildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-child",
        abstract: "Check one new model from a request on stdin, replying on fd 3 (started by `forecast train`).",
        shouldDisplay: false
    )

    func run() throws {
        TrainingChild.exitWhenReaderIsGone(descriptor: 3)
        let request = FileHandle.standardInput.readDataToEndOfFile()
        let reply = ModelCheckRequest.answer([UInt8](request))
        let channel = FileHandle(fileDescriptor: 3, closeOnDealloc: false)
        do {
            try channel.write(contentsOf: Data(reply))
        } catch {
            throw ValidationError("cannot write the reply to file descriptor 3 (this command is started by `forecast train`): \(error)")
        }
    }
}
