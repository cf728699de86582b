import Foundation
import SimCore
import Engine
import Scenario
import Fanout
import Reports

/// Checks assertions of every kind against what a run gave: its outcome (by field path), its
/// fan-out (`ws.*`), whether an invariant broke and whether it stopped with an error.
public struct AssertionContext {
    public var outcome: RunOutcome?
    public var fanout: FanoutResult?
    public var violation: InvariantViolation?
    /// The error that stopped the run, if one did.
    public var error: String?
    /// The outcome as a JSON tree and its declared field names, built on the first outcome
    /// assertion (a run without one pays nothing).
    private final class Cache { var built = false; var tree: Any?; var declared = Set<String>() }
    private let cache = Cache()

    public init(outcome: RunOutcome?, fanout: FanoutResult? = nil, violation: InvariantViolation? = nil, error: String? = nil) {
        self.outcome = outcome; self.fanout = fanout; self.violation = violation; self.error = error
    }

    private func built() -> (Any?, Set<String>) {
        if !cache.built {
            cache.built = true
            cache.tree = outcome.flatMap { try? JSONSerialization.jsonObject(with: Data(OutcomeCodec.encode($0).utf8)) }
            if let outcome { Self.collect(Mirror(reflecting: outcome), into: &cache.declared, depth: 0) }
        }
        return (cache.tree, cache.declared)
    }

    /// Field names from a value's declared properties (a nil optional still has its label).
    static func collect(_ m: Mirror, into names: inout Set<String>, depth: Int) {
        guard depth < 6 else { return }
        for c in m.children {
            if let l = c.label { names.insert(snake(l)) }
            let child = Mirror(reflecting: c.value)
            if child.displayStyle == .optional, let inner = child.children.first { collect(Mirror(reflecting: inner.value), into: &names, depth: depth + 1) }
            else if child.displayStyle == .collection, let first = child.children.first { collect(Mirror(reflecting: first.value), into: &names, depth: depth + 1) }
            else if child.displayStyle == .struct { collect(child, into: &names, depth: depth + 1) }
        }
    }

    static func snake(_ s: String) -> String {
        var out = ""
        for ch in s { if ch.isUppercase { out += "_" + ch.lowercased() } else { out.append(ch) } }
        return out
    }

    /// Whether the assertion holds, and the value it saw (for people).
    public func check(_ a: Assertion) -> (passed: Bool, actual: String) {
        switch a.target {
        case .invariants:
            return violation.map { (false, "\($0.invariant.rawValue) violated") } ?? (true, "none violated")
        case .noError:
            if let error { return (false, error) }
            return violation.map { (false, "\($0)") } ?? (true, "no error")
        case .ws:
            guard let fanout else { return (false, "no fan-out (the run has no websocket section or did not finish)") }
            let (ok, v) = a.check(fanout)
            return (ok, Assertion.isLatency(a.metric) ? "\(Double(v) / 1000) ms" : "\(v)")
        case .outcome(let path):
            let (tree, declared) = built()
            guard let tree else { return (false, "no outcome (the run did not finish)") }
            switch Self.lookup(path, in: tree, declared: declared) {
            case .success(let v): return (a.holds(v, a.threshold), Self.format(v))
            case .failure(let why): return (false, why.description)
            }
        }
    }

    /// The assertions that do not hold.
    public func failed(_ assertions: [Assertion]) -> [(Assertion, String)] {
        assertions.compactMap { a in let (ok, v) = check(a); return ok ? nil : (a, v) }
    }

    static func format(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
    }

    /// A number at `path` in the outcome's JSON: list elements by index or by their symbol,
    /// token or label; a field `X_sol` reads `X_lamports` in SOL, `X_seconds` reads `X_millis`.
    static func lookup(_ path: [String], in root: Any, declared: Set<String>) -> Result<Double, AssertionLookupError> {
        var node: Any = root
        var walked: [String] = []
        for (i, seg) in path.enumerated() {
            let last = i == path.count - 1
            if let list = node as? [Any] {
                if let k = Int(seg), k >= 0, k < list.count { node = list[k] }
                else if let hit = list.first(where: { e in ["symbol", "token", "label", "name"].contains { ((e as? [String: Any])?[$0] as? String) == seg } }) { node = hit }
                else { return .failure(.init("no element \(seg) in \(walked.joined(separator: "."))")) }
            } else if let dict = node as? [String: Any] {
                if let v = dict[seg] { node = v }
                else if last, seg.hasSuffix("_sol"), let v = dict[String(seg.dropLast(4)) + "_lamports"] {
                    guard let n = v as? NSNumber else { return .failure(.init("no value: \(seg) never happened")) }
                    return .success(n.doubleValue / 1e9)
                } else if last, seg.hasSuffix("_seconds"), let v = dict[String(seg.dropLast(8)) + "_millis"] {
                    guard let n = v as? NSNumber else { return .failure(.init("no value: \(seg) never happened")) }
                    return .success(n.doubleValue / 1e3)
                } else if last, [seg, String(seg.dropLast(4)) + "_lamports", String(seg.dropLast(8)) + "_millis"].contains(where: declared.contains) {
                    return .failure(.init("no value: \(seg) never happened"))
                } else {
                    let known = dict.keys.sorted().filter { (dict[$0] is NSNumber) || last == false }
                    return .failure(.init("unknown field \(seg) in \(walked.isEmpty ? "the outcome" : walked.joined(separator: ".")); known: \(known.joined(separator: ", "))"))
                }
            } else {
                return .failure(.init("\(walked.joined(separator: ".")) is a value, not a section"))
            }
            walked.append(seg)
        }
        if node is NSNull { return .failure(.init("no value: \(path.last!) never happened")) }
        if let n = node as? NSNumber { return .success(n.doubleValue) }
        if node is [Any] || node is [String: Any] { return .failure(.init("\(walked.joined(separator: ".")) is a section; name one of its fields")) }
        return .failure(.init("\(walked.joined(separator: ".")) is not a number"))
    }
}

public struct AssertionLookupError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ s: String) { description = s }
}
