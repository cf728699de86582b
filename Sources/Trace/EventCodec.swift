import SimCore
import Curves
import Ledger
import Rewards
import Engine

/// What a block remembers while encoding or decoding, so repeated values cost a flag bit.
/// It starts afresh in every block, so every frame decodes on its own (seeking needs that).
struct CodecContext {
    var tick: Tick
    var txID: TxID = 0
    var wallet: UInt32 = 0

    init(firstTick: Tick) { tick = firstTick }

    /// The transaction and wallet an event makes current (the same rule on both sides).
    @inline(__always) mutating func observe(_ e: Event) {
        switch e {
        case .ledger(.txSubmitted(let t)): txID = t.id; wallet = t.payer
        case .ledger(.txIncluded(let t)): txID = t.txID; wallet = t.payer
        case .ledger(.tradeExecuted(let t)): txID = t.txID; wallet = t.wallet
        case .ledger(.tradeFailed(let t)): txID = t.txID; wallet = t.wallet
        case .rewards(.pointsAwarded(let p)): wallet = p.user
        default: break
        }
    }
}

/// Record tags. Event tags are stable: they are the trace format.
enum Tag: UInt8 {
    case txSubmitted = 1, txDropped, txIncluded, txExpired, tokenCreated, createFailed
    case tradeBuy, tradeSell, tradeFailed, curveCompleted, curveMigrated, transfer
    case pointsAwarded, tierChanged, rewardsClaimed
    case launchRequested, launchRejected, environmentCreated, tradingOpened, tradeRejected, claimFailed
    case chatPosted, virtualJoined, virtualTradeExecuted, virtualTradeRejected, slotEnded
    /// A checkpoint record (not an event).
    case checkpoint = 0xF0
}

/// The binary event encoding: a tag byte, the tick as a delta, then the fields as varints.
enum EventCodec {
    static func encode(_ r: EventRecord, into w: inout ByteWriter, context c: inout CodecContext) {
        let e = r.event
        func head(_ t: Tag) {
            w.u8(t.rawValue)
            w.varint(r.tick &- c.tick)
        }
        /// Writes the transaction and wallet, or a flag that they are the context's.
        func same(_ tx: TxID, _ wallet: UInt32, extra: UInt8 = 0) {
            if tx == c.txID && wallet == c.wallet {
                w.u8(extra | 1)
            } else {
                w.u8(extra)
                w.delta(tx, from: c.txID)
                w.varint(wallet)
            }
        }
        switch e {
        case .ledger(let l):
            switch l {
            case .txSubmitted(let t):
                head(.txSubmitted)
                w.delta(t.id, from: c.txID)
                w.varint(t.payer)
                w.u8(t.signatures)
                w.varint(t.computeUnits)
                w.varint(t.priorityMicroLamportsPerCU)
                w.varint(r.tick &- t.submittedTick)
                switch t.instruction {
                case .create(let m, let l): w.u8(0); w.varint(m); w.varint(l)
                case .buyExactSolIn(let m, let s, let o): w.u8(1); w.varint(m); w.varint(s); w.varint(o)
                case .buyExactTokens(let m, let t, let s): w.u8(2); w.varint(m); w.varint(t); w.varint(s)
                case .sell(let m, let t, let s): w.u8(3); w.varint(m); w.varint(t); w.varint(s)
                case .claimRewards: w.u8(4)
                }
            case .txDropped(let d):
                head(.txDropped); w.delta(d.txID, from: c.txID); w.varint(d.payer); optionalMint(d.mint, &w); w.u8(d.reason.rawValue)
            case .txIncluded(let i):
                head(.txIncluded); same(i.txID, i.payer); w.varint(i.feeLamports); w.varint(i.computeUnits)
            case .txExpired(let x):
                head(.txExpired); w.delta(x.txID, from: c.txID); w.varint(x.payer); optionalMint(x.mint, &w)
            case .tokenCreated(let t):
                head(.tokenCreated); w.varint(t.mint); w.varint(t.creator)
            case .createFailed(let f):
                head(.createFailed); w.delta(f.txID, from: c.txID); w.varint(f.mint); w.varint(f.creator); w.u8(f.reason.rawValue)
            case .tradeExecuted(let t):
                head(t.side == .buy ? .tradeBuy : .tradeSell)
                same(t.txID, t.wallet, extra: t.rentLamports > 0 ? 2 : 0)
                w.varint(t.mint); w.varint(t.tokens); w.varint(t.curveSol); w.varint(t.protocolFee); w.varint(t.creatorFee)
                if t.rentLamports > 0 { w.varint(t.rentLamports) }
            case .tradeFailed(let f):
                head(.tradeFailed); same(f.txID, f.wallet); w.varint(f.mint); w.u8(f.side.rawValue); w.u8(f.reason.rawValue)
            case .curveCompleted(let x):
                head(.curveCompleted); w.varint(x.mint)
            case .curveMigrated(let m):
                head(.curveMigrated); w.varint(m.mint); w.varint(m.baseTokens); w.varint(m.quoteLamports); w.varint(m.migrationFeeLamports)
            case .transfer(let t):
                head(.transfer); w.varint(t.from); w.varint(t.to); w.varint(t.lamports)
            }
        case .rewards(let rw):
            switch rw {
            case .pointsAwarded(let p):
                head(.pointsAwarded)
                if p.user == c.wallet { w.u8(p.action.rawValue << 1 | 1) } else { w.u8(p.action.rawValue << 1); w.varint(p.user) }
                w.varint(p.points); w.varint(p.accruedLamports)
            case .tierChanged(let t):
                head(.tierChanged); w.varint(t.user); w.u8(t.from); w.u8(t.to)
            case .rewardsClaimed(let x):
                head(.rewardsClaimed); w.varint(x.user); w.varint(x.lamports)
            }
        case .launchRequested(let x): head(.launchRequested); w.varint(x.mint); w.varint(x.creator)
        case .launchRejected(let x): head(.launchRejected); w.varint(x.mint); w.varint(x.creator); w.u8(x.reason.rawValue)
        case .environmentCreated(let x): head(.environmentCreated); w.varint(x.environment); w.varint(x.mint); w.varint(x.playLamports)
        case .tradingOpened(let x): head(.tradingOpened); w.varint(x.mint)
        case .tradeRejected(let x): head(.tradeRejected); w.varint(x.wallet); w.varint(x.mint); w.u8(x.side.rawValue); w.u8(x.reason.rawValue)
        case .claimFailed(let x): head(.claimFailed); w.varint(x.wallet); w.u8(x.reason.rawValue)
        case .chatPosted(let x): head(.chatPosted); w.varint(x.wallet); w.varint(x.mint); w.varint(x.bytes)
        case .virtualJoined(let x): head(.virtualJoined); w.varint(x.environment); w.varint(x.wallet); w.varint(x.playLamports)
        case .virtualTradeExecuted(let x):
            head(.virtualTradeExecuted); w.varint(x.environment); w.varint(x.wallet); w.u8(x.side.rawValue)
            w.varint(x.tokens); w.varint(x.curveSol); w.varint(x.protocolFee); w.varint(x.creatorFee)
        case .virtualTradeRejected(let x):
            head(.virtualTradeRejected); w.varint(x.environment); w.varint(x.wallet); w.u8(x.side.rawValue); w.u8(x.reason.rawValue)
        case .slotEnded(let x): head(.slotEnded); w.varint(x.transactions); w.varint(x.computeUnits); w.varint(x.pending)
        }
        c.tick = r.tick
        c.observe(e)
    }

    private static func optionalMint(_ m: MintID?, _ w: inout ByteWriter) {
        w.varint(m.map { UInt64($0) + 1 } ?? 0)
    }

    /// Decodes one event record whose tag has been read.
    static func decode(tag raw: UInt8, seq: UInt64, from r: inout ByteReader, context c: inout CodecContext) throws(ByteReader.Malformed) -> EventRecord {
        let at = r.offset - 1
        guard let tag = Tag(rawValue: raw), tag != .checkpoint else { throw .init(offset: at, what: "unknown record tag \(raw)") }
        let tick = c.tick &+ (try r.varint())
        func reason() throws(ByteReader.Malformed) -> RejectReason {
            let v = try r.u8()
            guard let reason = RejectReason(rawValue: v) else { throw .init(offset: r.offset - 1, what: "unknown reason \(v)") }
            return reason
        }
        func side() throws(ByteReader.Malformed) -> TradeSide {
            let v = try r.u8()
            guard let s = TradeSide(rawValue: v) else { throw .init(offset: r.offset - 1, what: "unknown side \(v)") }
            return s
        }
        func mint() throws(ByteReader.Malformed) -> MintID { try r.varint32() }
        func optionalMint() throws(ByteReader.Malformed) -> MintID? {
            let v = try r.varint()
            return v == 0 ? nil : MintID(truncatingIfNeeded: v - 1)
        }
        func same(_ flags: UInt8) throws(ByteReader.Malformed) -> (TxID, UInt32) {
            if flags & 1 == 1 { return (c.txID, c.wallet) }
            return (try r.delta(from: c.txID), try r.varint32())
        }
        let e: Event
        switch tag {
        case .txSubmitted:
            let id = try r.delta(from: c.txID)
            let payer = try r.varint32()
            let sigs = try r.u8()
            let cu = try r.varint32()
            let priority = try r.varint()
            let submitted = tick &- (try r.varint())
            let kind = try r.u8()
            let ins: Instruction
            switch kind {
            case 0: ins = .create(mint: try mint(), initialBuyLamports: try r.varint())
            case 1: ins = .buyExactSolIn(mint: try mint(), spendableLamports: try r.varint(), minTokensOut: try r.varint())
            case 2: ins = .buyExactTokens(mint: try mint(), tokens: try r.varint(), maxSolCostLamports: try r.varint())
            case 3: ins = .sell(mint: try mint(), tokens: try r.varint(), minSolOutLamports: try r.varint())
            case 4: ins = .claimRewards
            default: throw .init(offset: r.offset - 1, what: "unknown instruction \(kind)")
            }
            e = .ledger(.txSubmitted(Transaction(id: id, payer: payer, signatures: sigs, computeUnits: cu,
                                                 priorityMicroLamportsPerCU: priority, submittedTick: submitted, instruction: ins)))
        case .txDropped:
            e = .ledger(.txDropped(TxDropped(txID: try r.delta(from: c.txID), payer: try r.varint32(), mint: try optionalMint(), reason: try reason())))
        case .txIncluded:
            let (tx, payer) = try same(try r.u8())
            e = .ledger(.txIncluded(TxIncluded(txID: tx, payer: payer, feeLamports: try r.varint(), computeUnits: try r.varint32())))
        case .txExpired:
            e = .ledger(.txExpired(TxExpired(txID: try r.delta(from: c.txID), payer: try r.varint32(), mint: try optionalMint())))
        case .tokenCreated:
            e = .ledger(.tokenCreated(TokenCreated(mint: try mint(), creator: try r.varint32())))
        case .createFailed:
            e = .ledger(.createFailed(CreateFailed(txID: try r.delta(from: c.txID), mint: try mint(), creator: try r.varint32(), reason: try reason())))
        case .tradeBuy, .tradeSell:
            let flags = try r.u8()
            let (tx, wallet) = try same(flags)
            let m = try mint(), tokens = try r.varint(), curveSol = try r.varint(), pf = try r.varint(), cf = try r.varint()
            let rent = flags & 2 == 2 ? try r.varint() : 0
            e = .ledger(.tradeExecuted(TradeExecuted(txID: tx, wallet: wallet, mint: m, side: tag == .tradeBuy ? .buy : .sell, tokens: tokens,
                                                     curveSol: curveSol, protocolFee: pf, creatorFee: cf, rentLamports: rent)))
        case .tradeFailed:
            let (tx, wallet) = try same(try r.u8())
            e = .ledger(.tradeFailed(TradeFailed(txID: tx, wallet: wallet, mint: try mint(), side: try side(), reason: try reason())))
        case .curveCompleted:
            e = .ledger(.curveCompleted(CurveCompleted(mint: try mint())))
        case .curveMigrated:
            e = .ledger(.curveMigrated(CurveMigrated(mint: try mint(), baseTokens: try r.varint(), quoteLamports: try r.varint(),
                                                     migrationFeeLamports: try r.varint())))
        case .transfer:
            e = .ledger(.transfer(Transfer(from: try r.varint32(), to: try r.varint32(), lamports: try r.varint())))
        case .pointsAwarded:
            let flags = try r.u8()
            guard let action = RewardAction(rawValue: flags >> 1) else { throw .init(offset: r.offset - 1, what: "unknown reward action") }
            let user = flags & 1 == 1 ? c.wallet : try r.varint32()
            e = .rewards(.pointsAwarded(PointsAwarded(user: user, action: action, points: try r.varint(), accruedLamports: try r.varint())))
        case .tierChanged:
            e = .rewards(.tierChanged(TierChanged(user: try r.varint32(), from: try r.u8(), to: try r.u8())))
        case .rewardsClaimed:
            e = .rewards(.rewardsClaimed(RewardsClaimed(user: try r.varint32(), lamports: try r.varint())))
        case .launchRequested: e = .launchRequested(LaunchRequested(mint: try mint(), creator: try r.varint32()))
        case .launchRejected: e = .launchRejected(LaunchRejected(mint: try mint(), creator: try r.varint32(), reason: try reason()))
        case .environmentCreated:
            e = .environmentCreated(EnvironmentCreated(environment: try r.varint32(), mint: try mint(), playLamports: try r.varint()))
        case .tradingOpened: e = .tradingOpened(TradingOpened(mint: try mint()))
        case .tradeRejected:
            e = .tradeRejected(TradeRejected(wallet: try r.varint32(), mint: try mint(), side: try side(), reason: try reason()))
        case .claimFailed: e = .claimFailed(ClaimFailed(wallet: try r.varint32(), reason: try reason()))
        case .chatPosted: e = .chatPosted(ChatPosted(wallet: try r.varint32(), mint: try mint(), bytes: try r.varint32()))
        case .virtualJoined:
            e = .virtualJoined(VirtualJoined(environment: try r.varint32(), wallet: try r.varint32(), playLamports: try r.varint()))
        case .virtualTradeExecuted:
            e = .virtualTradeExecuted(VirtualTradeExecuted(environment: try r.varint32(), wallet: try r.varint32(), side: try side(),
                                                           tokens: try r.varint(), curveSol: try r.varint(), protocolFee: try r.varint(),
                                                           creatorFee: try r.varint()))
        case .virtualTradeRejected:
            e = .virtualTradeRejected(VirtualTradeRejected(environment: try r.varint32(), wallet: try r.varint32(), side: try side(), reason: try reason()))
        case .slotEnded:
            e = .slotEnded(SlotEnded(transactions: try r.varint32(), computeUnits: try r.varint(), pending: try r.varint32()))
        case .checkpoint:
            throw .init(offset: at, what: "checkpoint is not an event")
        }
        c.tick = tick
        c.observe(e)
        return EventRecord(tick: tick, seq: seq, event: e)
    }
}
