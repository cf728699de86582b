/// Why a curve refused a trade, named and numbered as the pump.fun program's errors
/// (pump-public-docs idl/pump.json), so a simulated rejection reads like a mainnet one.
public enum CurveError: Error, Equatable, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// 6002: the buy would cost more than `max_sol_cost`.
    case tooMuchSolRequired
    /// 6003: the sell would return less than `min_sol_output`.
    case tooLittleSolReceived
    /// 6005: the curve has completed; it no longer trades.
    case bondingCurveComplete
    /// 6006: migration was asked of a curve that has not completed.
    case bondingCurveNotComplete
    /// 6020: the buy would receive no tokens (`buy_exact_sol_in` with a budget of at most 1 lamport of curve input).
    case buyZeroAmount
    /// 6021: the buy asks for more than the remaining real token reserves and partial fills are off.
    case notEnoughTokensToBuy
    /// 6023: the sell asks the curve for more SOL than it holds.
    case notEnoughTokensToSell
    /// 6024: an intermediate left its integer range.
    case overflow
    /// 6042: `buy_exact_sol_in` would receive fewer tokens than `min_tokens_out`.
    case buySlippageBelowMinTokensOut

    /// The program's error name, e.g. `TooMuchSolRequired`.
    public var programName: String {
        switch self {
        case .tooMuchSolRequired: return "TooMuchSolRequired"
        case .tooLittleSolReceived: return "TooLittleSolReceived"
        case .bondingCurveComplete: return "BondingCurveComplete"
        case .bondingCurveNotComplete: return "BondingCurveNotComplete"
        case .buyZeroAmount: return "BuyZeroAmount"
        case .notEnoughTokensToBuy: return "NotEnoughTokensToBuy"
        case .notEnoughTokensToSell: return "NotEnoughTokensToSell"
        case .overflow: return "Overflow"
        case .buySlippageBelowMinTokensOut: return "BuySlippageBelowMinTokensOut"
        }
    }

    /// The program's custom error code, e.g. 6002.
    public var code: Int {
        switch self {
        case .tooMuchSolRequired: return 6002
        case .tooLittleSolReceived: return 6003
        case .bondingCurveComplete: return 6005
        case .bondingCurveNotComplete: return 6006
        case .buyZeroAmount: return 6020
        case .notEnoughTokensToBuy: return 6021
        case .notEnoughTokensToSell: return 6023
        case .overflow: return 6024
        case .buySlippageBelowMinTokensOut: return 6042
        }
    }

    /// True for the three slippage failures (the price moved between quote and execution).
    public var isSlippage: Bool {
        self == .tooMuchSolRequired || self == .tooLittleSolReceived || self == .buySlippageBelowMinTokensOut
    }

    public var description: String { "\(programName) (\(code))" }

    /// Looks an error up by its program name.
    public init?(programName: String) {
        guard let e = CurveError.allCases.first(where: { $0.programName == programName }) else { return nil }
        self = e
    }
}
