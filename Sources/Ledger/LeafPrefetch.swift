import Dispatch
import Synchronization
import SimCore
import Merkle
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The leaf hashes of a block's compressed airdrops, hashed ahead while the block executes.
///
/// A block's transactions are known before it runs, and an airdrop's leaves are a pure function
/// of its instruction and of where in the tree they land, predicted here as if every airdrop
/// before it in the block goes through. Worker threads hash them in block order while the
/// engine executes the block and appends each transaction's leaves to the tree (which is
/// sequential work); the engine takes a transaction's leaves only when its event matches the
/// prediction exactly, and hashes them itself otherwise. So the leaves used, and every result,
/// never depend on the prediction or on the thread count.
public final class LeafPrefetch: @unchecked Sendable {
    struct Job: Sendable {
        var txID: TxID
        var mint: MintID
        var firstRecipient: AccountID
        var count: UInt32
        var amount: UInt64
        var firstLeaf: UInt32
        var mintHash: MerkleNode
    }
    private let jobs: [Job]
    /// Job `j`'s leaves, written once by the thread that claimed it, read after `done[j]`.
    private let results: UnsafeMutableBufferPointer<[MerkleNode]>
    private let done: [DispatchSemaphore]
    /// The next job nobody has claimed, and whether workers should stop taking jobs (the engine
    /// thread still takes any job it waits for, so a wait always has someone computing).
    private let state = Mutex((next: 0, cancelled: false))
    private let program: MerkleNode, tree: MerkleNode
    /// Engine thread only: the first job not yet asked for.
    private var cursor = 0

    /// Starts hashing; nil when the block has fewer than two compressed airdrops (one is hashed
    /// on all cores by itself when its event comes). Airdrops to accounts that do not exist are
    /// not predicted (they fail); any other compressed instruction ends the prediction (it moves
    /// the leaves of everything after it).
    public init?(block: [Transaction], state: CompressedState, accountCount: Int) {
        var jobs: [Job] = []
        var leaf = UInt64(state.tree.nextIndex)
        let end = UInt64(state.tree.nextIndex) + state.freeLeaves
        for tx in block {
            guard case .compressedAirdrop(let m, let first, let count, let amount) = tx.instruction else {
                if tx.instruction.writesStateTree { break }
                continue
            }
            guard count > 0, Int(first.rawValue) + Int(count) <= accountCount else { continue }
            guard leaf + UInt64(count) <= end else { break }
            jobs.append(Job(txID: tx.id, mint: m, firstRecipient: first, count: count, amount: amount, firstLeaf: UInt32(leaf), mintHash: state.mintHash(m)))
            leaf += UInt64(count)
        }
        guard jobs.count >= 2 else { return nil }
        self.jobs = jobs
        self.results = .allocate(capacity: jobs.count)
        self.results.initialize(repeating: [])
        self.done = jobs.map { _ in DispatchSemaphore(value: 0) }
        self.program = state.programHash
        self.tree = state.treeHash
        let cpus = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        let last = jobs.count - 1
        for _ in 0..<max(1, min(cpus - 1, last, 7)) {
            DispatchQueue.global().async { [self] in while let j = claim(atMost: last) { compute(j) } }
        }
    }

    deinit {
        results.deinitialize()
        results.deallocate()
    }

    /// The leaves of `move` if it is the airdrop predicted for its transaction (waiting for
    /// them, and hashing the jobs up to it that nobody has started); nil otherwise.
    public func leaves(for move: CompressedTokensMoved) -> [MerkleNode]? {
        guard let i = jobs[cursor...].firstIndex(where: { $0.txID == move.txID }) else { return nil }
        cursor = i + 1
        let j = jobs[i]
        guard move.inputs.isEmpty, move.change == 0, move.mint == j.mint, move.firstRecipient == j.firstRecipient,
              move.recipients == j.count, move.amount == j.amount, move.firstLeaf == j.firstLeaf else { return nil }
        while let k = claim(atMost: i, worker: false) { compute(k) }
        done[i].wait()
        return results[i]
    }

    /// Workers take no more jobs (the block is over) and finish the one in hand.
    public func cancel() {
        state.withLock { $0.cancelled = true }
    }

    private func claim(atMost limit: Int, worker: Bool = true) -> Int? {
        state.withLock { s in
            guard !(worker && s.cancelled), s.next <= limit, s.next < jobs.count else { return nil }
            s.next += 1
            return s.next - 1
        }
    }

    private func compute(_ k: Int) {
        let j = jobs[k]
        results[k] = (0..<j.count).map { i in
            CompressedState.leafHash(mintHash: j.mintHash, owner: j.firstRecipient + i, amount: j.amount,
                                     leafIndex: j.firstLeaf + i, program: program, tree: tree)
        }
        done[k].signal()
    }
}
