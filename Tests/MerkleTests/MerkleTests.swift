import Foundation
import Crypto
import Testing
import SimCore
@testable import Merkle

struct Vectors: Decodable {
    struct Case: Decodable {
        let hash: String
        let depth: Int
        let zero_root: String
        let roots_after_appends: [String: String]
        let replace_index: UInt32
        let replacement: String
        let root_after_replace: String
        let proof_of_7_after_100: [String]
    }
    let keccak_empty: String
    let keccak_abc: String
    let keccak_200_bytes: String
    let cases: [Case]

    static let shared: Vectors = {
        let url = Bundle.module.url(forResource: "merkle_vectors", withExtension: "json", subdirectory: "Vectors")!
        return try! JSONDecoder().decode(Vectors.self, from: Data(contentsOf: url))
    }()
}

/// The vectors' leaf rule: SHA-256 of "pumpsim-leaf-" and the index, byte 0 cleared (a field element).
func leaf(_ i: UInt32) -> MerkleNode {
    var h = Array(SHA256.hash(data: Array("pumpsim-leaf-".utf8) + [UInt8(i >> 24), UInt8(truncatingIfNeeded: i >> 16), UInt8(truncatingIfNeeded: i >> 8), UInt8(truncatingIfNeeded: i)]))
    h[0] = 0
    return MerkleNode(h)!
}

func hex(_ n: MerkleNode) -> String { Hex.encode(n.bytes) }
func hex(_ b: [UInt8]) -> String { Hex.encode(b) }
func node(_ hex: String) -> MerkleNode { MerkleNode(Hex.decode(hex)!)! }

struct KeccakTests {
    @Test func matchesPublishedAndReferenceDigests() {
        let v = Vectors.shared
        // The published Keccak-256 of "" and "abc".
        #expect(hex(Keccak256.hash([])) == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        #expect(hex(Keccak256.hash(Array("abc".utf8))) == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
        #expect(hex(Keccak256.hash([])) == v.keccak_empty)
        #expect(hex(Keccak256.hash(Array("abc".utf8))) == v.keccak_abc)
        // Longer than one 136-byte block.
        #expect(hex(Keccak256.hash((0..<200).map { UInt8($0) })) == v.keccak_200_bytes)
    }
}

struct TreeTests {
    func check<H: MerkleHasher>(_ hasher: H.Type, _ c: Vectors.Case) throws {
        var tree = try ConcurrentMerkleTree<H>(depth: c.depth, maxBufferSize: 64)
        #expect(hex(tree.root) == c.zero_root)
        #expect(hex(tree.root) == c.roots_after_appends["0"])
        for i in 0..<UInt32(100) {
            try tree.append(leaf(i))
            if let expected = c.roots_after_appends[String(i + 1)] { #expect(hex(tree.root) == expected, "\(H.name) after \(i + 1)") }
        }
        #expect(tree.proof(7).map(hex) == c.proof_of_7_after_100)
        #expect(ConcurrentMerkleTree<H>.verify(leaf: leaf(7), index: 7, proof: tree.proof(7), root: tree.root))
        let replacement = node(c.replacement)
        try tree.replace(index: c.replace_index, previousLeaf: leaf(c.replace_index), newLeaf: replacement,
                         proof: tree.proof(c.replace_index), root: tree.root)
        #expect(hex(tree.root) == c.root_after_replace)
        #expect(tree.sequenceNumber == 101)
    }

    @Test func rootsAndProofsMatchTheReferenceForEveryHasher() throws {
        for c in Vectors.shared.cases {
            switch c.hash {
            case "sha256": try check(Sha256Hasher.self, c)
            case "keccak": try check(Keccak256Hasher.self, c)
            case "poseidon": try check(PoseidonHasher.self, c)
            default: Issue.record("unknown hasher \(c.hash)")
            }
        }
        #expect(Set(Vectors.shared.cases.map(\.hash)) == ["sha256", "keccak", "poseidon"])
    }

    @Test func aStaleProofIsFastForwardedThroughTheChangelog() throws {
        var tree = try ConcurrentMerkleTree<Keccak256Hasher>(depth: 26, maxBufferSize: 8)
        for i in 0..<UInt32(16) { try tree.append(leaf(i)) }
        let staleRoot = tree.root, staleProof = tree.proof(3)
        // Other leaves change after the proof was taken.
        for i in [UInt32(4), 9, 15] {
            try tree.replace(index: i, previousLeaf: leaf(i), newLeaf: leaf(1_000 + i), proof: tree.proof(i), root: tree.root)
        }
        try tree.append(leaf(16))
        try tree.replace(index: 3, previousLeaf: leaf(3), newLeaf: leaf(2_000), proof: staleProof, root: staleRoot)
        #expect(tree.leaf(3) == leaf(2_000))
        // The result is the tree a fresh build of the same leaves has.
        var fresh = try ConcurrentMerkleTree<Keccak256Hasher>(depth: 26, maxBufferSize: 8)
        for i in 0..<UInt32(17) { try fresh.append([3, 4, 9, 15].contains(i) ? leaf(i == 3 ? 2_000 : 1_000 + i) : leaf(i)) }
        #expect(tree.root == fresh.root)
    }

    @Test func aProofOlderThanTheChangelogFails() throws {
        var tree = try ConcurrentMerkleTree<Sha256Hasher>(depth: 20, maxBufferSize: 4)
        for i in 0..<UInt32(8) { try tree.append(leaf(i)) }
        let staleRoot = tree.root, staleProof = tree.proof(2)
        for i in 8..<UInt32(12) { try tree.append(leaf(i)) }   // four newer entries: the stale root leaves the ring
        #expect(throws: MerkleError.rootNotFound) {
            try tree.replace(index: 2, previousLeaf: leaf(2), newLeaf: leaf(99), proof: staleProof, root: staleRoot)
        }
    }

    @Test func invalidProofsAndInputsAreRejectedWithTypedErrors() throws {
        var tree = try ConcurrentMerkleTree<Sha256Hasher>(depth: 10, maxBufferSize: 8)
        for i in 0..<UInt32(5) { try tree.append(leaf(i)) }
        var bad = tree.proof(1)
        bad[2] = leaf(77)
        #expect(throws: MerkleError.invalidProof) { try tree.replace(index: 1, previousLeaf: leaf(1), newLeaf: leaf(50), proof: bad, root: tree.root) }
        #expect(throws: MerkleError.invalidProof) { try tree.replace(index: 1, previousLeaf: leaf(2), newLeaf: leaf(50), proof: tree.proof(1), root: tree.root) }
        #expect(throws: MerkleError.leafIndexOutOfBounds(5)) { try tree.replace(index: 5, previousLeaf: leaf(5), newLeaf: leaf(50), proof: tree.proof(5), root: tree.root) }
        #expect(throws: MerkleError.cannotAppendEmptyNode) { try tree.append(.zero) }
        #expect(throws: MerkleError.invalidBufferSize(6)) { try ConcurrentMerkleTree<Sha256Hasher>(depth: 10, maxBufferSize: 6) }
        #expect(throws: MerkleError.invalidDepth(33)) { try ConcurrentMerkleTree<Sha256Hasher>(depth: 33, maxBufferSize: 8) }
        // Replacing the same leaf twice from one proof: the second sees the leaf modified.
        let root = tree.root, proof = tree.proof(0)
        try tree.replace(index: 0, previousLeaf: leaf(0), newLeaf: leaf(60), proof: proof, root: root)
        #expect(throws: MerkleError.leafContentsModified) { try tree.replace(index: 0, previousLeaf: leaf(0), newLeaf: leaf(61), proof: proof, root: root) }
        var small = try ConcurrentMerkleTree<Sha256Hasher>(depth: 2, maxBufferSize: 1)
        for i in 0..<UInt32(4) { try small.append(leaf(i)) }
        #expect(throws: MerkleError.treeFull) { try small.append(leaf(4)) }
    }
    @Test func aBatchAppendEqualsAppendingOneByOneForEveryHasher() throws {
        func check<H: MerkleHasher>(_: H.Type) throws {
            var single = try ConcurrentMerkleTree<H>(depth: 26, maxBufferSize: 64)
            var batched = try ConcurrentMerkleTree<H>(depth: 26, maxBufferSize: 64)
            var next: UInt32 = 0
            // Batches that start and end at odd and even, aligned and unaligned positions.
            for size in [1, 2, 3, 5, 8, 13, 16, 1, 33] {
                let leaves = (next..<next + UInt32(size)).map(leaf)
                for l in leaves { try single.append(l) }
                try batched.append(contentsOf: leaves)
                next += UInt32(size)
                #expect(batched.root == single.root, "\(H.name) after \(next)")
            }
            #expect(batched.sequenceNumber == single.sequenceNumber)
            #expect(batched.nextIndex == single.nextIndex)
            for i in [UInt32(0), 7, 50, next - 1] { #expect(batched.proof(i) == single.proof(i)) }
        }
        try check(Sha256Hasher.self)
        try check(Keccak256Hasher.self)
        try check(PoseidonHasher.self)
        // The reference roots after 100 leaves, reached by one batch.
        for c in Vectors.shared.cases where c.hash == "keccak" {
            var tree = try ConcurrentMerkleTree<Keccak256Hasher>(depth: c.depth, maxBufferSize: 64)
            try tree.append(contentsOf: (0..<UInt32(100)).map(leaf))
            #expect(hex(tree.root) == c.roots_after_appends["100"])
        }
    }

    @Test func aProofOlderThanABatchIsFastForwardedThroughIt() throws {
        for start in [UInt32(5), 8, 11, 16] {
            var tree = try ConcurrentMerkleTree<Sha256Hasher>(depth: 12, maxBufferSize: 8)
            try tree.append(contentsOf: (0..<start).map(leaf))
            let staleRoot = tree.root
            let staleProofs = (0..<start).map { tree.proof($0) }
            try tree.append(contentsOf: (start..<start + 37).map(leaf))
            // Every older leaf can still be replaced with the proof taken before the batch.
            for i in 0..<start {
                var t = tree
                try t.replace(index: i, previousLeaf: leaf(i), newLeaf: leaf(5_000 + i), proof: staleProofs[Int(i)], root: staleRoot)
                var fresh = try ConcurrentMerkleTree<Sha256Hasher>(depth: 12, maxBufferSize: 8)
                for k in 0..<start + 37 { try fresh.append(k == i ? leaf(5_000 + i) : leaf(k)) }
                #expect(t.root == fresh.root, "start \(start), leaf \(i)")
            }
            // A leaf the batch wrote was empty when the old proof was taken.
            #expect(throws: MerkleError.leafContentsModified) {
                var t = tree
                try t.replace(index: start, previousLeaf: .zero, newLeaf: leaf(1), proof: tree.proof(start), root: staleRoot)
            }
        }
        #expect(throws: MerkleError.emptyBatch) { var t = try ConcurrentMerkleTree<Sha256Hasher>(depth: 4, maxBufferSize: 8); try t.append(contentsOf: []) }
        #expect(throws: MerkleError.treeFull) { var t = try ConcurrentMerkleTree<Sha256Hasher>(depth: 2, maxBufferSize: 8); try t.append(contentsOf: (0..<5).map(leaf)) }
    }

    @Test func proofsMayOmitTheCanopy() throws {
        var tree = try ConcurrentMerkleTree<Keccak256Hasher>(depth: 14, maxBufferSize: 64, canopyDepth: 4)
        try tree.append(contentsOf: (0..<UInt32(300)).map(leaf))
        // SPL's layout: 2^(N+1) − 2 nodes, node k (root = 1) at k − 2; its children hash to it.
        let canopy = tree.canopy
        #expect(canopy.count == 30)
        #expect(Keccak256Hasher.parent(canopy[0], canopy[1]) == tree.root)
        #expect(Keccak256Hasher.parent(canopy[2], canopy[3]) == canopy[0])
        #expect(canopy[2] == tree.node(level: 12, index: 0) && canopy[29] == tree.node(level: 10, index: 15))
        let short = tree.proof(77, omittingCanopy: true)
        #expect(short.count == 10)
        #expect(try tree.filledFromCanopy(short, index: 77) == tree.proof(77))
        let root = tree.root
        try tree.replace(index: 77, previousLeaf: leaf(77), newLeaf: leaf(9_077), proof: short, root: root)
        #expect(tree.leaf(77) == leaf(9_077))
        #expect(throws: MerkleError.invalidProofLength(9)) {
            try tree.replace(index: 78, previousLeaf: leaf(78), newLeaf: leaf(1), proof: Array(tree.proof(78).prefix(9)), root: tree.root)
        }
        #expect(throws: MerkleError.invalidCanopyDepth(14)) { try ConcurrentMerkleTree<Keccak256Hasher>(depth: 14, maxBufferSize: 64, canopyDepth: 14) }
    }

    @Test func theRootHistoryKeepsLightsPlaceholders() throws {
        var tree = try ConcurrentMerkleTree<Sha256Hasher>(depth: 10, maxBufferSize: 8, rootHistoryCapacity: 6)
        let empty = tree.root
        #expect(tree.isRecentRoot(empty))
        try tree.append(leaf(0))
        let afterOne = tree.root
        try tree.append(contentsOf: (1..<UInt32(4)).map(leaf))   // pushes 0, 0, root
        #expect(tree.rootHistoryCount == 5)
        #expect(tree.isRecentRoot(empty) && tree.isRecentRoot(afterOne) && tree.isRecentRoot(tree.root))
        #expect(tree.isRecentRoot(.zero))                            // Light's placeholder roots
        try tree.append(leaf(4))
        try tree.append(leaf(5))                                   // the ring (6) drops the empty root
        #expect(!tree.isRecentRoot(empty))
        #expect(tree.isRecentRoot(afterOne))
        #expect(tree.sequenceNumber == 6)
        #expect(tree.changelog.map(\.start) == [0, 0, 1, 4, 5])
        #expect(tree.changelog.last?.root == tree.root)
    }
}
