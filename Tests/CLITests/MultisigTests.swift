import Foundation
import Testing

/// Multisig creators and treasuries (Tests/Fixtures/multisig.yaml: 2 of alice, bob, carol;
/// proposals expire after 30 s): nothing executes below the threshold or after expiry, each
/// step is an event, the run replays and reruns from its trace.
@Suite(.serialized)
struct MultisigTests {
    @Test func proposalsNeedTheirThresholdAndExpire() throws {
        let dir = try tempDir("multisig")
        let trace = dir.appendingPathComponent("m.pstrace").path
        let r = try pumpsim(["run", "Tests/Fixtures/multisig.yaml", "--no-db", "--json", "--trace", trace])
        #expect(r.status == 0, "\(r.stderr)")
        let events = try pumpsim(["trace", "cat", trace]).stdout.split(separator: "\n").map { try json(String($0)) }
        func first(_ type: String, _ match: ([String: Any]) -> Bool = { _ in true }) -> [String: Any]? { events.first { $0["type"] as? String == type && match($0) } }
        let tick = { (e: [String: Any]?) -> Int in e?["tick"] as? Int ?? -1 }
        // 5 s is slot 13 (400 ms slots): one approval of two launches nothing.
        #expect(first("LaunchRejected")?["reason"] as? String == "NeedsMultisigApproval")
        let created = try #require(first("TokenCreated"))
        #expect(tick(created) == 25, "TEST launched at slot \(tick(created)), not with bob's approval at 10 s")
        #expect(!events.contains { $0["type"] as? String == "TokenCreated" && tick($0) < 25 })
        let vault = try #require(created["creator"] as? Int)
        #expect(first("TxSubmitted") { $0["instruction"] as? String == "create" }?["payer"] as? Int == vault, "the treasury pays the launch")
        // Refusals: a non-signer, a second approval by the same signer, an approval after expiry.
        let refused = events.filter { $0["type"] as? String == "ProposalRefused" }.map { $0["reason"] as? String ?? "" }
        #expect(refused == ["NotASigner", "AlreadyApproved", "ProposalExpired", "NotASigner"], "\(refused)")
        // Proposal 1 expired at 12 s + 30 s (slot 105), before carol's approval at 50 s: no 5 SOL transfer.
        #expect(tick(first("ProposalExpired") { $0["proposal"] as? Int == 1 }) == 105)
        let transfers = events.filter { $0["type"] as? String == "Transfer" && $0["from"] as? Int == vault }
        #expect(transfers.count == 1 && transfers.first?["lamports"] as? Int == 3_000_000_000 && tick(transfers.first) == 153, "\(transfers)")
        #expect(events.filter { $0["type"] as? String == "ProposalExecuted" }.map { $0["proposal"] as? Int ?? -1 } == [0, 2])
        // The outcome counts them.
        let m = try #require((try json(r.stdout)["multisigs"] as? [[String: Any]])?.first)
        #expect(m["proposals"] as? Int == 3 && m["executed"] as? Int == 2 && m["expired"] as? Int == 1 && m["pending"] as? Int == 0, "\(m)")
        // Replays checkpoint for checkpoint, and reruns from the scenario the trace carries.
        let verify = try pumpsim(["replay", trace, "--verify"])
        #expect(verify.status == 0, "\(verify.stderr)")
        let rerun = dir.appendingPathComponent("rerun.json").path
        try pumpsim(["trace", "scenario", trace]).stdout.write(toFile: rerun, atomically: true, encoding: .utf8)
        let again = try pumpsim(["run", rerun, "--no-db", "--json"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try json(again.stdout)["digest"] as? String == (try json(r.stdout))["digest"] as? String)
    }

    /// Bad multisigs are refused at their line: a threshold above the signers, a launch_at on a
    /// multisig's token, a proposal to launch a token the multisig does not create.
    @Test func badMultisigsAreRefused() throws {
        let dir = try tempDir("multisig-bad")
        let text = try String(contentsOf: packageRoot.appendingPathComponent("Tests/Fixtures/multisig.yaml"), encoding: .utf8)
        for (from, to, message) in [
            ("threshold: 2, expiry", "threshold: 4, expiry", "multisigs[0].threshold"),
            ("initial_buy_sol: 1}", "initial_buy_sol: 1, launch_at: 3s}", "launches by an approved proposal"),
            ("signers: [alice, bob, carol]", "signers: [alice, bob, alice]", "names a signer twice"),
        ] {
            let path = dir.appendingPathComponent("bad.yaml").path
            try text.replacingOccurrences(of: from, with: to).write(toFile: path, atomically: true, encoding: .utf8)
            let v = try pumpsim(["validate", path])
            #expect(v.status == 2 && v.stderr.contains(message), "\(to): \(v.stderr)")
        }
    }
}
