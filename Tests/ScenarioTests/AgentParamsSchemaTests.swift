import Foundation
import Testing
import SimCore
import Engine
@testable import Scenario

/// The agent-params schema against the loader and the README: every documented key loads, every
/// documented default is the engine's default (a scenario that writes each default out loads to
/// the same parameters as one that writes none), and the README's section is the schema's table.
struct AgentParamsSchemaTests {
    static func scenario(_ group: String) -> String {
        """
        version: 1
        duration: 10m
        tokens: [{symbol: T, creator: dev}]
        wallets: [{name: dev}]
        agents:
        \(group)
        """
    }

    static func load(_ group: String) throws -> AgentGroupSpec {
        let r = try ScenarioLoader.parse(scenario(group), file: "schema.yaml")
        return try #require(r.config.groups.first)
    }

    @Test(arguments: AgentParamsSchema.strategies.map(\.name))
    func everyDocumentedDefaultIsTheEnginesDefault(_ strategy: String) throws {
        let params = try #require(AgentParamsSchema.strategies.first { $0.name == strategy }).params
        let written = params.filter { $0.defaultValue != "every token" && $0.defaultValue != "the first token" }.map { "\($0.key): \($0.defaultValue)" }
        let groupFields = AgentParamsSchema.group.filter { $0.key != "count" }.map { "\($0.key): \($0.defaultValue)" }
        let explicit = try Self.load("  - {name: g, count: 3, strategy: \(strategy), \(groupFields.joined(separator: ", ")), params: {\(written.joined(separator: ", "))}}")
        let implicit = try Self.load("  - {name: g, count: 3, strategy: \(strategy)}")
        #expect(explicit == implicit, "\(strategy): the documented defaults load to other parameters than none written")
        #expect(!written.isEmpty)
    }

    @Test func theLoaderAcceptsExactlyTheDocumentedKeys() throws {
        for s in AgentParamsSchema.strategies {
            #expect(throws: ScenarioError.self) { try Self.load("  - {name: g, count: 1, strategy: \(s.name), params: {not_a_param: 1}}") }
            do {
                _ = try Self.load("  - {name: g, count: 1, strategy: \(s.name), params: {not_a_param: 1}}")
            } catch {
                // The error lists the keys: exactly the schema's.
                #expect("\(error)".contains("expected one of: \(s.params.map(\.key).sorted().joined(separator: ", "))"), "\(error)")
            }
        }
    }

    @Test func theReadmeCarriesTheSchemasTable() throws {
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let begin = "<!-- agent-params:begin -->\n", end = "<!-- agent-params:end -->"
        let start = try #require(readme.range(of: begin)), stop = try #require(readme.range(of: end))
        #expect(String(readme[start.upperBound..<stop.lowerBound]) == AgentParamsSchema.markdown,
                "README.md's agent params differ from the schema: paste `pumpsim validate --agent-params` between the markers")
    }

    @Test func slotLengthTakesMillisecondsOrADuration() throws {
        for (text, ms) in [("400", 400), ("400ms", 400), ("0.4s", 400), ("1 s", 1_000), ("60s", 60_000), ("1", 1)] as [(String, UInt64)] {
            let r = try ScenarioLoader.parse("version: 1\nduration: 1m\nslot_ms: \(text)\ntokens: [{symbol: T, creator: dev}]\nwallets: [{name: dev}]\n", file: "s.yaml")
            #expect(r.config.clock.slotMillis == ms, "slot_ms: \(text)")
        }
        for bad in ["0", "0ms", "61s", "0.0004s", "1.5", "400 slots", "-400", "1m"] {
            #expect(throws: ScenarioError.self, "slot_ms: \(bad)") { try ScenarioLoader.parse("version: 1\nduration: 1m\nslot_ms: \(bad)\ntokens: [{symbol: T, creator: dev}]\nwallets: [{name: dev}]\n", file: "s.yaml") }
        }
    }

    @Test func aCurveThatWouldSellOutForNothingIsRefused() throws {
        func load(_ curve: String) throws -> ResolvedScenario {
            try ScenarioLoader.parse("version: 1\nduration: 1m\ntokens: [{symbol: T, creator: dev, curve: \(curve)}]\nwallets: [{name: dev}]\n", file: "c.yaml")
        }
        // pump.fun's own start (27.96 lamports per token) over the same supply sells out for about 22 SOL: fine.
        _ = try load("{family: linear, start_price: 27.96, end_price: 100}")
        _ = try load("{family: exponential, start_price: 27.96, doubling_tokens: 100000000}")
        // 0.01 SOL is the floor: just above passes, just below fails (793 100 000 tokens sold).
        _ = try load("{family: exponential, start_price: 0.0127, doubling_tokens: 100000000}")
        #expect(throws: ScenarioError.self) { try load("{family: exponential, start_price: 0.0126, doubling_tokens: 100000000}") }
        #expect(throws: ScenarioError.self) { try load("{family: linear, start_price: 0.00000003, end_price: 0.0000003}") }
    }
}
