/// Keccak-256 with the original (pre-SHA-3) padding `0x01 … 0x80`, written from the Keccak
/// reference specification: Keccak-f[1600], rate 1088 bits, capacity 512 bits. The state lives
/// on the stack; nothing is allocated per hash.
public enum Keccak256 {
    static let roundConstants: [UInt64] = [
        0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
        0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
        0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
        0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
        0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
        0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
    ]
    /// Rotation offsets r[x][y], indexed x + 5y.
    static let rotations: [UInt64] = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14]
    /// Where ρ/π sends lane x + 5y: y + 5·((2x + 3y) mod 5).
    static let piTarget: [Int] = (0..<25).map { i in let x = i % 5, y = i / 5; return y + 5 * ((2 * x + 3 * y) % 5) }
    static let rate = 136

    @inline(__always) static func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 { (x << n) | (x >> ((64 &- n) & 63)) }

    /// Keccak-f[1600] over 25 lanes.
    static func permute(_ a: UnsafeMutablePointer<UInt64>) {
        roundConstants.withUnsafeBufferPointer { rc in
        rotations.withUnsafeBufferPointer { rot in
        piTarget.withUnsafeBufferPointer { pi in
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 30) { tmp in
            let c = tmp.baseAddress!, b = c + 5
            for round in 0..<24 {
                for x in 0..<5 { c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] }
                for x in 0..<5 {
                    let d = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1)
                    a[x] ^= d; a[x + 5] ^= d; a[x + 10] ^= d; a[x + 15] ^= d; a[x + 20] ^= d
                }
                for i in 0..<25 { b[pi[i]] = rotl(a[i], rot[i]) }
                for y in stride(from: 0, to: 25, by: 5) {
                    let b0 = b[y], b1 = b[y + 1], b2 = b[y + 2], b3 = b[y + 3], b4 = b[y + 4]
                    a[y] = b0 ^ (~b1 & b2)
                    a[y + 1] = b1 ^ (~b2 & b3)
                    a[y + 2] = b2 ^ (~b3 & b4)
                    a[y + 3] = b3 ^ (~b4 & b0)
                    a[y + 4] = b4 ^ (~b0 & b1)
                }
                a[0] ^= rc[round]
            }
        }
        }
        }
        }
    }

    /// The digest of raw bytes, as a node.
    public static func hash(raw message: UnsafeRawBufferPointer) -> MerkleNode {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 25 + 17) { buf in
            let state = buf.baseAddress!, block = UnsafeMutableRawPointer(state + 25)
            state.initialize(repeating: 0, count: 25 + 17)
            var offset = 0
            var padded = false
            while !padded {
                let take = min(rate, message.count - offset)
                block.initializeMemory(as: UInt8.self, repeating: 0, count: rate)
                if take > 0 { block.copyMemory(from: message.baseAddress! + offset, byteCount: take) }
                offset += take
                if take < rate {
                    block.storeBytes(of: 0x01, toByteOffset: take, as: UInt8.self)
                    let last = block.load(fromByteOffset: rate - 1, as: UInt8.self)
                    block.storeBytes(of: last | 0x80, toByteOffset: rate - 1, as: UInt8.self)
                    padded = true
                }
                for i in 0..<(rate / 8) { state[i] ^= UInt64(littleEndian: block.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)) }
                permute(state)
            }
            return MerkleNode(words: state[0].littleEndian, state[1].littleEndian, state[2].littleEndian, state[3].littleEndian)
        }
    }

    /// The 32-byte digest of `message`.
    public static func hash(_ message: [UInt8]) -> [UInt8] {
        message.withUnsafeBytes { hash(raw: $0) }.bytes
    }
}
