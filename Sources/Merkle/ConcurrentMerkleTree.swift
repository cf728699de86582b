/// Why a tree operation failed (names after SPL account-compression's errors).
public enum MerkleError: Error, Equatable, Sendable {
    case invalidDepth(Int)
    case invalidBufferSize(Int)
    /// SPL refuses to append the empty (all-zero) node.
    case cannotAppendEmptyNode
    case treeFull
    case leafIndexOutOfBounds(UInt32)
    /// The proof's root is not among the last `bufferSize` roots.
    case rootNotFound
    /// The leaf was changed after the proof's root.
    case leafContentsModified
    /// The (fast-forwarded) proof does not lead to the current root.
    case invalidProof
    case badNodeLength
}

/// One update's record: the new root, the path from the leaf up (`path[0]` is the leaf, `path[i]`
/// the node at level i), and the leaf index.
public struct ChangeLogEntry: Sendable, Equatable {
    public var root: Node
    public var path: [Node]
    public var index: UInt32
}

/// A concurrent Merkle tree as SPL account compression keeps it: a ring of the last
/// `maxBufferSize` changelog entries lets a proof made against a recent root be fast-forwarded
/// to the current one. Nodes are stored only for written leaves (memory ∝ leaves, not 2^depth).
public struct ConcurrentMerkleTree<H: MerkleHasher>: Sendable {
    public let depth: Int
    public let maxBufferSize: Int
    public let zero: [Node]
    /// `levels[L][i]`: the node at level L, index i, for every index reached by written leaves.
    private var levels: [[Node]]
    private var changelog: [ChangeLogEntry]
    private var activeIndex = 0
    /// Entries in the ring (at most `maxBufferSize`).
    public private(set) var bufferSize = 1
    /// Successful appends and replaces.
    public private(set) var sequenceNumber: UInt64 = 0
    /// Leaves appended so far (the next append's index).
    public private(set) var nextIndex: UInt32 = 0

    public init(depth: Int, maxBufferSize: Int) throws(MerkleError) {
        guard depth >= 1 && depth <= 32 else { throw .invalidDepth(depth) }
        guard maxBufferSize >= 1, maxBufferSize & (maxBufferSize - 1) == 0 else { throw .invalidBufferSize(maxBufferSize) }
        self.depth = depth
        self.maxBufferSize = maxBufferSize
        zero = zeroNodes(H.self, depth: depth)
        levels = Array(repeating: [], count: depth + 1)
        changelog = [ChangeLogEntry(root: zero[depth], path: Array(zero[0..<depth]), index: 0)]
    }

    /// The current root.
    public var root: Node { changelog[activeIndex].root }

    /// Capacity: 2^depth leaves.
    public var capacity: UInt64 { 1 << UInt64(depth) }

    /// The node at a level and index (zero where nothing was written).
    public func node(level: Int, index: UInt64) -> Node {
        index < UInt64(levels[level].count) ? levels[level][Int(index)] : zero[level]
    }

    /// The leaf at `index`.
    public func leaf(_ index: UInt32) -> Node { node(level: 0, index: UInt64(index)) }

    /// The proof of a leaf against the current root: `depth` siblings from the leaf up.
    public func proof(_ index: UInt32) -> [Node] {
        (0..<depth).map { level in node(level: level, index: (UInt64(index) >> UInt64(level)) ^ 1) }
    }

    /// Appends a leaf at `nextIndex`.
    public mutating func append(_ leaf: Node) throws(MerkleError) {
        guard leaf.count == 32 else { throw .badNodeLength }
        guard leaf != zero[0] else { throw .cannotAppendEmptyNode }
        guard UInt64(nextIndex) < capacity else { throw .treeFull }
        write(leaf, at: nextIndex)
        nextIndex += 1
    }

    /// Replaces `previousLeaf` at `index` with `newLeaf`, given a proof made against `root`, which
    /// must be one of the last `bufferSize` roots; the proof is fast-forwarded through the newer
    /// changelog entries (SPL's critbit rule) and must then lead to the current root.
    public mutating func replace(index: UInt32, previousLeaf: Node, newLeaf: Node, proof: [Node], root proofRoot: Node) throws(MerkleError) {
        guard previousLeaf.count == 32, newLeaf.count == 32, proof.count == depth, proof.allSatisfy({ $0.count == 32 }) else { throw .badNodeLength }
        guard index < nextIndex else { throw .leafIndexOutOfBounds(index) }
        var patched = proof
        try fastForward(&patched, index: index, from: proofRoot)
        guard Self.computeRoot(leaf: previousLeaf, index: index, proof: patched) == root else { throw .invalidProof }
        write(newLeaf, at: index)
    }

    /// Patches `proof` (made against `proofRoot`) with every changelog entry newer than that root.
    public func fastForward(_ proof: inout [Node], index: UInt32, from proofRoot: Node) throws(MerkleError) {
        var position: Int?
        for back in 0..<bufferSize {
            let j = (activeIndex - back + maxBufferSize) % maxBufferSize
            if changelog[j].root == proofRoot { position = j; break }
        }
        guard var j = position else { throw .rootNotFound }
        while j != activeIndex {
            j = (j + 1) % maxBufferSize
            let e = changelog[j]
            if e.index == index { throw .leafContentsModified }
            // The highest bit where the two indices differ: there, e's path node is our sibling.
            let diff = (index ^ e.index) << UInt32(32 - depth)
            let critbit = depth - 1 - diff.leadingZeroBitCount
            proof[critbit] = e.path[critbit]
        }
    }

    /// The root a proof leads to (SPL `recompute`: left child iff `(index >> level) & 1 == 0`).
    public static func computeRoot(leaf: Node, index: UInt32, proof: [Node]) -> Node {
        var node = leaf
        for (level, sibling) in proof.enumerated() {
            node = (index >> UInt32(level)) & 1 == 0 ? H.parent(node, sibling) : H.parent(sibling, node)
        }
        return node
    }

    /// True if the proof leads from the leaf to `root`.
    public static func verify(leaf: Node, index: UInt32, proof: [Node], root: Node) -> Bool {
        computeRoot(leaf: leaf, index: index, proof: proof) == root
    }

    /// Writes a leaf, recomputes its path, and pushes the changelog entry.
    private mutating func write(_ leaf: Node, at index: UInt32) {
        var path: [Node] = []
        path.reserveCapacity(depth)
        var i = UInt64(index)
        set(level: 0, index: i, leaf)
        path.append(leaf)
        var current = leaf
        for level in 0..<depth {
            let sibling = node(level: level, index: i ^ 1)
            current = i & 1 == 0 ? H.parent(current, sibling) : H.parent(sibling, current)
            i >>= 1
            if level + 1 < depth {
                set(level: level + 1, index: i, current)
                path.append(current)
            } else {
                set(level: depth, index: 0, current)
            }
        }
        activeIndex = (activeIndex + 1) % maxBufferSize
        let entry = ChangeLogEntry(root: current, path: path, index: index)
        if changelog.count < maxBufferSize { changelog.append(entry) } else { changelog[activeIndex] = entry }
        bufferSize = min(bufferSize + 1, maxBufferSize)
        sequenceNumber += 1
    }

    private mutating func set(level: Int, index: UInt64, _ value: Node) {
        let i = Int(index)
        while levels[level].count <= i { levels[level].append(zero[level]) }
        levels[level][i] = value
    }
}
