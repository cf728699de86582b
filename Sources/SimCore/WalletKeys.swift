import Crypto

/// Real Ed25519 keys for simulated accounts, derived from the run's seed, so that exports carry
/// Solana addresses (base58 public keys) that are the same for the same scenario and seed:
/// the 32-byte private seed of account `a` is SHA-256("pumpsim-wallet-v1" ‖ seed as u64 LE ‖
/// a as u32 LE), the key pair is RFC 8032's from that seed (swift-crypto), the address the
/// public key in base58 (Bitcoin's alphabet, as Solana writes keys).
public enum WalletKeys {
    public static func privateSeed(runSeed: UInt64, account: UInt32) -> [UInt8] {
        var bytes = Array("pumpsim-wallet-v1".utf8)
        withUnsafeBytes(of: runSeed.littleEndian) { bytes += $0 }
        withUnsafeBytes(of: account.littleEndian) { bytes += $0 }
        return Array(SHA256.hash(data: bytes))
    }

    /// The account's Ed25519 public key.
    public static func publicKey(runSeed: UInt64, account: UInt32) -> [UInt8] {
        // A 32-byte seed is always a valid Ed25519 private key.
        let key = try! Curve25519.Signing.PrivateKey(rawRepresentation: privateSeed(runSeed: runSeed, account: account))
        return Array(key.publicKey.rawRepresentation)
    }

    /// The account's address: its public key in base58.
    public static func address(runSeed: UInt64, account: UInt32) -> String {
        Base58.encode(publicKey(runSeed: runSeed, account: account))
    }
}

/// Base58 with Bitcoin's alphabet (no 0, O, I, l), leading zero bytes as `1`s.
public enum Base58 {
    static let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var zeros = 0
        while zeros < bytes.count && bytes[zeros] == 0 { zeros += 1 }
        var digits: [UInt8] = []  // base-58 digits, least significant first
        for b in bytes[zeros...] {
            var carry = Int(b)
            for i in digits.indices {
                carry += Int(digits[i]) << 8
                digits[i] = UInt8(carry % 58)
                carry /= 58
            }
            while carry > 0 { digits.append(UInt8(carry % 58)); carry /= 58 }
        }
        return String(decoding: Array(repeating: alphabet[0], count: zeros) + digits.reversed().map { alphabet[Int($0)] }, as: UTF8.self)
    }
}
