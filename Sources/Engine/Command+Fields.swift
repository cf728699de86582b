import SimCore

/// A command as a kind number and its fields as integers, in declaration order: how an input
/// from outside (a WebSocket frame, a REST call) is stored in a trace.
extension Command {
    /// Kinds by number; the numbers are part of the trace format (append only).
    public enum Kind: UInt8, Sendable, CaseIterable {
        case launch = 0, buy, buyTokens, sell, sellShare, claim, chat, openEnvironment, joinEnvironment, virtualBuy, virtualSell,
             airdrop, compressedTransfer, compress, decompress, propose, approve, bundledBuy

        /// How many fields a command of this kind has.
        public var fieldCount: Int {
            switch self {
            case .launch: return 1
            case .claim, .openEnvironment, .joinEnvironment: return 2
            case .chat, .virtualBuy, .virtualSell, .approve: return 3
            case .compress, .decompress: return 4
            case .buy, .buyTokens, .sell, .sellShare, .compressedTransfer, .propose: return 5
            case .airdrop: return 8
            case .bundledBuy: return 6
            }
        }
    }

    public var kind: Kind {
        switch self {
        case .launch: return .launch
        case .buy: return .buy
        case .buyTokens: return .buyTokens
        case .sell: return .sell
        case .sellShare: return .sellShare
        case .claim: return .claim
        case .chat: return .chat
        case .openEnvironment: return .openEnvironment
        case .joinEnvironment: return .joinEnvironment
        case .virtualBuy: return .virtualBuy
        case .virtualSell: return .virtualSell
        case .airdrop: return .airdrop
        case .compressedTransfer: return .compressedTransfer
        case .compress: return .compress
        case .decompress: return .decompress
        case .propose: return .propose
        case .approve: return .approve
        case .bundledBuy: return .bundledBuy
        }
    }

    /// The fields in declaration order.
    public var fields: [UInt64] {
        switch self {
        case .launch(let m): return [UInt64(m)]
        case .buy(let w, let m, let l, let s, let p): return [UInt64(w), UInt64(m), l, UInt64(s), p]
        case .buyTokens(let w, let m, let t, let max, let p): return [UInt64(w), UInt64(m), t, max, p]
        case .sell(let w, let m, let t, let s, let p): return [UInt64(w), UInt64(m), t, UInt64(s), p]
        case .sellShare(let w, let m, let share, let s, let p): return [UInt64(w), UInt64(m), UInt64(share), UInt64(s), p]
        case .claim(let w, let p): return [UInt64(w), p]
        case .chat(let w, let m, let b): return [UInt64(w), UInt64(m), UInt64(b)]
        case .openEnvironment(let m, let play): return [UInt64(m), play]
        case .joinEnvironment(let m, let w): return [UInt64(m), UInt64(w)]
        case .virtualBuy(let m, let w, let l): return [UInt64(m), UInt64(w), l]
        case .virtualSell(let m, let w, let share): return [UInt64(m), UInt64(w), UInt64(share)]
        case .airdrop(let w, let m, let first, let n, let a, let compressed, let perTx, let p):
            return [UInt64(w), UInt64(m), UInt64(first), UInt64(n), a, compressed ? 1 : 0, UInt64(perTx), p]
        case .compressedTransfer(let w, let m, let to, let a, let p): return [UInt64(w), UInt64(m), UInt64(to), a, p]
        case .compress(let w, let m, let a, let p), .decompress(let w, let m, let a, let p): return [UInt64(w), UInt64(m), a, p]
        case .propose(let g, let w, .launch(let m)): return [UInt64(g), UInt64(w), 0, UInt64(m), 0]
        case .propose(let g, let w, .withdraw(let to, let l)): return [UInt64(g), UInt64(w), 1, UInt64(to), l]
        case .approve(let g, let n, let w): return [UInt64(g), UInt64(n), UInt64(w)]
        case .bundledBuy(let w, let m, let l, let s, let p, let t): return [UInt64(w), UInt64(m), l, UInt64(s), p, t]
        }
    }

    /// The command these fields describe; nil when the count is wrong or a field does not fit its type.
    public init?(kind: Kind, fields f: [UInt64]) {
        func a(_ i: Int) -> AccountID? { UInt32(exactly: f[i]).map { AccountID($0) } }
        func m(_ i: Int) -> MintID? { UInt32(exactly: f[i]).map { MintID($0) } }
        func u32(_ i: Int) -> UInt32? { UInt32(exactly: f[i]) }
        guard f.count == kind.fieldCount else { return nil }
        let made: Command?
        switch kind {
        case .launch: made = m(0).map { .launch(mint: $0) }
        case .buy:
            guard let w = a(0), let mi = m(1), let s = u32(3) else { return nil }
            made = .buy(wallet: w, mint: mi, lamports: f[2], slippageBps: s, priority: f[4])
        case .buyTokens:
            guard let w = a(0), let mi = m(1) else { return nil }
            made = .buyTokens(wallet: w, mint: mi, tokens: f[2], maxSolCostLamports: f[3], priority: f[4])
        case .sell:
            guard let w = a(0), let mi = m(1), let s = u32(3) else { return nil }
            made = .sell(wallet: w, mint: mi, tokens: f[2], slippageBps: s, priority: f[4])
        case .sellShare:
            guard let w = a(0), let mi = m(1), let share = u32(2), let s = u32(3) else { return nil }
            made = .sellShare(wallet: w, mint: mi, shareBps: share, slippageBps: s, priority: f[4])
        case .claim: made = a(0).map { .claim(wallet: $0, priority: f[1]) }
        case .chat:
            guard let w = a(0), let mi = m(1), let b = u32(2) else { return nil }
            made = .chat(wallet: w, mint: mi, bytes: b)
        case .openEnvironment: made = m(0).map { .openEnvironment(mint: $0, playLamports: f[1]) }
        case .joinEnvironment:
            guard let mi = m(0), let w = a(1) else { return nil }
            made = .joinEnvironment(mint: mi, wallet: w)
        case .virtualBuy:
            guard let mi = m(0), let w = a(1) else { return nil }
            made = .virtualBuy(mint: mi, wallet: w, lamports: f[2])
        case .virtualSell:
            guard let mi = m(0), let w = a(1), let share = u32(2) else { return nil }
            made = .virtualSell(mint: mi, wallet: w, shareBps: share)
        case .airdrop:
            guard let w = a(0), let mi = m(1), let first = a(2), let n = u32(3), f[5] <= 1, let perTx = u32(6) else { return nil }
            made = .airdrop(wallet: w, mint: mi, firstRecipient: first, count: n, amount: f[4], compressed: f[5] == 1, perTx: perTx, priority: f[7])
        case .compressedTransfer:
            guard let w = a(0), let mi = m(1), let to = a(2) else { return nil }
            made = .compressedTransfer(wallet: w, mint: mi, to: to, amount: f[3], priority: f[4])
        case .compress:
            guard let w = a(0), let mi = m(1) else { return nil }
            made = .compress(wallet: w, mint: mi, amount: f[2], priority: f[3])
        case .decompress:
            guard let w = a(0), let mi = m(1) else { return nil }
            made = .decompress(wallet: w, mint: mi, amount: f[2], priority: f[3])
        case .propose:
            guard let g = u32(0), let w = a(1), f[2] <= 1 else { return nil }
            if f[2] == 0 {
                guard let mi = m(3), f[4] == 0 else { return nil }
                made = .propose(multisig: g, proposer: w, action: .launch(mint: mi))
            } else {
                guard let to = a(3) else { return nil }
                made = .propose(multisig: g, proposer: w, action: .withdraw(to: to, lamports: f[4]))
            }
        case .approve:
            guard let g = u32(0), let n = u32(1), let w = a(2) else { return nil }
            made = .approve(multisig: g, proposal: n, signer: w)
        case .bundledBuy:
            guard let w = a(0), let mi = m(1), let s = u32(3) else { return nil }
            made = .bundledBuy(wallet: w, mint: mi, lamports: f[2], slippageBps: s, priority: f[4], tipLamports: f[5])
        }
        guard let made else { return nil }
        self = made
    }
}
