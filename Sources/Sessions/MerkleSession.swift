import Foundation
import SimCore
import Merkle

/// `pumpsim merkle`: roots, proofs and Poseidon hashes for people debugging compressed state.
public enum MerkleSession {
    /// The hashes a tree can use.
    public enum HashKind: String, Sendable, CaseIterable {
        case sha256, keccak, poseidon
    }

    /// Most leaves a leaves file may hold (a depth-26 tree's worth would not fit in memory on purpose).
    public static let maxLeaves = 4_000_000

    /// Reads a file of 64-hex-digit lines (blank lines skipped); errors name the line.
    public static func readLeaves(_ path: String) throws(PumpSimError) -> [MerkleNode] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw .badInput("cannot read \(path)") }
        var nodes: [MerkleNode] = []
        for (n, line) in text.utf8.split(separator: 10, omittingEmptySubsequences: false).map({ Substring($0) }).enumerated() {
            let s = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if s.isEmpty { continue }
            guard s.count == 64, let bytes = Hex.decode(s) else {
                throw .badInput("\(path):\(n + 1): expected 64 hex digits (a 32-byte leaf), found \"\(s.prefix(80))\"")
            }
            guard nodes.count < maxLeaves else { throw .badInput("\(path): more than \(maxLeaves) leaves") }
            nodes.append(MerkleNode(bytes)!)
        }
        return nodes
    }

    /// The tree's root (and a proof) as JSON.
    public static func root(hash: HashKind, depth: Int, leaves: [MerkleNode], leavesFile: String?, proof: UInt32?) throws(PumpSimError) -> JSON {
        guard (1...32).contains(depth) else { throw .badInput("--depth must be between 1 and 32 (found \(depth))") }
        let capacity = UInt64(1) << UInt64(depth)
        guard UInt64(leaves.count) <= capacity else {
            var need = depth
            while (UInt64(1) << UInt64(need)) < UInt64(leaves.count) { need += 1 }
            throw .badInput("\(leaves.count) leaves do not fit a tree of depth \(depth) (\(capacity) leaves); use --depth \(need) or more")
        }
        if let p = proof, UInt64(p) >= capacity { throw .badInput("--proof \(p) is beyond the tree's \(capacity) leaves (0 to \(capacity - 1))") }
        switch hash {
        case .sha256: return try build(Sha256Hasher.self, depth: depth, leaves: leaves, proof: proof)
        case .keccak: return try build(Keccak256Hasher.self, depth: depth, leaves: leaves, proof: proof)
        case .poseidon:
            if let i = leaves.firstIndex(where: { Fr(node: $0) == nil }) {
                throw .badInput("\(leavesFile ?? "leaves"): leaf \(i + 1) is not below the BN254 field modulus (Poseidon rejects it)")
            }
            return try build(PoseidonHasher.self, depth: depth, leaves: leaves, proof: proof)
        }
    }

    static func build<H: MerkleHasher>(_: H.Type, depth: Int, leaves: [MerkleNode], proof: UInt32?) throws(PumpSimError) -> JSON {
        do {
            var tree = try ConcurrentMerkleTree<H>(depth: depth, maxBufferSize: 64)
            if !leaves.isEmpty { try tree.append(contentsOf: leaves) }
            var fields: [(String, JSON)] = [("hash", .string(H.name)), ("depth", .uint(UInt64(depth))),
                                            ("leaves", .uint(UInt64(leaves.count))), ("root", .string(Hex.encode(tree.root.bytes)))]
            if let p = proof { fields.append(("proof", .array(tree.proof(p).map { .string(Hex.encode($0.bytes)) }))) }
            return .object(fields)
        } catch .cannotAppendEmptyNode {
            throw .badInput("a leaf is all zeros, which SPL's tree refuses to append (it is the empty node)")
        } catch {
            throw .badInput("merkle: \(error)")
        }
    }

    /// Poseidon of 1 to 12 inputs (64 hex digits each), as Light computes it.
    public static func poseidon(_ inputs: [String]) throws(PumpSimError) -> JSON {
        guard (1...12).contains(inputs.count) else { throw .badInput("give 1 to 12 inputs (found \(inputs.count))") }
        var bytes: [[UInt8]] = []
        for (i, x) in inputs.enumerated() {
            guard x.count == 64, let b = Hex.decode(x) else { throw .badInput("input \(i + 1) is not 64 hex digits: \(x.prefix(80))") }
            bytes.append(b)
        }
        do { return .object([("hash", .string(Hex.encode(try Poseidon.hash(bigEndian: bytes))))]) } catch {
            throw .badInput("\(error) (inputs must be below the BN254 modulus 0x30644e72…f0000001)")
        }
    }
}
