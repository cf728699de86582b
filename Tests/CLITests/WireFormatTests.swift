import Foundation
import Testing

/// Real transaction sizes and keys, against independent truth: solders (Solana's Rust SDK types,
/// from PyPI) rebuilds every transaction shape and derives every address.
@Suite(.serialized)
struct WireFormatTests {
    /// Runs a committed checker script with `input` on stdin.
    func checker(_ script: String, _ args: [String], input: String) throws -> (Int32, [String: Any]) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", packageRoot.appendingPathComponent("Tests/Fixtures/txsize/\(script)").path] + args
        let stdin = Pipe(), out = Pipe(), err = Pipe()
        p.standardInput = stdin; p.standardOutput = out; p.standardError = err
        try p.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, (try? json(String(decoding: o, as: UTF8.self))) ?? ["stderr": String(decoding: e, as: UTF8.self)])
    }

    /// Every shape's byte size and account count as solders serializes it; the published
    /// examples (REFERENCE.md Part 3 §2: a pump buy is 710 bytes with 17 keys, a PumpSwap buy
    /// about 941); everything the engine sends fits, one recipient more than the most does not.
    @Test func everyTransactionShapeHasItsWireSize() throws {
        let r = try pumpsim(["tx-sizes", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let (rc, seen) = try checker("wire_sizes.py", ["-"], input: r.stdout)
        #expect(rc == 0, "\(seen)")
        #expect((seen["mismatches"] as? [Any])?.isEmpty == true && (seen["checked"] as? Int ?? 0) >= 12, "\(seen)")
        let all = try #require(try json(r.stdout)["transactions"] as? [[String: Any]])
        func size(_ name: String) -> Int? { all.first { $0["name"] as? String == name }?["bytes"] as? Int }
        #expect(size("buy") == 710 && size("buy_exact_sol_in") == 710 && size("pump_amm_buy") == 941)
        for t in all {
            let name = t["name"] as? String ?? ""
            let tooMany = name.contains("too many")
            #expect((t["fits"] as? Bool) == !tooMany, "\(name)")
            #expect(((t["bytes"] as? Int ?? 0) <= 1_232) == !tooMany, "\(name)")
            #expect((t["account_keys"] as? Int ?? 99) <= 64, "\(name)")
        }
        let per = try #require(try json(r.stdout)["airdrop_recipients_per_transaction"] as? [String: Any])
        #expect(per["standard"] as? Int == 9 && per["compressed"] as? Int == 13, "\(per)")
    }

    /// A scenario asking for more recipients per transaction than fit is refused at its line;
    /// without per_tx an airdrop packs as many as fit, and the trace shows it.
    @Test func airdropsPackWhatFitsAndNoMore() throws {
        let dir = try tempDir("wire-airdrop")
        let text = try String(contentsOf: packageRoot.appendingPathComponent("Scenarios/compressed-airdrop.yaml"), encoding: .utf8)
        let first = try #require(text.range(of: "mode: compressed}"))
        let bad = text.replacingCharacters(in: first, with: "mode: compressed, per_tx: 14}")
        let path = dir.appendingPathComponent("bad.yaml").path
        try bad.write(toFile: path, atomically: true, encoding: .utf8)
        let v = try pumpsim(["validate", path])
        #expect(v.status == 2 && v.stderr.contains("per_tx: a compressed airdrop transaction holds at most 13 recipients (14 would be 1252 bytes, over Solana's 1232-byte limit)"), "\(v.stderr)")
        // One compressed and one standard airdrop of 1 000 recipients each, without per_tx.
        let small = """
        version: 1
        name: airdrop-packing
        seed: 3
        duration: 30s
        tokens:
          - {symbol: DROP, name: Airdrop Coin, creator: dropper, initial_buy_sol: 60, launch_at: 1s}
        wallets:
          - {name: dropper, balance_sol: 100}
        recipients:
          - {name: community, count: 1000}
        timeline:
          - {at: 5s, action: airdrop, wallet: dropper, token: DROP, recipients: community, amount: 1000, mode: compressed}
          - {at: 6s, action: airdrop, wallet: dropper, token: DROP, recipients: community, amount: 1000, mode: standard}

        """
        let scenario = dir.appendingPathComponent("small.yaml").path
        try small.write(toFile: scenario, atomically: true, encoding: .utf8)
        let trace = dir.appendingPathComponent("a.pstrace").path
        let run = try pumpsim(["run", scenario, "--no-db", "--trace", trace])
        #expect(run.status == 0, "\(run.stderr)")
        let moves = try pumpsim(["trace", "cat", trace, "--type", "CompressedTokensMoved"]).stdout.split(separator: "\n").compactMap { try? json(String($0)) }
        let drops = moves.filter { ($0["inputs"] as? [Any])?.isEmpty == true && ($0["recipients"] as? Int ?? 0) > 1 }
        #expect(drops.count == (1_000 + 12) / 13, "\(drops.count) compressed airdrop transactions")
        #expect(drops.allSatisfy { ($0["recipients"] as? Int ?? 0) <= 13 } && drops.filter { $0["recipients"] as? Int == 13 }.count == 1_000 / 13)
        let standard = try pumpsim(["trace", "cat", trace, "--type", "TokensAirdropped"]).stdout.split(separator: "\n").compactMap { try? json(String($0)) }
        #expect(standard.count == (1_000 + 8) / 9 && standard.allSatisfy { ($0["count"] as? Int ?? 0) <= 9 }, "\(standard.count) standard airdrop transactions")
    }

    /// Every account's address is the base58 Ed25519 public key solders derives from the documented seed.
    @Test func walletsHaveRealKeys() throws {
        let dir = try tempDir("wire-keys")
        let trace = dir.appendingPathComponent("q.pstrace").path
        #expect(try pumpsim(["run", "Scenarios/quickstart.yaml", "--no-db", "--trace", trace, "--seed", "7"]).status == 0)
        let wallets = try pumpsim(["trace", "wallets", trace, "--ndjson"])
        #expect(wallets.status == 0, "\(wallets.stderr)")
        let lines = wallets.stdout.split(separator: "\n")
        #expect(lines.count == 503)
        let (rc, seen) = try checker("addresses.py", ["7"], input: wallets.stdout)
        #expect(rc == 0 && seen["checked"] as? Int == 503, "\(seen)")
        #expect(Set(lines.map { try! json(String($0))["address"] as! String }).count == 503, "two accounts share an address")
        let csv = try pumpsim(["trace", "wallets", trace])
        #expect(csv.stdout.hasPrefix("account,name,address\n0,fee-recipient,") && csv.stdout.contains(",alice,"))
    }
}
