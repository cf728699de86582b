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
        let chars = Array(text.unicodeScalars)
        var i = 0
        func space() { while i < chars.count && (chars[i] == " " || chars[i] == "\n" || chars[i] == "\t" || chars[i] == "\r") { i += 1 } }
        func string() -> String? {
            guard i < chars.count, chars[i] == "\"" else { return nil }
            i += 1
            var s = String.UnicodeScalarView()
            while i < chars.count && chars[i] != "\"" {
                if chars[i] == "\\" {
                    i += 1
                    guard i < chars.count else { return nil }
                    switch chars[i] {
                    case "n": s.append("\n")
                    case "t": s.append("\t")
                    case "r": s.append("\r")
                    case "b": s.append("\u{08}")
                    case "f": s.append("\u{0C}")
                    case "u":
                        guard i + 4 < chars.count, let v = UInt32(String(String.UnicodeScalarView(chars[(i + 1)...(i + 4)])), radix: 16),
                              let u = Unicode.Scalar(v) else { return nil }
                        s.append(u)
                        i += 4
                    default: s.append(chars[i])
                    }
                } else {
                    s.append(chars[i])
                }
                i += 1
            }
            guard i < chars.count else { return nil }
            i += 1
            return String(s)
        }
        var out: [(key: String, value: String, isString: Bool)] = []
        space()
        guard i < chars.count, chars[i] == "{" else { return nil }
        i += 1
        space()
        if i < chars.count && chars[i] == "}" { return out }
        while true {
            space()
            guard let key = string() else { return nil }
            space()
            guard i < chars.count, chars[i] == ":" else { return nil }
            i += 1
            space()
            if i < chars.count && chars[i] == "\"" {
                guard let v = string() else { return nil }
                out.append((key, v, true))
            } else {
                var v = String.UnicodeScalarView()
                while i < chars.count && chars[i] != "," && chars[i] != "}" && chars[i] != " " && chars[i] != "\n" { v.append(chars[i]); i += 1 }
                guard !v.isEmpty else { return nil }
                out.append((key, String(v), false))
            }
            space()
            guard i < chars.count else { return nil }
            if chars[i] == "," { i += 1; continue }
            guard chars[i] == "}" else { return nil }
            return out
        }
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
                if scalar.value < 0x20 {
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
