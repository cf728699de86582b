import SimCore
import Curves
import Ledger
import Rewards
import Engine

/// A submitted transaction remembered for the rest of its block, so that its landing costs a flag.
struct RingEntry {
    var id: TxID = .max
    var payer: AccountID = 0
    var signatures: UInt8 = 0
    var computeUnits: UInt32 = 0
    var priority: UInt64 = 0
}

/// What a block remembers while encoding or decoding. It starts afresh in every block (from the
/// curve states in the block header), so every frame decodes on its own; seeking needs that.
struct CodecContext {
    var tick: Tick
    var txID: TxID = 0
    var wallet: AccountID = 0
    /// Curve state per mint, advanced by every executed trade.
    var curves: [CurveState]
    var ring = [RingEntry](repeating: RingEntry(), count: CodecContext.ringSize)
    static let ringSize = 1_024

    init(firstTick: Tick, curves: [CurveState]) {
        tick = firstTick
        self.curves = curves
    }

    /// What an event makes current (the same rule on both sides).
    @inline(__always) mutating func observe(_ e: Event) {
        switch e {
        case .ledger(.txSubmitted(let t)):
            txID = t.id; wallet = t.payer
            ring[Int(t.id & UInt64(Self.ringSize - 1))] = RingEntry(id: t.id, payer: t.payer, signatures: t.signatures,
                                                                  computeUnits: t.computeUnits, priority: t.priorityMicroLamportsPerCU)
        case .ledger(.txIncluded(let t)): txID = t.txID; wallet = t.payer
        case .ledger(.tradeExecuted(let t)):
            txID = t.txID; wallet = t.wallet
            if Int(t.mint) < curves.count {
                let s = curves[Int(t.mint)]
                if let next = t.side == .buy ? try? s.afterBuy(tokens: t.tokens, curveSol: t.curveSol)
                                            : try? s.afterSell(tokens: t.tokens, curveSol: t.curveSol) {
                    curves[Int(t.mint)] = next
                }
            }
        case .ledger(.tradeFailed(let t)): txID = t.txID; wallet = t.wallet
        case .ledger(.poolTradeExecuted(let t)): txID = t.txID; wallet = t.wallet
        case .rewards(.pointsAwarded(let p)): wallet = p.user
        default: break
        }
    }

    /// The remembered submission of `id`, if it is in this block's ring.
    @inline(__always) func submitted(_ id: TxID) -> RingEntry? {
        let e = ring[Int(id & UInt64(Self.ringSize - 1))]
        return e.id == id ? e : nil
    }
}

/// Record tags. Event tags are stable: they are the trace format.
enum Tag: UInt8 {
    case txSubmitted = 1, txDropped, txIncluded, txExpired, tokenCreated, createFailed
    case tradeBuy, tradeSell, tradeFailed, curveCompleted, curveMigrated, transfer
    case pointsAwarded, tierChanged, rewardsClaimed
    case launchRequested, launchRejected, environmentCreated, tradingOpened, tradeRejected, claimFailed
    case chatPosted, virtualJoined, virtualTradeExecuted, virtualTradeRejected, slotEnded
    case tokensAirdropped, compressedTokensMoved, tokenInstructionFailed
    case inputReceived
    /// Format 3: swaps on a migrated token's pool.
    case poolTradeExecuted
    /// Format 3: multisig proposals.
    case proposalCreated, proposalApproved, proposalExecuted, proposalExpired, proposalRefused
    /// Format 3: bundles and their tips.
    case bundleSubmitted, bundleLanded, bundleDropped, tipPaid
    /// A checkpoint record (not an event).
    case checkpoint = 0xF0
}

/// A block's fields, one stream per kind: zstd finds far more repetition in a column of tags or
/// of fees than in interleaved records.
struct Columns {
    var tags, ticks, ids, accounts, small, tokens, lamports, fees, misc, checkpoints: ByteWriter
    static let count = 10

    init(capacity: Int) {
        tags = ByteWriter(capacity: capacity / 8); ticks = ByteWriter(capacity: capacity / 8)
        ids = ByteWriter(capacity: capacity / 8); accounts = ByteWriter(capacity: capacity / 4)
        small = ByteWriter(capacity: capacity / 4); tokens = ByteWriter(capacity: capacity / 4)
        lamports = ByteWriter(capacity: capacity / 4); fees = ByteWriter(capacity: capacity / 4)
        misc = ByteWriter(capacity: capacity / 4); checkpoints = ByteWriter(capacity: 1_024)
    }

    var all: [ByteWriter] { [tags, ticks, ids, accounts, small, tokens, lamports, fees, misc, checkpoints] }
    var byteCount: Int {
        tags.count + ticks.count + ids.count + accounts.count + small.count + tokens.count + lamports.count + fees.count
            + misc.count + checkpoints.count
    }

    /// Room for one more record in every stream.
    @inline(__always) mutating func reserve() {
        tags.reserve(48); ticks.reserve(48); ids.reserve(48); accounts.reserve(48); small.reserve(48)
        tokens.reserve(48); lamports.reserve(48); fees.reserve(48); misc.reserve(48); checkpoints.reserve(64)
    }

    mutating func clear() {
        tags.clear(); ticks.clear(); ids.clear(); accounts.clear(); small.clear()
        tokens.clear(); lamports.clear(); fees.clear(); misc.clear(); checkpoints.clear()
    }

    func release() { for w in all { w.release() } }
}

/// Reads the streams of one block.
struct ColumnReader {
    var tags, ticks, ids, accounts, small, tokens, lamports, fees, misc, checkpoints: ByteReader

    /// Splits `bytes[offset...]` by the stream lengths that precede the streams.
    init(_ bytes: [UInt8], lengthsAt r: inout ByteReader) throws(ByteReader.Malformed) {
        var lengths: [Int] = []
        for _ in 0..<Columns.count {
            let n = try r.varint()
            guard n <= UInt64(bytes.count) else { throw .init(offset: r.offset, what: "stream longer than the block") }
            lengths.append(Int(n))
        }
        var at = r.offset
        var readers: [ByteReader] = []
        for n in lengths {
            guard at + n <= bytes.count else { throw .init(offset: at, what: "stream runs past the block") }
            readers.append(ByteReader(bytes, offset: at, end: at + n))
            at += n
        }
        guard at == bytes.count else { throw .init(offset: at, what: "bytes after the last stream") }
        (tags, ticks, ids, accounts, small, tokens, lamports, fees, misc, checkpoints) =
            (readers[0], readers[1], readers[2], readers[3], readers[4], readers[5], readers[6], readers[7], readers[8], readers[9])
    }
}

/// The event encoding: a tag, the tick as a delta, then each field in its stream. Fields the
/// codec can derive exactly (fees from the curve amount, a trade's second amount from the
/// pump.fun formulas, a landed transaction's fee from its submission, accruals from points)
/// cost a flag bit; the encoder checks each derivation, so decoding is always exact.
enum EventCodec {
    /// A trade record's flag byte: what was left out because the decoder derives it.
    struct TradeFlags: OptionSet {
        let rawValue: UInt8
        /// The transaction and wallet are the context's current ones.
        static let sameTx = TradeFlags(rawValue: 1)
        /// Rent for a new token account follows.
        static let hasRent = TradeFlags(rawValue: 2)
        /// Both fees are the mint's fee rule applied to the curve amount.
        static let feesDerived = TradeFlags(rawValue: 4)
        /// Only the curve SOL is stored: the tokens follow from pump.fun's buy_exact_sol_in formula.
        static let storeCurveSol = TradeFlags(rawValue: 8)
        /// Only the tokens are stored: the curve SOL follows from pump.fun's exact-token buy or sell formula.
        static let storeTokens = TradeFlags(rawValue: 16)
    }

    /// A landing's flag byte.
    struct InclusionFlags: OptionSet {
        let rawValue: UInt8
        static let sameTx = InclusionFlags(rawValue: 1)
        /// Fee and compute units are the submission's (base fee per signature plus priority fee).
        static let feeDerived = InclusionFlags(rawValue: 2)
    }

    /// A points award's flag byte; the award's action is in the bits above these.
    struct PointsFlags: OptionSet {
        let rawValue: UInt8
        static let sameUser = PointsFlags(rawValue: 1)
        /// Accrued lamports are points × lamports per point.
        static let accruedDerived = PointsFlags(rawValue: 2)
        static let actionShift: UInt8 = 2
    }

    /// A failed trade's flag byte.
    struct FailureFlags: OptionSet {
        let rawValue: UInt8
        static let sameTx = FailureFlags(rawValue: 1)
    }

    /// The curve SOL of a pump.fun exact-token buy or a sell of `t` tokens, or nil.
    @inline(__always) static func curveSolFor(tokens t: UInt64, side: TradeSide, _ s: CurveState) -> UInt64? {
        side == .buy ? PumpFunMath.buyCost(tokens: t, s) : PumpFunMath.sellProceeds(tokens: t, s)
    }

    static func encode(_ r: EventRecord, into w: inout Columns, context c: inout CodecContext, params p: CodecParams) {
        func head(_ t: Tag) {
            w.tags.u8(t.rawValue)
            w.ticks.varint(r.tick &- c.tick)
        }
        func txAndWallet(_ tx: TxID, _ wallet: AccountID) {
            w.ids.delta(tx, from: c.txID)
            w.accounts.varint(wallet)
        }
        switch r.event {
        case .ledger(let l):
            switch l {
            case .txSubmitted(let t):
                head(.txSubmitted)
                txAndWallet(t.id, t.payer)
                w.small.u8(t.signatures)
                w.misc.varint(t.computeUnits)
                w.misc.varint(t.priorityMicroLamportsPerCU)
                w.misc.varint(r.tick &- t.submittedTick)
                w.small.u8(t.instruction.kind.rawValue)
                switch t.instruction {
                case .create(let m, let l): w.small.varint(m); w.lamports.varint(l)
                case .buyExactSolIn(let m, let s, let o): w.small.varint(m); w.lamports.varint(s); w.tokens.varint(o)
                case .buyExactTokens(let m, let t, let s): w.small.varint(m); w.tokens.varint(t); w.lamports.varint(s)
                case .sell(let m, let t, let s): w.small.varint(m); w.tokens.varint(t); w.lamports.varint(s)
                case .claimRewards: break
                case .airdrop(let m, let f, let n, let a): w.small.varint(m); w.accounts.varint(f); w.misc.varint(n); w.tokens.varint(a)
                case .compressedAirdrop(let m, let f, let n, let a): w.small.varint(m); w.accounts.varint(f); w.misc.varint(n); w.tokens.varint(a)
                case .compressedTransfer(let m, let to, let a): w.small.varint(m); w.accounts.varint(to); w.tokens.varint(a)
                case .compress(let m, let a): w.small.varint(m); w.tokens.varint(a)
                case .decompress(let m, let a): w.small.varint(m); w.tokens.varint(a)
                case .poolBuy(let m, let b, let q), .poolSell(let m, let b, let q): w.small.varint(m); w.tokens.varint(b); w.lamports.varint(q)
                }
            case .txDropped(let d):
                head(.txDropped); txAndWallet(d.txID, d.payer); w.small.varint(d.mint.map { UInt64($0.rawValue) + 1 } ?? 0); w.small.u8(d.reason.rawValue)
            case .txIncluded(let i):
                head(.txIncluded)
                var flags: InclusionFlags = []
                let same = i.txID == c.txID && i.payer == c.wallet
                if same { flags.insert(.sameTx) }
                if let s = c.submitted(i.txID), s.payer == i.payer, s.computeUnits == i.computeUnits, i.feeLamports == p.fee(of: s) {
                    flags.insert(.feeDerived)
                }
                w.small.u8(flags.rawValue)
                if !same { txAndWallet(i.txID, i.payer) }
                if !flags.contains(.feeDerived) { w.fees.varint(i.feeLamports); w.misc.varint(i.computeUnits) }
            case .txExpired(let x):
                head(.txExpired); txAndWallet(x.txID, x.payer); w.small.varint(x.mint.map { UInt64($0.rawValue) + 1 } ?? 0)
            case .tokenCreated(let t):
                head(.tokenCreated); w.small.varint(t.mint); w.accounts.varint(t.creator)
            case .createFailed(let f):
                head(.createFailed); txAndWallet(f.txID, f.creator); w.small.varint(f.mint); w.small.u8(f.reason.rawValue)
            case .tradeExecuted(let t):
                head(t.side == .buy ? .tradeBuy : .tradeSell)
                encodeTrade(t, into: &w, context: c, params: p)
            case .tradeFailed(let f):
                head(.tradeFailed)
                let same = f.txID == c.txID && f.wallet == c.wallet
                w.small.u8(same ? 1 : 0)
                if !same { txAndWallet(f.txID, f.wallet) }
                w.small.varint(f.mint); w.small.u8(f.side.rawValue); w.small.u8(f.reason.rawValue)
            case .curveCompleted(let x):
                head(.curveCompleted); w.small.varint(x.mint)
            case .curveMigrated(let m):
                head(.curveMigrated); w.small.varint(m.mint); w.tokens.varint(m.baseTokens); w.lamports.varint(m.quoteLamports); w.fees.varint(m.migrationFeeLamports)
            case .transfer(let t):
                head(.transfer); w.accounts.varint(t.from); w.accounts.varint(t.to); w.lamports.varint(t.lamports)
            case .tokensAirdropped(let a):
                head(.tokensAirdropped); txAndWallet(a.txID, a.payer); w.small.varint(a.mint); w.accounts.varint(a.firstRecipient)
                w.misc.varint(a.count); w.tokens.varint(a.amount); w.lamports.varint(a.rentLamports)
            case .compressedTokensMoved(let x):
                head(.compressedTokensMoved); txAndWallet(x.txID, x.payer); w.small.varint(x.mint)
                w.misc.varint(x.inputs.count)
                for leaf in x.inputs { w.misc.varint(leaf) }
                w.tokens.varint(x.fromStandard); w.tokens.varint(x.toStandard)
                w.accounts.varint(x.firstRecipient); w.misc.varint(x.recipients); w.tokens.varint(x.amount); w.tokens.varint(x.change)
                w.misc.varint(x.firstLeaf); w.lamports.varint(x.rentLamports)
            case .tokenInstructionFailed(let f):
                head(.tokenInstructionFailed); txAndWallet(f.txID, f.payer); w.small.varint(f.mint); w.small.u8(f.reason.rawValue)
            case .tipPaid(let x):
                head(.tipPaid); w.accounts.varint(x.payer); w.fees.varint(x.lamports)
            case .poolTradeExecuted(let x):
                head(.poolTradeExecuted); txAndWallet(x.txID, x.wallet); w.small.varint(x.mint); w.small.u8(x.side.rawValue)
                w.tokens.varint(x.base); w.lamports.varint(x.rawQuote); w.fees.varint(x.lpFee); w.fees.varint(x.protocolFee); w.fees.varint(x.creatorFee)
                w.lamports.varint(x.rentLamports)
            }
        case .rewards(let rw):
            switch rw {
            case .pointsAwarded(let a):
                head(.pointsAwarded)
                var flags = PointsFlags(rawValue: a.action.rawValue << PointsFlags.actionShift)
                if a.user == c.wallet { flags.insert(.sameUser) }
                let (accrued, o) = a.points.multipliedReportingOverflow(by: p.lamportsPerPoint)
                if !o && accrued == a.accruedLamports { flags.insert(.accruedDerived) }
                w.small.u8(flags.rawValue)
                if !flags.contains(.sameUser) { w.accounts.varint(a.user) }
                w.misc.varint(a.points)
                if !flags.contains(.accruedDerived) { w.fees.varint(a.accruedLamports) }
            case .tierChanged(let t):
                head(.tierChanged); w.accounts.varint(t.user); w.small.u8(t.from); w.small.u8(t.to)
            case .rewardsClaimed(let x):
                head(.rewardsClaimed); w.accounts.varint(x.user); w.lamports.varint(x.lamports)
            }
        case .launchRequested(let x): head(.launchRequested); w.small.varint(x.mint); w.accounts.varint(x.creator)
        case .launchRejected(let x): head(.launchRejected); w.small.varint(x.mint); w.accounts.varint(x.creator); w.small.u8(x.reason.rawValue)
        case .environmentCreated(let x): head(.environmentCreated); w.small.varint(x.environment); w.small.varint(x.mint); w.lamports.varint(x.playLamports)
        case .tradingOpened(let x): head(.tradingOpened); w.small.varint(x.mint)
        case .tradeRejected(let x):
            head(.tradeRejected); w.accounts.varint(x.wallet); w.small.varint(x.mint); w.small.u8(x.side.rawValue); w.small.u8(x.reason.rawValue)
        case .claimFailed(let x): head(.claimFailed); w.accounts.varint(x.wallet); w.small.u8(x.reason.rawValue)
        case .chatPosted(let x): head(.chatPosted); w.accounts.varint(x.wallet); w.small.varint(x.mint); w.misc.varint(x.bytes)
        case .virtualJoined(let x): head(.virtualJoined); w.small.varint(x.environment); w.accounts.varint(x.wallet); w.lamports.varint(x.playLamports)
        case .virtualTradeExecuted(let x):
            head(.virtualTradeExecuted); w.small.varint(x.environment); w.accounts.varint(x.wallet); w.small.u8(x.side.rawValue)
            w.tokens.varint(x.tokens); w.lamports.varint(x.curveSol); w.fees.varint(x.protocolFee); w.fees.varint(x.creatorFee)
        case .virtualTradeRejected(let x):
            head(.virtualTradeRejected); w.small.varint(x.environment); w.accounts.varint(x.wallet); w.small.u8(x.side.rawValue); w.small.u8(x.reason.rawValue)
        case .slotEnded(let x): head(.slotEnded); w.misc.varint(x.transactions); w.misc.varint(x.computeUnits); w.misc.varint(x.pending)
        case .inputReceived(let x):
            head(.inputReceived); w.small.u8(x.source.rawValue); w.small.u8(x.command.kind.rawValue)
            for f in x.command.fields { w.misc.varint(f) }
        case .proposalCreated(let x):
            head(.proposalCreated); w.small.varint(x.multisig); w.misc.varint(x.proposal); w.accounts.varint(x.proposer)
            switch x.action {
            case .launch(let m): w.small.u8(0); w.small.varint(m)
            case .withdraw(let to, let l): w.small.u8(1); w.accounts.varint(to); w.lamports.varint(l)
            }
            w.misc.varint(x.expiresTick &- r.tick)
        case .proposalApproved(let x): head(.proposalApproved); w.small.varint(x.multisig); w.misc.varint(x.proposal); w.accounts.varint(x.signer)
        case .proposalExecuted(let x): head(.proposalExecuted); w.small.varint(x.multisig); w.misc.varint(x.proposal)
        case .proposalExpired(let x): head(.proposalExpired); w.small.varint(x.multisig); w.misc.varint(x.proposal)
        case .bundleSubmitted(let x):
            head(.bundleSubmitted); w.misc.varint(x.bundle); w.accounts.varint(x.payer); w.ids.delta(x.firstTx, from: c.txID); w.small.u8(x.count); w.fees.varint(x.tipLamports)
        case .bundleLanded(let x): head(.bundleLanded); w.misc.varint(x.bundle)
        case .bundleDropped(let x): head(.bundleDropped); w.misc.varint(x.bundle); w.small.u8(x.reason.rawValue); w.small.u8(x.failedIndex)
        case .proposalRefused(let x):
            head(.proposalRefused); w.small.varint(x.multisig); w.misc.varint(x.proposal); w.accounts.varint(x.wallet); w.small.u8(x.reason.rawValue)
        }
        c.tick = r.tick
        c.observe(r.event)
    }

    private static func encodeTrade(_ t: TradeExecuted, into w: inout Columns, context c: CodecContext, params p: CodecParams) {
        var flags: TradeFlags = []
        let same = t.txID == c.txID && t.wallet == c.wallet
        if same { flags.insert(.sameTx) }
        if t.rentLamports > 0 { flags.insert(.hasRent) }
        let m = Int(t.mint)
        if m < p.mints.count {
            let mp = p.mints[m]
            if t.protocolFee == mp.rounding.fee(t.curveSol, bps: mp.protocolBps) && t.creatorFee == mp.rounding.fee(t.curveSol, bps: mp.creatorBps) {
                flags.insert(.feesDerived)
            }
            if mp.pumpFun && m < c.curves.count {
                let s = c.curves[m]
                if t.side == .buy, PumpFunMath.tokensOut(curveInput: t.curveSol, s) == t.tokens {
                    flags.insert(.storeCurveSol)
                } else if curveSolFor(tokens: t.tokens, side: t.side, s) == t.curveSol {
                    flags.insert(.storeTokens)
                }
            }
        }
        w.small.u8(flags.rawValue)
        if !same { w.ids.delta(t.txID, from: c.txID); w.accounts.varint(t.wallet) }
        w.small.varint(t.mint)
        if !flags.contains(.storeTokens) { w.lamports.varint(t.curveSol) }
        if !flags.contains(.storeCurveSol) { w.tokens.varint(t.tokens) }
        if !flags.contains(.feesDerived) { w.fees.varint(t.protocolFee); w.fees.varint(t.creatorFee) }
        if flags.contains(.hasRent) { w.fees.varint(t.rentLamports) }
    }

    /// Decodes one event record whose tag has been read.
    static func decode(tag raw: UInt8, seq: UInt64, from r: inout ColumnReader, context c: inout CodecContext,
                       params p: CodecParams) throws(ByteReader.Malformed) -> EventRecord {
        guard let tag = Tag(rawValue: raw), tag != .checkpoint else { throw .init(offset: r.tags.offset - 1, what: "unknown record tag \(raw)") }
        let tick = c.tick &+ (try r.ticks.varint())
        func reason() throws(ByteReader.Malformed) -> RejectReason {
            let v = try r.small.u8()
            guard let reason = RejectReason(rawValue: v) else { throw .init(offset: r.small.offset - 1, what: "unknown reason \(v)") }
            return reason
        }
        func side() throws(ByteReader.Malformed) -> TradeSide {
            let v = try r.small.u8()
            guard let s = TradeSide(rawValue: v) else { throw .init(offset: r.small.offset - 1, what: "unknown side \(v)") }
            return s
        }
        func mint() throws(ByteReader.Malformed) -> MintID { try r.small.mint() }
        func optionalMint() throws(ByteReader.Malformed) -> MintID? {
            let v = try r.small.varint()
            return v == 0 ? nil : MintID(rawValue: UInt32(truncatingIfNeeded: v - 1))
        }
        func txAndWallet() throws(ByteReader.Malformed) -> (TxID, AccountID) { (try r.ids.delta(from: c.txID), try r.accounts.account()) }
        let e: Event
        switch tag {
        case .txSubmitted:
            let (id, payer) = try txAndWallet()
            let sigs = try r.small.u8()
            let cu = try r.misc.varint32()
            let priority = try r.misc.varint()
            let submitted = tick &- (try r.misc.varint())
            let raw = try r.small.u8()
            guard let kind = Instruction.Kind(rawValue: raw) else { throw .init(offset: r.small.offset - 1, what: "unknown instruction \(raw)") }
            let ins: Instruction
            switch kind {
            case .create: ins = .create(mint: try mint(), initialBuyLamports: try r.lamports.varint())
            case .buyExactSolIn: ins = .buyExactSolIn(mint: try mint(), spendableLamports: try r.lamports.varint(), minTokensOut: try r.tokens.varint())
            case .buyExactTokens: ins = .buyExactTokens(mint: try mint(), tokens: try r.tokens.varint(), maxSolCostLamports: try r.lamports.varint())
            case .sell: ins = .sell(mint: try mint(), tokens: try r.tokens.varint(), minSolOutLamports: try r.lamports.varint())
            case .claimRewards: ins = .claimRewards
            case .airdrop: ins = .airdrop(mint: try mint(), firstRecipient: try r.accounts.account(), count: try r.misc.varint32(), amount: try r.tokens.varint())
            case .compressedAirdrop: ins = .compressedAirdrop(mint: try mint(), firstRecipient: try r.accounts.account(), count: try r.misc.varint32(), amount: try r.tokens.varint())
            case .compressedTransfer: ins = .compressedTransfer(mint: try mint(), to: try r.accounts.account(), amount: try r.tokens.varint())
            case .compress: ins = .compress(mint: try mint(), amount: try r.tokens.varint())
            case .decompress: ins = .decompress(mint: try mint(), amount: try r.tokens.varint())
            case .poolBuy: ins = .poolBuy(mint: try mint(), baseOut: try r.tokens.varint(), maxQuoteInLamports: try r.lamports.varint())
            case .poolSell: ins = .poolSell(mint: try mint(), baseIn: try r.tokens.varint(), minQuoteOutLamports: try r.lamports.varint())
            }
            e = .ledger(.txSubmitted(Transaction(id: id, payer: payer, signatures: sigs, computeUnits: cu,
                                                 priorityMicroLamportsPerCU: priority, submittedTick: submitted, instruction: ins)))
        case .txDropped:
            let (id, payer) = try txAndWallet()
            e = .ledger(.txDropped(TxDropped(txID: id, payer: payer, mint: try optionalMint(), reason: try reason())))
        case .txIncluded:
            let flags = InclusionFlags(rawValue: try r.small.u8())
            let (tx, payer) = flags.contains(.sameTx) ? (c.txID, c.wallet) : try txAndWallet()
            let fee: UInt64, cu: UInt32
            if flags.contains(.feeDerived) {
                guard let s = c.submitted(tx) else { throw .init(offset: r.small.offset - 1, what: "derived fee without its submission") }
                fee = p.fee(of: s)
                cu = s.computeUnits
            } else {
                fee = try r.fees.varint()
                cu = try r.misc.varint32()
            }
            e = .ledger(.txIncluded(TxIncluded(txID: tx, payer: payer, feeLamports: fee, computeUnits: cu)))
        case .txExpired:
            let (id, payer) = try txAndWallet()
            e = .ledger(.txExpired(TxExpired(txID: id, payer: payer, mint: try optionalMint())))
        case .tokenCreated:
            e = .ledger(.tokenCreated(TokenCreated(mint: try mint(), creator: try r.accounts.account())))
        case .createFailed:
            let (id, creator) = try txAndWallet()
            e = .ledger(.createFailed(CreateFailed(txID: id, mint: try mint(), creator: creator, reason: try reason())))
        case .tradeBuy, .tradeSell:
            e = .ledger(.tradeExecuted(try decodeTrade(side: tag == .tradeBuy ? .buy : .sell, from: &r, context: c, params: p)))
        case .tradeFailed:
            let flags = FailureFlags(rawValue: try r.small.u8())
            let (tx, wallet) = flags.contains(.sameTx) ? (c.txID, c.wallet) : try txAndWallet()
            e = .ledger(.tradeFailed(TradeFailed(txID: tx, wallet: wallet, mint: try mint(), side: try side(), reason: try reason())))
        case .curveCompleted:
            e = .ledger(.curveCompleted(CurveCompleted(mint: try mint())))
        case .curveMigrated:
            e = .ledger(.curveMigrated(CurveMigrated(mint: try mint(), baseTokens: try r.tokens.varint(), quoteLamports: try r.lamports.varint(),
                                                     migrationFeeLamports: try r.fees.varint())))
        case .transfer:
            e = .ledger(.transfer(Transfer(from: try r.accounts.account(), to: try r.accounts.account(), lamports: try r.lamports.varint())))
        case .tokensAirdropped:
            let (id, payer) = try txAndWallet()
            e = .ledger(.tokensAirdropped(TokensAirdropped(txID: id, payer: payer, mint: try mint(), firstRecipient: try r.accounts.account(),
                                                           count: try r.misc.varint32(), amount: try r.tokens.varint(), rentLamports: try r.lamports.varint())))
        case .compressedTokensMoved:
            let (id, payer) = try txAndWallet()
            let m = try mint()
            let n = try r.misc.varint()
            guard n <= CompressedInputs.capacity else {
                throw .init(offset: r.misc.offset, what: "\(n) inputs in one compressed move; at most \(CompressedInputs.capacity)")
            }
            var inputs = CompressedInputs()
            for _ in 0..<n { inputs.append(try r.misc.varint32()) }
            let from = try r.tokens.varint(), to = try r.tokens.varint()
            let first = try r.accounts.account(), recipients = try r.misc.varint32(), amount = try r.tokens.varint(), change = try r.tokens.varint()
            e = .ledger(.compressedTokensMoved(CompressedTokensMoved(txID: id, payer: payer, mint: m, inputs: inputs, fromStandard: from, toStandard: to,
                                                                     firstRecipient: first, recipients: recipients, amount: amount, change: change,
                                                                     firstLeaf: try r.misc.varint32(), rentLamports: try r.lamports.varint())))
        case .tokenInstructionFailed:
            let (id, payer) = try txAndWallet()
            e = .ledger(.tokenInstructionFailed(TokenInstructionFailed(txID: id, payer: payer, mint: try mint(), reason: try reason())))
        case .poolTradeExecuted:
            let (id, wallet) = try txAndWallet()
            let m = try mint()
            guard let side = TradeSide(rawValue: try r.small.u8()) else { throw .init(offset: r.small.offset - 1, what: "unknown trade side") }
            e = .ledger(.poolTradeExecuted(PoolTradeExecuted(txID: id, wallet: wallet, mint: m, side: side, base: try r.tokens.varint(),
                                                             rawQuote: try r.lamports.varint(), lpFee: try r.fees.varint(), protocolFee: try r.fees.varint(),
                                                             creatorFee: try r.fees.varint(), rentLamports: try r.lamports.varint())))
        case .pointsAwarded:
            let flags = PointsFlags(rawValue: try r.small.u8())
            guard let action = RewardAction(rawValue: flags.rawValue >> PointsFlags.actionShift) else { throw .init(offset: r.small.offset - 1, what: "unknown reward action") }
            let user = flags.contains(.sameUser) ? c.wallet : try r.accounts.account()
            let points = try r.misc.varint()
            let accrued = flags.contains(.accruedDerived) ? points &* p.lamportsPerPoint : try r.fees.varint()
            e = .rewards(.pointsAwarded(PointsAwarded(user: user, action: action, points: points, accruedLamports: accrued)))
        case .tierChanged:
            e = .rewards(.tierChanged(TierChanged(user: try r.accounts.account(), from: try r.small.u8(), to: try r.small.u8())))
        case .rewardsClaimed:
            e = .rewards(.rewardsClaimed(RewardsClaimed(user: try r.accounts.account(), lamports: try r.lamports.varint())))
        case .launchRequested: e = .launchRequested(LaunchRequested(mint: try mint(), creator: try r.accounts.account()))
        case .launchRejected: e = .launchRejected(LaunchRejected(mint: try mint(), creator: try r.accounts.account(), reason: try reason()))
        case .environmentCreated:
            e = .environmentCreated(EnvironmentCreated(environment: try r.small.varint32(), mint: try mint(), playLamports: try r.lamports.varint()))
        case .tradingOpened: e = .tradingOpened(TradingOpened(mint: try mint()))
        case .tradeRejected:
            e = .tradeRejected(TradeRejected(wallet: try r.accounts.account(), mint: try mint(), side: try side(), reason: try reason()))
        case .claimFailed: e = .claimFailed(ClaimFailed(wallet: try r.accounts.account(), reason: try reason()))
        case .chatPosted: e = .chatPosted(ChatPosted(wallet: try r.accounts.account(), mint: try mint(), bytes: try r.misc.varint32()))
        case .virtualJoined:
            e = .virtualJoined(VirtualJoined(environment: try r.small.varint32(), wallet: try r.accounts.account(), playLamports: try r.lamports.varint()))
        case .virtualTradeExecuted:
            e = .virtualTradeExecuted(VirtualTradeExecuted(environment: try r.small.varint32(), wallet: try r.accounts.account(), side: try side(),
                                                           tokens: try r.tokens.varint(), curveSol: try r.lamports.varint(),
                                                           protocolFee: try r.fees.varint(), creatorFee: try r.fees.varint()))
        case .virtualTradeRejected:
            e = .virtualTradeRejected(VirtualTradeRejected(environment: try r.small.varint32(), wallet: try r.accounts.account(), side: try side(), reason: try reason()))
        case .slotEnded:
            e = .slotEnded(SlotEnded(transactions: try r.misc.varint32(), computeUnits: try r.misc.varint(), pending: try r.misc.varint32()))
        case .inputReceived:
            guard let source = InputReceived.Source(rawValue: try r.small.u8()) else { throw .init(offset: r.small.offset - 1, what: "unknown input source") }
            guard let kind = Command.Kind(rawValue: try r.small.u8()) else { throw .init(offset: r.small.offset - 1, what: "unknown command kind") }
            var fields: [UInt64] = []
            for _ in 0..<kind.fieldCount { fields.append(try r.misc.varint()) }
            guard let command = Command(kind: kind, fields: fields) else { throw .init(offset: r.misc.offset, what: "a \(kind) command whose fields do not fit") }
            e = .inputReceived(InputReceived(source: source, command: command))
        case .proposalCreated:
            let g = try r.small.varint32(), n = try r.misc.varint32(), proposer = try r.accounts.account()
            let action: ProposalAction
            switch try r.small.u8() {
            case 0: action = .launch(mint: try mint())
            case 1: action = .withdraw(to: try r.accounts.account(), lamports: try r.lamports.varint())
            case let k: throw .init(offset: r.small.offset - 1, what: "unknown proposal action \(k)")
            }
            e = .proposalCreated(ProposalCreated(multisig: g, proposal: n, proposer: proposer, action: action, expiresTick: tick &+ (try r.misc.varint())))
        case .proposalApproved:
            e = .proposalApproved(ProposalApproved(multisig: try r.small.varint32(), proposal: try r.misc.varint32(), signer: try r.accounts.account()))
        case .proposalExecuted:
            e = .proposalExecuted(ProposalExecuted(multisig: try r.small.varint32(), proposal: try r.misc.varint32()))
        case .proposalExpired:
            e = .proposalExpired(ProposalExpired(multisig: try r.small.varint32(), proposal: try r.misc.varint32()))
        case .tipPaid:
            e = .ledger(.tipPaid(TipPaid(payer: try r.accounts.account(), lamports: try r.fees.varint())))
        case .bundleSubmitted:
            let b = try r.misc.varint32(), payer = try r.accounts.account()
            let first = try r.ids.delta(from: c.txID)
            e = .bundleSubmitted(BundleSubmitted(bundle: b, payer: payer, firstTx: first, count: try r.small.u8(), tipLamports: try r.fees.varint()))
        case .bundleLanded:
            e = .bundleLanded(BundleLanded(bundle: try r.misc.varint32()))
        case .bundleDropped:
            let b = try r.misc.varint32()
            guard let reason = BundleDropped.Reason(rawValue: try r.small.u8()) else { throw .init(offset: r.small.offset - 1, what: "unknown bundle drop reason") }
            e = .bundleDropped(BundleDropped(bundle: b, reason: reason, failedIndex: try r.small.u8()))
        case .proposalRefused:
            let g = try r.small.varint32(), n = try r.misc.varint32(), w = try r.accounts.account()
            guard let reason = MultisigRefusal(rawValue: try r.small.u8()) else { throw .init(offset: r.small.offset - 1, what: "unknown multisig refusal") }
            e = .proposalRefused(ProposalRefused(multisig: g, proposal: n, wallet: w, reason: reason))
        case .checkpoint:
            throw .init(offset: r.tags.offset - 1, what: "checkpoint is not an event")
        }
        c.tick = tick
        c.observe(e)
        return EventRecord(tick: tick, seq: seq, event: e)
    }

    private static func decodeTrade(side: TradeSide, from r: inout ColumnReader, context c: CodecContext,
                                    params p: CodecParams) throws(ByteReader.Malformed) -> TradeExecuted {
        let flags = TradeFlags(rawValue: try r.small.u8())
        let (tx, wallet) = flags.contains(.sameTx) ? (c.txID, c.wallet) : (try r.ids.delta(from: c.txID), try r.accounts.account())
        let mint = try r.small.mint()
        let m = Int(mint)
        let state = m < c.curves.count ? c.curves[m] : nil
        var curveSol: UInt64 = 0, tokens: UInt64 = 0
        if !flags.contains(.storeTokens) { curveSol = try r.lamports.varint() }
        if !flags.contains(.storeCurveSol) { tokens = try r.tokens.varint() }
        if flags.contains(.storeCurveSol) {
            guard let s = state, let t = PumpFunMath.tokensOut(curveInput: curveSol, s) else { throw .init(offset: r.small.offset, what: "cannot derive the tokens of a trade") }
            tokens = t
        } else if flags.contains(.storeTokens) {
            guard let s = state, let v = curveSolFor(tokens: tokens, side: side, s) else { throw .init(offset: r.small.offset, what: "cannot derive the SOL of a trade") }
            curveSol = v
        }
        var pf: UInt64, cf: UInt64
        if flags.contains(.feesDerived) {
            guard m < p.mints.count else { throw .init(offset: r.small.offset, what: "fees derived for an unknown mint") }
            let mp = p.mints[m]
            pf = mp.rounding.fee(curveSol, bps: mp.protocolBps)
            cf = mp.rounding.fee(curveSol, bps: mp.creatorBps)
        } else {
            pf = try r.fees.varint()
            cf = try r.fees.varint()
        }
        let rent = flags.contains(.hasRent) ? try r.fees.varint() : 0
        return TradeExecuted(txID: tx, wallet: wallet, mint: mint, side: side, tokens: tokens, curveSol: curveSol,
                             protocolFee: pf, creatorFee: cf, rentLamports: rent)
    }
}
