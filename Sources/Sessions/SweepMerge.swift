import Foundation
import SimCore
import Store
import Engine

extension SweepSession {
    /// Joins shard catalogs into `into` (created if missing). A row present twice with
    /// different results is a failed check and nothing is merged.
    public static func merge(_ catalogs: [String], into: String) throws(PumpSimError) -> RunCatalog.MergeReport {
        guard !catalogs.isEmpty else { throw .badInput("name at least one catalog to merge") }
        var sources: [(path: String, catalog: RunCatalog)] = []
        let target = URL(fileURLWithPath: into).standardizedFileURL.resolvingSymlinksInPath().path
        for c in catalogs {
            guard FileManager.default.fileExists(atPath: c) else { throw .badInput("\(c): no such catalog") }
            // The target's own shard sweeps join anyway; reading it as a source too would count them twice.
            if URL(fileURLWithPath: c).standardizedFileURL.resolvingSymlinksInPath().path == target { continue }
            sources.append((c, try Catalogs.forReading(c)))
        }
        let targetCatalog = try Catalogs.forWriting(into)
        do { return try targetCatalog.merge(from: sources, finishedAt: Catalogs.now()) } catch let e as RunCatalog.MergeConflict {
            throw .checkFailed(e.description)
        } catch {
            throw PumpSimError(error)
        }
    }
}

/// Rows to `--json` lines and to the CSV file, in grid order as they become available: a
/// finished row waits only for the rows before it. Memory holds the rows still waiting.
final class RowOutput: @unchecked Sendable {
    private var position: [Int: Int] = [:]
    private var waiting: [Int: RunCatalog.SweepPoint] = [:]
    private var next = 0
    private let paramKeys: [String]
    private let metricNames: [String]
    private let csv: FileHandle?
    private let jsonLine: (@Sendable (String) -> Void)?

    init(order: [Int], paramKeys: [String], metricNames: [String], csvPath: String?, jsonLine: (@Sendable (String) -> Void)?) throws {
        for (k, i) in order.enumerated() { position[i] = k }
        self.paramKeys = paramKeys
        self.metricNames = metricNames
        self.jsonLine = jsonLine
        if let csvPath {
            guard FileManager.default.createFile(atPath: csvPath, contents: nil) else {
                throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: csvPath])
            }
            csv = try FileHandle(forWritingTo: URL(fileURLWithPath: csvPath))
            try csv?.write(contentsOf: Data(((["row", "point", "seed"] + paramKeys + metricNames + ["digest"])
                .map(Self.quote).joined(separator: ",") + "\n").utf8))
        } else {
            csv = nil
        }
    }

    /// Appends rows to the order (an adaptive sweep's next round).
    func extend(order rows: [Int]) {
        for i in rows where position[i] == nil { position[i] = position.count }
    }

    func has(_ index: Int) -> Bool { guard let k = position[index] else { return false }; return k < next || waiting[k] != nil }

    /// Takes a finished row; writes it and every row it was holding back.
    func add(_ p: RunCatalog.SweepPoint) throws {
        guard let k = position[Int(p.index)] else { return }
        waiting[k] = p
        while let row = waiting.removeValue(forKey: next) {
            next += 1
            if let jsonLine {
                jsonLine(JSON.object([("row", .int(row.index)), ("point", .int(row.point)), ("seed", .uint(row.seed)),
                                      ("params", .verbatim(row.params)), ("metrics", .verbatim(row.metrics)),
                                      ("digest", .string(row.digest)), ("events", .int(row.events))]).serialized())
            }
            if let csv {
                let params = JSON.flatFields(row.params) ?? []
                let metrics = JSON.flatFields(row.metrics) ?? []
                var cells = ["\(row.index)", "\(row.point)", "\(row.seed)"]
                cells += paramKeys.map { k in params.first { $0.key == k }?.value ?? "" }
                let byName = Dictionary(metrics.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
                cells += metricNames.map { k in byName[k].map { $0.value == "null" && !$0.isString ? "" : $0.value } ?? "" }
                cells.append(row.digest)
                try csv.write(contentsOf: Data((cells.map(Self.quote).joined(separator: ",") + "\n").utf8))
            }
        }
    }

    func close() { try? csv?.close() }

    /// RFC 4180: quoted when it holds a comma, a quote or a line break.
    static func quote(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
