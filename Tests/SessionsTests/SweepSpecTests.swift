import Testing
import SimCore
import Scenario
import Sessions

struct SweepSpecTests {
    @Test func gridAxesExpandRangesAndLists() throws {
        #expect(try SweepSpec.axis("curve.virtual_sol=20..60:5").values == ["20", "25", "30", "35", "40", "45", "50", "55", "60"])
        #expect(try SweepSpec.axis("x=0.5..1.5:0.25").values == ["0.5", "0.75", "1", "1.25", "1.5"])
        #expect(try SweepSpec.axis("curve.fee_bps=25,50,100").values == ["25", "50", "100"])
        #expect(try SweepSpec.axis("curve.fee_profile=v2025").values == ["v2025"])
        for bad in ["nokey", "=1,2", "x=", "x=5..1:1", "x=1..5:0", "x=1,,2", "x=a..b:1", "x=20..60:", "x=0...5", "x=0..18446744073709551615"] {
            #expect(throws: ScenarioError.self) { try SweepSpec.axis(bad) }
        }
        // A step that misses the end, and a value listed twice (also after normalising), say so.
        for (bad, message) in [("x=20..60:7", "the step 7 does not reach 60 from 20 (the values would stop at 55)"),
                               ("x=25,50,25", "25 is listed twice"), ("x=7,007", "7 is listed twice")] {
            do { _ = try SweepSpec.axis(bad); Issue.record("\(bad) accepted") } catch { #expect(error.description.contains(message), "\(error)") }
        }
        // Axes that set the same field: one key twice, or curve.X beside tokens.N.curve.X.
        let twice = SweepSpec(axes: [try SweepSpec.axis("curve.fee_bps=25"), try SweepSpec.axis("curve.fee_bps=50")], random: nil, seeds: 1, baseSeed: 1)
        #expect(twice.overlappingAxes(tokenCount: 1).map { [$0.0, $0.1] } == ["curve.fee_bps", "curve.fee_bps"])
        let overlap = SweepSpec(axes: [try SweepSpec.axis("curve.fee_bps=25"), try SweepSpec.axis("tokens.1.curve.fee_bps=50")], random: nil, seeds: 1, baseSeed: 1)
        #expect(overlap.overlappingAxes(tokenCount: 2).map { [$0.0, $0.1] } == ["curve.fee_bps", "tokens.1.curve.fee_bps"])
        #expect(overlap.overlappingAxes(tokenCount: 1) == nil)
        let spec = SweepSpec(axes: [try SweepSpec.axis("a=1,2,3"), try SweepSpec.axis("b=10,20")], random: nil, seeds: 2, baseSeed: 7)
        #expect(spec.gridSize == 6)
        #expect(spec.values(at: 0) == ["1", "10"] && spec.values(at: 1) == ["1", "20"] && spec.values(at: 5) == ["3", "20"])
        #expect(spec.overrides(at: 3, tokenCount: 2) == ["a=2", "b=20"])
        let curve = SweepSpec(axes: [try SweepSpec.axis("curve.virtual_sol=40")], random: nil, seeds: 1, baseSeed: 7)
        #expect(curve.overrides(at: 0, tokenCount: 2) == ["tokens.0.curve.virtual_sol=40", "tokens.1.curve.virtual_sol=40"])
        // Random points: distinct, in grid order, the same for the same base seed.
        let big = SweepSpec(axes: [try SweepSpec.axis("a=1..100:1"), try SweepSpec.axis("b=1..100:1")], random: 50, seeds: 1, baseSeed: 7)
        let p = big.points()
        #expect(p.count == 50 && Set(p).count == 50 && p == p.sorted() && p == big.points())
        #expect(SweepSpec(axes: big.axes, random: 50, seeds: 1, baseSeed: 8).points() != p)
    }
}
