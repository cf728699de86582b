import Foundation
import SimCore

/// A scenario as written (its YAML tree, before defaults), for tools that edit scenarios
/// structurally: `pumpsim shrink` removes list elements and lowers numbers, resolves each
/// candidate as `run` would, and writes the smallest back out as YAML.
public struct ScenarioDocument: Sendable {
    var root: SNode
    public let file: String

    public static func load(path: String) throws(ScenarioError) -> ScenarioDocument {
        ScenarioDocument(root: try SNode.parse(try ScenarioLoader.read(path), file: path), file: path)
    }

    public static func parse(_ text: String, file: String) throws(ScenarioError) -> ScenarioDocument {
        ScenarioDocument(root: try SNode.parse(text, file: file), file: file)
    }

    /// Applies a `--set key.path=value` override to the tree.
    public mutating func apply(_ override: String) throws(ScenarioError) { try root.override(override) }

    /// The scenario this document describes (defaults filled in, validated).
    public func resolve() throws(ScenarioError) -> ResolvedScenario {
        try ScenarioLoader.decode(root, defaultName: ScenarioLoader.stem(file))
    }

    /// Number of elements of a top-level list (0 if absent).
    public func count(_ key: String) -> Int {
        guard let n = root.child(key), case .sequence(let items) = n.kind else { return 0 }
        return items.count
    }

    /// Keeps only the elements at `indices` (in their order) of a top-level list.
    public mutating func keep(_ key: String, _ indices: [Int]) {
        mapEntry(key) { n in
            guard case .sequence(let items) = n.kind else { return n }
            return SNode(kind: .sequence(indices.map { items[$0] }), origin: n.origin)
        }
    }

    /// Removes a top-level entry.
    public mutating func remove(_ key: String) {
        guard case .mapping(let entries) = root.kind else { return }
        root = SNode(kind: .mapping(entries.filter { $0.key != key }), origin: root.origin)
    }

    /// Whether a top-level entry is present.
    public func has(_ key: String) -> Bool { root.child(key) != nil }

    /// A scalar at a path of mapping keys and list indices (`agents`, `0`, `count`).
    public func scalar(_ path: [String]) -> String? {
        var n = root
        for seg in path {
            switch n.kind {
            case .mapping: guard let c = n.child(seg) else { return nil }; n = c
            case .sequence(let items): guard let i = Int(seg), i >= 0, i < items.count else { return nil }; n = items[i]
            default: return nil
            }
        }
        if case .scalar(let s) = n.kind { return s }
        return nil
    }

    /// The trade stream's rows (`trades.file` read relative to the scenario, or `trades.csv`):
    /// its header lines (comments, the column names) and its data rows; nil without a stream
    /// or for an NDJSON stream.
    public func tradeRows() -> (header: [String], rows: [String])? {
        guard let t = root.child("trades") else { return nil }
        let text: String
        if let inline = t.scalar(named: "csv") { text = inline }
        else if let name = t.scalar(named: "file") {
            let dir = (file as NSString).deletingLastPathComponent
            let path = name.hasPrefix("/") || dir.isEmpty ? name : "\(dir)/\(name)"
            guard let read = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
            text = read
        } else { return nil }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)[...]
        var header: [String] = []
        while let l = lines.first, l.hasPrefix("#") { header.append(l); lines = lines.dropFirst() }
        // A CSV stream's column names; an NDJSON stream (rows of {...}) is not cut here.
        guard let names = lines.first, !names.hasPrefix("{") else { return nil }
        header.append(names)
        return (header, Array(lines.dropFirst()))
    }

    /// Replaces the trade stream with these rows, inline (`trades.csv`; `trades.file` removed).
    public mutating func setTradeRows(header: [String], rows: [String]) {
        mapEntry("trades") { n in
            guard case .mapping(var entries) = n.kind else { return n }
            entries.removeAll { $0.key == "file" || $0.key == "csv" }
            entries.append(SNode.Entry(key: "csv", keyOrigin: n.origin, value: SNode(kind: .scalar((header + rows).joined(separator: "\n") + "\n"), origin: n.origin)))
            return SNode(kind: .mapping(entries), origin: n.origin)
        }
    }

    private mutating func mapEntry(_ key: String, _ f: (SNode) -> SNode) {
        guard case .mapping(var entries) = root.kind, let i = entries.firstIndex(where: { $0.key == key }) else { return }
        entries[i].value = f(entries[i].value)
        root = SNode(kind: .mapping(entries), origin: root.origin)
    }

    /// The document as block YAML (comments and styles are not kept; values are).
    public var yaml: String {
        var out = ""
        Self.emit(root, indent: 0, into: &out, inList: false)
        return out
    }

    static func emit(_ n: SNode, indent: Int, into out: inout String, inList: Bool) {
        let pad = String(repeating: " ", count: indent)
        switch n.kind {
        case .null: out += "null\n"
        case .scalar(let s): out += quoted(s) + "\n"
        case .mapping(let entries):
            if entries.isEmpty { out += "{}\n"; return }
            for (k, e) in entries.enumerated() {
                let lead = (inList && k == 0) ? "" : pad
                out += lead + quotedKey(e.key) + ":"
                switch e.value.kind {
                case .mapping(let m) where !m.isEmpty: out += "\n"; emit(e.value, indent: indent + 2, into: &out, inList: false)
                case .sequence(let s) where !s.isEmpty: out += "\n"; emit(e.value, indent: indent + 2, into: &out, inList: false)
                case .sequence: out += " []\n"
                default: out += " "; emit(e.value, indent: indent + 2, into: &out, inList: false)
                }
            }
        case .sequence(let items):
            if items.isEmpty { out += "[]\n"; return }
            for item in items {
                out += pad + "- "
                switch item.kind {
                case .mapping(let m) where !m.isEmpty: emit(item, indent: indent + 2, into: &out, inList: true)
                case .sequence(let s) where !s.isEmpty: out += "\n"; emit(item, indent: indent + 2, into: &out, inList: false)
                default: emit(item, indent: indent + 2, into: &out, inList: false)
                }
            }
        }
    }

    static func quotedKey(_ s: String) -> String {
        s.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-" } && !s.isEmpty ? s : quoted(s, force: true)
    }

    /// Plain when YAML reads it back as the same text, double-quoted otherwise.
    static func quoted(_ s: String, force: Bool = false) -> String {
        let plainSafe = !s.isEmpty && s.first.map { $0.isLetter || $0.isNumber || $0 == "-" && s.count > 1 || $0 == "." } == true
            && s.allSatisfy { $0.isLetter || $0.isNumber || " ._-/+".contains($0) } && !s.hasSuffix(" ")
            && !["null", "Null", "NULL", "~", "true", "false", "yes", "no", "on", "off"].contains(s)
        if plainSafe && !force { return s }
        // A JSON string literal is a YAML double-quoted scalar with the same value.
        return JSON.string(s).serialized()
    }
}
