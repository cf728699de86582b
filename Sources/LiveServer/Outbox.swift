import Synchronization
import DequeModule
import Fanout

/// How many outboxes hold more than `depth` items, kept by the outboxes as they change, so that
/// `--speed max` pacing asks one atomic instead of every connection's lock every 200 µs.
final class Backlog: Sendable {
    let depth: Int
    private let over = Atomic<Int>(0)
    init(depth: Int) { self.depth = depth }
    /// Outboxes over `depth` now.
    var count: Int { over.load(ordering: .acquiring) }
    /// One outbox went from `before` items to `after`.
    func moved(from before: Int, to after: Int) {
        if before <= depth && after > depth { over.add(1, ordering: .releasing) }
        else if before > depth && after <= depth { over.subtract(1, ordering: .releasing) }
    }
}

/// One connection's write buffer: frames waiting for the socket, bounded in bytes. When a frame
/// does not fit, the scenario's slow-consumer policy decides, as in the fan-out model: drop the
/// oldest queued frames to make room, or close the connection.
final class Outbox: Sendable {
    enum Item: Sendable {
        case text(String)
        case close(code: UInt16, reason: String)
    }

    enum Push: Equatable { case queued, droppedOldest(Int), overflow, closed }

    private struct State {
        var items: Deque<Item> = []
        var bytes = 0
        var waiter: CheckedContinuation<Item?, Never>?
        var closed = false
    }

    private let state = Mutex(State())
    let limitBytes: Int
    let policy: SlowConsumerPolicy
    /// Told of every change in the number of items, if given.
    let backlog: Backlog?

    init(limitBytes: Int, policy: SlowConsumerPolicy, backlog: Backlog? = nil) {
        self.limitBytes = max(1, limitBytes)
        self.policy = policy
        self.backlog = backlog
    }

    /// Runs `body` on the state under the lock and tells the backlog how the item count moved.
    private func changing<R>(_ body: (inout State) -> R) -> R {
        state.withLock { s in
            let before = s.items.count
            let r = body(&s)
            backlog?.moved(from: before, to: s.items.count)
            return r
        }
    }

    /// Frames waiting.
    var depth: Int { state.withLock { $0.items.count } }
    var queuedBytes: Int { state.withLock { $0.bytes } }

    /// Queues a frame; a frame larger than the whole buffer is still sent when the buffer is empty.
    func push(_ text: String) -> Push {
        let size = text.utf8.count
        return changing { s -> Push in
            if s.closed { return .closed }
            var dropped = 0
            if s.bytes + size > limitBytes && !s.items.isEmpty {
                switch policy {
                case .disconnect:
                    return .overflow
                case .dropOldest:
                    while s.bytes + size > limitBytes, let first = s.items.first, case .text(let old) = first {
                        s.items.removeFirst()
                        s.bytes -= old.utf8.count
                        dropped += 1
                    }
                }
            }
            if let w = s.waiter {
                s.waiter = nil
                w.resume(returning: .text(text))
            } else {
                s.items.append(.text(text))
                s.bytes += size
            }
            return dropped > 0 ? .droppedOldest(dropped) : .queued
        }
    }

    /// Queues a close frame after what is queued (or instead of it, `now`); nothing is queued after it.
    func close(code: UInt16, reason: String, now: Bool = false) {
        changing { s in
            guard !s.closed else { return }
            s.closed = true
            if now { s.items.removeAll(); s.bytes = 0 }
            if let w = s.waiter {
                s.waiter = nil
                w.resume(returning: .close(code: code, reason: reason))
            } else {
                s.items.append(.close(code: code, reason: reason))
            }
        }
    }

    /// Ends the outbox without a close frame (the socket is gone).
    func cancel() {
        changing { s in
            s.closed = true
            s.items.removeAll()
            s.bytes = 0
            if let w = s.waiter { s.waiter = nil; w.resume(returning: nil) }
        }
    }

    /// The next item to write, waiting for one; nil once closed and drained.
    func next() async -> Item? {
        // A cancelled writer (the connection's task group torn down) ends the outbox.
        await withTaskCancellationHandler {
            await take()
        } onCancel: {
            cancel()
        }
    }

    private func take() async -> Item? {
        await withCheckedContinuation { (c: CheckedContinuation<Item?, Never>) in
            changing { s in
                if let first = s.items.popFirst() {
                    if case .text(let t) = first { s.bytes -= t.utf8.count }
                    c.resume(returning: first)
                } else if s.closed {
                    c.resume(returning: nil)
                } else {
                    s.waiter = c
                }
            }
        }
    }
}
