import Yams

/// A parsed scenario document: Yams' node tree reduced to what we decode, each node with its origin.
struct SNode: Sendable {
    enum Kind: Sendable {
        case null
        case scalar(String)
        case mapping([Entry])
        case sequence([SNode])
    }
    struct Entry: Sendable {
        var key: String
        var keyOrigin: Origin
        var value: SNode
    }
    var kind: Kind
    var origin: Origin

    /// Parses YAML (or JSON) text.
    static func parse(_ text: String, file: String, maxBytes: Int = YAMLGuard.maxBytes) throws(ScenarioError) -> SNode {
        try YAMLGuard.check(text, file: file, maxBytes: maxBytes)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw yamlError(error, file: file)
        } catch {
            throw ScenarioError(file: file, line: 0, column: 0, field: "", message: "cannot parse: \(error)")
        }
        guard let root else {
            throw ScenarioError(file: file, line: 1, column: 1, field: "", message: "the file is empty; expected a mapping with `version: 1`")
        }
        return try convert(root, file: file)
    }

    private static func yamlError(_ e: YamlError, file: String) -> ScenarioError {
        switch e {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let text = context.map { "\($0.text) \(problem)" } ?? problem
            return ScenarioError(file: file, line: mark.line, column: mark.column, field: "", message: "invalid YAML: \(text)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ScenarioError(file: file, line: context.mark.line, column: context.mark.column, field: "",
                                 message: "duplicate keys: \(duplicates.joined(separator: ", "))")
        default:
            return ScenarioError(file: file, line: 0, column: 0, field: "", message: "invalid YAML: \(e)")
        }
    }

    private static func convert(_ node: Node, file: String) throws(ScenarioError) -> SNode {
        let origin = Origin(file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0)
        switch node {
        case .scalar(let s):
            if s.style == .plain && ["", "~", "null", "Null", "NULL"].contains(s.string) { return SNode(kind: .null, origin: origin) }
            return SNode(kind: .scalar(s.string), origin: origin)
        case .mapping(let m):
            var entries: [Entry] = []
            for (k, v) in m {
                guard case .scalar(let key) = k else {
                    throw ScenarioError(origin, field: "", "mapping keys must be plain names")
                }
                let keyOrigin = Origin(file: file, line: k.mark?.line ?? 0, column: k.mark?.column ?? 0)
                if entries.contains(where: { $0.key == key.string }) {
                    throw ScenarioError(keyOrigin, field: key.string, "duplicate key")
                }
                entries.append(Entry(key: key.string, keyOrigin: keyOrigin, value: try convert(v, file: file)))
            }
            return SNode(kind: .mapping(entries), origin: origin)
        case .sequence(let seq):
            var items: [SNode] = []
            for n in seq { items.append(try convert(n, file: file)) }
            return SNode(kind: .sequence(items), origin: origin)
        case .alias:
            throw ScenarioError(origin, field: "", "YAML aliases are not supported in scenarios")
        }
    }

    /// Applies `key.path=value`: numeric segments index sequences; a segment may also name a
    /// sequence element by its `name` or `symbol` (e.g. `agents.retail.count=100`).
    mutating func override(_ assignment: String) throws(ScenarioError) {
        let origin = Origin(file: "--set \(assignment)", line: 0, column: 0)
        guard let eq = assignment.firstIndex(of: "="), eq != assignment.startIndex else {
            throw ScenarioError(origin, field: "", "expected key.path=value")
        }
        let path = assignment[..<eq].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !path.contains(where: \.isEmpty) else { throw ScenarioError(origin, field: "", "empty segment in key path") }
        let valueText = String(assignment[assignment.index(after: eq)...])
        let value: SNode
        guard valueText.utf8.count <= 65_536 else { throw ScenarioError(origin, field: "", "the value is longer than 65536 bytes") }
        if valueText.contains("&") || valueText.contains("*") { try YAMLGuard.check(valueText, file: origin.file, maxBytes: 65_536) }
        do {
            value = try SNode.parse(valueText.isEmpty ? "\"\"" : valueText, file: origin.file).relocated(to: origin)
        } catch {
            value = SNode(kind: .scalar(valueText), origin: origin)
        }
        try set(path[...], to: value, origin: origin, walked: "")
    }

    private mutating func set(_ path: ArraySlice<String>, to value: SNode, origin: Origin, walked: String) throws(ScenarioError) {
        guard let head = path.first else { self = value; return }
        let here = walked.isEmpty ? head : "\(walked).\(head)"
        switch kind {
        case .mapping(var entries):
            if let i = entries.firstIndex(where: { $0.key == head }) {
                try entries[i].value.set(path.dropFirst(), to: value, origin: origin, walked: here)
            } else {
                var fresh = SNode(kind: path.count > 1 ? .mapping([]) : .null, origin: origin)
                try fresh.set(path.dropFirst(), to: value, origin: origin, walked: here)
                entries.append(Entry(key: head, keyOrigin: origin, value: fresh))
            }
            kind = .mapping(entries)
        case .sequence(var items):
            let index = Int(head) ?? items.firstIndex { $0.scalar(named: "name") == head || $0.scalar(named: "symbol") == head }
            guard let index, index >= 0, index < items.count else {
                throw ScenarioError(origin, field: walked, "no element \(head) (the list has \(items.count); use an index or a name)")
            }
            try items[index].set(path.dropFirst(), to: value, origin: origin, walked: here)
            kind = .sequence(items)
        case .null:
            kind = .mapping([])
            try set(path, to: value, origin: origin, walked: walked)
        case .scalar:
            throw ScenarioError(origin, field: walked, "is a single value, it has no field \(head)")
        }
    }

    /// A mapping entry's value (nil if absent, null, or this is not a mapping).
    func child(_ key: String) -> SNode? {
        guard case .mapping(let entries) = kind, let e = entries.first(where: { $0.key == key }) else { return nil }
        if case .null = e.value.kind { return nil }
        return e.value
    }

    /// The scalar text of a mapping entry, if this is a mapping that has one.
    func scalar(named key: String) -> String? {
        guard case .mapping(let entries) = kind, let e = entries.first(where: { $0.key == key }),
              case .scalar(let s) = e.value.kind else { return nil }
        return s
    }

    /// This node and its children with every origin replaced.
    func relocated(to origin: Origin) -> SNode {
        switch kind {
        case .null, .scalar: return SNode(kind: kind, origin: origin)
        case .mapping(let entries):
            return SNode(kind: .mapping(entries.map { Entry(key: $0.key, keyOrigin: origin, value: $0.value.relocated(to: origin)) }), origin: origin)
        case .sequence(let items):
            return SNode(kind: .sequence(items.map { $0.relocated(to: origin) }), origin: origin)
        }
    }
}
