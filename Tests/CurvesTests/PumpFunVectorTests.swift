import Foundation
import Testing
@testable import Curves

/// Replays the vectors written by `Vectors/gen_curve_vectors.py`, an independent Python
/// reference built from shared/REFERENCE.md Part 1, against `PumpFunCurve`.
struct PumpFunVectorTests {
    struct VectorFile: Decodable { let cases: [VectorCase] }
    struct VectorCase: Decodable, CustomTestStringConvertible {
        let name: String
        let profile: String
        let creator: Bool
        let partial_fill: Bool
        let start: [State]
        let ops: [Op]
        var testDescription: String { name }
    }
    enum State: Decodable {
        case int(UInt64), bool(Bool)
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) { self = .bool(b) } else { self = .int(try c.decode(UInt64.self)) }
        }
        var int: UInt64 { if case .int(let v) = self { return v }; return 0 }
        var bool: Bool { if case .bool(let v) = self { return v }; return false }
    }
    struct Op: Decodable {
        let op: String
        let spendable: UInt64?
        let min_tokens_out: UInt64?
        let tokens: UInt64?
        let max_sol_cost: UInt64?
        let min_sol_out: UInt64?
        let expect: Expect
    }
    struct Expect: Decodable {
        let error: String?
        let tokens: UInt64?
        let curve_sol: UInt64?
        let protocol_fee: UInt64?
        let creator_fee: UInt64?
        let sol_total: UInt64?
        let state_after: [State]?
    }

    static let vectors: [VectorCase] = {
        let url = Bundle.module.url(forResource: "pumpfun_vectors", withExtension: "json", subdirectory: "Vectors")!
        return try! JSONDecoder().decode(VectorFile.self, from: Data(contentsOf: url)).cases
    }()

    static func state(_ s: [State]) -> CurveState {
        CurveState(virtualSol: s[0].int, virtualToken: s[1].int, realSol: s[2].int, realToken: s[3].int, complete: s[4].bool)
    }

    @Test func vectorsCoverEveryProfileAndTheEdgeCases() {
        let names = Set(Self.vectors.map(\.profile))
        #expect(names == ["v2025", "may2025", "legacy2024"])
        let errors = Set(Self.vectors.flatMap { $0.ops.compactMap(\.expect.error) })
        for required in ["BuyZeroAmount", "NotEnoughTokensToBuy", "BondingCurveComplete", "TooMuchSolRequired",
                         "TooLittleSolReceived", "BuySlippageBelowMinTokensOut"] {
            #expect(errors.contains(required), "vectors lack \(required)")
        }
        #expect(Self.vectors.flatMap(\.ops).count > 2_000)
    }

    @Test(arguments: vectors)
    func replay(_ vc: VectorCase) throws {
        let profile = try #require(FeeProfile.named(vc.profile))
        var curve = PumpFunCurve(feeProfile: profile, creatorFeeApplies: vc.creator, partialFill: vc.partial_fill,
                                 state: Self.state(vc.start))
        for (i, op) in vc.ops.enumerated() {
            let result: Result<TradeQuote, CurveError>
            switch op.op {
            case "buy_sol": result = Result { () throws(CurveError) in try curve.quoteBuy(spendable: op.spendable!, minTokensOut: op.min_tokens_out!) }
            case "buy_tokens": result = Result { () throws(CurveError) in try curve.quoteBuy(tokens: op.tokens!, maxSolCost: op.max_sol_cost!) }
            default: result = Result { () throws(CurveError) in try curve.quoteSell(tokens: op.tokens!, minSolOut: op.min_sol_out!) }
            }
            switch result {
            case .failure(let error):
                #expect(error.programName == op.expect.error, "\(vc.name) op \(i) \(op.op)")
            case .success(let q):
                #expect(op.expect.error == nil, "\(vc.name) op \(i): expected \(op.expect.error ?? "") got \(q)")
                #expect(q.tokens == op.expect.tokens, "\(vc.name) op \(i) tokens")
                #expect(q.curveSol == op.expect.curve_sol, "\(vc.name) op \(i) curve_sol")
                #expect(q.protocolFee == op.expect.protocol_fee, "\(vc.name) op \(i) protocol_fee")
                #expect(q.creatorFee == op.expect.creator_fee, "\(vc.name) op \(i) creator_fee")
                #expect(q.solTotal == op.expect.sol_total, "\(vc.name) op \(i) sol_total")
                if let s = op.expect.state_after { #expect(q.stateAfter == Self.state(s), "\(vc.name) op \(i) state") }
                curve.apply(q)
            }
        }
    }
}
