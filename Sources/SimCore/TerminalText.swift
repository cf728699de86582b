/// Text from outside (names in a scenario, a trace or a catalog; file paths; values) made safe
/// to print: control characters, and so terminal escape sequences, cannot reach the terminal.
public enum TerminalText {
    /// True for a character that a terminal may act on: C0 and C1 controls and DEL.
    @inlinable public static func isControl(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x20 || (s.value >= 0x7F && s.value <= 0x9F)
    }

    /// True if `text` holds a control character (names must not).
    public static func hasControl(_ text: String) -> Bool { text.unicodeScalars.contains(where: isControl) }

    /// `text` with every control character but line breaks and tabs written as `\u{1B}`.
    public static func escaped(_ text: String, keepingLineBreaks: Bool = true) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0) && !(keepingLineBreaks && ($0 == "\n" || $0 == "\t")) }) else { return text }
        var out = ""
        for s in text.unicodeScalars {
            if isControl(s) && !(keepingLineBreaks && (s == "\n" || s == "\t")) {
                out += "\\u{" + String(s.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(s)
            }
        }
        return out
    }
}
