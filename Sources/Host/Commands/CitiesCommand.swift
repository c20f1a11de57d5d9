import ArgumentParser
import Foundation
import ForecastStore

/// `forecast cities`: the cities the store holds observations for.
struct CitiesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cities",
        abstract: "List the cities the store holds observations for (after `forecast ingest`).",
        discussion: "Schedulers use `--json` to fan training out per city, e.g. the Airflow DAG in deploy/airflow."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Print {\"cities\": [...]} instead of one city per line.")
    var json = false

    func run() async throws {
        let store = try StoreFactory.open(url: global.resolvedDatabaseURL)
        let cities = try store.cities()
        if json {
            let data = try JSONSerialization.data(withJSONObject: ["cities": cities], options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else if cities.isEmpty {
            print("The store at \(global.resolvedDatabaseURL) holds no observations yet: run `forecast ingest`.")
        } else {
            cities.forEach { print($0) }
        }
    }
}
