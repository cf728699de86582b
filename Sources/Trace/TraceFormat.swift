import SimCore
import Engine

/// What a trace says about itself.
public struct TraceHeader: Sendable, Equatable {
    /// Version of the trace format this file follows.
    public var formatVersion: UInt64
    /// Engine version that wrote it.
    public var engineVersion: String
    /// SHA-256 of the resolved scenario's canonical JSON.
    public var scenarioDigest: StateDigest
    public var seed: UInt64
    /// The resolved scenario, canonical JSON (every default written out).
    public var scenarioJSON: String
    /// What the event codec derives values from.
    public var codec: CodecParams

    public init(formatVersion: UInt64 = TraceFormat.version, engineVersion: String, scenarioDigest: StateDigest, seed: UInt64,
                scenarioJSON: String, codec: CodecParams) {
        self.formatVersion = formatVersion; self.engineVersion = engineVersion; self.scenarioDigest = scenarioDigest
        self.seed = seed; self.scenarioJSON = scenarioJSON; self.codec = codec
    }
}

/// Where each event block sits: the footer index that makes seeking by tick cheap.
public struct BlockInfo: Sendable, Equatable {
    /// Index of the block's frame in the file (frame 0 is the header).
    public var frame: Int
    public var firstSeq: UInt64
    public var eventCount: UInt64
    public var firstTick: Tick
    public var lastTick: Tick
}

/// The trace layout constants.
public enum TraceFormat {
    /// Current format version. Every older version still reads, replays and verifies
    /// (`Tests/Fixtures/compat/`); a newer one is refused, naming both versions.
    /// - 3: events and values pumpsim 0.3.0 could not read (input source `voice`), so 0.3.0
    ///   refuses these traces by their version rather than part way through.
    /// - 2: the index lists the SHA-256 of every frame before it, so `replay --verify` checks
    ///   every byte of the file.
    public static let version: UInt64 = 3
    static let headerMagic: [UInt8] = Array("PSTRACE1".utf8)
    static let blockMagic: UInt8 = 0xB1
    /// The index of format 1 (no frame digests) and of format 2.
    static let indexMagicV1: [UInt8] = Array("PSINDEX1".utf8)
    static let indexMagic: [UInt8] = Array("PSINDEX2".utf8)
    /// Skippable frame magic used by the Zstandard seekable format's seek table (variant 0xE).
    static let seekTableMagic: UInt32 = 0x184D_2A5E
    /// Last four bytes of a seekable file.
    static let seekableFooterMagic: UInt32 = 0x8F92_EAB1
}

/// Why a trace could not be read.
public enum TraceError: Error, Equatable, Sendable, CustomStringConvertible {
    case io(String)
    case notATrace(String)
    /// A frame failed to decompress (checksum, corruption) or to decode.
    case corruptFrame(frame: Int, offset: Int, reason: String)
    case unsupportedVersion(UInt64)
    /// The frames, the index, the seek table or the header disagree with each other.
    case inconsistent(String)

    public var description: String {
        switch self {
        case .io(let s): return s
        case .notATrace(let s): return "not a PumpSim trace: \(s)"
        case .corruptFrame(let f, let o, let r): return "corrupt trace: frame \(f) at byte \(o): \(r)"
        case .unsupportedVersion(let v): return "trace format version \(v) is newer than this pumpsim reads (format \(TraceFormat.version) and older); read it with a newer pumpsim"
        case .inconsistent(let s): return "damaged trace: \(s)"
        }
    }
}

/// A record read back from a trace.
public enum TraceItem: Sendable, Equatable {
    case event(EventRecord)
    case checkpoint(Checkpoint)
}
