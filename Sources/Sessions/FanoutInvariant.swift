import Engine
import Fanout

/// `ws_accounted` over a fan-out result: every intended delivery is delivered, dropped (with
/// its cause), conflated or still in flight at the end.
public enum FanoutInvariant {
    public static func check(_ r: FanoutResult) -> InvariantViolation? {
        guard !r.isConserved else { return nil }
        let accounted = r.delivered + r.conflated + r.dropped + r.inFlight
        return InvariantViolation(.wsAccounted, "\(r.intended) messages intended, \(accounted) accounted for (policy \(r.policy))", values: [
            .init("intended", "\(r.intended)"), .init("delivered", "\(r.delivered)"), .init("conflated", "\(r.conflated)"),
            .init("dropped", "\(r.dropped)"), .init("in_flight", "\(r.inFlight)")])
    }
}
