import Foundation
import Testing

struct MerkleCLITests {
    static let vectors = "Tests/MerkleTests/Vectors"

    @Test(arguments: ["sha256", "keccak", "poseidon"])
    func rootAndProofMatchThePythonReference(_ hash: String) throws {
        let data = try Data(contentsOf: packageRoot.appendingPathComponent("\(Self.vectors)/merkle_vectors.json"))
        let v = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let c = try #require((v["cases"] as? [[String: Any]])?.first { $0["hash"] as? String == hash })
        let r = try pumpsim(["merkle", "root", "--hash", hash, "--depth", "26", "--leaves", "\(Self.vectors)/leaves_100.txt", "--proof", "7"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try json(r.stdout)
        #expect(o["root"] as? String == (c["roots_after_appends"] as? [String: String])?["100"])
        #expect(o["proof"] as? [String] == c["proof_of_7_after_100"] as? [String])
        let empty = try json(try pumpsim(["merkle", "root", "--hash", hash, "--depth", "26"]).stdout)
        #expect(empty["root"] as? String == c["zero_root"] as? String)
    }

    @Test func poseidonHashMatchesThePublishedValue() throws {
        let one = String(repeating: "0", count: 63) + "1", two = String(repeating: "0", count: 63) + "2"
        let r = try pumpsim(["merkle", "hash", "--hash", "poseidon", one, two])
        #expect(r.status == 0)
        #expect(try json(r.stdout)["hash"] as? String == "115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189a")
        #expect(try pumpsim(["merkle", "hash", "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001"]).status == 2)
    }

    @Test func aBadLeafLineIsNamed() throws {
        let dir = try tempDir("merkle")
        let file = dir.appendingPathComponent("leaves.txt").path
        try (String(repeating: "ab", count: 32) + "\nnot-hex\n").write(toFile: file, atomically: true, encoding: .utf8)
        let r = try pumpsim(["merkle", "root", "--hash", "sha256", "--depth", "10", "--leaves", file])
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(file):2: expected 64 hex digits"))
        #expect(try pumpsim(["merkle", "root", "--hash", "blake3", "--depth", "10"]).status == 2)
    }
}
