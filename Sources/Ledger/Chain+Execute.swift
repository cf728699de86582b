import SimCore
import Curves

// MARK: - decide: what landing a transaction does

extension Chain {
    /// The fee outcome of a transaction landing now: `txIncluded` (fee charged) or
    /// `txDropped(insufficientFundsForFee)` when the payer cannot pay it.
    /// (Inlinable: called across modules on a chain held in mutable storage, the call was
    /// handed a copy of the chain, 480 bytes, for a few loads.)
    @inlinable public func feeOutcome(of tx: Transaction) -> LedgerEvent {
        let fee = tx.feeLamports(baseFeePerSignature: config.baseFeeLamportsPerSignature)
        guard lamports[Int(tx.payer)] >= fee else {
            return .txDropped(TxDropped(txID: tx.id, payer: tx.payer, mint: tx.instruction.mint, reason: .insufficientFundsForFee))
        }
        return .txIncluded(TxIncluded(txID: tx.id, payer: tx.payer, feeLamports: fee, computeUnits: tx.computeUnits))
    }

    /// Runs a landed transaction's create or trade instruction against the current state (after
    /// its fee) and appends the resulting events. Reads state only; `apply` commits the events.
    /// It writes nothing, and is `mutating` only so that the chain is passed by its address: called
    /// on the world's chain from the harness, a non-mutating call copied its 504 bytes per transaction.
    public mutating func execute(_ tx: Transaction, into events: inout [LedgerEvent]) {
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
        case .airdrop(let m, let first, let count, let amount):
            executeAirdrop(tx, mint: m, first: first, count: count, amount: amount, into: &events)
        case .compressedAirdrop(let m, let first, let count, let amount):
            let total = UInt128(count) * UInt128(amount)
            guard tokensExist(m) else { return fail(tx, m, .tokenNotTradable, &events) }
            guard total <= UInt128(balance(of: tx.payer, mint: m)) else { return fail(tx, m, .insufficientTokens, &events) }
            guard Int(first) + Int(count) <= lamports.count else { return fail(tx, m, .overflow, &events) }
            guard UInt64(count) <= compressed.freeLeaves else { return fail(tx, m, .stateTreeFull, &events) }
            events.append(.compressedTokensMoved(CompressedTokensMoved(
                txID: tx.id, payer: tx.payer, mint: m, inputs: [], fromStandard: UInt64(total), toStandard: 0,
                firstRecipient: first, recipients: count, amount: amount, change: 0, firstLeaf: compressed.tree.nextIndex, rentLamports: 0)))
        case .compress(let m, let amount):
            guard tokensExist(m) else { return fail(tx, m, .tokenNotTradable, &events) }
            guard amount > 0, amount <= balance(of: tx.payer, mint: m) else { return fail(tx, m, .insufficientTokens, &events) }
            guard compressed.freeLeaves >= 1 else { return fail(tx, m, .stateTreeFull, &events) }
            events.append(.compressedTokensMoved(CompressedTokensMoved(
                txID: tx.id, payer: tx.payer, mint: m, inputs: [], fromStandard: amount, toStandard: 0,
                firstRecipient: tx.payer, recipients: 1, amount: amount, change: 0, firstLeaf: compressed.tree.nextIndex, rentLamports: 0)))
        case .compressedTransfer(let m, let to, let amount):
            guard tokensExist(m) else { return fail(tx, m, .tokenNotTradable, &events) }
            guard Int(to) < lamports.count else { return fail(tx, m, .overflow, &events) }
            guard let (inputs, change) = selectInputs(tx.payer, m, amount) else { return fail(tx, m, .insufficientTokens, &events) }
            guard compressed.freeLeaves >= 2 else { return fail(tx, m, .stateTreeFull, &events) }
            events.append(.compressedTokensMoved(CompressedTokensMoved(
                txID: tx.id, payer: tx.payer, mint: m, inputs: inputs, fromStandard: 0, toStandard: 0,
                firstRecipient: to, recipients: 1, amount: amount, change: change, firstLeaf: compressed.tree.nextIndex, rentLamports: 0)))
        case .poolBuy(let m, let baseOut, let maxIn):
            executePoolSwap(tx, mint: m, side: .buy, base: baseOut, limit: maxIn, into: &events)
        case .poolSell(let m, let baseIn, let minOut):
            executePoolSwap(tx, mint: m, side: .sell, base: baseIn, limit: minOut, into: &events)
        case .decompress(let m, let amount):
            guard tokensExist(m) else { return fail(tx, m, .tokenNotTradable, &events) }
            guard let (inputs, change) = selectInputs(tx.payer, m, amount) else { return fail(tx, m, .insufficientTokens, &events) }
            let rent = tokenAccountOpen[Int(m)][Int(tx.payer)] ? 0 : config.tokenAccountRentLamports
            guard rent <= lamports[Int(tx.payer)] else { return fail(tx, m, .insufficientFunds, &events) }
            guard compressed.freeLeaves >= 1 else { return fail(tx, m, .stateTreeFull, &events) }
            events.append(.compressedTokensMoved(CompressedTokensMoved(
                txID: tx.id, payer: tx.payer, mint: m, inputs: inputs, fromStandard: 0, toStandard: amount,
                firstRecipient: tx.payer, recipients: 0, amount: 0, change: change, firstLeaf: compressed.tree.nextIndex, rentLamports: rent)))
        }
    }

    /// A PumpSwap swap as the pool program runs it: the user's limit (the most to pay, the least
    /// to take) against the pool now, then funds or tokens.
    private mutating func executePoolSwap(_ tx: Transaction, mint m: MintID, side: TradeSide, base: UInt64, limit: UInt64, into events: inout [LedgerEvent]) {
        func fail(_ r: RejectReason) { events.append(.tradeFailed(TradeFailed(txID: tx.id, wallet: tx.payer, mint: m, side: side, reason: r))) }
        guard Int(m) < mints.count else { return fail(.tokenNotTradable) }
        let mint = mints[Int(m)]
        guard mint.status == .migrated else { return fail(.tokenNotTradable) }
        if side == .sell, balance(of: tx.payer, mint: m) < base { return fail(.insufficientTokens) }
        let q: PoolSwap
        do { q = try mint.quotePool(side: side, base: base) } catch { return fail(.insufficientLiquidity) }
        let rent = side == .buy && !tokenAccountOpen[Int(m)][Int(tx.payer)] ? config.tokenAccountRentLamports : 0
        switch side {
        case .buy:
            guard q.userQuote <= limit else { return fail(.exceededSlippage) }
            guard UInt128(q.userQuote) + UInt128(rent) <= UInt128(lamports[Int(tx.payer)]) else { return fail(.insufficientFunds) }
        case .sell:
            guard q.userQuote >= limit else { return fail(.exceededSlippage) }
        }
        events.append(.poolTradeExecuted(PoolTradeExecuted(txID: tx.id, wallet: tx.payer, mint: m, side: side, base: q.base, rawQuote: q.rawQuote,
                                                           lpFee: q.lpFee, protocolFee: q.protocolFee, creatorFee: q.creatorFee, rentLamports: rent)))
    }

    /// Most input accounts one compressed transaction spends (Light's transfer takes a handful).
    public static let maxCompressedInputs = CompressedInputs.capacity

    /// The payer's oldest unspent compressed accounts that cover `amount` (at most
    /// `maxCompressedInputs`), and the change; nil if they do not.
    func selectInputs(_ owner: AccountID, _ m: MintID, _ amount: UInt64) -> (CompressedInputs, UInt64)? {
        guard amount > 0 else { return nil }
        var inputs = CompressedInputs()
        var sum: UInt64 = 0
        for leaf in compressed.unspentLeaves(of: owner, mint: m).prefix(Chain.maxCompressedInputs) {
            inputs.append(leaf)
            sum += compressed.accounts[Int(leaf)].amount
            if sum >= amount { return (inputs, sum - amount) }
        }
        return nil
    }

    /// The mint exists on chain (created; its tokens may move even after migration).
    func tokensExist(_ m: MintID) -> Bool { Int(m) < mints.count && mints[Int(m)].status != .pending }

    private mutating func fail(_ tx: Transaction, _ m: MintID, _ reason: RejectReason, _ events: inout [LedgerEvent]) {
        events.append(.tokenInstructionFailed(TokenInstructionFailed(txID: tx.id, payer: tx.payer, mint: m, reason: reason)))
    }

    private mutating func executeAirdrop(_ tx: Transaction, mint m: MintID, first: AccountID, count: UInt32, amount: UInt64, into events: inout [LedgerEvent]) {
        guard tokensExist(m) else { return fail(tx, m, .tokenNotTradable, &events) }
        guard Int(first) + Int(count) <= lamports.count else { return fail(tx, m, .overflow, &events) }
        guard UInt128(count) * UInt128(amount) <= UInt128(balance(of: tx.payer, mint: m)) else { return fail(tx, m, .insufficientTokens, &events) }
        var opened: UInt64 = 0
        for r in first..<(first + count) where !tokenAccountOpen[Int(m)][Int(r)] { opened += 1 }
        let rent = opened * config.tokenAccountRentLamports
        guard rent <= lamports[Int(tx.payer)] else { return fail(tx, m, .insufficientFunds, &events) }
        events.append(.tokensAirdropped(TokensAirdropped(txID: tx.id, payer: tx.payer, mint: m, firstRecipient: first, count: count,
                                                         amount: amount, rentLamports: rent)))
    }

    private mutating func executeCreate(_ tx: Transaction, mint: MintID, initialBuyLamports: UInt64, into events: inout [LedgerEvent]) {
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

    private mutating func executeTrade(_ tx: Transaction, mint m: MintID, side: TradeSide, into events: inout [LedgerEvent],
                              quote: (AnyCurve) throws(CurveError) -> TradeQuote) {
        if let reason = tradeRejection(tx, mint: m, side: side, quote: quote, into: &events) {
            events.append(.tradeFailed(TradeFailed(txID: tx.id, wallet: tx.payer, mint: m, side: side, reason: reason)))
        }
    }

    /// Appends the trade's events, or returns why the program refuses it.
    private mutating func tradeRejection(_ tx: Transaction, mint m: MintID, side: TradeSide,
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

    private mutating func appendTrade(_ q: TradeQuote, tx: Transaction, mint m: MintID, into events: inout [LedgerEvent]) {
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
