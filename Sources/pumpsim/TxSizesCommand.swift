import ArgumentParser
import SimCore
import Sessions

struct TxSizesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tx-sizes",
        abstract: "The Solana wire size of every kind of transaction PumpSim simulates, against the 1232-byte and 64-account limits.",
        discussion: """
        Each transaction is a legacy Solana transaction: its signatures, the message header, \
        every distinct account key (32 bytes each), the blockhash and the instructions (the \
        programs' account lists and data lengths from their IDLs, plus the two compute-budget \
        instructions). Airdrops carry as many recipients as fit (size, account locks, Light's \
        output limit, 1.4 M compute units); a scenario's per_tx above that is refused. With \
        --scenario, its launches are sized with their own names and symbols.

        Examples:
          pumpsim tx-sizes
          pumpsim tx-sizes --json | python3 Tests/Fixtures/txsize/wire_sizes.py -
        """
    )

    @Option(help: "A scenario: its launches' names and symbols, its compute-unit costs.") var scenario: String?
    @Flag(help: "One JSON object (the shapes, for an independent check).") var json = false

    func run() throws {
        let s = try scenario.map { p throws(PumpSimError) in try Scenarios.load(p) }
        let r = TxSizeSession.shapes(scenario: s)
        if json { Terminal.json(TxSizeSession.json(r), pretty: false); return }
        Terminal.out("transaction                                   bytes  accounts  signatures")
        for sh in r.shapes {
            let name = sh.name.padding(toLength: 44, withPad: " ", startingAt: 0)
            let bytes = String(sh.bytes).leftPad(6), keys = String(sh.accountKeys).leftPad(9)
            Terminal.out("\(name)\(bytes)\(keys)  \(sh.signers.count)\(sh.problem.map { "   refused: \($0)" } ?? "")")
        }
        Terminal.out("airdrop recipients per transaction: \(r.standardRecipients) standard, \(r.compressedRecipients) compressed")
    }
}

private extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
