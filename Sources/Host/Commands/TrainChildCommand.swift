import ArgumentParser
import Foundation
import PluginProcesses

/// `forecast train-child`: one train call, isolated; started by `forecast train`, not by people.
///
/// Reads a training request on standard input, loads the plugin it names, calls its train
/// entry point, and writes the reply to file descriptor 3 (see ``ChildProcessTraining``).
/// Exits 0 whenever it could write a reply, the plugin's own failure included.
struct TrainChildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-child",
        abstract: "Run one plugin train call from a request on stdin, replying on fd 3 (started by `forecast train`).",
        shouldDisplay: false
    )

    func run() throws {
        TrainingChild.exitWhenReaderIsGone(descriptor: 3)
        let request = FileHandle.standardInput.readDataToEndOfFile()
        let reply = try TrainingChild.answer([UInt8](request)).encoded()
        let channel = FileHandle(fileDescriptor: 3, closeOnDealloc: false)
        do {
            try channel.write(contentsOf: reply)
        } catch {
            throw ValidationError("cannot write the reply to file descriptor 3 (this command is started by `forecast train`): \(error)")
        }
    }
}
