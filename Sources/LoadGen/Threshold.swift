/// A pass/fail criterion on one metric, in k6's syntax: `ws_connecting p(95)<1000`,
/// `ws_msgs_received count>100`, `ws_errors rate<0.01`; a trailing `abortOnFail` stops the test
/// as soon as it is crossed (checked once a second). Trend values are milliseconds, as in k6.
public struct Threshold: Sendable, Hashable, CustomStringConvertible {
    public enum Stat: Sendable, Hashable {
        case avg, min, max, med, count, rate, value
        case percentile(Double)
    }
    public enum Op: String, Sendable, CaseIterable { case le = "<=", ge = ">=", lt = "<", gt = ">", eq = "==", ne = "!=" }

    public var metric: String
    public var stat: Stat
    public var op: Op
    public var bound: Double
    public var abortOnFail: Bool
    /// The expression as k6 writes it (`p(95)<1000`).
    public var expression: String

    public var description: String { "\(metric) \(expression)\(abortOnFail ? " abortOnFail" : "")" }

    /// Parses `METRIC EXPR [abortOnFail]`.
    public static func parse(_ text: String) -> Result<Threshold, LoadError> {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let example = "like 'ws_connecting p(95)<1000' or 'ws_msgs_received count>0 abortOnFail'"
        guard parts.count == 2 || (parts.count == 3 && parts[2] == "abortOnFail") else {
            return .failure(.badInput("threshold \"\(text)\": expected METRIC EXPRESSION [abortOnFail], \(example)"))
        }
        guard LoadMetrics.names.contains(parts[0]) else {
            return .failure(.badInput("threshold \"\(text)\": unknown metric \(parts[0]); expected one of \(LoadMetrics.names.joined(separator: ", "))"))
        }
        let expr = parts[1]
        guard let op = Op.allCases.first(where: { expr.contains($0.rawValue) }),
              let range = expr.range(of: op.rawValue) else {
            return .failure(.badInput("threshold \"\(text)\": no comparison in \(expr) (<, <=, >, >=, ==, !=), \(example)"))
        }
        let lhs = String(expr[..<range.lowerBound]), rhs = String(expr[range.upperBound...])
        guard let bound = Double(rhs), bound.isFinite else {
            return .failure(.badInput("threshold \"\(text)\": cannot read the number \(rhs)"))
        }
        let stat: Stat
        switch lhs {
        case "avg": stat = .avg
        case "min": stat = .min
        case "max": stat = .max
        case "med": stat = .med
        case "count": stat = .count
        case "rate": stat = .rate
        case "value": stat = .value
        default:
            guard lhs.hasPrefix("p("), lhs.hasSuffix(")"), let p = Double(lhs.dropFirst(2).dropLast()), p > 0, p <= 100 else {
                return .failure(.badInput("threshold \"\(text)\": unknown aggregation \(lhs); expected avg, min, max, med, p(N), count, rate or value"))
            }
            stat = .percentile(p)
        }
        let kind = LoadMetrics.kind(of: parts[0])
        switch (kind, stat) {
        case (.trend, .count), (.trend, .rate), (.counter, .avg), (.counter, .min), (.counter, .max), (.counter, .med), (.counter, .percentile), (.gauge, .count), (.gauge, .percentile):
            return .failure(.badInput("threshold \"\(text)\": \(parts[0]) is a \(kind.rawValue); \(kind == .trend ? "use avg, min, max, med or p(N)" : kind == .counter ? "use count or rate" : "use value, min or max")"))
        default: break
        }
        return .success(Threshold(metric: parts[0], stat: stat, op: op, bound: bound, abortOnFail: parts.count == 3, expression: expr))
    }

    /// Whether the value satisfies the threshold.
    public func passes(_ v: Double) -> Bool {
        switch op {
        case .lt: return v < bound
        case .le: return v <= bound
        case .gt: return v > bound
        case .ge: return v >= bound
        case .eq: return v == bound
        case .ne: return v != bound
        }
    }
}

public enum LoadError: Error, Sendable, CustomStringConvertible {
    case badInput(String)
    case failed(String)
    public var description: String {
        switch self { case .badInput(let s), .failed(let s): return s }
    }
}
