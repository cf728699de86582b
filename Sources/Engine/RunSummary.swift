import SimCore
import Curves
import Ledger
import Rewards

/// The report of a run: per token, per chain, rewards, environments, limits and the digest.
public enum RunSummary {
    /// Price as decimal lamports per whole token.
    static func price(_ nanos: UInt64) -> JSON { .decimal(nanos, scale: 9) }
    /// Lamports as decimal SOL.
    static func sol(_ lamports: UInt64) -> JSON { .decimal(lamports, scale: 9) }

    /// The machine-readable summary. `wallSeconds` is measured by the caller (the engine has no clock).
    public static func json(_ r: RunResult, wallSeconds: Double?) -> JSON {
        var fields: [(String, JSON)] = [
            ("scenario", .string(r.config.name)),
            ("seed", .uint(r.config.seed)),
            ("ticks", .uint(r.config.durationTicks)),
            ("slot_ms", .uint(r.config.clock.slotMillis)),
            ("simulated_seconds", .decimal(r.config.durationTicks * r.config.clock.slotMillis, scale: 3)),
            ("agents", .uint(UInt64(r.config.agentCount))),
            ("tokens", .array(r.config.tokens.indices.map { token(r, $0) })),
            ("chain", chain(r)),
            ("rewards", rewards(r)),
            ("environments", .array(r.world.environments.indices.map { environment(r, $0) })),
            ("limits", .object([
                ("rate_limited", .uint(r.metrics.platformRejected[Int(RejectReason.rateLimited.rawValue)])),
                ("account_too_new", .uint(r.metrics.platformRejected[Int(RejectReason.accountTooNew.rawValue)])),
            ])),
            ("chat_messages", .uint(r.metrics.chats)),
            ("events", .uint(r.eventCount)),
            ("checkpoints", .array(r.checkpoints.map { .object([("tick", .uint($0.tick)), ("event_index", .uint($0.eventIndex)), ("digest", .string($0.digest.hex))]) })),
            ("digest", .string(r.finalDigest.hex)),
        ]
        if r.metrics.compression.active || r.world.chain.compressed.touched {
            fields.insert(("compression", compression(r)), at: fields.firstIndex { $0.0 == "rewards" }!)
        }
        if let wall = wallSeconds {
            fields.append(("wall_seconds", .number(String(format3(wall)))))
            fields.append(("events_per_second", .uint(wall > 0 ? UInt64(Double(r.eventCount) / wall) : 0)))
        }
        return .object(fields)
    }

    static func format3(_ v: Double) -> String {
        let millis = UInt64(max(0, v * 1000).rounded())
        return FixedDecimal.format(UInt128(millis), scale: 3)
    }

    static func rejections(_ counts: [UInt64]) -> JSON {
        .object(RejectReason.allCases.compactMap { r in counts[Int(r.rawValue)] > 0 ? (r.description, .uint(counts[Int(r.rawValue)])) : nil })
    }

    static func token(_ r: RunResult, _ i: Int) -> JSON {
        let spec = r.config.tokens[i]
        let m = r.metrics.tokens[i]
        let mint = r.world.chain.mints[i]
        let raised = mint.status == .migrated ? (m.raisedAtCompletionLamports ?? mint.curve.state.realSol) : mint.curve.state.realSol
        var fields: [(String, JSON)] = [
            ("symbol", .string(spec.symbol)),
            ("name", .string(spec.name)),
            ("curve", .string(spec.curve.familyName)),
            ("fee_profile", .string(spec.curve.feeProfile.name)),
            ("launch_tick", m.openTick.map { .uint($0) } ?? .null),
            ("graduated", .bool(m.completeTick != nil)),
            ("graduation_tick", m.completeTick.map { .uint($0) } ?? .null),
            ("final_price_lamports", price(mint.curve.spotPriceNanos)),
            ("peak_price_lamports", price(max(m.peakPriceNanos, mint.curve.spotPriceNanos))),
            ("market_cap_sol", sol(mint.curve.marketCapLamports)),
            ("sol_raised", sol(raised)),
            ("fees", .object([("protocol_sol", sol(m.protocolFeesLamports)), ("creator_sol", sol(m.creatorFeesLamports))])),
            ("volume_sol", sol(m.volumeLamports)),
            ("trades", .object([
                ("executed", .uint(m.buys + m.sells)), ("buys", .uint(m.buys)), ("sells", .uint(m.sells)),
                ("rejected", .uint(m.rejectedTotal)), ("rejected_by_reason", rejections(m.rejected)),
            ])),
            ("holders", .uint(UInt64(mint.holders))),
            ("top10_share_bps", .uint(top10ShareBps(r.world.chain, mint: MintID(i)))),
            ("price_path", .array(m.pricePath.map { .array([.uint($0.0), price($0.1)]) })),
        ]
        if let reason = m.launchRejected { fields.insert(("launch_rejected", .string(reason.description)), at: 4) }
        if let pool = mint.pool {
            fields.append(("pool", .object([("base_tokens", .decimal(pool.baseTokens, scale: 6)), ("quote_sol", sol(pool.quoteLamports))])))
        }
        return .object(fields)
    }

    /// Share of the tokens held by wallets that the ten largest hold, bps.
    public static func top10ShareBps(_ chain: Chain, mint: MintID) -> UInt64 {
        var held: [UInt64] = []
        var total: UInt128 = 0
        for a in 0..<chain.accountCount {
            let b = chain.balance(of: AccountID(a), mint: mint)
            if b > 0 { held.append(b); total += UInt128(b) }
        }
        guard total > 0 else { return 0 }
        held.sort(by: >)
        let top = held.prefix(10).reduce(UInt128(0)) { $0 + UInt128($1) }
        return UInt64(top * 10_000 / total)
    }

    static func chain(_ r: RunResult) -> JSON {
        let c = r.metrics.chain
        return .object([
            ("slots", .uint(c.slots)),
            ("transactions_submitted", .uint(c.submitted)),
            ("transactions_landed", .uint(c.landed)),
            ("transactions_failed", .uint(c.failed)),
            ("transactions_expired", .uint(c.expired)),
            ("transactions_dropped", .uint(c.dropped)),
            ("fees_sol", sol(c.feesLamports)),
            ("compute_units", .uint(c.computeUnits)),
            ("congested_slots", .uint(c.congestedSlots)),
            ("max_pending", .uint(c.maxPending)),
            ("rent_locked_sol", sol(r.world.chain.rentLockedLamports)),
        ])
    }

    /// The state tree and the standard-versus-compressed table: accounts, transactions, lamports
    /// locked as rent, fees.
    static func compression(_ r: RunResult) -> JSON {
        let c = r.metrics.compression
        let cfg = r.config.chain.stateTree
        let tree = r.world.chain.compressed.tree
        let treeRent = StateTreeConfig.rentExempt(bytes: cfg.accountBytes)
        func perAccount(_ lamports: UInt64, _ n: UInt64) -> JSON { n > 0 ? .uint(lamports / n) : .null }
        let std: [(String, JSON)] = [
            ("accounts", .uint(c.standardRecipients)), ("transactions", .uint(c.standardTransactions)),
            ("rent_locked_sol", sol(c.standardRentLamports)), ("fees_sol", sol(c.standardFeesLamports)),
            ("lamports_locked_per_account", perAccount(c.standardRentLamports, c.standardRecipients)),
        ]
        let cmp: [(String, JSON)] = [
            ("accounts", .uint(c.compressedRecipients)), ("transactions", .uint(c.compressedAirdropTransactions)),
            ("rent_locked_sol", sol(treeRent)), ("fees_sol", sol(c.compressedFeesLamports)),
            ("lamports_locked_per_account", perAccount(treeRent, c.compressedRecipients)),
        ]
        return .object([
            ("state_tree", .object([
                ("hash", .string("poseidon")), ("depth", .uint(UInt64(cfg.depth))), ("buffer", .uint(UInt64(cfg.bufferSize))),
                ("canopy", .uint(UInt64(cfg.canopyDepth))), ("root_history", .uint(UInt64(cfg.rootHistory))),
                ("root", .string(tree.root.description)), ("leaves", .uint(UInt64(tree.nextIndex))),
                ("sequence_number", .uint(tree.sequenceNumber)),
                ("account_bytes_model", .uint(cfg.accountBytes)), ("rent_sol", sol(treeRent)),
            ])),
            ("airdrop", .object([("standard", .object(std)), ("compressed", .object(cmp))])),
            ("compressed_transactions", .uint(c.compressedTransactions)),
            ("leaves_appended", .uint(c.leavesAppended)),
            ("leaves_nullified", .uint(c.leavesNullified)),
            ("decompress_rent_sol", sol(c.compressedRentLamports)),
            ("failed", rejections(c.failed)),
        ])
    }

    static func rewards(_ r: RunResult) -> JSON {
        let users = r.world.rewards.usersPerTier(population: r.world.chain.accountCount)
        let tiers = r.config.rewards.tiers.enumerated().map { (i, t) -> JSON in
            .object([("name", .string(t.name)), ("min_points", .uint(t.minPoints)), ("users", .uint(UInt64(users[i])))])
        }
        return .object([
            ("tiers", .array(tiers)),
            ("points_awarded", .uint(r.metrics.pointsAwarded)),
            ("tier_changes", .uint(r.metrics.tierChanges)),
            ("accrued_sol", sol(r.metrics.accruedLamports)),
            ("claims", .uint(r.metrics.claims)),
            ("claimed_sol", sol(r.metrics.claimedLamports)),
            ("claims_failed", .uint(r.metrics.claimsFailed)),
        ])
    }

    static func environment(_ r: RunResult, _ i: Int) -> JSON {
        let env = r.world.environments[i]
        return .object([
            ("id", .uint(UInt64(env.id))),
            ("token", .string(r.config.tokens[Int(env.mint)].symbol)),
            ("participants", .uint(UInt64(env.participants.count))),
            ("trades", .uint(env.trades)),
            ("final_price_lamports", price(env.curve.spotPriceNanos)),
            ("sol_raised_play", sol(env.curve.state.realSol)),
            ("price_path", .array(r.metrics.environmentPricePaths[i].map { .array([.uint($0.0), price($0.1)]) })),
        ])
    }
}
