import ArgumentParser
import Foundation
import PluginProcesses

/// `forecast serve-worker`: one plugin's serving worker; started by `forecast serve`, not by people.
///
/// Loads the plugin library and answers load, forecast and condition requests on file
/// descriptor 3 until the server closes it (see ``PluginWorker``). A crash in the plugin
/// ends this process only; the server restarts it.
struct ServeWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve-worker",
        abstract: "Serve one plugin's calls on fd 3 (started by `forecast serve`).",
        shouldDisplay: false
    )

    @Option(name: .long, help: "The plugin library to load.")
    var plugin: String

    @Option(name: .customLong("memory-limit-mb"), help: "Address-space limit in MiB.")
    var memoryLimitMB: Int?

    func run() throws {
        let status = ServeWorker.run(descriptor: 3, pluginPath: plugin, memoryLimitMB: memoryLimitMB)
        if status != 0 { throw ExitCode(status) }
    }
}
