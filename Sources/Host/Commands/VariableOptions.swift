import ArgumentParser
import ForecastPipeline
import Foundation

/// Which variables a step works on (`fetch`, `ingest`, `train` and `pipeline`): any subset
/// of the variable table, e.g. `--variables humidity` for a user with only a humidity file.
struct VariableOptions: ParsableArguments {
    @Option(name: .customLong("variables"), help: ArgumentHelp(
        "Comma-separated variables to work on: \(Variable.allCases.map(\.name).joined(separator: ", ")) (default: fetch and ingest take temperature and humidity plus every other variable given a source or whose CSV is in <workdir>/data; train takes every variable the store has for the city).",
        valueName: "list"))
    var list: String?

    /// The variables named, in table order; nil when the option is not given.
    func selected() throws -> [Variable]? {
        guard let list else { return nil }
        var chosen: Set<Variable> = []
        for part in list.split(separator: ",", omittingEmptySubsequences: false) {
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let variable = Variable(named: name) else {
                throw ValidationError("--variables: unknown variable '\(name)'; the variables are \(Variable.allCases.map(\.name).joined(separator: ", "))")
            }
            chosen.insert(variable)
        }
        return Variable.allCases.filter(chosen.contains)
    }

    func validate() throws { _ = try selected() }
}
