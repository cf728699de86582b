import SimCore
import Curves

// Structural checks the engine's invariant layer (`Engine/Invariants.swift`) runs over the
// whole state: each returns the first problem found, or nil.

extension Mempool {
    /// The pending count is the window's transactions; the window starts with one; ids follow the window.
    public func invariantProblem() -> String? {
        let pending = window.reduce(0) { $0 + ($1 == nil ? 0 : 1) }
        if count != pending { return "the mempool counts \(count) pending, its window holds \(pending)" }
        if !window.isEmpty && window.first! == nil { return "the mempool's window does not start with a pending transaction" }
        for (k, slot) in window.enumerated() {
            if let tx = slot, tx.id != baseID + UInt64(k) { return "transaction \(tx.id) at slot \(k) of a window from \(baseID)" }
        }
        return nil
    }
}

extension CompressedState {
    /// Balances are the unspent accounts' amounts; the tree holds a leaf per account; the root
    /// is the newest changelog entry's.
    public func invariantProblem() -> String? {
        if accounts.count != Int(tree.nextIndex) { return "\(accounts.count) compressed accounts for \(tree.nextIndex) leaves" }
        if touched, tree.changelog.last?.root != tree.root { return "the root is not the newest changelog entry's" }
        var sums: [UInt64: UInt64] = [:]
        var leaves: [UInt64: [UInt32]] = [:]
        for (i, a) in accounts.enumerated() where !a.spent {
            sums[Self.key(a.mint, a.owner), default: 0] &+= a.amount
            leaves[Self.key(a.mint, a.owner), default: []].append(UInt32(i))
        }
        for (k, v) in balances where v > 0 && sums[k] != v { return "compressed balance \(v) is not its unspent accounts' \(sums[k] ?? 0)" }
        for (k, v) in sums where balances[k] != v { return "unspent compressed accounts of \(v) without a balance" }
        for (k, l) in leaves where unspent[k] != l { return "the unspent leaf list differs from the accounts" }
        return nil
    }
}
