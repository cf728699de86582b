import Testing
import SimCore
import HeapModule
@testable import Engine

/// The order agents act in: the wheel's per-slot chunk lists, read through the bitmap over the
/// agents, give slot by slot what one heap ordered by (slot, agent) gives, for pools of one word
/// and of many, for delays inside the wheel and past it (the far heap), for wake-ups due at once
/// from both, and for slots whose lists run over many chunks.
struct WakeWheelTests {
    @Test(arguments: [1, 64, 65, 3_000])
    func givesTheOrderOfOneHeap(agents: Int) {
        var rng = SimRandom(seed: UInt64(agents))
        var wheel = WakeWheel(agents: agents)
        var model = Heap<Wake>()
        let span = Tick(WakeWheel.span)
        #expect(wheel.words * 64 >= agents && wheel.words * 64 < agents + 64)
        // Every agent starts with one wake-up, some far past the wheel.
        for a in 0..<agents {
            let t = rng.chance(bps: 500) ? span + rng.uniform(below: span) : rng.uniform(below: 300)
            wheel.insert(Wake(tick: t, agent: UInt32(a)))
            model.insert(Wake(tick: t, agent: UInt32(a)))
        }
        var due: [UInt32] = []
        var acted = 0
        for tick: Tick in 0..<3 * span {
            due.removeAll(keepingCapacity: true)
            wheel.take(tick, into: &due)
            var expected: [UInt32] = []
            while let top = model.min, top.tick <= tick { expected.append(model.removeMin().agent) }
            #expect(due == expected, "slot \(tick) of \(agents) agents")
            guard due == expected else { return }
            acted += due.count
            // Each schedules its next: mostly soon, sometimes past the wheel, sometimes never.
            for a in due where !rng.chance(bps: 1_000) {
                let delay = rng.chance(bps: 300) ? span + rng.uniform(below: span) : 1 + rng.uniform(below: 120)
                wheel.insert(Wake(tick: tick + delay, agent: a))
                model.insert(Wake(tick: tick + delay, agent: a))
            }
        }
        // Every first wake-up is due inside the slots run: each agent acted at least once.
        #expect(acted >= agents)
    }

    /// Every agent due in one slot (list of many chunks, agents inserted out of order), then
    /// again a few slots later from the chunks the first slot freed.
    @Test(arguments: [15, 16, 31, 1_000])
    func crowdedSlotsComeOutInAgentOrder(agents: Int) {
        var wheel = WakeWheel(agents: agents)
        var rng = SimRandom(seed: 7)
        var order = (0..<UInt32(agents)).map { $0 }
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.uniform(below: UInt64(i + 1)))) }
        for a in order { wheel.insert(Wake(tick: 3, agent: a)) }
        var due: [UInt32] = []
        for tick: Tick in 0..<3 { wheel.take(tick, into: &due) }
        #expect(due.isEmpty)
        wheel.take(3, into: &due)
        #expect(due == (0..<UInt32(agents)).map { $0 })
        // Half come back two slots later, the rest in the slot after: chunks reused, nothing lost.
        for a in order { wheel.insert(Wake(tick: a % 2 == 0 ? 5 : 6, agent: a)) }
        due.removeAll()
        wheel.take(4, into: &due)
        #expect(due.isEmpty)
        wheel.take(5, into: &due)
        #expect(due == stride(from: 0, to: UInt32(agents), by: 2).map { $0 })
        due.removeAll()
        wheel.take(6, into: &due)
        #expect(due == stride(from: 1, to: UInt32(agents), by: 2).map { $0 })
    }
}
