import SimCore
import Scenario

/// `pumpsim validate`: a scenario checked without running it.
public enum ValidateSession {
    public struct Result: Sendable {
        public var path: String
        public var name: String
        public var tokens: Int
        public var agents: Int
        public var slots: UInt64
        /// Rows of its trade stream, if it has one.
        public var streamRows: Int?
    }

    /// Checks one file; a problem is bad input naming file, line, column and field.
    public static func check(_ path: String, overrides: [String] = []) -> Swift.Result<Result, ScenarioError> {
        do {
            let s = try ScenarioLoader.validate(path: path, overrides: overrides)
            return .success(Result(path: path, name: s.name, tokens: s.tokens, agents: s.agents, slots: s.slots, streamRows: s.streamRows))
        } catch {
            return .failure(error)
        }
    }

    public static func json(_ r: Swift.Result<Result, ScenarioError>, path: String) -> JSON {
        switch r {
        case .success(let v):
            var f: [(String, JSON)] = [("file", .string(path)), ("valid", .bool(true)), ("name", .string(v.name)),
                                       ("tokens", .uint(UInt64(v.tokens))), ("agents", .uint(UInt64(v.agents))), ("ticks", .uint(v.slots))]
            if let n = v.streamRows { f.append(("stream_rows", .uint(UInt64(n)))) }
            return .object(f)
        case .failure(let e):
            return .object([("file", .string(path)), ("valid", .bool(false)), ("error", .string(e.description)),
                            ("line", .uint(UInt64(e.line))), ("column", .uint(UInt64(e.column))), ("field", .string(e.field))])
        }
    }

    public static func text(_ v: Result) -> String {
        "\(v.path): ok (\(v.tokens) tokens, \(v.agents) agents, \(v.slots) slots\(v.streamRows.map { ", \($0) stream rows" } ?? ""))"
    }
}
