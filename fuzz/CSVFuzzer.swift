// libFuzzer target: the pipeline's wide-CSV parser (Sources/ForecastPipeline/WideCSVReader.swift)
// on arbitrary bytes. Built by fuzz/run.sh together with the parser's source files.
//
// Properties checked on every input, for both variables and both selections:
// - parsing never crashes (a trap or a sanitizer report is a finding);
// - a refusal carries a message naming the file;
// - whatever parses is whole and ordered: one value per row in every selected column,
//   timestamps on the hour and strictly increasing, every value NaN (an empty cell) or a
//   finite number within the variable's physical range.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A per-process scratch file the input is written to, because the reader streams from a path.
nonisolated(unsafe) private var scratchPath: String = {
    let directory = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
    return "\(directory)/csv-fuzz-\(getpid()).csv"
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWideCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = scratchPath
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { abort() }
    var written = 0
    while written < size {
        let count = write(descriptor, data + written, size - written)
        guard count > 0 else { abort() }
        written += count
    }
    close(descriptor)
    check(path: path, variable: .temperature, selection: .all)
    check(path: path, variable: .humidity, selection: .named(["San Francisco", "Portland"]))
    return 0
}

/// Parses `path` once and aborts when a property fails.
private func check(path: String, variable: Variable, selection: CitySelection) {
    let table: WideTable
    do {
        table = try WideCSVReader.read(path: path, variable: variable, selection: selection)
    } catch {
        if error.message.isEmpty || !error.message.contains(path) { abort() }
        return
    }
    if table.columns.count != table.cities.count { abort() }
    if case .named(let names) = selection, table.cities != names { abort() }
    if table.cities.isEmpty || table.headerCities.isEmpty { abort() }
    var previous = Int64.min
    for time in table.times {
        if time <= previous || time % 3600 != 0 { abort() }
        previous = time
    }
    let range = variable.validRange
    for column in table.columns {
        if column.count != table.times.count { abort() }
        for value in column where !value.isNaN {
            if !value.isFinite || !range.contains(value) { abort() }
        }
    }
}
