import Crypto

/// Light Protocol's hashes of compressed state (REFERENCE.md Part 2 §2 and §4), v1 layout (the
/// concurrent state trees): integers little-endian inside their 32-byte words.
public enum LightHash {
    /// `hash_to_bn254_field_size_be`: Keccak-256 of the bytes and `0xFF`, byte 0 cleared, so
    /// that any pubkey becomes a field element Poseidon accepts.
    public static func hashToField(_ bytes: [UInt8]) -> MerkleNode {
        var digest = Keccak256.hash(bytes + [0xFF])
        digest[0] = 0
        return MerkleNode(digest)!
    }

    /// A 32-byte word with `value` little-endian in bytes `[32 − width, 32)` and an optional
    /// marker byte just before it.
    static func word(_ value: UInt64, width: Int, marker: UInt8? = nil) -> Fr {
        var b = [UInt8](repeating: 0, count: 32)
        for k in 0..<width { b[32 - width + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(k))) }
        if let marker { b[31 - width] = marker }
        return Fr(bigEndian: b)!
    }

    /// The compressed token program's v1 data discriminator, `[2, 0, 0, 0, 0, 0, 0, 0]`.
    public static let tokenDiscriminatorV1: UInt64 = 2

    /// The token data hash (compressed-token `TokenData::hash`, v1): Poseidon(h(mint), h(owner),
    /// amount, [h(delegate)]) with h = `hashToField` already applied to the pubkeys.
    public static func tokenDataHash(mint: MerkleNode, owner: MerkleNode, amount: UInt64, delegate: MerkleNode? = nil) -> MerkleNode {
        var inputs = [Fr(node: mint)!, Fr(node: owner)!, word(amount, width: 8)]
        if let d = delegate { inputs.append(Fr(node: d)!) }
        return try! Poseidon.hash(inputs).node
    }

    /// The compressed account hash (`hash_with_hashed_values`, v1): Poseidon(h(owner), leaf index,
    /// h(tree), [lamports if non-zero], [discriminator, data hash] if there is data). Pubkeys are
    /// given already hashed to the field.
    public static func accountHash(owner: MerkleNode, leafIndex: UInt32, tree: MerkleNode, lamports: UInt64 = 0,
                                   discriminator: UInt64? = nil, dataHash: MerkleNode? = nil) -> MerkleNode {
        var inputs = [Fr(node: owner)!, word(UInt64(leafIndex), width: 4), Fr(node: tree)!]
        if lamports != 0 { inputs.append(word(lamports, width: 8, marker: 1)) }
        if let d = discriminator, let h = dataHash {
            inputs.append(word(d, width: 8, marker: 2))
            inputs.append(Fr(node: h)!)
        }
        return try! Poseidon.hash(inputs).node
    }
}

/// The 32-byte public keys PumpSim gives its simulated accounts, mints and trees: SHA-256 of
/// `pumpsim/account/N`, `pumpsim/mint/N`, `pumpsim/tree/N`. The compressed token program keeps
/// its real address.
public enum SimPubkey {
    public static func account(_ n: UInt32) -> [UInt8] { sha256("pumpsim/account/\(n)") }
    public static func mint(_ n: UInt32) -> [UInt8] { sha256("pumpsim/mint/\(n)") }
    public static func tree(_ n: UInt32) -> [UInt8] { sha256("pumpsim/tree/\(n)") }
    /// Light's compressed token program, `cTokenmWW8bLPjZEBAUgYy3zKxQZW6VKi7bqNFEVv3m`.
    public static let compressedTokenProgram: [UInt8] = base58("cTokenmWW8bLPjZEBAUgYy3zKxQZW6VKi7bqNFEVv3m")

    static func sha256(_ s: String) -> [UInt8] { Array(SHA256.hash(data: Array(s.utf8))) }

    /// Base58 (Bitcoin alphabet) to bytes; for the constant above.
    static func base58(_ s: String) -> [UInt8] {
        let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)
        var bytes: [UInt8] = []   // little-endian big number
        for ch in s.utf8 {
            var carry = Int(alphabet.firstIndex(of: ch)!)
            for i in bytes.indices {
                carry += Int(bytes[i]) * 58
                bytes[i] = UInt8(carry & 0xFF)
                carry >>= 8
            }
            while carry > 0 { bytes.append(UInt8(carry & 0xFF)); carry >>= 8 }
        }
        let zeros = s.utf8.prefix { $0 == UInt8(ascii: "1") }.count
        return [UInt8](repeating: 0, count: zeros) + bytes.reversed()
    }
}
