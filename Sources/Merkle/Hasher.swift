import Crypto

/// A 32-byte tree node.
public typealias Node = [UInt8]

/// How a tree combines two children into their parent: `parent = H(left || right)`.
public protocol MerkleHasher: Sendable {
    /// Short name used on the command line and in reports.
    static var name: String { get }
    /// The parent of two 32-byte children.
    static func parent(_ left: Node, _ right: Node) -> Node
}

/// SHA-256 of the 64-byte concatenation (swift-crypto).
public enum Sha256Hasher: MerkleHasher {
    public static let name = "sha256"
    public static func parent(_ left: Node, _ right: Node) -> Node {
        var h = SHA256()
        h.update(data: left)
        h.update(data: right)
        return Array(h.finalize())
    }
}

/// Keccak-256 (the original padding, as Solana's `keccak::hashv` and SPL account compression).
public enum Keccak256Hasher: MerkleHasher {
    public static let name = "keccak"
    public static func parent(_ left: Node, _ right: Node) -> Node { Keccak256.hash(left + right) }
}

/// Zero nodes: `zero[0]` is 32 zero bytes, `zero[i+1] = H(zero[i], zero[i])`; the root of an empty
/// tree of depth D is `zero[D]` (SPL `empty_node`, Light `zero_bytes`).
public func zeroNodes<H: MerkleHasher>(_: H.Type, depth: Int) -> [Node] {
    var z = [Node(repeating: 0, count: 32)]
    for i in 0..<depth { z.append(H.parent(z[i], z[i])) }
    return z
}
