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
/// around the partial ones, state `[0, in₁ … inₙ]`, output state[0]. Computed in the optimised
/// form (Poseidon paper, appendix B): each partial round adds one constant and multiplies by a
/// sparse matrix (2t − 1 products instead of t²), the full round before them by a matrix P that
/// absorbs the rest. The tables are precomputed by the generator (gen_poseidon_constants.py, which
/// derives the form and checks it against the plain permutation and Light's vectors). Each row of
/// a matrix is summed as 512-bit products and reduced once (lazy reduction, `FrWide`). The limb
/// arithmetic is a `FieldKernel`: ADX assembly where the CPU has it, else Swift's; same values.
public enum Poseidon {
    /// Where a width's tables start in `elements` (field elements, not limbs).
    struct Width: Sendable {
        let t: Int
        let partialRounds: Int
        let constants: Int, mds: Int, pre: Int, sparse: Int
    }

    static let widths: [Width] = {
        var out: [Width] = [], at = 0
        for t in 2...13 {
            let rp = partialRounds[t - 2]
            let w = Width(t: t, partialRounds: rp, constants: at, mds: at + 8 * t + rp, pre: at + 8 * t + rp + t * t,
                          sparse: at + 8 * t + rp + 2 * t * t)
            out.append(w)
            at = w.sparse + rp * (2 * t - 1)
        }
        precondition(at * 4 == table.count, "Poseidon tables: \(table.count) limbs, the layout needs \(at * 4)")
        return out
    }()

    /// The generated limbs as field elements (already in Montgomery form: a copy, no arithmetic).
    /// Each must be below p: the lazy reduction's bound counts on it.
    static let elements: ContiguousArray<Fr> = {
        var out = ContiguousArray<Fr>()
        out.reserveCapacity(table.count / 4)
        var i = 0
        while i < table.count {
            let e = Fr(table[i], table[i + 1], table[i + 2], table[i + 3])
            precondition(!e.atLeastP, "Poseidon tables: element \(i / 4) is not below p")
            out.append(e)
            i += 4
        }
        return out
    }()

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

    /// Poseidon of 1...12 elements (the count is not checked), on the selected field kernel.
    @usableFromInline static func hash(_ inputs: UnsafeBufferPointer<Fr>) -> Fr {
        #if arch(x86_64)
        if FieldKernels.selected == .adx { return hash(inputs, on: ADXKernel.self) }
        #endif
        return hash(inputs, on: PortableKernel.self)
    }

    /// Poseidon of 1...12 elements on the kernel `K` (both give the same values: the tests run both).
    static func hash<K: FieldKernel>(_ inputs: UnsafeBufferPointer<Fr>, on _: K.Type) -> Fr {
        let w = widths[inputs.count - 1]
        let t = w.t
        return elements.withUnsafeBufferPointer { table in
            withUnsafeTemporaryAllocation(of: Fr.self, capacity: 2 * t) { buf in
                let base = table.baseAddress!
                var x = buf.baseAddress!, y = x + t
                x[0] = .zero
                for i in 0..<inputs.count { x[i + 1] = inputs[i] }
                var c = base + w.constants
                let mds = base + w.mds
                // A full round: every S-box, then the t × t matrix `m`.
                func full(_ m: UnsafePointer<Fr>) {
                    for i in 0..<t { x[i] = K.pow5(Fr.sumBelow2p(x[i], c[i])) }
                    c += t
                    var row = m
                    for i in 0..<t {
                        var acc = K.product(row[0], x[0])
                        for j in 1..<t { acc += K.product(row[j], x[j]) }
                        y[i] = K.reduced(acc, below: t)   // a row's t products, reduced once
                        row += t
                    }
                    swap(&x, &y)
                }
                // Four full rounds, the last with P.
                for r in 0..<4 { full(r == 3 ? base + w.pre : mds) }
                // Partial rounds: one constant, x₀⁵, a sparse matrix [m₀₀ w; v I].
                var s = base + w.sparse
                for _ in 0..<w.partialRounds {
                    let s0 = K.pow5(Fr.sumBelow2p(x[0], c[0]))
                    c += 1
                    var acc = K.product(s[0], s0)
                    for j in 1..<t { acc += K.product(s[j], x[j]) }
                    for j in 1..<t { x[j] = K.add(x[j], K.multiply(s[t - 1 + j], s0)) }
                    x[0] = K.reduced(acc, below: t)
                    s += 2 * t - 1
                }
                // Four full rounds.
                for _ in 0..<4 { full(mds) }
                return x[0]
            }
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
