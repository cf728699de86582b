import Foundation
import SimCore
import Engine
import Trace

/// `pumpsim trace stats`: what a trace holds and how well it compresses.
public struct TraceStatistics: Sendable {
    public var path: String
    public var header: TraceHeader
    public var events: UInt64 = 0
    public var firstTick: UInt64?
    public var lastTick: UInt64 = 0
    public var checkpoints = 0
    /// Bytes of the file, of its frames decompressed, and of the events as NDJSON.
    public var bytes: UInt64 = 0
    public var decompressedBytes: UInt64 = 0
    public var ndjsonBytes: UInt64 = 0
    public var frames = 0
    public var hasSeekTable = false
    public var truncation: String?
    /// Events per type name, most frequent first (then by name).
    public var byType: [(String, UInt64)] = []

    public static func of(_ path: String) throws(PumpSimError) -> TraceStatistics {
        let reader = try Traces.open(path)
        var s = TraceStatistics(path: path, header: reader.header)
        var position: [String: Int] = [:]
        try Traces.read {
            try reader.forEach { item in
                switch item {
                case .event(let e):
                    s.events += 1
                    s.firstTick = s.firstTick ?? e.tick
                    s.lastTick = e.tick
                    s.ndjsonBytes += UInt64(EventJSON.object(e).serialized().utf8.count + 1)
                    let name = e.event.typeName
                    if let i = position[name] { s.byType[i].1 += 1 } else { position[name] = s.byType.count; s.byType.append((name, 1)) }
                case .checkpoint:
                    s.checkpoints += 1
                }
                return true
            }
            for i in reader.frames.indices { s.decompressedBytes += UInt64(try reader.decompress(frame: i).count) }
        }
        s.bytes = UInt64(reader.fileSize)
        s.frames = reader.frames.count
        s.hasSeekTable = reader.hasSeekTable
        s.truncation = reader.truncation
        s.byType.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        return s
    }

    public var bytesPerEvent: Double { events > 0 ? Double(bytes) / Double(events) : 0 }
    public var compressionRatio: Double { bytes > 0 ? Double(decompressedBytes) / Double(bytes) : 0 }

    public var json: JSON {
        .object([
            ("trace", .string(path)), ("format_version", .uint(header.formatVersion)), ("engine_version", .string(header.engineVersion)),
            ("scenario_digest", .string(header.scenarioDigest.hex)), ("seed", .uint(header.seed)),
            ("events", .uint(events)), ("first_tick", firstTick.map { .uint($0) } ?? .null), ("last_tick", .uint(lastTick)),
            ("bytes", .uint(bytes)), ("decompressed_bytes", .uint(decompressedBytes)),
            ("bytes_per_event", .number(String(format: "%.2f", bytesPerEvent))),
            ("compression_ratio", .number(String(format: "%.2f", compressionRatio))),
            ("ndjson_bytes", .uint(ndjsonBytes)),
            ("frames", .uint(UInt64(frames))), ("seek_table", .bool(hasSeekTable)),
            ("checkpoints", .uint(UInt64(checkpoints))),
            ("truncated", truncation.map { .string($0) } ?? .null),
            ("events_by_type", .object(byType.map { ($0.0, .uint($0.1)) })),
        ])
    }

    public var text: String {
        var out = ["trace \(path): format \(header.formatVersion), engine \(header.engineVersion), seed \(header.seed)",
                   "scenario digest \(header.scenarioDigest.hex)",
                   "\(events) events, ticks \(firstTick ?? 0)–\(lastTick), \(checkpoints) checkpoints, \(frames) frames\(hasSeekTable ? " (seek table)" : "")",
                   String(format: "%llu bytes on disk, %.2f bytes/event; %llu decompressed (ratio %.2f); NDJSON would be %llu bytes (%.1f×)",
                          bytes, bytesPerEvent, decompressedBytes, compressionRatio, ndjsonBytes, bytes > 0 ? Double(ndjsonBytes) / Double(bytes) : 0)]
        if let t = truncation { out.append("truncated: \(t)") }
        for (name, n) in byType { out.append("  \(Format.left(name, 22)) \(n)") }
        return out.joined(separator: "\n")
    }
}

/// `pumpsim trace cat`: events (and checkpoints) as NDJSON lines.
public enum TraceCat {
    /// Writes the NDJSON to `out` in chunks of about 64 KiB.
    public static func run(_ path: String, fromTick: UInt64?, types: Set<String>, checkpoints: Bool,
                           out: (String) -> Void) throws(PumpSimError) -> TraceReader {
        let reader = try Traces.open(path)
        var buffer = ""
        try Traces.read {
            try reader.forEach(fromTick: fromTick) { item in
                switch item {
                case .event(let e):
                    if !types.isEmpty && !types.contains(e.event.typeName) { return true }
                    buffer += EventJSON.object(e).serialized() + "\n"
                case .checkpoint(let c):
                    guard checkpoints else { return true }
                    buffer += JSON.object([("type", .string("Checkpoint")), ("tick", .uint(c.tick)), ("event_index", .uint(c.eventIndex)),
                                           ("digest", .string(c.digest.hex))]).serialized() + "\n"
                }
                if buffer.utf8.count > 1 << 16 { out(buffer); buffer = "" }
                return true
            }
        }
        out(buffer)
        return reader
    }
}
