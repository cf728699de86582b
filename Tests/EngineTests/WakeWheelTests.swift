import Testing
import SimCore
import HeapModule
@testable import Engine

/// The order agents act in: the wheel's per-slot bitmaps give, slot by slot, what one heap
/// ordered by (slot, agent) gives, for pools of one word and of many, for delays inside the
/// wheel and past it (the far heap), and for wake-ups due at once from both.
struct WakeWheelTests {
    @Test(arguments: [1, 64, 65, 3_000])
    func givesTheOrderOfOneHeap(agents: Int) {
        var rng = SimRandom(seed: UInt64(agents))
        var wheel = WakeWheel(agents: agents)
        var model = Heap<Wake>()
        #expect(wheel.span >= 256 && wheel.span <= 4_096 && wheel.words * 64 >= agents)
        // Every agent starts with one wake-up, some far past the wheel.
        for a in 0..<agents {
            let t = rng.chance(bps: 500) ? Tick(wheel.span) + rng.uniform(below: UInt64(wheel.span)) : rng.uniform(below: 300)
            wheel.insert(Wake(tick: t, agent: UInt32(a)))
            model.insert(Wake(tick: t, agent: UInt32(a)))
        }
        var due: [UInt32] = []
        var acted = 0
        for tick: Tick in 0..<Tick(3 * wheel.span) {
            due.removeAll(keepingCapacity: true)
            wheel.take(tick, into: &due)
            var expected: [UInt32] = []
            while let top = model.min, top.tick <= tick { expected.append(model.removeMin().agent) }
            #expect(due == expected, "slot \(tick) of \(agents) agents")
            guard due == expected else { return }
            acted += due.count
            // Each schedules its next: mostly soon, sometimes past the wheel, sometimes never.
            for a in due where !rng.chance(bps: 1_000) {
                let delay = rng.chance(bps: 300) ? Tick(wheel.span) + rng.uniform(below: UInt64(wheel.span)) : 1 + rng.uniform(below: 120)
                wheel.insert(Wake(tick: tick + delay, agent: a))
                model.insert(Wake(tick: tick + delay, agent: a))
            }
        }
        // Every first wake-up is due inside the slots run: each agent acted at least once.
        #expect(acted >= agents)
    }

    /// The wheel holds about 2 MiB of bitmaps, between 256 and 4 096 slots.
    @Test func spanFollowsThePoolSize() {
        #expect(WakeWheel(agents: 1).span == 4_096)
        #expect(WakeWheel(agents: 20_000).span == (2 << 20) / (313 * 8))
        #expect(WakeWheel(agents: 1_000_000).span == 256 && WakeWheel(agents: 1_000_000).words == 15_625)
    }
}
