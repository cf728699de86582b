import ArgumentParser
import Foundation
import SimCore
import Curves

/// Options every quote shares: which curve, which fees, which state.
struct CurveOptions: ParsableArguments {
    @Option(help: "Curve family: pumpfun, linear (27.96 → 410.88 lamports/token) or exponential (doubling every 200M tokens).")
    var curve: String = "pumpfun"

    @Option(help: "Fee profile: v2025 (95+30 bps, ceil), may2025 (95+5 bps, ceil) or legacy2024 (100 bps, floor).")
    var feeProfile: String = "v2025"

    @Flag(help: "Fail buys beyond the remaining supply with NotEnoughTokensToBuy instead of capping them.")
    var noPartialFill = false

    @Flag(help: "Quote a curve without a creator (no creator fee).")
    var noCreatorFee = false

    @Option(help: ArgumentHelp("Curve state instead of a fresh curve: virtual SOL, virtual tokens, real SOL, real tokens (lamports and base units).",
                               valueName: "vsol,vtok,rsol,rtok"))
    var state: String?

    @Flag(help: "The curve has completed (every trade fails with BondingCurveComplete).")
    var complete = false

    func validate() throws {
        _ = try makeCurve()
    }

    func makeCurve() throws -> AnyCurve {
        guard let fees = FeeProfile.named(feeProfile) else {
            throw ValidationError("unknown --fee-profile \(feeProfile); expected v2025, may2025 or legacy2024")
        }
        let creator = !noCreatorFee
        var curve: AnyCurve
        switch self.curve {
        case "pumpfun": curve = .pumpFun(PumpFunCurve(feeProfile: fees, creatorFeeApplies: creator, partialFill: !noPartialFill))
        case "linear":
            curve = .linear(LinearCurve(startPriceNanos: 27_958_993_476, endPriceNanos: 410_880_168_120, feeProfile: fees,
                                        creatorFeeApplies: creator, partialFill: !noPartialFill))
        case "exponential":
            curve = .exponential(ExponentialCurve(startPriceNanos: 27_958_993_476, doublingTokens: 200_000_000_000_000, feeProfile: fees,
                                                  creatorFeeApplies: creator, partialFill: !noPartialFill))
        default: throw ValidationError("unknown --curve \(self.curve); expected pumpfun, linear or exponential")
        }
        if let state {
            let parts = state.split(separator: ",").map { UInt64($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 4, parts.allSatisfy({ $0 != nil }) else {
                throw ValidationError("--state takes four whole numbers: vsol,vtok,rsol,rtok (for example 30000000000,1073000000000000,0,793100000000000)")
            }
            let s = CurveState(virtualSol: parts[0]!, virtualToken: parts[1]!, realSol: parts[2]!, realToken: parts[3]!, complete: complete)
            guard s.virtualToken > 0 else { throw ValidationError("--state: virtual tokens must be positive") }
            curve.state = s
        } else {
            curve.state.complete = complete
        }
        return curve
    }
}

struct QuoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quote",
        abstract: "Price one trade on a bonding curve, exactly as the pump.fun program would, as JSON.",
        discussion: """
        Amounts are integers: lamports for SOL (1 SOL = 1000000000), base units for tokens \
        (1 token = 1000000). Prices are lamports per whole token. A rejected trade prints \
        {"error": NAME, "code": N} with the program's error name and exits 1.

        Examples:
          pumpsim quote buy --sol 1500000000
          pumpsim quote buy --tokens 1000000000000 --max-sol-cost 40000000
          pumpsim quote sell --tokens 1000000000000 --state 31000000000,1038000000000000,1000000000,758100000000000
        """,
        subcommands: [Buy.self, Sell.self]
    )

    struct Buy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Quote a buy: --sol (buy_exact_sol_in) or --tokens (buy with max_sol_cost).")

        @Option(help: "Lamports to spend, fees included (buy_exact_sol_in).")
        var sol: UInt64?
        @Option(help: "With --sol: the least tokens accepted (base units).")
        var minTokensOut: UInt64 = 0
        @Option(help: "Exact tokens to buy (base units).")
        var tokens: UInt64?
        @Option(help: "With --tokens: the most lamports to pay, fees included.")
        var maxSolCost: UInt64 = UInt64.max
        @OptionGroup var curve: CurveOptions

        func validate() throws {
            if (sol == nil) == (tokens == nil) { throw ValidationError("give exactly one of --sol LAMPORTS or --tokens N") }
            if sol != nil && maxSolCost != UInt64.max { throw ValidationError("--max-sol-cost goes with --tokens") }
            if tokens != nil && minTokensOut != 0 { throw ValidationError("--min-tokens-out goes with --sol") }
        }

        func run() throws {
            let c = try curve.makeCurve()
            try emitQuote(c) { () throws(CurveError) in
                if let sol { return try c.quoteBuy(spendable: sol, minTokensOut: minTokensOut) }
                return try c.quoteBuy(tokens: tokens!, maxSolCost: maxSolCost)
            }
        }
    }

    struct Sell: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Quote a sell of --tokens (base units).")

        @Option(help: "Tokens to sell (base units).")
        var tokens: UInt64
        @Option(help: "The least lamports accepted after fees.")
        var minSolOut: UInt64 = 0
        @OptionGroup var curve: CurveOptions

        func run() throws {
            let c = try curve.makeCurve()
            try emitQuote(c) { () throws(CurveError) in try c.quoteSell(tokens: tokens, minSolOut: minSolOut) }
        }
    }
}

/// Prints a quote (or its rejection) as JSON; a rejection exits 1.
func emitQuote(_ curve: AnyCurve, _ body: () throws(CurveError) -> TradeQuote) throws {
    do {
        let q = try body()
        let s = q.stateAfter
        print(JSON.object([
            ("side", .string(q.side == .buy ? "buy" : "sell")),
            ("tokens", .uint(q.tokens)),
            ("curve_sol", .uint(q.curveSol)),
            ("protocol_fee", .uint(q.protocolFee)),
            ("creator_fee", .uint(q.creatorFee)),
            ("sol_total", .uint(q.solTotal)),
            ("price_before", .decimal(q.priceBefore, scale: 9)),
            ("price_after", .decimal(q.priceAfter, scale: 9)),
            ("impact_bps", .uint(q.impactBps)),
            ("capped", .bool(q.capped)),
            ("state_after", .object([
                ("virtual_sol", .uint(s.virtualSol)), ("virtual_token", .uint(s.virtualToken)),
                ("real_sol", .uint(s.realSol)), ("real_token", .uint(s.realToken)), ("complete", .bool(s.complete)),
            ])),
        ]).serialized(pretty: true))
    } catch {
        print(JSON.object([("error", .string(error.programName)), ("code", .uint(UInt64(error.code)))]).serialized(pretty: true))
        throw ExitStatus.failed.code
    }
}
