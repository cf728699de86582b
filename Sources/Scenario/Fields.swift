import Foundation
import SimCore
import Engine

/// The fields of one mapping in a scenario, checked against the names it may have.
struct Fields {
    let node: SNode
    let path: String
    private let entries: [SNode.Entry]

    /// Fails if `node` is not a mapping or has a field outside `allowed`.
    init(_ node: SNode, path: String, allowed: [String]) throws(ScenarioError) {
        self.node = node
        self.path = path
        switch node.kind {
        case .mapping(let e): entries = e
        case .null: entries = []
        default: throw ScenarioError(node.origin, field: path.isEmpty ? "(top level)" : path, "expected a mapping of fields, found \(describe(node))")
        }
        for e in entries where !allowed.contains(e.key) {
            let hint = allowed.sorted().joined(separator: ", ")
            throw ScenarioError(e.keyOrigin, field: sub(e.key), "unknown field; expected one of: \(hint)")
        }
    }

    func sub(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The value of a field, nil if absent or null.
    subscript(_ key: String) -> SNode? {
        guard let e = entries.first(where: { $0.key == key }) else { return nil }
        if case .null = e.value.kind { return nil }
        return e.value
    }

    /// A required field.
    func required(_ key: String, _ what: String) throws(ScenarioError) -> SNode {
        guard let n = self[key] else { throw ScenarioError(node.origin, field: sub(key), "missing; expected \(what)") }
        return n
    }

    /// Decodes an optional field with `decode`, or returns `fallback`.
    func get<T>(_ key: String, default fallback: T, _ decode: (SNode, String) throws(ScenarioError) -> T) throws(ScenarioError) -> T {
        guard let n = self[key] else { return fallback }
        return try decode(n, sub(key))
    }

    /// Decodes a required field.
    func need<T>(_ key: String, _ what: String, _ decode: (SNode, String) throws(ScenarioError) -> T) throws(ScenarioError) -> T {
        try decode(try required(key, what), sub(key))
    }
}

func describe(_ n: SNode) -> String {
    switch n.kind {
    case .null: return "nothing"
    case .scalar(let s): return "\"\(s)\""
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    }
}

// MARK: - scalar decoders

/// Largest SOL amount a scenario may name (a sanity bound: far above SOL's total supply per wallet).
let maxSol: UInt64 = 1_000_000_000

enum Decode {
    static func text(_ n: SNode, _ path: String) throws(ScenarioError) -> String {
        guard case .scalar(let s) = n.kind else { throw ScenarioError(n.origin, field: path, "expected text, found \(describe(n))") }
        return s
    }

    /// A name (of a scenario, token, wallet, group, pool or tier): text of 1 to 64 characters with
    /// no control character, so that it prints safely and fits one line.
    static func name(_ n: SNode, _ path: String) throws(ScenarioError) -> String {
        let s = try text(n, path)
        guard !s.isEmpty else { throw ScenarioError(n.origin, field: path, "expected a name, found an empty one") }
        guard s.count <= 64 else { throw ScenarioError(n.origin, field: path, "a name has at most 64 characters, found \(s.count)") }
        if let c = s.unicodeScalars.first(where: TerminalText.isControl) {
            throw ScenarioError(n.origin, field: path, "a control character (U+\(String(format: "%04X", c.value))) in the name; names are printable text")
        }
        return s
    }

    /// Free text (a description): no control characters but line breaks and tabs, at most 4096 bytes.
    static func prose(_ n: SNode, _ path: String) throws(ScenarioError) -> String {
        let s = try text(n, path)
        guard s.utf8.count <= 4_096 else { throw ScenarioError(n.origin, field: path, "at most 4096 bytes, found \(s.utf8.count)") }
        if let c = s.unicodeScalars.first(where: { TerminalText.isControl($0) && $0 != "\n" && $0 != "\t" }) {
            throw ScenarioError(n.origin, field: path, "a control character (U+\(String(format: "%04X", c.value))) in the text")
        }
        return s
    }

    static func bool(_ n: SNode, _ path: String) throws(ScenarioError) -> Bool {
        switch try text(n, path).lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw ScenarioError(n.origin, field: path, "expected true or false, found \(describe(n))")
        }
    }

    /// A whole number in `0...max`.
    static func uint(max: UInt64 = UInt64.max, min: UInt64 = 0) -> (SNode, String) throws(ScenarioError) -> UInt64 {
        return { (n: SNode, path: String) throws(ScenarioError) -> UInt64 in
            let s = try text(n, path)
            if s.hasPrefix("-") { throw ScenarioError(n.origin, field: path, "expected a non-negative whole number, found \(describe(n))") }
            guard let v = FixedDecimal.parse(s, scale: 0) else {
                throw ScenarioError(n.origin, field: path, "expected a whole number (like 42), found \(describe(n))")
            }
            guard v >= min, v <= max else { throw ScenarioError(n.origin, field: path, "must be between \(min) and \(max), found \(v)") }
            return v
        }
    }

    /// A decimal amount at `scale` decimals, as an integer (`1.5` SOL → 1_500_000_000).
    static func decimal(scale: Int, unit: String, example: String, maxWhole: UInt64) -> (SNode, String) throws(ScenarioError) -> UInt64 {
        return { (n: SNode, path: String) throws(ScenarioError) -> UInt64 in
            let s = try text(n, path)
            if s.hasPrefix("-") { throw ScenarioError(n.origin, field: path, "expected a non-negative amount of \(unit) (like \(example)), found \(describe(n))") }
            guard let v = FixedDecimal.parse(s, scale: scale) else {
                throw ScenarioError(n.origin, field: path, "expected an amount of \(unit) with at most \(scale) decimals (like \(example)), found \(describe(n))")
            }
            var limit: UInt64 = maxWhole
            for _ in 0..<scale { limit = limit.multipliedReportingOverflow(by: 10).overflow ? UInt64.max : limit * 10 }
            guard v <= limit else { throw ScenarioError(n.origin, field: path, "absurd amount: at most \(maxWhole) \(unit), found \(s)") }
            return v
        }
    }

    /// SOL as lamports.
    static func sol(_ n: SNode, _ path: String) throws(ScenarioError) -> UInt64 { try decimal(scale: 9, unit: "SOL", example: "1.5", maxWhole: maxSol)(n, path) }
    /// Whole tokens (6 decimals) as base units.
    static func tokens(_ n: SNode, _ path: String) throws(ScenarioError) -> UInt64 { try decimal(scale: 6, unit: "tokens", example: "1000000", maxWhole: 1_000_000_000_000)(n, path) }
    /// A price in lamports per whole token, as nanolamports.
    static func price(_ n: SNode, _ path: String) throws(ScenarioError) -> UInt64 { try decimal(scale: 9, unit: "lamports per token", example: "27.96", maxWhole: 1_000_000_000)(n, path) }
    /// Basis points, 0...10 000.
    static func bps(_ n: SNode, _ path: String) throws(ScenarioError) -> UInt64 { try uint(max: 10_000)(n, path) }
    /// Thousandths: `1.5` → 1500.
    static func milli(_ n: SNode, _ path: String) throws(ScenarioError) -> UInt64 { try decimal(scale: 3, unit: "units", example: "1.5", maxWhole: 1_000_000_000)(n, path) }

    /// A duration with a unit (`400ms`, `30s`, `10m`, `2h`, `1d`, `150 slots`) in ticks, rounded up.
    static func ticks(slotMillis: UInt64, max: UInt64 = 30 * 86_400_000) -> (SNode, String) throws(ScenarioError) -> UInt64 {
        return { (n: SNode, path: String) throws(ScenarioError) -> UInt64 in
            let s = try text(n, path).trimmingSpaces
            if s.hasPrefix("-") { throw ScenarioError(n.origin, field: path, "a duration cannot be negative, found \(describe(n)); expected one like 30s, 10m, 400ms or 150 slots") }
            let units: [(String, UInt64?)] = [("slots", nil), ("slot", nil), ("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
            for (suffix, millisPer) in units where s.hasSuffix(suffix) {
                let number = String(s.dropLast(suffix.count)).trimmingSpaces
                guard let v = FixedDecimal.parse(number, scale: 0), !number.isEmpty else { continue }
                guard let per = millisPer else {
                    guard v <= max / slotMillis else { throw ScenarioError(n.origin, field: path, "absurd duration: at most 30 days") }
                    return v
                }
                let (ms, o) = v.multipliedReportingOverflow(by: per)
                guard !o, ms <= max else { throw ScenarioError(n.origin, field: path, "absurd duration: at most 30 days, found \(s)") }
                return (ms + slotMillis - 1) / slotMillis
            }
            throw ScenarioError(n.origin, field: path, "expected a duration with a unit (like 30s, 10m, 400ms or 150 slots), found \(describe(n))")
        }
    }

    /// Milliseconds: a whole number (`400`) or a duration in ms or s (`400ms`, `0.4s`), within `1...max`.
    static func millis(max: UInt64) -> (SNode, String) throws(ScenarioError) -> UInt64 {
        return { (n: SNode, path: String) throws(ScenarioError) -> UInt64 in
            let s = try text(n, path).trimmingSpaces
            let expected = "expected milliseconds (like 400, 400ms or 0.4s) from 1 ms to \(max / 1_000) s"
            if s.hasPrefix("-") { throw ScenarioError(n.origin, field: path, "\(expected), found \(describe(n))") }
            var ms: UInt64?
            if let v = FixedDecimal.parse(s, scale: 0) { ms = v }
            else if s.hasSuffix("ms"), let v = FixedDecimal.parse(String(s.dropLast(2)).trimmingSpaces, scale: 0) { ms = v }
            else if s.hasSuffix("s"), let v = FixedDecimal.parse(String(s.dropLast(1)).trimmingSpaces, scale: 3) { ms = v }
            guard let ms else { throw ScenarioError(n.origin, field: path, "\(expected), found \(describe(n))") }
            guard ms >= 1, ms <= max else { throw ScenarioError(n.origin, field: path, "must be from 1 ms to \(max / 1_000) s, found \(s)") }
            return ms
        }
    }

    /// A value or a `{min, max}` range of values.
    static func range(_ element: @escaping (SNode, String) throws(ScenarioError) -> UInt64) -> (SNode, String) throws(ScenarioError) -> UniformRange {
        return { (n: SNode, path: String) throws(ScenarioError) -> UniformRange in
            if case .scalar = n.kind { return UniformRange.exactly(try element(n, path)) }
            let f = try Fields(n, path: path, allowed: ["min", "max"])
            let lo = try f.need("min", "the smallest value", element)
            let hi = try f.need("max", "the largest value", element)
            guard lo <= hi else { throw ScenarioError(n.origin, field: path, "min must not exceed max") }
            return UniformRange(lo, hi)
        }
    }

    /// A list.
    static func list(_ n: SNode, _ path: String) throws(ScenarioError) -> [SNode] {
        guard case .sequence(let items) = n.kind else { throw ScenarioError(n.origin, field: path, "expected a list, found \(describe(n))") }
        return items
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
