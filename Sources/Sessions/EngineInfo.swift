/// The engine's version, written into traces, the catalog and reports. It is part of a sweep's
/// identity (resume, merge): raise it whenever a run's events, digests or outcomes change for
/// the same scenario.
///
/// - 0.5.0: the samplers behind agents' timing and sizes draw by ziggurat (exponential and
///   normal: the same distributions, without a logarithm per draw) and the log-normal's
///   exponential by table (`DetMath.tableExp`), so the same seed draws other values.
/// - 0.4.0: a graduated token keeps trading on its PumpSwap pool (buys and sells route there;
///   prices, market caps and early buyers' returns follow it); input source voice; trace format 3.
/// - 0.3.0: one `RunOutcome` for every output; protocol fees include the migration fee in
///   `run --json` too; graduation seconds count from trading open everywhere; reward tiers
///   count wallets only; every rejection reason in PascalCase; trace format 2 (frame digests).
/// - 0.2.0: protocol fees include the migration fee in the outcomes; holders include
///   compressed balances; recorded stream rows skip the drop model; price windows.
public enum EngineInfo {
    public static let version = "0.5.0"
}
