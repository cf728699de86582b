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
func leaf(_ i: UInt32) -> Node {
    var h = Array(SHA256.hash(data: Array("pumpsim-leaf-".utf8) + [UInt8(i >> 24), UInt8(truncatingIfNeeded: i >> 16), UInt8(truncatingIfNeeded: i >> 8), UInt8(truncatingIfNeeded: i)]))
    h[0] = 0
    return h
}

func hex(_ n: Node) -> String { Hex.encode(n) }

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
        let replacement = Hex.decode(c.replacement)!
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
        #expect(throws: MerkleError.cannotAppendEmptyNode) { try tree.append(Node(repeating: 0, count: 32)) }
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
}
