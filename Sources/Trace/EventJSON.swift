import SimCore
import Curves
import Ledger
import Rewards
import Engine

/// An event as a JSON object: `seq`, `tick`, `type`, then the event's fields (amounts as integers:
/// lamports and token base units).
public enum EventJSON {
    public static func object(_ r: EventRecord) -> JSON {
        .object([("seq", .uint(r.seq)), ("tick", .uint(r.tick)), ("type", .string(r.event.typeName))] + fields(r.event))
    }

    static func u<T: BinaryInteger>(_ v: T) -> JSON { .uint(UInt64(v)) }
    static func u(_ a: AccountID) -> JSON { .uint(UInt64(a.rawValue)) }
    static func u(_ m: MintID) -> JSON { .uint(UInt64(m.rawValue)) }
    static func side(_ s: TradeSide) -> JSON { .string(s == .buy ? "buy" : "sell") }
    static func reason(_ r: RejectReason) -> JSON { .string(r.description) }
    static func mint(_ m: MintID?) -> JSON { m.map { u($0) } ?? .null }

    /// The event's own fields, in declaration order.
    public static func fields(_ e: Event) -> [(String, JSON)] {
        switch e {
        case .ledger(let l):
            switch l {
            case .txSubmitted(let t):
                var f: [(String, JSON)] = [("tx", u(t.id)), ("payer", u(t.payer)), ("signatures", u(t.signatures)), ("compute_units", u(t.computeUnits)),
                                           ("priority_micro_lamports_per_cu", u(t.priorityMicroLamportsPerCU)), ("submitted_tick", u(t.submittedTick))]
                let kind: (String, JSON) = ("instruction", .string(t.instruction.kind.name))
                switch t.instruction {
                case .create(let m, let l): f += [kind, ("mint", u(m)), ("initial_buy_lamports", u(l))]
                case .buyExactSolIn(let m, let s, let o): f += [kind, ("mint", u(m)), ("spendable_lamports", u(s)), ("min_tokens_out", u(o))]
                case .buyExactTokens(let m, let t, let s): f += [kind, ("mint", u(m)), ("tokens", u(t)), ("max_sol_cost", u(s))]
                case .sell(let m, let t, let s): f += [kind, ("mint", u(m)), ("tokens", u(t)), ("min_sol_output", u(s))]
                case .claimRewards: f += [kind]
                case .airdrop(let m, let first, let n, let a):
                    f += [kind, ("mint", u(m)), ("first_recipient", u(first)), ("recipients", u(n)), ("amount", u(a))]
                case .compressedAirdrop(let m, let first, let n, let a):
                    f += [kind, ("mint", u(m)), ("first_recipient", u(first)), ("recipients", u(n)), ("amount", u(a))]
                case .compressedTransfer(let m, let to, let a): f += [kind, ("mint", u(m)), ("to", u(to)), ("amount", u(a))]
                case .compress(let m, let a): f += [kind, ("mint", u(m)), ("amount", u(a))]
                case .decompress(let m, let a): f += [kind, ("mint", u(m)), ("amount", u(a))]
                case .poolBuy(let m, let b, let q): f += [kind, ("mint", u(m)), ("base_amount_out", u(b)), ("max_quote_amount_in", u(q))]
                case .poolSell(let m, let b, let q): f += [kind, ("mint", u(m)), ("base_amount_in", u(b)), ("min_quote_amount_out", u(q))]
                }
                return f
            case .txDropped(let d): return [("tx", u(d.txID)), ("payer", u(d.payer)), ("mint", mint(d.mint)), ("reason", reason(d.reason))]
            case .txIncluded(let i): return [("tx", u(i.txID)), ("payer", u(i.payer)), ("fee_lamports", u(i.feeLamports)), ("compute_units", u(i.computeUnits))]
            case .txExpired(let x): return [("tx", u(x.txID)), ("payer", u(x.payer)), ("mint", mint(x.mint))]
            case .tokenCreated(let t): return [("mint", u(t.mint)), ("creator", u(t.creator))]
            case .createFailed(let f): return [("tx", u(f.txID)), ("mint", u(f.mint)), ("creator", u(f.creator)), ("reason", reason(f.reason))]
            case .tradeExecuted(let t):
                return [("tx", u(t.txID)), ("wallet", u(t.wallet)), ("mint", u(t.mint)), ("side", side(t.side)), ("tokens", u(t.tokens)),
                        ("curve_sol", u(t.curveSol)), ("protocol_fee", u(t.protocolFee)), ("creator_fee", u(t.creatorFee)),
                        ("sol_total", u(t.solTotal)), ("rent_lamports", u(t.rentLamports))]
            case .tradeFailed(let f): return [("tx", u(f.txID)), ("wallet", u(f.wallet)), ("mint", u(f.mint)), ("side", side(f.side)), ("reason", reason(f.reason))]
            case .curveCompleted(let c): return [("mint", u(c.mint))]
            case .tipPaid(let x): return [("payer", u(x.payer)), ("lamports", u(x.lamports))]
            case .poolTradeExecuted(let x):
                return [("tx", u(x.txID)), ("wallet", u(x.wallet)), ("mint", u(x.mint)), ("side", side(x.side)), ("base", u(x.base)),
                        ("raw_quote", u(x.rawQuote)), ("lp_fee", u(x.lpFee)), ("protocol_fee", u(x.protocolFee)), ("creator_fee", u(x.creatorFee)),
                        ("user_quote", u(x.checkedUserQuote ?? 0)), ("rent_lamports", u(x.rentLamports))]
            case .curveMigrated(let m):
                return [("mint", u(m.mint)), ("base_tokens", u(m.baseTokens)), ("quote_lamports", u(m.quoteLamports)), ("migration_fee_lamports", u(m.migrationFeeLamports))]
            case .transfer(let t): return [("from", u(t.from)), ("to", u(t.to)), ("lamports", u(t.lamports))]
            case .tokensAirdropped(let a):
                return [("tx", u(a.txID)), ("payer", u(a.payer)), ("mint", u(a.mint)), ("first_recipient", u(a.firstRecipient)),
                        ("recipients", u(a.count)), ("amount", u(a.amount)), ("rent_lamports", u(a.rentLamports))]
            case .compressedTokensMoved(let x):
                return [("tx", u(x.txID)), ("payer", u(x.payer)), ("mint", u(x.mint)), ("inputs", .array(x.inputs.map { u($0) })),
                        ("from_standard", u(x.fromStandard)), ("to_standard", u(x.toStandard)), ("first_recipient", u(x.firstRecipient)),
                        ("recipients", u(x.recipients)), ("amount", u(x.amount)), ("change", u(x.change)), ("first_leaf", u(x.firstLeaf)),
                        ("rent_lamports", u(x.rentLamports))]
            case .tokenInstructionFailed(let f): return [("tx", u(f.txID)), ("payer", u(f.payer)), ("mint", u(f.mint)), ("reason", reason(f.reason))]
            }
        case .rewards(let r):
            switch r {
            case .pointsAwarded(let p):
                return [("user", u(p.user)), ("action", .string(["trade", "launch", "chat"][Int(p.action.rawValue)])), ("points", u(p.points)), ("accrued_lamports", u(p.accruedLamports))]
            case .tierChanged(let t): return [("user", u(t.user)), ("from", u(t.from)), ("to", u(t.to))]
            case .rewardsClaimed(let c): return [("user", u(c.user)), ("lamports", u(c.lamports))]
            }
        case .launchRequested(let x): return [("mint", u(x.mint)), ("creator", u(x.creator))]
        case .launchRejected(let x): return [("mint", u(x.mint)), ("creator", u(x.creator)), ("reason", reason(x.reason))]
        case .environmentCreated(let x): return [("environment", u(x.environment)), ("mint", u(x.mint)), ("play_lamports", u(x.playLamports))]
        case .tradingOpened(let x): return [("mint", u(x.mint))]
        case .tradeRejected(let x): return [("wallet", u(x.wallet)), ("mint", u(x.mint)), ("side", side(x.side)), ("reason", reason(x.reason))]
        case .claimFailed(let x): return [("wallet", u(x.wallet)), ("reason", reason(x.reason))]
        case .chatPosted(let x): return [("wallet", u(x.wallet)), ("mint", u(x.mint)), ("bytes", u(x.bytes))]
        case .virtualJoined(let x): return [("environment", u(x.environment)), ("wallet", u(x.wallet)), ("play_lamports", u(x.playLamports))]
        case .virtualTradeExecuted(let x):
            return [("environment", u(x.environment)), ("wallet", u(x.wallet)), ("side", side(x.side)), ("tokens", u(x.tokens)),
                    ("curve_sol", u(x.curveSol)), ("protocol_fee", u(x.protocolFee)), ("creator_fee", u(x.creatorFee))]
        case .virtualTradeRejected(let x): return [("environment", u(x.environment)), ("wallet", u(x.wallet)), ("side", side(x.side)), ("reason", reason(x.reason))]
        case .slotEnded(let x): return [("transactions", u(x.transactions)), ("compute_units", u(x.computeUnits)), ("pending", u(x.pending))]
        case .proposalCreated(let x):
            var f: [(String, JSON)] = [("multisig", u(x.multisig)), ("proposal", u(x.proposal)), ("proposer", u(x.proposer))]
            switch x.action {
            case .launch(let m): f += [("action", .string("launch")), ("mint", u(m))]
            case .withdraw(let to, let l): f += [("action", .string("withdraw")), ("to", u(to)), ("lamports", u(l))]
            }
            return f + [("expires_tick", u(x.expiresTick))]
        case .bundleSubmitted(let x):
            return [("bundle", u(x.bundle)), ("payer", u(x.payer)), ("first_tx", u(x.firstTx)), ("transactions", u(x.count)), ("tip_lamports", u(x.tipLamports))]
        case .bundleLanded(let x): return [("bundle", u(x.bundle))]
        case .bundleDropped(let x): return [("bundle", u(x.bundle)), ("reason", .string(x.reason.description)), ("failed_index", u(x.failedIndex))]
        case .proposalApproved(let x): return [("multisig", u(x.multisig)), ("proposal", u(x.proposal)), ("signer", u(x.signer))]
        case .proposalExecuted(let x): return [("multisig", u(x.multisig)), ("proposal", u(x.proposal))]
        case .proposalExpired(let x): return [("multisig", u(x.multisig)), ("proposal", u(x.proposal))]
        case .proposalRefused(let x):
            return [("multisig", u(x.multisig)), ("proposal", u(x.proposal)), ("wallet", u(x.wallet)), ("reason", .string(x.reason.description))]
        case .inputReceived(let x):
            return [("source", .string(x.source.name)), ("command", .string("\(x.command.kind)")),
                    ("fields", .array(x.command.fields.map { u($0) }))]
        }
    }

    /// Names of the fields whose values differ between two events (the type counts as a field).
    /// Keys whose values are account ids.
    public static let accountKeys: Set<String> = ["payer", "wallet", "creator", "from", "to", "user", "first_recipient"]

    /// The event with its accounts named per their scenario (`retail-17`, `alice`): the same
    /// wallet has the same name in two runs whose groups differ in size, where its id does not.
    public static func labelled(_ r: EventRecord, names: AccountNames) -> JSON {
        .object([("seq", .uint(r.seq)), ("tick", .uint(r.tick)), ("type", .string(r.event.typeName))] + labelledFields(r.event, names: names))
    }

    static func labelledFields(_ e: Event, names: AccountNames) -> [(String, JSON)] {
        fields(e).map { k, v in
            if accountKeys.contains(k), case .uint(let id) = v, id <= UInt64(UInt32.max) { return (k, .string(names.name(AccountID(UInt32(id))))) }
            return (k, v)
        }
    }

    /// The fields that differ between two events, their accounts compared by name.
    public static func differingFields(_ a: EventRecord, _ b: EventRecord, names: (AccountNames, AccountNames)) -> [String] {
        var out: [String] = []
        if a.tick != b.tick { out.append("tick") }
        if a.event.typeName != b.event.typeName { return out + ["type"] }
        let fa = labelledFields(a.event, names: names.0), fb = labelledFields(b.event, names: names.1)
        for (x, y) in zip(fa, fb) where x.1 != y.1 { out.append(x.0) }
        return out
    }

    public static func differingFields(_ a: EventRecord, _ b: EventRecord) -> [String] {
        var out: [String] = []
        if a.tick != b.tick { out.append("tick") }
        if a.event.typeName != b.event.typeName { return out + ["type"] }
        let fa = fields(a.event), fb = fields(b.event)
        for (x, y) in zip(fa, fb) where x.1 != y.1 { out.append(x.0) }
        return out
    }
}
