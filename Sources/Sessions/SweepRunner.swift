import Foundation
import SimCore
import Engine
import Scenario

/// A row that could not run: which row, point and seed, and why.
public struct SweepRowError: Error, CustomStringConvertible {
    public var index: Int
    public var params: [(String, String)]
    public var seed: UInt64
    public var underlying: String
    public var description: String {
        "row \(index) (\(params.map { "\($0.0)=\($0.1)" }.joined(separator: ", ")), seed \(seed)): \(underlying)"
    }
}

public enum SweepRunner {
    /// Runs the rows `indices` of the sweep with `jobs` threads; `done` is called (serially, in
    /// completion order) as each finishes, and returns false to stop handing out rows (a failure).
    /// Results do not depend on `jobs`.
    public static func run(scenarioPath: String, baseOverrides: [String], spec: SweepSpec, tokenCount: Int, indices: [Int], jobs: Int,
                           done: @escaping @Sendable (Result<SweepRow, SweepRowError>) -> Bool) {
        let points = spec.points()
        let lock = NSLock()
        let next = Counter()
        let workers = max(1, min(jobs, indices.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let k = next.take(below: indices.count) {
                let i = indices[k]
                let result: Result<SweepRow, SweepRowError>
                do {
                    result = .success(try runRow(i, scenarioPath: scenarioPath, baseOverrides: baseOverrides, spec: spec, points: points, tokenCount: tokenCount))
                } catch {
                    let point = points[i / spec.seeds]
                    result = .failure(SweepRowError(index: i, params: Array(zip(spec.axes.map(\.key), spec.values(at: point))),
                                                    seed: spec.baseSeed &+ UInt64(i % spec.seeds), underlying: "\(error)"))
                }
                lock.lock()
                let goOn = done(result)
                lock.unlock()
                if !goOn { next.stop() }
            }
        }
    }

    /// Runs one row: the scenario with the point's overrides and the row's seed.
    public static func runRow(_ i: Int, scenarioPath: String, baseOverrides: [String], spec: SweepSpec, points: [Int], tokenCount: Int) throws -> SweepRow {
        let point = points[i / spec.seeds]
        let seed = spec.baseSeed &+ UInt64(i % spec.seeds)
        var scenario = try ScenarioLoader.load(path: scenarioPath, overrides: baseOverrides + spec.overrides(at: point, tokenCount: tokenCount))
        scenario.seed = seed
        let start = ContinuousClock.now
        var sim = try Simulation(config: scenario.config)
        let result = try sim.run()
        let d = ContinuousClock.now - start
        return SweepRow(index: i, point: point, seed: seed, params: Array(zip(spec.axes.map(\.key), spec.values(at: point))),
                        outcome: RunOutcome(result), digest: result.finalDigest.hex, events: result.eventCount,
                        wallSeconds: Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18,
                        groupMetrics: try result.groupMetricFields())
    }

    /// Hands out row positions to worker threads, until the end or a stop.
    final class Counter: @unchecked Sendable {
        private var value = 0
        private var stopped = false
        private let lock = NSLock()
        func take(below limit: Int) -> Int? {
            lock.lock(); defer { lock.unlock() }
            guard !stopped, value < limit else { return nil }
            value += 1
            return value - 1
        }
        func stop() { lock.lock(); stopped = true; lock.unlock() }
    }
}
