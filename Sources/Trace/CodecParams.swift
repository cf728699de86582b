import SimCore
import Curves
import Ledger
import Engine

/// What the codec may derive values from: the scenario's fee rules, curve families and genesis
/// curve states. Written in the trace header, so a reader needs nothing else.
public struct CodecParams: Sendable, Equatable {
    public struct Mint: Sendable, Equatable {
        /// True for the pump.fun constant-product family (its amounts are predicted exactly).
        public var pumpFun: Bool
        public var protocolBps: UInt32
        /// Creator fee bps, 0 when the curve charges none.
        public var creatorBps: UInt32
        public var ceil: Bool
        public var initial: CurveState
        /// The fee rounding `ceil` stands for.
        var rounding: FeeRounding { ceil ? .ceil : .floor }
    }
    public var mints: [Mint]
    public var lamportsPerPoint: UInt64
    public var baseFeePerSignature: UInt64

    public init(mints: [Mint], lamportsPerPoint: UInt64, baseFeePerSignature: UInt64) {
        self.mints = mints; self.lamportsPerPoint = lamportsPerPoint; self.baseFeePerSignature = baseFeePerSignature
    }

    /// The parameters of a scenario.
    public init(config: SimulationConfig) {
        mints = config.tokens.map { t in
            let creator: Bool
            if case .pumpFun(let c) = t.curve { creator = c.creatorFeeApplies }
            else if case .linear(let c) = t.curve { creator = c.creatorFeeApplies }
            else if case .exponential(let c) = t.curve { creator = c.creatorFeeApplies } else { creator = false }
            let f = t.curve.feeProfile
            var pump = false
            if case .pumpFun = t.curve { pump = true }
            return Mint(pumpFun: pump, protocolBps: f.protocolBps, creatorBps: creator ? f.creatorBps : 0,
                        ceil: f.rounding == .ceil, initial: t.curve.state)
        }
        lamportsPerPoint = config.rewards.lamportsPerPoint
        baseFeePerSignature = config.chain.baseFeeLamportsPerSignature
    }

    /// The fee a landed transaction pays, from its remembered submission (as `Transaction.feeLamports`).
    @inline(__always) func fee(of s: RingEntry) -> UInt64 {
        baseFeePerSignature &* UInt64(s.signatures) &+ Transaction.priorityFee(computeUnits: s.computeUnits, microLamportsPerCU: s.priority)
    }

    func write(to w: inout ByteWriter) {
        w.reserve(32 + mints.count * 64)
        w.varint(lamportsPerPoint)
        w.varint(baseFeePerSignature)
        w.varint(UInt64(mints.count))
        for m in mints {
            w.u8((m.pumpFun ? 1 : 0) | (m.ceil ? 2 : 0))
            w.varint(m.protocolBps)
            w.varint(m.creatorBps)
            writeState(m.initial, &w)
        }
    }

    static func read(from r: inout ByteReader) throws(ByteReader.Malformed) -> CodecParams {
        let lpp = try r.varint()
        let base = try r.varint()
        let n = try r.varint()
        guard n <= 1_000_000 else { throw .init(offset: r.offset, what: "absurd mint count") }
        var mints: [Mint] = []
        for _ in 0..<n {
            let flags = try r.u8()
            mints.append(Mint(pumpFun: flags & 1 == 1, protocolBps: try r.varint32(), creatorBps: try r.varint32(),
                              ceil: flags & 2 == 2, initial: try readState(&r)))
        }
        return CodecParams(mints: mints, lamportsPerPoint: lpp, baseFeePerSignature: base)
    }
}

func writeState(_ s: CurveState, _ w: inout ByteWriter) {
    w.varint(s.virtualSol); w.varint(s.virtualToken); w.varint(s.realSol); w.varint(s.realToken); w.u8(s.complete ? 1 : 0)
}

func readState(_ r: inout ByteReader) throws(ByteReader.Malformed) -> CurveState {
    CurveState(virtualSol: try r.varint(), virtualToken: try r.varint(), realSol: try r.varint(), realToken: try r.varint(),
               complete: try r.u8() == 1)
}
