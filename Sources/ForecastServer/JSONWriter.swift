/// Writes one JSON value into a string with keys in the order they are written.
///
/// The server's bodies are built with it so their layout is stable and documented,
/// and so plugin fit summaries (already JSON) can be embedded as they are.
struct JSONWriter {
    private(set) var text = ""
    private var needsComma: [Bool] = [false]

    init(capacity: Int = 1024) {
        text.reserveCapacity(capacity)
    }

    private mutating func separate() {
        if needsComma[needsComma.count - 1] { text += "," }
        needsComma[needsComma.count - 1] = true
    }

    /// Opens an object (as a value, or as `key`'s value inside an object).
    mutating func beginObject(_ key: String? = nil) {
        if let key { self.key(key) } else { separate() }
        text += "{"
        needsComma.append(false)
    }

    /// Closes the current object.
    mutating func endObject() {
        needsComma.removeLast()
        text += "}"
        valueWritten()
    }

    /// Opens an array (as a value, or as `key`'s value).
    mutating func beginArray(_ key: String? = nil) {
        if let key { self.key(key) } else { separate() }
        text += "["
        needsComma.append(false)
    }

    /// Closes the current array.
    mutating func endArray() {
        needsComma.removeLast()
        text += "]"
        valueWritten()
    }

    private mutating func key(_ key: String) {
        separate()
        text += JSONText.string(key)
        text += ":"
        // The value that follows must not add a comma of its own.
        needsComma[needsComma.count - 1] = false
    }

    private mutating func valuePrefix(_ key: String?) {
        if let key { self.key(key) } else { separate() }
    }

    private mutating func valueWritten() {
        needsComma[needsComma.count - 1] = true
    }

    /// Writes a string value.
    mutating func string(_ key: String?, _ value: String) {
        valuePrefix(key)
        text += JSONText.string(value)
        valueWritten()
    }

    /// Writes a string, or null.
    mutating func optionalString(_ key: String?, _ value: String?) {
        if let value { string(key, value) } else { raw(key, "null") }
    }

    /// Writes an integer.
    mutating func int(_ key: String?, _ value: Int64) {
        valuePrefix(key)
        text += String(value)
        valueWritten()
    }

    /// Writes a finite number (non-finite numbers become null).
    mutating func number(_ key: String?, _ value: Double) {
        valuePrefix(key)
        text += value.isFinite ? JSONText.number(value) : "null"
        valueWritten()
    }

    /// Writes a boolean.
    mutating func bool(_ key: String?, _ value: Bool) {
        raw(key, value ? "true" : "false")
    }

    /// Writes already-valid JSON text as the value.
    mutating func raw(_ key: String?, _ json: String) {
        valuePrefix(key)
        text += json
        valueWritten()
    }
}
