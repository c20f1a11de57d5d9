/// Small helpers that write JSON text by hand where the layout matters (errors, cached bodies).
enum JSONText {
    /// `value` as a quoted JSON string with the required escapes.
    static func string(_ value: String) -> String {
        var result = "\""
        result.reserveCapacity(value.utf8.count + 2)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

extension JSONText {
    /// A finite number in its shortest round-tripping form (`12.5`, `3`, `1e-07`).
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 {
            return String(Int64(value))
        }
        return "\(value)"
    }

    /// `value` rounded to `places` decimals (for readable bodies; the models are not that precise).
    static func rounded(_ value: Double, places: Int = 3) -> Double {
        let scale = [1.0, 10, 100, 1000, 10_000][min(max(places, 0), 4)]
        return (value * scale).rounded() / scale
    }
}
