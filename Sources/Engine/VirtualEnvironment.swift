import SimCore
import Curves
import Ledger

/// An isolated paper-trading environment over a copy of a token's curve.
///
/// Participants trade play lamports against the copy; nothing here touches the chain, real
/// balances, the real curve, or any other environment.
public struct VirtualEnvironment: Sendable {
    public let id: UInt32
    public let mint: MintID
    /// Play lamports each participant starts with.
    public let playLamports: UInt64
    /// The environment's own curve.
    public private(set) var curve: AnyCurve
    /// Participants in join order.
    public private(set) var participants: [AccountID] = []
    /// Play lamports per participant (same order).
    public private(set) var lamports: [UInt64] = []
    /// Token balance per participant (same order).
    public private(set) var tokens: [UInt64] = []
    /// Lookup from wallet to participant slot; never iterated.
    private var slotOf: [AccountID: Int] = [:]
    /// Trades executed.
    public private(set) var trades: UInt64 = 0

    init(id: UInt32, mint: MintID, playLamports: UInt64, curve: AnyCurve) {
        self.id = id
        self.mint = mint
        self.playLamports = playLamports
        self.curve = curve
    }

    /// The participant slot of a wallet, if it joined.
    public func slot(of wallet: AccountID) -> Int? { slotOf[wallet] }

    mutating func join(_ wallet: AccountID, playLamports: UInt64) {
        guard slotOf[wallet] == nil else { return }
        slotOf[wallet] = participants.count
        participants.append(wallet)
        lamports.append(playLamports)
        tokens.append(0)
    }

    mutating func apply(_ e: VirtualTradeExecuted) throws(EvolveError) {
        guard let s = slotOf[e.wallet] else { throw .inconsistent("virtual trade by a non-participant") }
        guard let total = e.checkedSolTotal else { throw .inconsistent("virtual trade whose fees and curve amount do not add up") }
        do { try curve.applyTrade(side: e.side, tokens: e.tokens, curveSol: e.curveSol) } catch { throw .curve(error) }
        switch e.side {
        case .buy:
            guard lamports[s] >= total else { throw .inconsistent("virtual buy above play balance") }
            let (t, o) = tokens[s].addingReportingOverflow(e.tokens)
            guard !o else { throw .inconsistent("virtual holding past 2^64") }
            lamports[s] -= total
            tokens[s] = t
        case .sell:
            guard tokens[s] >= e.tokens else { throw .inconsistent("virtual sell above holding") }
            let (l, o) = lamports[s].addingReportingOverflow(total)
            guard !o else { throw .inconsistent("virtual play balance past 2^64") }
            tokens[s] -= e.tokens
            lamports[s] = l
        }
        trades += 1
    }

    func encode(to e: inout CanonicalEncoder) {
        e.write(id)
        e.write(mint)
        e.write(playLamports)
        curve.state.encode(to: &e)
        e.write(UInt64(participants.count))
        for i in participants.indices {
            e.write(participants[i])
            e.write(lamports[i])
            e.write(tokens[i])
        }
        e.write(trades)
    }
}
