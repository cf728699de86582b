/// Checks YAML text before a YAML library expands it: its size, its nesting, and that it has no
/// anchors or aliases (`&a`, `*a`). Aliases are not part of the scenario format, and refusing
/// them before composing is what keeps a few hundred bytes ("billion laughs") from expanding
/// into gigabytes.
enum YAMLGuard {
    /// Largest scenario document (a trade stream belongs in its own file, read row by row).
    static let maxBytes = 32 << 20
    /// Deepest flow nesting (`[[[…]]]`) and block indentation (columns).
    static let maxFlowDepth = 64
    static let maxIndent = 256

    static func check(_ text: String, file: String, maxBytes: Int = YAMLGuard.maxBytes) throws(ScenarioError) {
        guard text.utf8.count <= maxBytes else {
            throw ScenarioError(file: file, line: 0, column: 0, field: "", message: "the document is \(text.utf8.count) bytes; at most \(maxBytes) (a trade stream goes in its own file: trades.file)")
        }
        var line = 0
        var blockIndent: Int?   // inside a block scalar: lines indented more than this are its text
        var depth = 0
        for raw in text.utf8.split(separator: 10, omittingEmptySubsequences: false) {
            line += 1
            let bytes = Array(raw.last == 13 ? raw.dropLast() : raw)
            let indent = bytes.prefix { $0 == 32 }.count
            let blank = indent == bytes.count
            if let b = blockIndent {
                if blank || indent > b { continue }
                blockIndent = nil
            }
            if blank { continue }
            guard indent <= maxIndent else {
                throw ScenarioError(file: file, line: line, column: indent + 1, field: "", message: "nested deeper than \(maxIndent) columns of indentation")
            }
            try scan(bytes, from: indent, line: line, file: file, depth: &depth)
            if opensBlockScalar(bytes) { blockIndent = indent }
        }
    }

    /// One line: quotes, comments, flow brackets, and the anchor and alias indicators at the
    /// start of a node.
    static func scan(_ b: [UInt8], from start: Int, line: Int, file: String, depth: inout Int) throws(ScenarioError) {
        var i = start
        var nodeStart = true    // the next character may begin a node
        while i < b.count {
            let c = b[i]
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                // A quoted scalar: skip to its close (a quote doubled or escaped stays inside).
                i += 1
                while i < b.count {
                    if c == UInt8(ascii: "\"") && b[i] == UInt8(ascii: "\\") { i += 2; continue }
                    if b[i] == c {
                        if c == UInt8(ascii: "'") && i + 1 < b.count && b[i + 1] == c { i += 2; continue }
                        break
                    }
                    i += 1
                }
                nodeStart = false
            case UInt8(ascii: "#") where i == 0 || b[i - 1] == 32 || b[i - 1] == 9:
                return
            case UInt8(ascii: "&"), UInt8(ascii: "*"):
                if nodeStart, i + 1 < b.count, b[i + 1] != 32, b[i + 1] != 9 {
                    throw ScenarioError(file: file, line: line, column: i + 1, field: "",
                                        message: "YAML anchors and aliases (&name, *name) are not supported in scenarios; write the value out")
                }
                nodeStart = false
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                guard depth <= maxFlowDepth else {
                    throw ScenarioError(file: file, line: line, column: i + 1, field: "", message: "lists and mappings nested more than \(maxFlowDepth) deep")
                }
                nodeStart = true
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth = max(0, depth - 1)
                nodeStart = false
            case UInt8(ascii: ","), UInt8(ascii: "-"), UInt8(ascii: "?"), UInt8(ascii: ":"):
                // An indicator followed by a space (or a comma in a flow) starts a node.
                nodeStart = c == UInt8(ascii: ",") || i + 1 >= b.count || b[i + 1] == 32 || b[i + 1] == 9 || (depth > 0 && c == UInt8(ascii: ":"))
            case 32, 9:
                break
            case UInt8(ascii: "!"):
                // A tag (`!!str`) may precede a node's anchor.
                break
            default:
                nodeStart = false
            }
            i += 1
        }
    }

    /// `key: |`, `- >-`, `key: |2`: the lines after are a block scalar's text.
    static func opensBlockScalar(_ b: [UInt8]) -> Bool {
        var end = b.count
        if let hash = (0..<b.count).first(where: { b[$0] == UInt8(ascii: "#") && $0 > 0 && b[$0 - 1] == 32 }) { end = hash }
        var s = Array(b[..<end])
        while let last = s.last, last == 32 || last == 9 { s.removeLast() }
        var k = s.count - 1
        while k >= 0, s[k] == UInt8(ascii: "+") || s[k] == UInt8(ascii: "-") || (s[k] >= 48 && s[k] <= 57) { k -= 1 }
        guard k >= 0, s[k] == UInt8(ascii: "|") || s[k] == UInt8(ascii: ">") else { return false }
        return k == 0 || s[k - 1] == 32 || s[k - 1] == 9
    }
}
