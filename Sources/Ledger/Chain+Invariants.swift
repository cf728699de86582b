import SimCore
import Curves

// Structural checks the engine's invariant layer (`Engine/Invariants.swift`) runs over the
// whole state: each returns the first problem found, or nil.

extension Mempool {
    /// The pending count is the window's transactions; the window starts with one; ids follow the
    /// window; every slab slot is pending or free, once.
    public func invariantProblem() -> String? {
        let window = self.window  // a copy: taken once
        let pending = window.reduce(0) { $0 + ($1 == Self.empty ? 0 : 1) }
        if count != pending { return "the mempool counts \(count) pending, its window holds \(pending)" }
        if !window.isEmpty && window.first! == Self.empty { return "the mempool's window does not start with a pending transaction" }
        if pending + freeSlots.count != slab.count { return "the mempool's slab has \(slab.count) slots, \(pending) pending and \(freeSlots.count) free" }
        var used = [Bool](repeating: false, count: slab.count)
        for s in freeSlots {
            guard Int(s) < slab.count, !used[Int(s)] else { return "slab slot \(s) freed twice or out of range" }
            used[Int(s)] = true
        }
        for (k, s) in window.enumerated() where s != Self.empty {
            guard Int(s) < slab.count, !used[Int(s)] else { return "slab slot \(s) at window place \(k) is free, shared or out of range" }
            used[Int(s)] = true
            if slab[Int(s)].id != baseID + UInt64(k) { return "transaction \(slab[Int(s)].id) at place \(k) of a window from \(baseID)" }
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
