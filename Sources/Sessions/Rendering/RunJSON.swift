import SimCore
import Engine

/// A run's outcome as the JSON object `pumpsim run --json` prints. Amounts are exact decimals
/// (SOL to 9 decimals, prices in lamports per whole token to 9 decimals).
public enum RunJSON {
    static func price(_ nanos: UInt64) -> JSON { .decimal(nanos, scale: 9) }
    static func sol(_ lamports: UInt64) -> JSON { .decimal(lamports, scale: 9) }
    static func opt(_ v: UInt64?) -> JSON { v.map { .uint($0) } ?? .null }
    static func counts(_ c: [TokenOutcome.Count]) -> JSON { .object(c.map { ($0.label, .uint($0.count)) }) }
    static func path(_ p: [[UInt64]]) -> JSON { .array(p.map { .array([.uint($0[0]), price($0[1])]) }) }

    /// The outcome's fields, then `wall_seconds` and `events_per_second` when the caller timed the run.
    public static func render(_ o: RunOutcome, wallSeconds: Double?) -> [(String, JSON)] {
        var fields: [(String, JSON)] = [
            ("scenario", .string(o.scenario)), ("seed", .uint(o.seed)), ("ticks", .uint(o.durationSlots)),
            ("slot_ms", .uint(o.slotMillis)), ("simulated_seconds", .decimal(o.durationMillis, scale: 3)),
            ("agents", .uint(o.agents)), ("tokens", .array(o.tokens.map(token))), ("chain", chain(o.chain)),
        ]
        if let c = o.compression { fields.append(("compression", compression(c))) }
        if let b = o.bundles {
            fields.append(("bundles", .object([("submitted", .uint(b.submitted)), ("landed", .uint(b.landed)), ("dropped", counts(b.dropped)),
                                               ("tips_sol", sol(b.tipsLamports))])))
        }
        if let ms = o.multisigs {
            fields.append(("multisigs", .array(ms.map { m in .object([
                ("name", .string(m.name)), ("threshold", .uint(UInt64(m.threshold))), ("signers", .uint(UInt64(m.signers))),
                ("proposals", .uint(m.proposals)), ("approvals", .uint(m.approvals)), ("executed", .uint(m.executed)),
                ("expired", .uint(m.expired)), ("pending", .uint(m.pending)), ("refused", counts(m.refused)), ("treasury_sol", sol(m.treasuryLamports)),
            ]) })))
        }
        fields += [
            ("rewards", rewards(o.rewards)),
            ("environments", .array(o.environments.map(environment))),
            ("limits", .object([("rate_limited", .uint(o.rateLimited)), ("account_too_new", .uint(o.accountTooNew))])),
            ("chat_messages", .uint(o.chatMessages)),
            ("events", .uint(o.events)),
            ("checkpoints", .array(o.checkpoints.map { .object([("tick", .uint($0.tick)), ("event_index", .uint($0.eventIndex)), ("digest", .string($0.digest))]) })),
            ("digest", .string(o.digest)),
        ]
        if let wall = wallSeconds {
            fields.append(("wall_seconds", .number(Format.seconds(wall))))
            fields.append(("events_per_second", .uint(wall > 0 ? UInt64(Double(o.events) / wall) : 0)))
        }
        return fields
    }

    static func token(_ t: TokenOutcome) -> JSON {
        var fields: [(String, JSON)] = [
            ("symbol", .string(t.symbol)), ("name", .string(t.name)), ("curve", .string(t.curveFamily)), ("fee_profile", .string(t.feeProfile)),
        ]
        if let reason = t.launchRejected { fields.append(("launch_rejected", .string(reason))) }
        fields += [
            ("launch_tick", opt(t.openTick)),
            ("graduated", .bool(t.graduationTick != nil)),
            ("graduation_tick", opt(t.graduationTick)),
            ("graduation_seconds", t.graduationMillis.map { .decimal($0, scale: 3) } ?? .null),
            ("start_price_lamports", price(t.startPriceNanos)),
            ("final_price_lamports", price(t.finalPriceNanos)),
            ("peak_price_lamports", price(t.peakPriceNanos)),
            ("market_cap_sol", sol(t.marketCapLamports)),
            ("sol_raised", sol(t.solRaisedLamports)),
            ("fees", .object([("protocol_sol", sol(t.protocolFeesLamports)), ("migration_sol", sol(t.migrationFeeLamports)),
                              ("creator_sol", sol(t.creatorFeesLamports))])),
            ("volume_sol", sol(t.volumeLamports)),
            ("trades", .object([
                ("executed", .uint(t.buys + t.sells)), ("buys", .uint(t.buys)), ("sells", .uint(t.sells)),
                ("rejected", .uint(t.rejectedTotal)), ("rejected_by_reason", counts(t.rejected)),
            ])),
            ("holders", .uint(t.holders)),
            ("top10_share_bps", .uint(t.top10ShareBps)),
            ("price_path", path(t.pricePath)),
        ]
        if let pool = t.pool {
            var p: [(String, JSON)] = [("base_tokens", .decimal(pool.baseTokens, scale: 6)), ("quote_sol", sol(pool.quoteLamports))]
            if let n = pool.trades { p.append(("trades", .uint(n))) }
            if let lp = pool.lpFeesLamports { p.append(("lp_fees_sol", sol(lp))) }
            fields.append(("pool", .object(p)))
        }
        if let b = t.bundledTokens {
            fields.append(("bundled_tokens", .decimal(b, scale: 6)))
            fields.append(("bundled_supply_pct", .number(String(format: "%.4f", Double(b) / 1e13))))
        }
        return .object(fields)
    }

    static func chain(_ c: ChainOutcome) -> JSON {
        .object([
            ("slots", .uint(c.slots)), ("transactions_submitted", .uint(c.submitted)), ("transactions_landed", .uint(c.landed)),
            ("transactions_failed", .uint(c.failed)), ("transactions_expired", .uint(c.expired)), ("transactions_dropped", .uint(c.dropped)),
            ("fees_sol", sol(c.feesLamports)), ("compute_units", .uint(c.computeUnits)), ("congested_slots", .uint(c.congestedSlots)),
            ("max_pending", .uint(c.maxPending)), ("rent_locked_sol", sol(c.rentLockedLamports)),
        ])
    }

    static func compression(_ c: CompressionOutcome) -> JSON {
        func perAccount(_ lamports: UInt64, _ n: UInt64) -> JSON { n > 0 ? .uint(lamports / n) : .null }
        func side(_ s: CompressionOutcome.Side) -> JSON {
            .object([("accounts", .uint(s.accounts)), ("transactions", .uint(s.transactions)), ("rent_locked_sol", sol(s.rentLamports)),
                     ("fees_sol", sol(s.feesLamports)), ("lamports_locked_per_account", perAccount(s.rentLamports, s.accounts))])
        }
        return .object([
            ("state_tree", .object([
                ("hash", .string("poseidon")), ("depth", .uint(c.treeDepth)), ("buffer", .uint(c.treeBuffer)), ("canopy", .uint(c.treeCanopy)),
                ("root_history", .uint(c.treeRootHistory)), ("root", .string(c.treeRoot)), ("leaves", .uint(c.treeLeaves)),
                ("sequence_number", .uint(c.treeSequence)), ("account_bytes_model", .uint(c.treeAccountBytes)), ("rent_sol", sol(c.treeRentLamports)),
            ])),
            ("airdrop", .object([("standard", side(c.standard)), ("compressed", side(c.compressed))])),
            ("compressed_transactions", .uint(c.compressedTransactions)),
            ("leaves_appended", .uint(c.leavesAppended)),
            ("leaves_nullified", .uint(c.leavesNullified)),
            ("decompress_rent_sol", sol(c.decompressRentLamports)),
            ("failed", counts(c.failed)),
        ])
    }

    static func rewards(_ r: RewardsOutcome) -> JSON {
        .object([
            ("tiers", .array(r.tiers.map { .object([("name", .string($0.name)), ("min_points", .uint($0.minPoints)), ("users", .uint($0.users))]) })),
            ("points_awarded", .uint(r.pointsAwarded)), ("tier_changes", .uint(r.tierChanges)), ("accrued_sol", sol(r.accruedLamports)),
            ("claims", .uint(r.claims)), ("claimed_sol", sol(r.claimedLamports)), ("claims_failed", .uint(r.claimsFailed)),
        ])
    }

    static func environment(_ e: EnvironmentOutcome) -> JSON {
        .object([
            ("id", .uint(e.id)), ("token", .string(e.token)), ("participants", .uint(e.participants)), ("trades", .uint(e.trades)),
            ("final_price_lamports", price(e.finalPriceNanos)), ("sol_raised_play", sol(e.playLamportsInCurve)), ("price_path", path(e.pricePath)),
        ])
    }
}
