import SimCore
import Ledger

/// A multi-signature group (Squads-style): named signer wallets, `threshold` of them must
/// approve a proposal before it executes, proposals expire, and the group has a treasury (a
/// vault account) that pays its launches and withdrawals.
public struct MultisigSpec: Sendable, Hashable {
    public var name: String
    public var signers: [AccountID]
    public var threshold: UInt32
    /// Slots from a proposal's creation until it expires unexecuted.
    public var expirySlots: Tick
    /// The treasury's starting balance.
    public var balanceLamports: UInt64
    public init(name: String, signers: [AccountID], threshold: UInt32, expirySlots: Tick, balanceLamports: UInt64) {
        self.name = name; self.signers = signers; self.threshold = threshold; self.expirySlots = expirySlots; self.balanceLamports = balanceLamports
    }
}

/// What a proposal does once approved: launch a token the multisig creates, or pay out of the treasury.
public enum ProposalAction: Sendable, Hashable {
    case launch(mint: MintID)
    case withdraw(to: AccountID, lamports: UInt64)
}

/// A proposal's life (in the world: digested once a scenario has one).
public struct Proposal: Sendable, Hashable {
    public enum Status: UInt8, Sendable, Hashable { case pending = 0, executed, expired }
    public var multisig: UInt32
    public var action: ProposalAction
    /// Bit i: signer i of the multisig approved.
    public var approvals: UInt64
    public var expiresTick: Tick
    public var status: Status
    public var approvalCount: Int { approvals.nonzeroBitCount }
}

/// Why a proposal or an approval was refused.
public enum MultisigRefusal: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case notASigner = 0, unknownProposal, alreadyApproved, expired, alreadyExecuted, insufficientFunds
    public var description: String {
        switch self {
        case .notASigner: return "NotASigner"
        case .unknownProposal: return "UnknownProposal"
        case .alreadyApproved: return "AlreadyApproved"
        case .expired: return "ProposalExpired"
        case .alreadyExecuted: return "AlreadyExecuted"
        case .insufficientFunds: return "InsufficientFunds"
        }
    }
}

public struct ProposalCreated: Sendable, Hashable {
    public var multisig: UInt32
    /// Its number within the multisig, from 0.
    public var proposal: UInt32
    public var proposer: AccountID
    public var action: ProposalAction
    public var expiresTick: Tick
    public init(multisig: UInt32, proposal: UInt32, proposer: AccountID, action: ProposalAction, expiresTick: Tick) {
        self.multisig = multisig; self.proposal = proposal; self.proposer = proposer; self.action = action; self.expiresTick = expiresTick
    }
}

public struct ProposalApproved: Sendable, Hashable {
    public var multisig: UInt32
    public var proposal: UInt32
    public var signer: AccountID
    public init(multisig: UInt32, proposal: UInt32, signer: AccountID) { self.multisig = multisig; self.proposal = proposal; self.signer = signer }
}

/// A proposal reached its threshold and executes (its launch or transfer events follow).
public struct ProposalExecuted: Sendable, Hashable {
    public var multisig: UInt32
    public var proposal: UInt32
    public init(multisig: UInt32, proposal: UInt32) { self.multisig = multisig; self.proposal = proposal }
}

/// A proposal's time ran out before it was executed.
public struct ProposalExpired: Sendable, Hashable {
    public var multisig: UInt32
    public var proposal: UInt32
    public init(multisig: UInt32, proposal: UInt32) { self.multisig = multisig; self.proposal = proposal }
}

public struct ProposalRefused: Sendable, Hashable {
    public var multisig: UInt32
    /// The proposal it concerned (`UInt32.max` for a refused proposal that never existed).
    public var proposal: UInt32
    public var wallet: AccountID
    public var reason: MultisigRefusal
    public init(multisig: UInt32, proposal: UInt32, wallet: AccountID, reason: MultisigRefusal) {
        self.multisig = multisig; self.proposal = proposal; self.wallet = wallet; self.reason = reason
    }
}

extension Decide {
    /// A signer proposes: the proposal counts its approval, and executes at once when that is enough.
    static func propose(_ g: UInt32, _ proposer: AccountID, _ action: ProposalAction, world: UnsafePointer<World>, config: SimulationConfig, tick: Tick,
                        rng: inout SimRandom, into out: inout [Event]) {
        guard Int(g) < config.multisigs.count else { return }
        let spec = config.multisigs[Int(g)]
        guard spec.signers.contains(proposer) else {
            out.append(.proposalRefused(ProposalRefused(multisig: g, proposal: .max, wallet: proposer, reason: .notASigner)))
            return
        }
        let n = UInt32(world.pointee.proposals.filter { $0.multisig == g }.count)
        out.append(.proposalCreated(ProposalCreated(multisig: g, proposal: n, proposer: proposer, action: action, expiresTick: tick &+ spec.expirySlots)))
        out.append(.proposalApproved(ProposalApproved(multisig: g, proposal: n, signer: proposer)))
        if spec.threshold <= 1 { execute(g, n, action, world: world, config: config, tick: tick, rng: &rng, into: &out) }
    }

    /// A signer approves; the approval that reaches the threshold executes the proposal.
    static func approve(_ g: UInt32, _ n: UInt32, _ signer: AccountID, world: UnsafePointer<World>, config: SimulationConfig, tick: Tick,
                        rng: inout SimRandom, into out: inout [Event]) {
        guard Int(g) < config.multisigs.count else { return }
        let spec = config.multisigs[Int(g)]
        func refuse(_ r: MultisigRefusal) { out.append(.proposalRefused(ProposalRefused(multisig: g, proposal: n, wallet: signer, reason: r))) }
        guard let i = spec.signers.firstIndex(of: signer) else { return refuse(.notASigner) }
        guard let p = world.pointee.proposal(g, n) else { return refuse(.unknownProposal) }
        switch p.status {
        case .executed: return refuse(.alreadyExecuted)
        case .expired: return refuse(.expired)
        case .pending: break
        }
        guard tick < p.expiresTick else { return refuse(.expired) }
        guard p.approvals & (1 << UInt64(i)) == 0 else { return refuse(.alreadyApproved) }
        out.append(.proposalApproved(ProposalApproved(multisig: g, proposal: n, signer: signer)))
        if p.approvalCount + 1 >= Int(spec.threshold) { execute(g, n, p.action, world: world, config: config, tick: tick, rng: &rng, into: &out) }
    }

    private static func execute(_ g: UInt32, _ n: UInt32, _ action: ProposalAction, world: UnsafePointer<World>, config: SimulationConfig, tick: Tick,
                                rng: inout SimRandom, into out: inout [Event]) {
        let vault = config.multisigVaultAccount(Int(g))
        switch action {
        case .launch(let m):
            // Checked first: a launch that would be refused leaves the proposal pending.
            let spec = config.tokens[Int(m)]
            let create = createTransaction(m, world: world, config: config, tick: tick)
            if world.pointee.launchRequested[Int(m)] {
                out.append(.proposalRefused(ProposalRefused(multisig: g, proposal: n, wallet: vault, reason: .alreadyExecuted)))
                return
            }
            if launchRejection(spec, tx: create, world: world, config: config) != nil
                || world.pointee.chain.lamports[Int(vault)] < spec.initialBuyLamports &+ spec.bundleBuyLamports &+ spec.bundleTipLamports {
                out.append(.proposalRefused(ProposalRefused(multisig: g, proposal: n, wallet: vault, reason: .insufficientFunds)))
                return
            }
            out.append(.proposalExecuted(ProposalExecuted(multisig: g, proposal: n)))
            launch(m, world: world, config: config, tick: tick, rng: &rng, into: &out)
        case .withdraw(let to, let lamports):
            guard world.pointee.chain.lamports[Int(vault)] >= lamports else {
                out.append(.proposalRefused(ProposalRefused(multisig: g, proposal: n, wallet: vault, reason: .insufficientFunds)))
                return
            }
            out.append(.proposalExecuted(ProposalExecuted(multisig: g, proposal: n)))
            out.append(.ledger(.transfer(Transfer(from: vault, to: to, lamports: lamports))))
        }
    }
}
