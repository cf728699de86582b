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

    /// The field kernels this machine can run: the portable one always, ADX where the CPU has it.
    static var kernels: [(String, any FieldKernel.Type)] {
        var out: [(String, any FieldKernel.Type)] = [("portable", PortableKernel.self)]
        #if arch(x86_64)
        if ADXKernel.available { out.append(("adx", ADXKernel.self)) }
        #endif
        return out
    }

    /// Products, squares, x⁵ and sums of 1…13 products (the widest matrix row) reduced once, against
    /// Python's integers (gen_field_vectors.py), operands at p − 1 included: the bounds of the lazy
    /// reduction that Poseidon's rows rely on, on every kernel this machine can run.
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
        func check<K: FieldKernel>(_ kernel: K.Type, _ name: String) throws {
            for c in v.single {
                let a = try fr(c.a), b = try fr(c.b)
                #expect(Hex.encode((a * b).bigEndian) == c.product)
                let sum = K.add(a, b)
                #expect(sum == a + b && !sum.atLeastP, "\(name): sum of \(c.a), \(c.b)")
                let m = K.multiply(a, b)
                #expect(Hex.encode(m.bigEndian) == c.product && !m.atLeastP, "\(name): Montgomery product of \(c.a), \(c.b)")
                let wide = K.reduced(K.product(a, b), below: 1)
                #expect(Hex.encode(wide.bigEndian) == c.product, "\(name): 512-bit product of \(c.a), \(c.b)")
                #expect(!wide.atLeastP)
                let sq = K.reduced(K.square(a), below: 1)
                #expect(Hex.encode(sq.bigEndian) == c.square, "\(name): square of \(c.a)")
                #expect(!sq.atLeastP)
                #expect(Hex.encode(K.pow5(a).bigEndian) == c.pow5, "\(name): x⁵ of \(c.a)")
                // x⁵ of the unreduced sum (below 2p), as Poseidon's rounds call it.
                let s = K.pow5(Fr.sumBelow2p(a, b))
                #expect(Hex.encode(s.bigEndian) == c.sum_pow5, "\(name): (a + b)⁵ of \(c.a), \(c.b)")
                #expect(!s.atLeastP)
            }
            for c in v.sums {
                let k = c.a.count
                var acc = K.product(try fr(c.a[0]), try fr(c.b[0]))
                for i in 1..<k { acc += K.product(try fr(c.a[i]), try fr(c.b[i])) }
                // The reduction Poseidon's rows use, with its count of conditional subtractions.
                let r = K.reduced(acc, below: k)
                #expect(!r.atLeastP, "\(name): \(k) products: not fully reduced")
                #expect(Hex.encode(r.bigEndian) == c.sum, "\(name): sum of \(k) products")
            }
        }
        for (name, k) in Self.kernels { try check(k, name) }
    }

    /// The ADX kernel runs wherever the CPU says it can: CPUID, read by the kernel, against the
    /// kernel's own flag list in /proc/cpuinfo.
    @Test func adxKernelRunsWhereTheCPUHasIt() throws {
        #if arch(x86_64) && os(Linux)
        let info = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flags = Set(try #require(info.split(separator: "\n").first { $0.hasPrefix("flags") }).split(separator: " ").map(String.init))
        #expect(ADXKernel.available == (flags.contains("adx") && flags.contains("bmi2")))
        #expect(Self.kernels.count == (ADXKernel.available ? 2 : 1))
        #endif
    }

    /// `PUMPSIM_FIELD_KERNEL`: unset picks the best kernel; `portable` and `adx` are honoured where
    /// they can be; anything else, or `adx` without the CPU for it, warns and names what it uses.
    @Test func fieldKernelSwitch() {
        #expect(FieldKernels.choose(nil, adxAvailable: true).kind == .adx)
        #expect(FieldKernels.choose(nil, adxAvailable: true).warning == nil)
        #expect(FieldKernels.choose(nil, adxAvailable: false).kind == .portable)
        #expect(FieldKernels.choose(nil, adxAvailable: false).warning == nil)
        #expect(FieldKernels.choose("", adxAvailable: true).kind == .adx)
        #expect(FieldKernels.choose("", adxAvailable: true).warning == nil)
        #expect(FieldKernels.choose("portable", adxAvailable: true).kind == .portable)
        #expect(FieldKernels.choose("portable", adxAvailable: true).warning == nil)
        #expect(FieldKernels.choose("ADX", adxAvailable: true).kind == .adx)
        #expect(FieldKernels.choose("ADX", adxAvailable: true).warning == nil)
        let noCPU = FieldKernels.choose("adx", adxAvailable: false)
        #expect(noCPU.kind == .portable)
        #expect(noCPU.warning?.contains("lacks ADX") == true)
        let typo = FieldKernels.choose("portible", adxAvailable: true)
        #expect(typo.kind == .adx)
        #expect(typo.warning == "PUMPSIM_FIELD_KERNEL=portible: expected portable or adx; using the adx kernel")
    }

    @Test func matchesLightsRustImplementation() throws {
        let cases = PoseidonVectors.shared.cases
        #expect(cases.count == 36)
        for c in cases {
            let out = try Poseidon.hash(bigEndian: c.inputs.map { Hex.decode($0)! })
            #expect(Hex.encode(out) == c.hash, "\(c.inputs.count) inputs")
            // Each kernel on its own, whichever the CPU selects.
            let inputs = c.inputs.map { Fr(bigEndian: Hex.decode($0)!)! }
            for (name, k) in Self.kernels {
                func run<K: FieldKernel>(_ k: K.Type) -> Fr { inputs.withUnsafeBufferPointer { Poseidon.hash($0, on: K.self) } }
                #expect(Hex.encode(run(k).bigEndian) == c.hash, "\(name) kernel, \(c.inputs.count) inputs")
            }
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
