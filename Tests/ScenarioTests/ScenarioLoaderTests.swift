import Foundation
import Testing
import SimCore
import Curves
import Ledger
import Engine
@testable import Scenario

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A malformed scenario and the error it must produce (its first line: `# expect: {file}:…`).
struct BadScenario: CustomTestStringConvertible, Sendable {
    let path: String
    let expected: String
    var testDescription: String { URL(fileURLWithPath: path).lastPathComponent }

    static let all: [BadScenario] = {
        let dir = root.appendingPathComponent("Tests/Fixtures/bad-scenarios")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return files.filter { $0.hasSuffix(".yaml") }.sorted().map { name in
            let path = dir.appendingPathComponent(name).path
            let first = (try? String(contentsOfFile: path, encoding: .utf8))?.split(separator: "\n").first ?? ""
            let expected = first.replacingOccurrences(of: "# expect: ", with: "").replacingOccurrences(of: "{file}", with: path)
            return BadScenario(path: path, expected: expected)
        }
    }()
}

struct ScenarioLoaderTests {
    @Test func thereAreFixturesForEveryKindOfMistake() {
        #expect(BadScenario.all.count >= 25)
    }

    @Test(arguments: BadScenario.all)
    func malformedScenariosNameFileLineColumnAndField(_ bad: BadScenario) {
        do {
            _ = try ScenarioLoader.load(path: bad.path)
            Issue.record("\(bad.path) loaded without error")
        } catch {
            #expect(error.description == bad.expected)
        }
    }

    @Test(arguments: ["quickstart.yaml", "launch-frenzy.yaml", "fanout-200k.yaml", "fanout-1m.yaml"])
    func shippedScenariosAreValid(_ name: String) throws {
        let c = try ScenarioLoader.load(path: root.appendingPathComponent("Scenarios/\(name)").path)
        #expect(!c.tokens.isEmpty)
    }

    @Test func shippedScenariosHaveTheAdvertisedSize() throws {
        let quick = try ScenarioLoader.load(path: root.appendingPathComponent("Scenarios/quickstart.yaml").path)
        #expect(quick.tokens.count == 1)
        #expect(quick.agentCount >= 450 && quick.agentCount <= 550)
        #expect(quick.durationTicks * quick.clock.slotMillis == 600_000)
        let frenzy = try ScenarioLoader.load(path: root.appendingPathComponent("Scenarios/launch-frenzy.yaml").path)
        #expect(frenzy.tokens.count == 5)
        #expect(frenzy.agentCount == 20_000)
    }

    static let minimal = """
    version: 1
    duration: 10s
    tokens: [{symbol: T, creator: dev}]
    wallets: [{name: dev}]
    agents: [{name: retail, strategy: retail, count: 10}]
    """

    @Test func defaultsFillEveryOptionalField() throws {
        let c = try ScenarioLoader.parse(Self.minimal, file: "m.yaml")
        #expect(c.seed == 1)
        #expect(c.clock.slotMillis == 400)
        #expect(c.durationTicks == 25)
        #expect(c.chain == ChainConfig())
        #expect(c.tokens[0].curve == .pumpFun(PumpFunCurve()))
        #expect(c.tokens[0].launchTick == nil)
        #expect(c.wallets[0].balanceLamports == 10_000_000_000)
        #expect(c.groups[0].strategy == .retail(RetailParams()))
    }

    @Test func overridesReachNestedFieldsByIndexOrName() throws {
        let c = try ScenarioLoader.parse(Self.minimal, file: "m.yaml", overrides: [
            "seed=7", "tokens.0.curve.virtual_sol=40", "agents.retail.count=100", "tokens.T.initial_buy_sol=0.5",
        ])
        #expect(c.seed == 7)
        guard case .pumpFun(let p) = c.tokens[0].curve else { Issue.record("not pump.fun"); return }
        #expect(p.parameters.initialVirtualSol == 40_000_000_000)
        #expect(c.groups[0].count == 100)
        #expect(c.tokens[0].initialBuyLamports == 500_000_000)
    }

    @Test func badOverridesAreReportedAsSuch() {
        #expect(throws: ScenarioError(file: "--set bogus=1", line: 0, column: 0, field: "bogus",
                                      message: "unknown field; expected one of: \(ScenarioLoader.topLevel.sorted().joined(separator: ", "))")) {
            try ScenarioLoader.parse(Self.minimal, file: "m.yaml", overrides: ["bogus=1"])
        }
        #expect(throws: ScenarioError(file: "--set agents.whales.count=1", line: 0, column: 0, field: "agents",
                                      message: "no element whales (the list has 1; use an index or a name)")) {
            try ScenarioLoader.parse(Self.minimal, file: "m.yaml", overrides: ["agents.whales.count=1"])
        }
        #expect(throws: ScenarioError(file: "--set seed", line: 0, column: 0, field: "", message: "expected key.path=value")) {
            try ScenarioLoader.parse(Self.minimal, file: "m.yaml", overrides: ["seed"])
        }
    }

    @Test func jsonScenariosAreAccepted() throws {
        let json = """
        {"version": 1, "duration": "10s", "tokens": [{"symbol": "T", "creator": "dev"}],
         "wallets": [{"name": "dev"}], "agents": [{"name": "retail", "strategy": "retail", "count": 10}]}
        """
        let a = try ScenarioLoader.parse(json, file: "m.json")
        let b = try ScenarioLoader.parse(Self.minimal, file: "m.yaml")
        #expect(a.tokens == b.tokens)
        #expect(a.groups == b.groups)
        #expect(a.durationTicks == b.durationTicks)
    }

    @Test func durationsTakeUnits() throws {
        let ticks = Decode.ticks(slotMillis: 400)
        let origin = Origin(file: "f", line: 1, column: 1)
        for (text, expected) in [("400ms", 1), ("1s", 3), ("10m", 1_500), ("1h", 9_000), ("150 slots", 150), ("2slots", 2)] as [(String, UInt64)] {
            #expect(try ticks(SNode(kind: .scalar(text), origin: origin), "d") == expected, "\(text)")
        }
    }
}

struct ScenarioWriterTests {
    @Test(arguments: ["quickstart.yaml", "launch-frenzy.yaml", "fanout-200k.yaml"])
    func canonicalJSONLoadsBackToTheSameConfig(_ name: String) throws {
        let c = try ScenarioLoader.load(path: root.appendingPathComponent("Scenarios/\(name)").path)
        let json = ScenarioWriter.canonicalJSON(c)
        let back = try ScenarioLoader.parse(json, file: "canonical.json")
        #expect(back.tokens == c.tokens)
        #expect(back.groups == c.groups)
        #expect(back.wallets == c.wallets)
        #expect(back.timeline == c.timeline)
        #expect(back.rewards == c.rewards)
        #expect(back.limits == c.limits)
        #expect(back.chain == c.chain)
        #expect(back.seed == c.seed && back.durationTicks == c.durationTicks && back.clock == c.clock)
        #expect(back.checkpointEveryEvents == c.checkpointEveryEvents && back.priceSampleEverySlots == c.priceSampleEverySlots)
        #expect(back.websocket == c.websocket)
        #expect(back.assertions == c.assertions)
        #expect(ScenarioWriter.canonicalJSON(back) == json)
    }

    @Test func theDigestChangesWithAnyField() throws {
        let a = try ScenarioLoader.parse(ScenarioLoaderTests.minimal, file: "m.yaml")
        let b = try ScenarioLoader.parse(ScenarioLoaderTests.minimal, file: "m.yaml", overrides: ["tokens.0.curve.virtual_sol=30.000000001"])
        #expect(ScenarioWriter.digest(a) != ScenarioWriter.digest(b))
        #expect(ScenarioWriter.digest(a) == ScenarioWriter.digest(try ScenarioLoader.parse(ScenarioLoaderTests.minimal, file: "other.yaml")))
    }
}
