import Crypto

/// A 32-byte tree node, held inline (no heap allocation): the bytes in order, as four words of
/// raw memory.
public struct MerkleNode: Hashable, Sendable, CustomStringConvertible {
    @usableFromInline var w0, w1, w2, w3: UInt64

    @inlinable init(words w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64) {
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
    }

    /// The all-zero node (SPL's and Light's empty leaf).
    public static let zero = MerkleNode(words: 0, 0, 0, 0)

    /// A node from exactly 32 bytes; nil for any other length.
    public init?(_ bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        var n = MerkleNode.zero
        withUnsafeMutableBytes(of: &n) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        self = n
    }

    /// A node from 32 bytes of raw memory.
    @inlinable public init(loading raw: UnsafeRawBufferPointer) {
        precondition(raw.count >= 32)
        self = raw.loadUnaligned(as: MerkleNode.self)
    }

    /// The 32 bytes.
    public var bytes: [UInt8] { withUnsafeBytes(of: self) { Array($0) } }

    /// Byte `i` (0 = first).
    @inlinable public subscript(i: Int) -> UInt8 {
        precondition(i >= 0 && i < 32)
        return withUnsafeBytes(of: self) { $0[i] }
    }

    /// Lowercase hex.
    public var description: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
}

/// How a tree combines two children into their parent: `parent = H(left || right)`.
public protocol MerkleHasher: Sendable {
    /// Short name used on the command line and in reports.
    static var name: String { get }
    /// The parent of two 32-byte children.
    static func parent(_ left: MerkleNode, _ right: MerkleNode) -> MerkleNode
}

/// SHA-256 of the 64-byte concatenation (swift-crypto).
public enum Sha256Hasher: MerkleHasher {
    public static let name = "sha256"
    @inlinable public static func parent(_ left: MerkleNode, _ right: MerkleNode) -> MerkleNode {
        var pair = (left, right)
        var h = SHA256()
        withUnsafeBytes(of: &pair) { h.update(bufferPointer: $0) }
        let digest = h.finalize()
        return digest.withUnsafeBytes { MerkleNode(loading: $0) }
    }
}

/// Keccak-256 (the original padding, as Solana's `keccak::hashv` and SPL account compression).
public enum Keccak256Hasher: MerkleHasher {
    public static let name = "keccak"
    public static func parent(_ left: MerkleNode, _ right: MerkleNode) -> MerkleNode {
        var pair = (left, right)
        return withUnsafeBytes(of: &pair) { Keccak256.hash(raw: $0) }
    }
}

/// Zero nodes: `zero[0]` is 32 zero bytes, `zero[i+1] = H(zero[i], zero[i])`; the root of an empty
/// tree of depth D is `zero[D]` (SPL `empty_node`, Light `zero_bytes`).
public func zeroNodes<H: MerkleHasher>(_: H.Type, depth: Int) -> [MerkleNode] {
    var z = [MerkleNode.zero]
    for i in 0..<depth { z.append(H.parent(z[i], z[i])) }
    return z
}
