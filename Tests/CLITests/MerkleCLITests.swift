import Foundation
import Testing

struct MerkleCLITests {
    static let vectors = "Tests/MerkleTests/Vectors"

    @Test(arguments: ["sha256", "keccak"])
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
