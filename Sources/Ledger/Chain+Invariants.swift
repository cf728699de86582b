import SimCore
import Curves

// Invariants, checked in debug builds (as swift-collections' `_checkInvariants()`): a failure is
// a bug in `apply` or in the checks that should have refused an event, so it crashes loudly.

extension Mempool {
    /// The pending count is the window's transactions; the window starts with one.
    public func _checkInvariants() {
        precondition(count == window.reduce(0) { $0 + ($1 == nil ? 0 : 1) }, "mempool: count \(count) is not the pending transactions")
        precondition(window.isEmpty || window.first! != nil, "mempool: the window does not start with a pending transaction")
        for (k, slot) in window.enumerated() {
            if let tx = slot { precondition(tx.id == baseID + UInt64(k), "mempool: transaction \(tx.id) at slot \(k) of a window from \(baseID)") }
        }
    }
}

extension CurveState {
    /// Real reserves within the virtual ones; a complete curve has no tokens left for sale.
    public func _checkInvariants() {
        precondition(realToken <= virtualToken, "curve: real tokens \(realToken) above virtual \(virtualToken)")
        precondition(realSol <= virtualSol, "curve: real SOL \(realSol) above virtual \(virtualSol)")
        precondition(!complete || realToken == 0, "curve: complete with \(realToken) tokens for sale")
    }
}

extension CompressedState {
    /// Balances are the unspent accounts' amounts; the tree holds a leaf per account.
    public func _checkInvariants() {
        precondition(accounts.count == Int(tree.nextIndex), "state tree: \(accounts.count) accounts for \(tree.nextIndex) leaves")
        var sums: [UInt64: UInt64] = [:]
        var leaves: [UInt64: [UInt32]] = [:]
        for (i, a) in accounts.enumerated() where !a.spent {
            sums[Self.key(a.mint, a.owner), default: 0] &+= a.amount
            leaves[Self.key(a.mint, a.owner), default: []].append(UInt32(i))
        }
        for (k, v) in balances where v > 0 { precondition(sums[k] == v, "state tree: balance \(v) is not its unspent accounts' \(sums[k] ?? 0)") }
        for (k, v) in sums { precondition(balances[k] == v, "state tree: unspent accounts of \(v) without a balance") }
        for (k, l) in leaves { precondition(unspent[k] == l, "state tree: unspent leaf list differs") }
    }
}

extension Chain {
    /// Sizes agree, holder counts are the accounts with a balance, mint status fits the curve.
    public func _checkInvariants() {
        precondition(bornTick.count == lamports.count, "chain: account arrays differ in length")
        precondition(balances.count == mints.count && tokenAccountOpen.count == mints.count, "chain: per-mint arrays differ in length")
        for m in mints.indices {
            precondition(balances[m].count == lamports.count && tokenAccountOpen[m].count == lamports.count, "chain: mint \(m)'s balances differ in length")
            _checkMint(m)
            let holders = balances[m].reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
            precondition(UInt32(holders) == mints[m].holders, "chain: mint \(m) counts \(mints[m].holders) holders, \(holders) hold it")
        }
        mempool._checkInvariants()
        compressed._checkInvariants()
    }

    /// One mint's curve and status.
    public func _checkMint(_ m: Int) {
        let mint = mints[m]
        mint.curve.state._checkInvariants()
        precondition(mint.status != .migrated || (mint.curve.isComplete && mint.pool != nil), "chain: mint \(m) migrated without completing")
        precondition(mint.status != .pending || (mint.holders == 0 && mint.curve.state.realSol == 0), "chain: mint \(m) pending with holders or SOL")
        precondition(Int(mint.holders) <= lamports.count, "chain: mint \(m) has more holders than accounts")
    }
}
