import Dispatch
import SimCore
import Merkle

/// A compressed token account: a leaf of the state tree.
public struct CompressedTokenAccount: Sendable, Hashable {
    public var mint: MintID
    public var owner: AccountID
    public var amount: UInt64
    /// Nullified (its leaf is zero now).
    public var spent: Bool
}

/// Compressed token accounts in one Light-style v1 state tree (Poseidon, REFERENCE.md Part 2
/// §4). Leaf = Light's compressed account hash of a token account: owner = the compressed token
/// program, v1 discriminator, data hash = `TokenData` hash of (mint, owner, amount). Spending
/// an account replaces its leaf with zero (v1 nullification) through a canopy-short proof.
public struct CompressedState: Sendable {
    public private(set) var tree: ConcurrentMerkleTree<PoseidonHasher>
    /// Accounts by leaf index.
    public private(set) var accounts: [CompressedTokenAccount] = []
    /// Unspent leaf indices per (mint, owner), ascending.
    private(set) var unspent: [UInt64: [UInt32]] = [:]
    /// Compressed balance per (mint, owner).
    private(set) var balances: [UInt64: UInt64] = [:]
    let treeHash: MerkleNode
    let programHash: MerkleNode
    private var mintHashes: [MerkleNode] = []

    public init(config: StateTreeConfig) throws(MerkleError) {
        tree = try ConcurrentMerkleTree(depth: config.depth, maxBufferSize: config.bufferSize,
                                        canopyDepth: config.canopyDepth, rootHistoryCapacity: config.rootHistory)
        treeHash = LightHash.hashToField(SimPubkey.tree(0))
        programHash = LightHash.hashToField(SimPubkey.compressedTokenProgram)
    }

    @inline(__always) static func key(_ m: MintID, _ o: AccountID) -> UInt64 { UInt64(m.rawValue) << 32 | UInt64(o.rawValue) }

    /// Compressed balance of an owner for a mint.
    public func balance(of owner: AccountID, mint: MintID) -> UInt64 { balances[Self.key(mint, owner)] ?? 0 }

    /// Unspent leaves of an owner for a mint, oldest first.
    public func unspentLeaves(of owner: AccountID, mint: MintID) -> [UInt32] { unspent[Self.key(mint, owner)] ?? [] }

    /// True once anything was written (the state digest includes the tree from then on).
    public var touched: Bool { tree.sequenceNumber > 0 }

    func mintHash(_ m: MintID) -> MerkleNode {
        Int(m) < mintHashes.count ? mintHashes[Int(m)] : LightHash.hashToField(SimPubkey.mint(m.rawValue))
    }

    /// The leaf of a token account at `leafIndex`.
    public func leafHash(mint: MintID, owner: AccountID, amount: UInt64, leafIndex: UInt32) -> MerkleNode {
        Self.leafHash(mintHash: mintHash(mint), owner: owner, amount: amount, leafIndex: leafIndex, program: programHash, tree: treeHash)
    }

    /// The same from the hashes it needs (what a worker thread takes along instead of the state).
    static func leafHash(mintHash: MerkleNode, owner: AccountID, amount: UInt64, leafIndex: UInt32, program: MerkleNode, tree: MerkleNode) -> MerkleNode {
        let data = LightHash.tokenDataHash(mint: mintHash, owner: LightHash.hashToField(SimPubkey.account(owner.rawValue)), amount: amount)
        return LightHash.accountHash(owner: program, leafIndex: leafIndex, tree: tree, discriminator: LightHash.tokenDiscriminatorV1, dataHash: data)
    }

    /// Spends (nullifies) the owner's leaf.
    mutating func spend(_ leaf: UInt32, owner: AccountID, mint: MintID) throws(LedgerError) {
        guard Int(leaf) < accounts.count else { throw .compressed("input leaf \(leaf) does not exist") }
        let a = accounts[Int(leaf)]
        guard a.owner == owner, a.mint == mint, !a.spent else { throw .compressed("input leaf \(leaf) is not an unspent account of \(owner) for mint \(mint)") }
        let hash = leafHash(mint: mint, owner: owner, amount: a.amount, leafIndex: leaf)
        do {
            try tree.replace(index: leaf, previousLeaf: hash, newLeaf: .zero, proof: tree.proof(leaf, omittingCanopy: true), root: tree.root)
        } catch { throw .merkle(error) }
        accounts[Int(leaf)].spent = true
        let k = Self.key(mint, owner)
        unspent[k]?.removeAll { $0 == leaf }
        balances[k, default: 0] -= a.amount
    }

    /// Appends outputs `(owner, amount)` from leaf `firstLeaf` (which must be the next index),
    /// with their leaf hashes if the caller has them (else they are hashed here, serially).
    mutating func append(_ outputs: [(AccountID, UInt64)], mint: MintID, firstLeaf: UInt32, leaves given: [MerkleNode]? = nil) throws(LedgerError) {
        guard !outputs.isEmpty else { return }
        guard firstLeaf == tree.nextIndex else { throw .compressed("outputs start at leaf \(firstLeaf), the tree's next leaf is \(tree.nextIndex)") }
        guard UInt64(outputs.count) <= freeLeaves else { throw .merkle(.treeFull) }
        while mintHashes.count <= Int(mint) { mintHashes.append(LightHash.hashToField(SimPubkey.mint(UInt32(mintHashes.count)))) }
        if let given, given.count != outputs.count { throw .compressed("\(given.count) leaf hashes for \(outputs.count) outputs") }
        let leaves = given ?? outputs.enumerated().map { k, o in leafHash(mint: mint, owner: o.0, amount: o.1, leafIndex: firstLeaf + UInt32(k)) }
        for o in outputs {
            let (_, overflow) = balance(of: o.0, mint: mint).addingReportingOverflow(o.1)
            guard !overflow else { throw .arithmetic(.overflow("compressed balance")) }
        }
        do { try tree.append(contentsOf: leaves) } catch { throw .merkle(error) }
        for (k, o) in outputs.enumerated() {
            accounts.append(CompressedTokenAccount(mint: mint, owner: o.0, amount: o.1, spent: false))
            let key = Self.key(mint, o.0)
            unspent[key, default: []].append(firstLeaf + UInt32(k))
            balances[key, default: 0] += o.1
        }
    }

    /// The outputs' leaf hashes. Pure per leaf, so large batches are hashed on all cores: the
    /// result does not depend on the thread count. (Outside `evolve`: the caller hands them in.)
    /// A move with at least this many outputs has its leaves hashed on all cores, beforehand
    /// (a compressed airdrop transaction carries 13: at 16, they were hashed on one core).
    public static let parallelLeaves = 4

    func parallelLeafHashes(_ outputs: [(AccountID, UInt64)], mint: MintID, firstLeaf: UInt32) -> [MerkleNode] {
        let n = outputs.count
        // A leaf costs two Poseidon hashes (tens of µs), so small chunks cost nothing in dispatch
        // and keep the cores evenly loaded (20 leaves in chunks of 8 left one core idle a third of the time).
        let chunk = 2
        guard n >= Self.parallelLeaves else {
            return outputs.enumerated().map { k, o in leafHash(mint: mint, owner: o.0, amount: o.1, leafIndex: firstLeaf + UInt32(k)) }
        }
        var leaves = [MerkleNode](repeating: .zero, count: n)
        leaves.withUnsafeMutableBufferPointer { buf in
            nonisolated(unsafe) let out = buf
            let state = self
            DispatchQueue.concurrentPerform(iterations: (n + chunk - 1) / chunk) { c in
                for k in (c * chunk)..<min(n, (c + 1) * chunk) {
                    let o = outputs[k]
                    out[k] = state.leafHash(mint: mint, owner: o.0, amount: o.1, leafIndex: firstLeaf + UInt32(k))
                }
            }
        }
        return leaves
    }

    /// Leaves still free in the tree.
    public var freeLeaves: UInt64 { tree.capacity - UInt64(tree.nextIndex) }
}
