import Foundation
import Testing
import SimCore
@testable import Merkle

struct PoseidonVectors: Decodable {
    struct Case: Decodable { let inputs: [String]; let hash: String }
    let cases: [Case]
    static let shared: PoseidonVectors = {
        let url = Bundle.module.url(forResource: "poseidon_vectors", withExtension: "json", subdirectory: "Vectors")!
        return try! JSONDecoder().decode(PoseidonVectors.self, from: Data(contentsOf: url))
    }()
}

struct PoseidonTests {
    @Test func fieldArithmeticAgreesWithIntegers() throws {
        // Round trips and small products checked against plain integers.
        for v in [UInt64(0), 1, 2, 12_345, UInt64.max] {
            let bytes = [UInt8](repeating: 0, count: 24) + (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64(7 - $0))) }
            let x = try #require(Fr(bigEndian: bytes))
            #expect(x.bigEndian == bytes)
        }
        let a = try #require(Fr(hex: String(repeating: "0", count: 62) + "07")), b = try #require(Fr(hex: String(repeating: "0", count: 62) + "0b"))
        #expect(Hex.encode((a * b).bigEndian) == String(repeating: "0", count: 62) + "4d")
        #expect(Hex.encode((a + b).bigEndian) == String(repeating: "0", count: 62) + "12")
        // p − 1 + 2 wraps to 1; (p − 1)² = 1.
        let pMinus1 = try #require(Fr(hex: "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000000"))
        let two = try #require(Fr(hex: String(repeating: "0", count: 63) + "2"))
        #expect(Hex.encode((pMinus1 + two).bigEndian) == String(repeating: "0", count: 63) + "1")
        #expect(Hex.encode((pMinus1 * pMinus1).bigEndian) == String(repeating: "0", count: 63) + "1")
    }

    /// Products, squares, x⁵ and sums of 1…13 products (the widest matrix row) reduced once, against
    /// Python's integers (gen_field_vectors.py), operands at p − 1 included: the bounds of the lazy
    /// reduction that Poseidon's rows rely on.
    @Test func lazyReductionAgreesWithPythonIntegers() throws {
        struct Vectors: Decodable {
            struct Single: Decodable { let a, b, product, square, pow5, sum_pow5: String }
            struct Sum: Decodable { let a, b: [String]; let sum: String }
            let single: [Single]; let sums: [Sum]
        }
        let url = try #require(Bundle.module.url(forResource: "field_vectors", withExtension: "json", subdirectory: "Vectors"))
        let v = try JSONDecoder().decode(Vectors.self, from: Data(contentsOf: url))
        #expect(v.single.count == 49 && v.sums.count == 26)
        struct NotBelowP: Error { let hex: String }
        func fr(_ h: String) throws -> Fr {
            guard let x = Fr(hex: h) else { throw NotBelowP(hex: h) }
            return x
        }
        for c in v.single {
            let a = try fr(c.a), b = try fr(c.b)
            #expect(Hex.encode((a * b).bigEndian) == c.product)
            let wide = Fr.product(a, b).reduced(below: 1)
            #expect(Hex.encode(wide.bigEndian) == c.product, "512-bit product of \(c.a), \(c.b)")
            #expect(!wide.atLeastP)
            let sq = Fr.square(a).reduced(below: 1)
            #expect(Hex.encode(sq.bigEndian) == c.square, "square of \(c.a)")
            #expect(!sq.atLeastP)
            #expect(Hex.encode(a.pow5.bigEndian) == c.pow5, "x⁵ of \(c.a)")
            // x⁵ of the unreduced sum (below 2p), as Poseidon's rounds call it.
            let s = Fr.sumBelow2p(a, b)
            #expect(Hex.encode(s.pow5.bigEndian) == c.sum_pow5, "(a + b)⁵ of \(c.a), \(c.b)")
            #expect(!s.pow5.atLeastP)
        }
        for c in v.sums {
            let k = c.a.count
            var acc = Fr.product(try fr(c.a[0]), try fr(c.b[0]))
            for i in 1..<k { acc += Fr.product(try fr(c.a[i]), try fr(c.b[i])) }
            // The reduction Poseidon's rows use, with its count of conditional subtractions.
            let r = acc.reduced(below: k)
            #expect(!r.atLeastP, "\(k) products: not fully reduced")
            #expect(Hex.encode(r.bigEndian) == c.sum, "sum of \(k) products")
        }
    }

    @Test func matchesLightsRustImplementation() throws {
        let cases = PoseidonVectors.shared.cases
        #expect(cases.count == 36)
        for c in cases {
            let out = try Poseidon.hash(bigEndian: c.inputs.map { Hex.decode($0)! })
            #expect(Hex.encode(out) == c.hash, "\(c.inputs.count) inputs")
        }
        // The published value (light-poseidon README, circomlibjs): Poseidon([1, 2]).
        let one = [UInt8](repeating: 0, count: 31) + [1], two = [UInt8](repeating: 0, count: 31) + [2]
        #expect(Hex.encode(try Poseidon.hash(bigEndian: [one, two])) == "115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189a")
    }

    @Test func inputsAreCheckedNotReduced() {
        let p = Hex.decode("30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001")!
        #expect(throws: PoseidonError.inputLargerThanModulus) { try Poseidon.hash(bigEndian: [p]) }
        #expect(throws: PoseidonError.invalidInputLength(31)) { try Poseidon.hash(bigEndian: [[UInt8](repeating: 0, count: 31)]) }
        #expect(throws: PoseidonError.invalidNumberOfInputs(13)) { try Poseidon.hash(bigEndian: Array(repeating: [UInt8](repeating: 0, count: 32), count: 13)) }
        #expect(throws: PoseidonError.invalidNumberOfInputs(0)) { try Poseidon.hash(bigEndian: []) }
    }

    @Test func poseidonTreesUseLightsZeroNodes() throws {
        // zero[1] = Poseidon(0, 0), as the vectors (from Light's implementation) give.
        let z = zeroNodes(PoseidonHasher.self, depth: 2)
        let zeroPair = PoseidonVectors.shared.cases.first { $0.inputs == [String(repeating: "0", count: 64), String(repeating: "0", count: 64)] }!
        #expect(Hex.encode(z[1].bytes) == zeroPair.hash)
        var tree = try ConcurrentMerkleTree<PoseidonHasher>(depth: 26, maxBufferSize: 64)
        let one = MerkleNode([UInt8](repeating: 0, count: 31) + [1])!
        try tree.append(one)
        #expect(ConcurrentMerkleTree<PoseidonHasher>.verify(leaf: one, index: 0, proof: tree.proof(0), root: tree.root))
        // Nodes and field elements convert both ways.
        for c in PoseidonVectors.shared.cases.prefix(5) {
            let n = MerkleNode(Hex.decode(c.hash)!)!
            #expect(Fr(node: n)?.node == n)
            #expect(Fr(node: n) == Fr(bigEndian: n.bytes))
        }
    }
}
