/// Why Poseidon refused its inputs (Light's `PoseidonError` names).
public enum PoseidonError: Error, Equatable, Sendable {
    /// 1 to 12 inputs (width t = 2...13).
    case invalidNumberOfInputs(Int)
    /// Every input must be exactly 32 bytes.
    case invalidInputLength(Int)
    /// An input encodes a value not below p: rejected, not reduced.
    case inputLargerThanModulus
}

/// Poseidon over BN254's scalar field with circom's parameters, as Light Protocol's
/// `light-poseidon` computes it (`new_circom(n).hash_bytes_be`): x⁵ S-box, 8 full rounds (4 + 4)
/// around the partial ones, state `[0, in₁ … inₙ]`, each round ARK → S-box → MDS, output state[0].
public enum Poseidon {
    struct Params: Sendable {
        let t: Int
        let partialRounds: Int
        let ark: ContiguousArray<Fr>
        let mds: ContiguousArray<Fr>   // row-major t × t
    }

    /// Parameters for t = 2...13, parsed once from the generated constants.
    static let params: [Params] = (2...13).map { t in
        let hex = constantsHex[t - 2]
        let rp = partialRounds[t - 2]
        var values: [Fr] = []
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 64)
            values.append(Fr(hex: String(hex[i..<j]))!)
            i = j
        }
        let arkCount = t * (8 + rp)
        precondition(values.count == arkCount + t * t, "Poseidon constants for t=\(t) are incomplete")
        return Params(t: t, partialRounds: rp, ark: ContiguousArray(values[0..<arkCount]), mds: ContiguousArray(values[arkCount...]))
    }

    /// Poseidon of 1...12 field elements.
    public static func hash(_ inputs: [Fr]) throws(PoseidonError) -> Fr {
        guard (1...12).contains(inputs.count) else { throw .invalidNumberOfInputs(inputs.count) }
        return inputs.withUnsafeBufferPointer { hash($0) }
    }

    /// Poseidon of two elements (a tree's parent), without an array.
    @inlinable public static func hash(_ a: Fr, _ b: Fr) -> Fr {
        withUnsafeTemporaryAllocation(of: Fr.self, capacity: 2) { buf in
            buf[0] = a; buf[1] = b
            return hash(UnsafeBufferPointer(buf))
        }
    }

    /// Poseidon of 1...12 elements (the count is not checked).
    @usableFromInline static func hash(_ inputs: UnsafeBufferPointer<Fr>) -> Fr {
        let p = params[inputs.count - 1]
        let t = p.t
        return withUnsafeTemporaryAllocation(of: Fr.self, capacity: 2 * t) { buf in
            var state = buf.baseAddress!, next = state + t
            state[0] = .zero
            for i in 0..<inputs.count { state[i + 1] = inputs[i] }
            p.ark.withUnsafeBufferPointer { ark in
            p.mds.withUnsafeBufferPointer { mds in
                let rounds = 8 + p.partialRounds
                var k = 0
                for r in 0..<rounds {
                    for i in 0..<t { state[i] = state[i] + ark[k + i] }
                    k += t
                    if r < 4 || r >= 4 + p.partialRounds {
                        for i in 0..<t { state[i] = state[i].pow5 }
                    } else {
                        state[0] = state[0].pow5
                    }
                    var row = 0
                    for i in 0..<t {
                        var acc = mds[row] * state[0]
                        for j in 1..<t { acc = acc + mds[row + j] * state[j] }
                        next[i] = acc
                        row += t
                    }
                    swap(&state, &next)
                }
            }
            }
            return state[0]
        }
    }

    /// Poseidon of 32-byte big-endian inputs (each below p), as 32 big-endian bytes.
    public static func hash(bigEndian inputs: [[UInt8]]) throws(PoseidonError) -> [UInt8] {
        var elements: [Fr] = []
        for b in inputs {
            guard b.count == 32 else { throw .invalidInputLength(b.count) }
            guard let e = Fr(bigEndian: b) else { throw .inputLargerThanModulus }
            elements.append(e)
        }
        return try hash(elements).bigEndian
    }

    /// Poseidon of nodes read as big-endian field elements (each below p), as a node.
    public static func hash(nodes inputs: [MerkleNode]) throws(PoseidonError) -> MerkleNode {
        var elements: [Fr] = []
        elements.reserveCapacity(inputs.count)
        for n in inputs {
            guard let e = Fr(node: n) else { throw .inputLargerThanModulus }
            elements.append(e)
        }
        return try hash(elements).node
    }
}

/// Poseidon of two children: Light's state and address trees.
public enum PoseidonHasher: MerkleHasher {
    public static let name = "poseidon"
    /// Tree nodes are field elements (zero nodes and Poseidon outputs always are).
    /// A child that is not a field element (impossible for nodes this tree made) yields the
    /// all-ones node, which no proof can reach.
    public static func parent(_ left: MerkleNode, _ right: MerkleNode) -> MerkleNode {
        guard let l = Fr(node: left), let r = Fr(node: right) else { return MerkleNode(words: ~0, ~0, ~0, ~0) }
        return Poseidon.hash(l, r).node
    }
}
