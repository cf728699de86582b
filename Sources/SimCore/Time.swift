/// One simulated slot. Ticks count from 0 at the start of a run.
public typealias Tick = UInt64

/// The simulated clock: a tick is one slot of `slotMillis` milliseconds (400 by default, as Solana).
///
/// There is no wall clock inside the engine; time is only ever `tick * slotMillis`.
public struct SimClock: Sendable, Equatable {
    /// Length of one slot in milliseconds.
    public var slotMillis: UInt64

    public init(slotMillis: UInt64 = 400) {
        precondition(slotMillis > 0, "a slot must last at least 1 ms")
        self.slotMillis = slotMillis
    }

    /// Simulated milliseconds at the start of `tick`.
    @inlinable public func millis(at tick: Tick) -> UInt64 { tick &* slotMillis }

    /// The first tick at or after `millis`.
    @inlinable public func tick(atMillis millis: UInt64) -> Tick { (millis + slotMillis - 1) / slotMillis }

    /// Number of whole ticks in a duration (rounded up, at least 1 for a positive duration).
    @inlinable public func ticks(forMillis millis: UInt64) -> UInt64 { (millis + slotMillis - 1) / slotMillis }
}
