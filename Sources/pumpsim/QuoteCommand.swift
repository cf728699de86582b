import ArgumentParser
import SimCore
import Curves
import Sessions

/// Options every quote shares: which curve, which fees, which state.
struct CurveOptions: ParsableArguments {
    @Option(help: "Curve family: pumpfun, linear (27.96 → 410.88 lamports/token) or exponential (doubling every 200M tokens).")
    var curve: CurveFamily = .pumpfun
    @Option(help: "Fee profile: v2025 (95+30 bps, ceil), may2025 (95+5 bps, ceil) or legacy2024 (100 bps, floor).")
    var feeProfile: FeeProfileName = .v2025
    @Flag(help: "Fail buys beyond the remaining supply with NotEnoughTokensToBuy instead of capping them.") var noPartialFill = false
    @Flag(help: "Quote a curve without a creator (no creator fee).") var noCreatorFee = false
    @Option(help: ArgumentHelp("Curve state instead of a fresh curve: virtual SOL, virtual tokens, real SOL, real tokens (lamports and base units; real reserves within the virtual ones).",
                               valueName: "vsol,vtok,rsol,rtok"))
    var state: String?
    @Flag(help: "The curve has completed (every trade fails with BondingCurveComplete).") var complete = false

    func validate() throws {
        if let state { do { _ = try QuoteSession.parseState(state) } catch { throw ValidationError(error.description) } }
    }

    var choice: QuoteSession.CurveChoice {
        var c = QuoteSession.CurveChoice()
        c.family = curve; c.fees = feeProfile; c.partialFill = !noPartialFill; c.creatorFee = !noCreatorFee
        c.state = state.flatMap { try? QuoteSession.parseState($0) }; c.complete = complete
        return c
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
        static let configuration = CommandConfiguration(abstract: "Quote a buy: --sol (buy_exact_sol_in) or --tokens (buy with max_sol_cost).")
        @Option(help: "Lamports to spend, fees included (buy_exact_sol_in).") var sol: UInt64?
        @Option(help: "With --sol: the least tokens accepted (base units).") var minTokensOut: UInt64 = 0
        @Option(help: "Exact tokens to buy (base units).") var tokens: UInt64?
        @Option(help: "With --tokens: the most lamports to pay, fees included.") var maxSolCost: UInt64 = UInt64.max
        @OptionGroup var curve: CurveOptions

        func validate() throws {
            if (sol == nil) == (tokens == nil) { throw ValidationError("give exactly one of --sol LAMPORTS or --tokens N") }
            if sol != nil && maxSolCost != UInt64.max { throw ValidationError("--max-sol-cost goes with --tokens") }
            if tokens != nil && minTokensOut != 0 { throw ValidationError("--min-tokens-out goes with --sol") }
        }

        func run() throws {
            let c = QuoteSession.curve(curve.choice)
            try emit(QuoteSession.render(on: c) { () throws(CurveError) in
                if let sol { return try c.quoteBuy(spendable: sol, minTokensOut: minTokensOut) }
                return try c.quoteBuy(tokens: tokens!, maxSolCost: maxSolCost)
            })
        }
    }

    struct Sell: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Quote a sell of --tokens (base units).")
        @Option(help: "Tokens to sell (base units).") var tokens: UInt64
        @Option(help: "The least lamports accepted after fees.") var minSolOut: UInt64 = 0
        @OptionGroup var curve: CurveOptions

        func run() throws {
            let c = QuoteSession.curve(curve.choice)
            try emit(QuoteSession.render(on: c) { () throws(CurveError) in try c.quoteSell(tokens: tokens, minSolOut: minSolOut) })
        }
    }
}

/// Prints a quote; a refusal exits 1 (its JSON on stdout says which error).
func emit(_ q: (json: JSON, refused: Bool)) throws {
    Terminal.json(q.json)
    if q.refused { throw PumpSimError.checkFailed("") }
}
