/// Why a tree operation failed (names after SPL account-compression's errors).
public enum MerkleError: Error, Equatable, Sendable {
    case invalidDepth(Int)
    case invalidBufferSize(Int)
    case invalidCanopyDepth(Int)
    /// SPL refuses to append the empty (all-zero) node.
    case cannotAppendEmptyNode
    /// An append batch with no leaves.
    case emptyBatch
    case treeFull
    case leafIndexOutOfBounds(UInt32)
    /// The proof's root is not among the last `bufferSize` roots.
    case rootNotFound
    /// The leaf was changed after the proof's root.
    case leafContentsModified
    /// The (fast-forwarded) proof does not lead to the current root.
    case invalidProof
    /// A proof of the wrong length (neither `depth` nor `depth − canopyDepth` siblings).
    case invalidProofLength(Int)
}

/// One changelog entry as seen from outside: the root after the update, the path it wrote and
/// the leaf range (one leaf for an append or replace; several for an append batch).
public struct ChangeLogEntry: Sendable, Equatable {
    public var root: MerkleNode
    /// For a single write, `path[0]` is the leaf and `path[i]` the node at level i on its path.
    /// For a batch of leaves `start..<end`, `path[i]` is the node at level i, index
    /// `(start >> i) | 1`: the only node at that level that a proof of an older leaf can need.
    public var path: [MerkleNode]
    public var start: UInt32
    public var end: UInt32
}

/// A concurrent Merkle tree as SPL account compression and Light's v1 state trees keep it:
///
/// - a ring of the last `maxBufferSize` changelog entries, so that a proof made against a recent
///   root is fast-forwarded to the current one (SPL's critbit rule);
/// - a root history ring (Light: every appended leaf pushes a root; within a batch all but the
///   last are the `[0; 32]` placeholder);
/// - a canopy: the top `canopyDepth` levels (without the root) are kept by the tree, so proofs may
///   omit their top `canopyDepth` siblings;
/// - append, append batch, replace, proof, verify.
///
/// Nodes are stored only for written leaves and their ancestors (memory ∝ leaves, not 2^depth).
/// An append batch records one changelog entry for its whole leaf range (Light records one per
/// leaf); fast-forwarding an older proof through it gives the same result as through the
/// per-leaf entries.
public struct ConcurrentMerkleTree<H: MerkleHasher>: Sendable {
    public let depth: Int
    public let maxBufferSize: Int
    public let canopyDepth: Int
    public let rootHistoryCapacity: Int
    public let zero: [MerkleNode]
    /// `levels[L][i]`: the node at level L, index i, for every index reached by written leaves.
    private var levels: [[MerkleNode]]
    // The changelog ring, flat: entry j's path is clPath[j*depth ..< (j+1)*depth].
    private var clRoot: [MerkleNode]
    private var clStart: [UInt32]
    private var clEnd: [UInt32]
    private var clPath: [MerkleNode]
    private var activeIndex = 0
    /// Entries in the ring (at most `maxBufferSize`).
    public private(set) var bufferSize = 1
    private var rootHistory: [MerkleNode]
    private var rootHistoryNext: Int
    /// Roots held in the history ring (at most `rootHistoryCapacity`).
    public private(set) var rootHistoryCount = 1
    /// Successful updates: +1 per appended leaf and per replace (as SPL and Light count).
    public private(set) var sequenceNumber: UInt64 = 0
    /// Leaves appended so far (the next append's index).
    public private(set) var nextIndex: UInt32 = 0

    /// A tree of `depth` levels (1...32), a changelog of `maxBufferSize` entries (a power of 2),
    /// a canopy of `canopyDepth` levels and a root history of `rootHistoryCapacity` roots
    /// (default: as many as the changelog).
    public init(depth: Int, maxBufferSize: Int, canopyDepth: Int = 0, rootHistoryCapacity: Int? = nil) throws(MerkleError) {
        guard depth >= 1 && depth <= 32 else { throw .invalidDepth(depth) }
        guard maxBufferSize >= 1, maxBufferSize & (maxBufferSize - 1) == 0 else { throw .invalidBufferSize(maxBufferSize) }
        guard canopyDepth >= 0 && canopyDepth < depth else { throw .invalidCanopyDepth(canopyDepth) }
        let history = rootHistoryCapacity ?? maxBufferSize
        guard history >= 1 else { throw .invalidBufferSize(history) }
        self.depth = depth
        self.maxBufferSize = maxBufferSize
        self.canopyDepth = canopyDepth
        self.rootHistoryCapacity = history
        zero = zeroNodes(H.self, depth: depth)
        levels = Array(repeating: [], count: depth + 1)
        clRoot = Array(repeating: .zero, count: maxBufferSize)
        clStart = Array(repeating: 0, count: maxBufferSize)
        clEnd = Array(repeating: 0, count: maxBufferSize)
        clPath = Array(repeating: .zero, count: maxBufferSize * depth)
        clRoot[0] = zero[depth]
        for l in 0..<depth { clPath[l] = zero[l] }
        rootHistory = Array(repeating: .zero, count: history)
        rootHistory[0] = zero[depth]
        rootHistoryNext = 1 % history
    }

    /// The current root.
    public var root: MerkleNode { clRoot[activeIndex] }

    /// Capacity: 2^depth leaves.
    public var capacity: UInt64 { 1 << UInt64(depth) }

    /// The node at a level and index (zero where nothing was written).
    public func node(level: Int, index: UInt64) -> MerkleNode {
        index < UInt64(levels[level].count) ? levels[level][Int(index)] : zero[level]
    }

    /// The leaf at `index`.
    public func leaf(_ index: UInt32) -> MerkleNode { node(level: 0, index: UInt64(index)) }

    /// The proof of a leaf against the current root: siblings from the leaf up, all `depth` of
    /// them, or without the top `canopyDepth` (which the tree fills in) when `omittingCanopy`.
    public func proof(_ index: UInt32, omittingCanopy: Bool = false) -> [MerkleNode] {
        (0..<(omittingCanopy ? depth - canopyDepth : depth)).map { level in
            node(level: level, index: (UInt64(index) >> UInt64(level)) ^ 1)
        }
    }

    /// The canopy: the top `canopyDepth` levels without the root, `2^(N+1) − 2` nodes, in heap
    /// order (node k, root = 1, at position k − 2), as the SPL program stores it.
    public var canopy: [MerkleNode] {
        guard canopyDepth > 0 else { return [] }
        var out: [MerkleNode] = []
        for k in 2..<(1 << (canopyDepth + 1)) {
            let heapLevel = Int.bitWidth - 1 - k.leadingZeroBitCount      // 1 for k = 2, 3
            out.append(node(level: depth - heapLevel, index: UInt64(k - (1 << heapLevel))))
        }
        return out
    }

    /// Whether `root` is one of the roots in the history ring (Light's check for proofs by root).
    public func isRecentRoot(_ root: MerkleNode) -> Bool {
        for back in 1...rootHistoryCount where rootHistory[(rootHistoryNext - back + rootHistoryCapacity) % rootHistoryCapacity] == root {
            return true
        }
        return false
    }

    /// The changelog entries, oldest first.
    public var changelog: [ChangeLogEntry] {
        (0..<bufferSize).reversed().map { back in
            let j = (activeIndex - back + maxBufferSize) % maxBufferSize
            return ChangeLogEntry(root: clRoot[j], path: Array(clPath[j * depth ..< (j + 1) * depth]), start: clStart[j], end: clEnd[j])
        }
    }

    /// Appends a leaf at `nextIndex`.
    public mutating func append(_ leaf: MerkleNode) throws(MerkleError) {
        guard leaf != .zero else { throw .cannotAppendEmptyNode }
        guard UInt64(nextIndex) < capacity else { throw .treeFull }
        write(leaf, at: nextIndex)
        nextIndex += 1
    }

    /// Appends leaves at `nextIndex...`: the same root as appending them one by one, for about
    /// `count + depth` hashes instead of `count × depth`.
    public mutating func append(contentsOf leaves: [MerkleNode]) throws(MerkleError) {
        guard !leaves.isEmpty else { throw .emptyBatch }
        guard !leaves.contains(.zero) else { throw .cannotAppendEmptyNode }
        guard UInt64(nextIndex) + UInt64(leaves.count) <= capacity else { throw .treeFull }
        if leaves.count == 1 { return try append(leaves[0]) }
        let start = UInt64(nextIndex), end = start + UInt64(leaves.count)
        for (k, leaf) in leaves.enumerated() { set(level: 0, index: start + UInt64(k), leaf) }
        var lo = start, hi = end - 1
        for level in 0..<depth {
            lo >>= 1; hi >>= 1
            for p in lo...hi {
                set(level: level + 1, index: p, H.parent(node(level: level, index: 2 * p), node(level: level, index: 2 * p + 1)))
            }
        }
        let rootNode = node(level: depth, index: 0)
        let j = pushEntry(root: rootNode, start: UInt32(start), end: UInt32(end))
        for level in 0..<depth { clPath[j * depth + level] = node(level: level, index: (start >> UInt64(level)) | 1) }
        // Light pushes one root per leaf; all but the batch's last are the zero placeholder.
        for _ in 0..<min(leaves.count - 1, rootHistoryCapacity) { pushRoot(.zero) }
        pushRoot(rootNode)
        sequenceNumber += UInt64(leaves.count) - 1
        nextIndex = UInt32(end)
    }

    /// Replaces `previousLeaf` at `index` with `newLeaf`, given a proof made against `root`, which
    /// must be one of the last `bufferSize` roots; the proof may omit its top `canopyDepth`
    /// siblings (filled from the canopy), and is fast-forwarded through the newer changelog
    /// entries (SPL's critbit rule); it must then lead to the current root.
    public mutating func replace(index: UInt32, previousLeaf: MerkleNode, newLeaf: MerkleNode, proof: [MerkleNode], root proofRoot: MerkleNode) throws(MerkleError) {
        guard index < nextIndex else { throw .leafIndexOutOfBounds(index) }
        var patched = try filledFromCanopy(proof, index: index)
        try fastForward(&patched, index: index, from: proofRoot)
        guard Self.computeRoot(leaf: previousLeaf, index: index, proof: patched) == root else { throw .invalidProof }
        write(newLeaf, at: index)
    }

    /// A full-length proof: the given siblings, then (if `canopyDepth` were omitted) the top ones
    /// from the canopy.
    public func filledFromCanopy(_ proof: [MerkleNode], index: UInt32) throws(MerkleError) -> [MerkleNode] {
        if proof.count == depth { return proof }
        guard canopyDepth > 0, proof.count == depth - canopyDepth else { throw .invalidProofLength(proof.count) }
        var full = proof
        for level in proof.count..<depth { full.append(node(level: level, index: (UInt64(index) >> UInt64(level)) ^ 1)) }
        return full
    }

    /// Patches `proof` (made against `proofRoot`) with every changelog entry newer than that root.
    public func fastForward(_ proof: inout [MerkleNode], index: UInt32, from proofRoot: MerkleNode) throws(MerkleError) {
        guard proof.count == depth else { throw .invalidProofLength(proof.count) }
        var position: Int?
        for back in 0..<bufferSize {
            let j = (activeIndex - back + maxBufferSize) % maxBufferSize
            if clRoot[j] == proofRoot { position = j; break }
        }
        guard var j = position else { throw .rootNotFound }
        while j != activeIndex {
            j = (j + 1) % maxBufferSize
            let start = clStart[j], end = clEnd[j]
            if end - start == 1 {
                if start == index { throw .leafContentsModified }
                // The highest bit where the two indices differ: there, the entry's path node is our sibling.
                let diff = (index ^ start) << UInt32(32 - depth)
                let critbit = depth - 1 - diff.leadingZeroBitCount
                proof[critbit] = clPath[j * depth + critbit]
            } else {
                // A batch wrote start..<end, all empty before: a leaf in or after it was empty when
                // the proof was made; below it, at each level only node (start >> L) | 1 can be ours.
                if index >= start { throw .leafContentsModified }
                for level in 0..<depth where (UInt64(index) >> UInt64(level)) ^ 1 == (UInt64(start) >> UInt64(level)) | 1 {
                    proof[level] = clPath[j * depth + level]
                }
            }
        }
    }

    /// The root a proof leads to (SPL `recompute`: left child iff `(index >> level) & 1 == 0`).
    public static func computeRoot(leaf: MerkleNode, index: UInt32, proof: [MerkleNode]) -> MerkleNode {
        var node = leaf
        for (level, sibling) in proof.enumerated() {
            node = (index >> UInt32(level)) & 1 == 0 ? H.parent(node, sibling) : H.parent(sibling, node)
        }
        return node
    }

    /// True if the proof leads from the leaf to `root`.
    public static func verify(leaf: MerkleNode, index: UInt32, proof: [MerkleNode], root: MerkleNode) -> Bool {
        computeRoot(leaf: leaf, index: index, proof: proof) == root
    }

    /// Writes a leaf, recomputes its path, and pushes the changelog entry and the root.
    private mutating func write(_ leaf: MerkleNode, at index: UInt32) {
        let j = (activeIndex + 1) % maxBufferSize
        let depth = self.depth
        let current: MerkleNode = zero.withUnsafeBufferPointer { zero in
            levels.withUnsafeMutableBufferPointer { lv in
                clPath.withUnsafeMutableBufferPointer { path in
                    var i = Int(index)
                    Self.put(&lv[0], i, leaf, zero[0])
                    var current = leaf
                    path[j * depth] = leaf
                    for level in 0..<depth {
                        let sibling = (i ^ 1) < lv[level].count ? lv[level][i ^ 1] : zero[level]
                        current = i & 1 == 0 ? H.parent(current, sibling) : H.parent(sibling, current)
                        i >>= 1
                        Self.put(&lv[level + 1], i, current, zero[level + 1])
                        if level + 1 < depth { path[j * depth + level + 1] = current }
                    }
                    return current
                }
            }
        }
        _ = pushEntry(root: current, start: index, end: index + 1)
        pushRoot(current)
    }

    @inline(__always) private static func put(_ level: inout [MerkleNode], _ i: Int, _ value: MerkleNode, _ empty: MerkleNode) {
        while level.count <= i { level.append(empty) }
        level[i] = value
    }

    /// Advances the changelog ring; returns the new entry's slot (its path is the caller's to fill).
    private mutating func pushEntry(root: MerkleNode, start: UInt32, end: UInt32) -> Int {
        activeIndex = (activeIndex + 1) % maxBufferSize
        clRoot[activeIndex] = root
        clStart[activeIndex] = start
        clEnd[activeIndex] = end
        bufferSize = min(bufferSize + 1, maxBufferSize)
        sequenceNumber += 1
        return activeIndex
    }

    private mutating func pushRoot(_ root: MerkleNode) {
        rootHistory[rootHistoryNext] = root
        rootHistoryNext = (rootHistoryNext + 1) % rootHistoryCapacity
        rootHistoryCount = min(rootHistoryCount + 1, rootHistoryCapacity)
    }

    private mutating func set(level: Int, index: UInt64, _ value: MerkleNode) {
        let i = Int(index)
        while levels[level].count <= i { levels[level].append(zero[level]) }
        levels[level][i] = value
    }
}
