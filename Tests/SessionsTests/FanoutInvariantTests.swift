import Testing
import Engine
import Sessions

/// `ws_accounted` on a real fan-out result: it holds as the model computed it, and a result with
/// one delivery too many (as a miscounting policy would give) is the typed violation.
struct FanoutInvariantTests {
    @Test func wsAccountedHoldsAndCatchesAMiscountedDelivery() throws {
        var q = RunSession.Request(scenarioPath: scenarioPath("fanout-200k.yaml"))
        q.overrides = ["duration=10s", "websocket.subscribers=500"]
        q.catalogPath = nil
        q.checkInvariants = true
        q.jobs = 1
        var fanout = try #require(try RunSession.run(q).fanout)
        #expect(fanout.intended > 0 && FanoutInvariant.check(fanout) == nil)
        fanout.delivered += 1
        let v = try #require(FanoutInvariant.check(fanout))
        #expect(v.invariant == .wsAccounted && v.values.contains(.init("intended", "\(fanout.intended)")))
        #expect(v.values.contains(.init("delivered", "\(fanout.delivered)")))
    }
}
