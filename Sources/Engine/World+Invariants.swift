import SimCore
import Curves
import Ledger

extension World {
    /// Every part's invariants (O(accounts × mints + leaves)): checked at checkpoints in debug builds.
    public func _checkInvariants() {
        chain._checkInvariants()
        precondition(launchRequested.count == chain.mints.count && openTick.count == chain.mints.count
                     && latestEnvironment.count == chain.mints.count, "world: per-mint arrays differ in length")
        precondition(rateWindow.count == chain.accountCount && rateCount.count == chain.accountCount, "world: rate-limit arrays differ in length")
        for m in chain.mints.indices {
            precondition(openTick[m] == Tick.max || chain.mints[m].status != .pending, "world: mint \(m) opened before it was created")
            precondition(openTick[m] == Tick.max || launchRequested[m] || chain.mints[m].status != .pending, "world: mint \(m) opened without a launch")
            precondition(latestEnvironment[m] < Int32(environments.count), "world: mint \(m)'s environment does not exist")
        }
        for (i, env) in environments.enumerated() {
            precondition(env.id == UInt32(i), "world: environment ids are not dense")
            env.curve.state._checkInvariants()
        }
        precondition(rewards.points.count <= chain.accountCount, "rewards: points for accounts that do not exist")
        for u in rewards.points.indices {
            precondition(rewards.claimedLamports[u] <= rewards.accruedLamports[u], "rewards: account \(u) claimed more than it accrued")
            precondition(Int(rewards.tier[u]) < max(rewards.config.tiers.count, 1), "rewards: account \(u) in a tier that does not exist")
        }
    }

    /// What one event can have broken, checked after it in debug builds (cheap: the mint or
    /// environment it touched, the mempool's count).
    func _checkLocalInvariants(after event: Event) {
        switch event {
        case .ledger(let e):
            switch e {
            case .tradeExecuted(let t): chain._checkMint(Int(t.mint))
            case .curveCompleted(let c): chain._checkMint(Int(c.mint))
            case .curveMigrated(let c): chain._checkMint(Int(c.mint))
            case .tokenCreated(let c): chain._checkMint(Int(c.mint))
            default: break
            }
            precondition(chain.mempool.count >= 0, "mempool: negative count")
        case .virtualTradeExecuted(let v): environments[Int(v.environment)].curve.state._checkInvariants()
        default: break
        }
    }
}
