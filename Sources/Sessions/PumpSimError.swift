import Foundation
import SimCore
import Scenario
import Trace
import Store
import Engine

/// Every failure a front end reports, in the three kinds its exit code tells apart
/// (DESIGN.md): 1 a check failed, 2 bad input, 3 an internal error. 0 is success.
///
/// Library errors (`ScenarioError`, `TraceError`, `CatalogError`, …) become one of these at a
/// session's edge, with `PumpSimError(_:)`, the one place that decides their kind.
public enum PumpSimError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A verification, assertion or threshold failed, or a quoted trade was refused: the input
    /// was fine, the answer is no.
    case checkFailed(String)
    /// Arguments, a scenario, a trace, a catalog or a file that cannot be used as given.
    case badInput(String)
    /// A bug: the engine met a state it should never reach.
    case internalFailure(String)

    public var exitCode: Int32 {
        switch self {
        case .checkFailed: return 1
        case .badInput: return 2
        case .internalFailure: return 3
        }
    }

    /// The message, safe for a terminal (control characters escaped).
    public var description: String {
        switch self {
        case .checkFailed(let m), .badInput(let m): return TerminalText.escaped(m)
        case .internalFailure(let m): return TerminalText.escaped("internal error: \(m) (a bug in pumpsim; please report it with the command that gave it)")
        }
    }

    /// The kind of any error: the libraries' input errors are bad input, anything unknown is internal.
    public init(_ error: any Error) {
        switch error {
        case let e as PumpSimError: self = e
        case let e as ScenarioError: self = .badInput(e.description)
        case let e as TraceError: self = .badInput(e.description)
        case let e as SQLiteError: self = .badInput(e.description)
        case let e as CocoaError: self = .badInput(e.localizedDescription)
        default: self = .internalFailure("\(error)")
        }
    }

    /// An error while running a simulation: arithmetic refused by evolve is an engine bug.
    public static func run(_ error: any Error) -> PumpSimError {
        switch error {
        case let e as EvolveError:
            // A broken invariant is what the checks are for: the answer is no, not a crash.
            if let v = e.violation { return .checkFailed("\(v)") }
            return .internalFailure("the simulation stopped: \(e)")
        default: return PumpSimError(error)
        }
    }
}
