/// A JSON value with ordered object keys and exact integers, for machine output.
///
/// Keys keep the order they were written in, so output never depends on hashing.
public indirect enum JSON: Sendable, Equatable {
    case object([(String, JSON)])
    case array([JSON])
    case string(String)
    case int(Int64)
    case uint(UInt64)
    /// A number written verbatim (already formatted, e.g. a fixed-point decimal).
    case number(String)
    case bool(Bool)
    case null

    public static func == (a: JSON, b: JSON) -> Bool { a.serialized() == b.serialized() }

    /// Text that is already serialized JSON, written as it is (e.g. a stored object).
    public static func verbatim(_ text: String) -> JSON { .number(text) }

    /// The fields of a flat JSON object (values: strings, numbers, booleans or null), in document
    /// order: strings unescaped, anything else as its text (`null` for null). nil if `text` is not
    /// such an object.
    public static func flatFields(_ text: String) -> [(key: String, value: String, isString: Bool)]? {
        guard let fields = try? FlatJSON.parse(text) else { return nil }
        return fields.map { ($0.key, $0.value ?? "null", $0.quoted) }
    }

    /// A decimal number from a fixed-point integer (`value / 10^scale`).
    public static func decimal(_ value: UInt64, scale: Int) -> JSON {
        .number(FixedDecimal.format(UInt128(value), scale: scale))
    }

    /// Compact (one line) or pretty (two-space indent) text.
    public func serialized(pretty: Bool = false) -> String {
        var out = ""
        write(to: &out, pretty: pretty, indent: 0)
        return out
    }

    private func write(to out: inout String, pretty: Bool, indent: Int) {
        switch self {
        case .object(let fields):
            if fields.isEmpty { out += "{}"; return }
            out += "{"
            for (i, (k, v)) in fields.enumerated() {
                if i > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: " ", count: indent + 2) }
                JSON.writeString(k, to: &out)
                out += pretty ? ": " : ":"
                v.write(to: &out, pretty: pretty, indent: indent + 2)
            }
            if pretty { out += "\n" + String(repeating: " ", count: indent) }
            out += "}"
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            let flat = items.allSatisfy { if case .object = $0 { return false }; if case .array = $0 { return false }; return true }
            out += "["
            for (i, v) in items.enumerated() {
                if i > 0 { out += pretty && flat ? ", " : "," }
                if pretty && !flat { out += "\n" + String(repeating: " ", count: indent + 2) }
                v.write(to: &out, pretty: pretty, indent: indent + 2)
            }
            if pretty && !flat { out += "\n" + String(repeating: " ", count: indent) }
            out += "]"
        case .string(let s): JSON.writeString(s, to: &out)
        case .int(let v): out += String(v)
        case .uint(let v): out += String(v)
        case .number(let s): out += s
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        }
    }

    private static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                // Controls, and C1 controls and DEL too, so JSON printed to a terminal cannot drive it.
                if scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value <= 0x9F) {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}

/// A reader for one flat JSON object (an NDJSON line, a stored row): keys and scalar values with
/// the 1-based column (in characters) of each, and errors that say where and what.
public enum FlatJSON {
    public struct Field: Sendable, Equatable {
        public var key: String
        public var keyColumn: Int
        /// The string (unescaped) or the number/boolean text; nil for null.
        public var value: String?
        public var valueColumn: Int
        public var quoted: Bool
    }

    public struct Failure: Error, Sendable {
        public var column: Int
        public var message: String
    }

    public static func parse(_ line: String) throws(Failure) -> [Field] {
        let chars = Array(line)
        var i = 0
        func fail(_ message: String) -> Failure { Failure(column: min(i, chars.count) + 1, message: message) }
        func space() { while i < chars.count && (chars[i] == " " || chars[i] == "\t" || chars[i] == "\r" || chars[i] == "\n") { i += 1 } }
        func string() throws(Failure) -> String {
            guard i < chars.count, chars[i] == "\"" else { throw fail("expected a string") }
            i += 1
            var s = ""
            while i < chars.count && chars[i] != "\"" {
                if chars[i] == "\\" {
                    i += 1
                    guard i < chars.count else { break }
                    switch chars[i] {
                    case "n": s.append("\n")
                    case "t": s.append("\t")
                    case "r": s.append("\r")
                    case "b": s.append("\u{08}")
                    case "f": s.append("\u{0C}")
                    case "u":
                        guard i + 4 < chars.count, let code = UInt32(String(chars[(i + 1)...(i + 4)]), radix: 16) else { throw fail("bad \\u escape") }
                        i += 4
                        var scalar = code
                        // A UTF-16 surrogate pair: \uD83D\uDE00.
                        if (0xD800..<0xDC00).contains(code), i + 6 < chars.count, chars[i + 1] == "\\", chars[i + 2] == "u",
                           let low = UInt32(String(chars[(i + 3)...(i + 6)]), radix: 16), (0xDC00..<0xE000).contains(low) {
                            scalar = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                            i += 6
                        }
                        guard let u = Unicode.Scalar(scalar) else { throw fail("bad \\u escape") }
                        s.unicodeScalars.append(u)
                    default: s.append(chars[i])
                    }
                } else {
                    s.append(chars[i])
                }
                i += 1
            }
            guard i < chars.count else { throw fail("unterminated string") }
            i += 1
            return s
        }
        var out: [Field] = []
        space()
        guard i < chars.count, chars[i] == "{" else { throw fail("expected a JSON object") }
        i += 1
        space()
        if i < chars.count && chars[i] == "}" {
            i += 1
            space()
            guard i == chars.count else { throw fail("unexpected text after the object") }
            return out
        }
        while true {
            space()
            let keyColumn = i + 1
            let key = try string()
            space()
            guard i < chars.count, chars[i] == ":" else { throw fail("expected ':'") }
            i += 1
            space()
            let valueColumn = i + 1
            if i < chars.count && chars[i] == "\"" {
                out.append(Field(key: key, keyColumn: keyColumn, value: try string(), valueColumn: valueColumn, quoted: true))
            } else {
                var v = ""
                while i < chars.count && !(chars[i] == "," || chars[i] == "}" || chars[i] == " " || chars[i] == "\t") { v.append(chars[i]); i += 1 }
                guard !v.isEmpty else { throw fail("expected a value") }
                out.append(Field(key: key, keyColumn: keyColumn, value: v == "null" ? nil : v, valueColumn: valueColumn, quoted: false))
            }
            space()
            guard i < chars.count else { throw fail("unterminated object") }
            if chars[i] == "," { i += 1; continue }
            guard chars[i] == "}" else { throw fail("expected ',' or '}'") }
            i += 1
            space()
            guard i == chars.count else { throw fail("unexpected text after the object") }
            return out
        }
    }
}
