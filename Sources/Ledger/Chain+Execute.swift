import SimCore
import Curves

// MARK: - decide: what landing a transaction does

extension Chain {
    /// The fee outcome of a transaction landing now: `txIncluded` (fee charged) or
    /// `txDropped(insufficientFundsForFee)` when the payer cannot pay it.
    public func feeOutcome(of tx: Transaction) -> LedgerEvent {
        let fee = tx.feeLamports(baseFeePerSignature: config.baseFeeLamportsPerSignature)
        guard lamports[Int(tx.payer)] >= fee else {
            return .txDropped(TxDropped(txID: tx.id, payer: tx.payer, mint: tx.instruction.mint, reason: .insufficientFundsForFee))
        }
        return .txIncluded(TxIncluded(txID: tx.id, payer: tx.payer, feeLamports: fee, computeUnits: tx.computeUnits))
    }

    /// Runs a landed transaction's create or trade instruction against the current state (after
    /// its fee) and appends the resulting events. Reads state only; `apply` commits the events.
    public func execute(_ tx: Transaction, into events: inout [LedgerEvent]) {
        switch tx.instruction {
        case .create(let mint, let initial):
            executeCreate(tx, mint: mint, initialBuyLamports: initial, into: &events)
        case .buyExactSolIn(let m, let spend, let minOut):
            executeTrade(tx, mint: m, side: .buy, into: &events) { c throws(CurveError) in try c.quoteBuy(spendable: spend, minTokensOut: minOut) }
        case .buyExactTokens(let m, let tokens, let maxCost):
            executeTrade(tx, mint: m, side: .buy, into: &events) { c throws(CurveError) in try c.quoteBuy(tokens: tokens, maxSolCost: maxCost) }
        case .sell(let m, let tokens, let minOut):
            guard balance(of: tx.payer, mint: m) >= tokens else {
                events.append(.tradeFailed(TradeFailed(txID: tx.id, wallet: tx.payer, mint: m, side: .sell, reason: .insufficientTokens)))
                return
            }
            executeTrade(tx, mint: m, side: .sell, into: &events) { c throws(CurveError) in try c.quoteSell(tokens: tokens, minSolOut: minOut) }
        case .claimRewards:
            break // the engine settles claims against the rewards state
        }
    }

    private func executeCreate(_ tx: Transaction, mint: MintID, initialBuyLamports: UInt64, into events: inout [LedgerEvent]) {
        guard Int(mint) < mints.count, mints[Int(mint)].status == .pending else {
            events.append(.createFailed(CreateFailed(txID: tx.id, mint: mint, creator: tx.payer, reason: .alreadyLaunched)))
            return
        }
        var quote: TradeQuote?
        if initialBuyLamports > 0 {
            do {
                quote = try mints[Int(mint)].curve.quoteBuy(spendable: initialBuyLamports, minTokensOut: 0)
            } catch {
                events.append(.createFailed(CreateFailed(txID: tx.id, mint: mint, creator: tx.payer, reason: RejectReason(error))))
                return
            }
            if quote!.solTotal + config.tokenAccountRentLamports > lamports[Int(tx.payer)] {
                events.append(.createFailed(CreateFailed(txID: tx.id, mint: mint, creator: tx.payer, reason: .insufficientFunds)))
                return
            }
        }
        events.append(.tokenCreated(TokenCreated(mint: mint, creator: tx.payer)))
        if let q = quote { appendTrade(q, tx: tx, mint: mint, into: &events) }
    }

    private func executeTrade(_ tx: Transaction, mint m: MintID, side: TradeSide, into events: inout [LedgerEvent],
                              quote: (AnyCurve) throws(CurveError) -> TradeQuote) {
        if let reason = tradeRejection(tx, mint: m, side: side, quote: quote, into: &events) {
            events.append(.tradeFailed(TradeFailed(txID: tx.id, wallet: tx.payer, mint: m, side: side, reason: reason)))
        }
    }

    /// Appends the trade's events, or returns why the program refuses it.
    private func tradeRejection(_ tx: Transaction, mint m: MintID, side: TradeSide,
                                quote: (AnyCurve) throws(CurveError) -> TradeQuote,
                                into events: inout [LedgerEvent]) -> RejectReason? {
        guard Int(m) < mints.count else { return .tokenNotTradable }
        switch mints[Int(m)].status {
        case .pending: return .tokenNotTradable
        case .migrated: return .bondingCurveComplete
        case .trading: break
        }
        let q: TradeQuote
        do { q = try quote(mints[Int(m)].curve) } catch { return RejectReason(error) }
        if side == .buy {
            let rent = tokenAccountOpen[Int(m)][Int(tx.payer)] ? 0 : config.tokenAccountRentLamports
            guard q.solTotal + rent <= lamports[Int(tx.payer)] else { return .insufficientFunds }
        }
        appendTrade(q, tx: tx, mint: m, into: &events)
        return nil
    }

    private func appendTrade(_ q: TradeQuote, tx: Transaction, mint m: MintID, into events: inout [LedgerEvent]) {
        let rent = q.side == .buy && !tokenAccountOpen[Int(m)][Int(tx.payer)] ? config.tokenAccountRentLamports : 0
        events.append(.tradeExecuted(TradeExecuted(txID: tx.id, wallet: tx.payer, mint: m, side: q.side, tokens: q.tokens,
                                                   curveSol: q.curveSol, protocolFee: q.protocolFee,
                                                   creatorFee: q.creatorFee, rentLamports: rent)))
        guard q.completesCurve else { return }
        events.append(.curveCompleted(CurveCompleted(mint: m)))
        var completed = mints[Int(m)].curve
        completed.state = q.stateAfter
        if let pool = try? completed.migrate() {
            events.append(.curveMigrated(CurveMigrated(mint: m, baseTokens: pool.baseTokens, quoteLamports: pool.quoteLamports,
                                                       migrationFeeLamports: pool.migrationFee)))
        }
    }
}
