import Foundation
import Testing
@testable import SimCore

struct SimRandomTests {
    @Test func xoshiro256StarStarMatchesThePublishedSequence() {
        // Reference sequence for state {1, 2, 3, 4} (xoshiro256starstar.c; also rand_xoshiro's test vector).
        var r = SimRandom(rawState: (1, 2, 3, 4))
        let expected: [UInt64] = [11520, 0, 1509978240, 1215971899390074240, 1216172134540287360, 607988272756665600,
                                  16172922978634559625, 8476171486693032832, 10595114339597558777, 2904607092377533576]
        #expect((0..<10).map { _ in r.next() } == expected)
    }

    @Test func sameSeedSameStream() {
        var a = SimRandom(seed: 42), b = SimRandom(seed: 42), c = SimRandom(seed: 43)
        let xa = (0..<100).map { _ in a.next() }
        #expect(xa == (0..<100).map { _ in b.next() })
        #expect(xa != (0..<100).map { _ in c.next() })
    }

    @Test func substreamsDependOnlyOnSeedAndName() {
        var parent = SimRandom(seed: 7)
        let before = parent.substream(named: "agent/1")
        _ = (0..<1000).map { _ in parent.next() }          // drawing from the parent ...
        _ = parent.substream(named: "agent/2")              // ... or deriving another stream ...
        var after = parent.substream(named: "agent/1")      // ... changes nothing for agent/1
        var b = before
        #expect((0..<50).map { _ in b.next() } == (0..<50).map { _ in after.next() })
        var x = SimRandom(seed: 7).substream(named: "agent", index: 1)
        var y = SimRandom(seed: 7).substream(named: "agent", index: 2)
        #expect(x.next() != y.next())
        // A family taken once, then its members, is the same streams as naming each member.
        let family = SimRandom(seed: 7).substream(named: "agent")
        for i: UInt64 in [0, 1, 2, 19_999, .max] {
            var direct = SimRandom(seed: 7).substream(named: "agent", index: i), member = family.substream(index: i)
            #expect(direct.key == member.key && (0..<8).map { _ in direct.next() } == (0..<8).map { _ in member.next() })
        }
    }

    @Test func nameHashIsFNV1a() {
        // FNV-1a 64 published test values: "" and "a".
        #expect(SimRandom.fnv1a64("") == 0xcbf29ce484222325)
        #expect(SimRandom.fnv1a64("a") == 0xaf63dc4c8601ec8c)
        #expect(SimRandom.fnv1a64("foobar") == 0x85944171f73967e8)
    }

    @Test func uniformStaysInRangeAndCoversIt() {
        var r = SimRandom(seed: 1)
        var seen = [Int](repeating: 0, count: 7)
        for _ in 0..<7_000 {
            let v = r.uniform(below: 7)
            #expect(v < 7)
            seen[Int(v)] += 1
        }
        #expect(seen.allSatisfy { $0 > 850 && $0 < 1150 })
        for _ in 0..<1000 {
            let v = r.uniform(in: 5...9)
            #expect(v >= 5 && v <= 9)
        }
    }

    @Test func exponentialHasTheRequestedMean() {
        var r = SimRandom(seed: 3)
        let n = 100_000
        let mean = (0..<n).reduce(0.0) { acc, _ in acc + r.exponential(mean: 25) } / Double(n)
        #expect(abs(mean - 25) < 0.5)
        let normals = (0..<n).map { _ in r.standardNormal() }
        let m = normals.reduce(0, +) / Double(n)
        let v = normals.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(n)
        #expect(abs(m) < 0.02)
        #expect(abs(v - 1) < 0.02)
    }
}

struct DetMathTests {
    @Test func lnMatchesTheLibraryWithinOneUlpOrSo() {
        var r = SimRandom(seed: 9)
        for _ in 0..<5_000 {
            let x = DetMath.exp((r.unitDouble() - 0.5) * 80)
            let ours = DetMath.ln(x), libm = Foundation.log(x)
            #expect(abs(ours - libm) <= 4 * libm.ulp.magnitude + 1e-300, "ln(\(x))")
        }
        #expect(DetMath.ln(1) == 0)
        #expect(abs(DetMath.ln(2) - 0.6931471805599453) < 1e-16)
        #expect(DetMath.ln(0) == -.infinity)
        #expect(DetMath.ln(-1).isNaN)
    }

    @Test func expMatchesTheLibrary() {
        var r = SimRandom(seed: 10)
        for _ in 0..<5_000 {
            let x = (r.unitDouble() - 0.5) * 1_000
            let ours = DetMath.exp(x), libm = Foundation.exp(x)
            #expect(abs(ours - libm) <= 4 * libm.ulp + Double.leastNonzeroMagnitude, "exp(\(x))")
        }
        #expect(DetMath.exp(0) == 1)
        #expect(abs(DetMath.exp(1) - 2.718281828459045) < 1e-15)
    }

    /// The samplers' table exponential against libm, over the log-normal's arguments and the
    /// whole range, and at the edges of its table's intervals.
    @Test func tableExpMatchesTheLibrary() {
        var r = SimRandom(seed: 11)
        var xs: [Double] = [0, 1, -1, 709.7, -745.1, 1e-300, -1e-300, 0.0054, -0.0054]
        for j in -200...200 { xs.append(Double(j) * DetMath.ln2 / 128) }   // the reduction's boundaries
        for _ in 0..<100_000 { xs.append((r.unitDouble() - 0.5) * 20); xs.append((r.unitDouble() - 0.5) * 1_400) }
        for x in xs {
            let ours = DetMath.tableExp(x), libm = Foundation.exp(x)
            #expect(abs(ours - libm) <= 3 * libm.ulp + Double.leastNonzeroMagnitude, "tableExp(\(x)) = \(ours), libm \(libm)")
        }
        #expect(DetMath.tableExp(0) == 1)
        #expect(DetMath.tableExp(710) == .infinity && DetMath.tableExp(-746) == 0 && DetMath.tableExp(.nan).isNaN)
        // Up to ln(greatestFiniteMagnitude) the result is finite, as libm's.
        #expect(DetMath.tableExp(709.782).isFinite && DetMath.exp(709.782).isFinite)
    }
}

struct FixedPointTests {
    @Test func decimalsParseExactly() {
        #expect(FixedDecimal.parse("1.5", scale: 9) == 1_500_000_000)
        #expect(FixedDecimal.parse("0.1", scale: 9) == 100_000_000)
        #expect(FixedDecimal.parse("0.000000001", scale: 9) == 1)
        #expect(FixedDecimal.parse("1_000", scale: 0) == 1_000)
        #expect(FixedDecimal.parse(".5", scale: 1) == 5)
        #expect(FixedDecimal.parse("0.0000000001", scale: 9) == nil)
        #expect(FixedDecimal.parse("-1", scale: 9) == nil)
        #expect(FixedDecimal.parse("1e9", scale: 9) == nil)
        #expect(FixedDecimal.parse("99999999999999999999", scale: 0) == nil)
        #expect(FixedDecimal.format(27_958_993_476, scale: 9) == "27.958993476")
        #expect(FixedDecimal.format(1_500_000_000, scale: 9) == "1.5")
        #expect(FixedDecimal.format(0, scale: 9) == "0")
    }

    @Test func checkedArithmeticThrowsInsteadOfTrapping() throws {
        #expect(throws: ArithmeticError.overflow("x")) { try Checked.add(UInt64.max, 1, "x") }
        #expect(throws: ArithmeticError.underflow("y")) { try Checked.sub(1, 2, "y") }
        #expect(throws: ArithmeticError.divisionByZero("z")) { try Checked.mulDiv(1, 1, 0, "z") }
        #expect(throws: ArithmeticError.overflow("w")) { try Checked.mulDiv(UInt128.max, UInt128.max, 1, "w") }
        #expect(try Checked.mulDiv(UInt128.max, UInt128.max, UInt128.max) == UInt128.max)
        #expect(try Checked.mulDivCeil(10, 10, 3) == 34)
        #expect(throws: ArithmeticError.overflow("lamports")) { try Lamports(UInt64.max).adding(1) }
    }

    @Test func canonicalEncodingIsLittleEndianAndDigestIsSHA256() {
        var e = CanonicalEncoder()
        e.write(UInt32(0x0102_0304))
        e.write(true)
        e.write("ab")
        #expect(e.bytes == [4, 3, 2, 1, 1, 2, 0, 0, 0, 0x61, 0x62])
        // SHA-256 of the empty string and of "abc" (FIPS 180-2 examples).
        #expect(StateDigest.of(encoding: []).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(StateDigest.of(encoding: Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(StateDigest(hex: StateDigest.of(encoding: []).hex) == StateDigest.of(encoding: []))
    }

    @Test func jsonKeepsKeyOrderAndEscapes() {
        let j = JSON.object([("b", .uint(1)), ("a", .string("x\"y\n")), ("p", .decimal(1_500_000_000, scale: 9)), ("n", .null)])
        #expect(j.serialized() == #"{"b":1,"a":"x\"y\n","p":1.5,"n":null}"#)
    }
}

/// Base58 against published values: Solana's system program id is 32 zero bytes, written
/// "11111111111111111111111111111111"; Bitcoin's alphabet skips 0, O, I and l.
@Test func base58WritesSolanasKeysAsSolanaDoes() {
    #expect(Base58.encode([UInt8](repeating: 0, count: 32)) == "11111111111111111111111111111111")
    #expect(Base58.encode(Array("Hello World!".utf8)) == "2NEpo7TZRRrLZSi2U")
    #expect(Base58.encode([0, 0, 0x28, 0x7f, 0xb4, 0xcd]) == "11233QC4")
}
