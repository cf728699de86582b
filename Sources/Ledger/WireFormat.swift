/// Solana's wire form of the transactions PumpSim simulates (REFERENCE.md Part 3 §2): a legacy
/// transaction is compact-array(64-byte signatures) ‖ message, the message is a 3-byte header ‖
/// compact-array(32-byte account keys) ‖ 32-byte blockhash ‖ compact-array(instructions), and an
/// instruction is program index ‖ compact-array(account indices) ‖ compact-array(data). A
/// transaction must fit 1 232 bytes (IPv6 MTU less headers) and lock at most 64 accounts.
///
/// Each instruction is described by its accounts (by role: the same role is the same account)
/// and its data length, from the programs' IDLs: pump `buy` 16 accounts and 25 bytes, `sell` 14
/// and 24, PumpSwap `buy` 23 and 25, `sell` 21 and 24 (REFERENCE.md Part 3 §1f); the compute
/// budget's `SetComputeUnitLimit` (5 bytes) and `SetComputeUnitPrice` (9 bytes) in every
/// transaction. `pumpsim tx-sizes --json` prints every shape; `Tests/Fixtures/txsize/wire_sizes.py`
/// rebuilds them with solders and checks the sizes.
public enum WireFormat {
    public static let maxTransactionBytes = 1_232
    public static let maxAccountLocks = 64
    /// Groth16 validity proof of a Light instruction that reads compressed accounts (a 32, b 64, c 32).
    public static let validityProofBytes = 128
    /// Light's compressed-token program takes at most 8 input and 35 output accounts per instruction.
    public static let maxCompressedInputs = 8
    public static let maxCompressedOutputs = 35
    /// Solana's most compute units per transaction.
    public static let maxComputeUnitsPerTransaction: UInt64 = 1_400_000

    public struct Account: Sendable, Hashable {
        public var role: String
        public var signer: Bool
        public var writable: Bool
        public init(_ role: String, signer: Bool = false, writable: Bool = false) { self.role = role; self.signer = signer; self.writable = writable }
    }

    public struct Step: Sendable, Hashable {
        public var program: String
        public var accounts: [Account]
        public var dataBytes: Int
    }

    /// One transaction's instructions and signers, and what they make on the wire.
    public struct Shape: Sendable, Hashable {
        public var name: String
        public var signers: [String]
        public var steps: [Step]

        /// Distinct account keys: signers, every account, every program.
        public var accountKeys: Int {
            var seen = Set<String>(signers)
            for s in steps { seen.insert(s.program); for a in s.accounts { seen.insert(a.role) } }
            return seen.count
        }

        /// Serialized bytes, signatures included.
        public var bytes: Int {
            let keys = accountKeys
            var n = compactLength(signers.count) + 64 * signers.count
            n += 3 + compactLength(keys) + 32 * keys + 32 + compactLength(steps.count)
            for s in steps { n += 1 + compactLength(s.accounts.count) + s.accounts.count + compactLength(s.dataBytes) + s.dataBytes }
            return n
        }

        /// Why the runtime refuses it, if it does: too large, or too many accounts locked.
        public var problem: String? {
            if bytes > maxTransactionBytes { return "\(bytes) bytes, over Solana's \(maxTransactionBytes)-byte limit" }
            if accountKeys > maxAccountLocks { return "\(accountKeys) accounts, over the \(maxAccountLocks)-account lock limit" }
            return nil
        }
    }

    /// compact-u16: 1 byte to 0x7F, 2 to 0x3FFF, 3 above.
    public static func compactLength(_ n: Int) -> Int { n < 0x80 ? 1 : n < 0x4000 ? 2 : 3 }

    static let computeBudget = [Step(program: "compute_budget", accounts: [], dataBytes: 5), Step(program: "compute_budget", accounts: [], dataBytes: 9)]

    /// pump `buy` / `buy_exact_sol_in` (the IDL's 16 accounts).
    static func pumpBuy(_ m: String) -> Step {
        Step(program: "pump", accounts: [
            Account("pump_global"), Account("pump_fee_recipient", writable: true), Account("mint:\(m)"), Account("bonding_curve:\(m)", writable: true),
            Account("curve_ata:\(m)", writable: true), Account("user_ata:\(m)", writable: true), Account("user", signer: true, writable: true),
            Account("system_program"), Account("token_program"), Account("creator_vault:\(m)", writable: true), Account("pump_event_authority"),
            Account("pump"), Account("global_volume_accumulator", writable: true), Account("user_volume_accumulator", writable: true),
            Account("fee_config"), Account("fee_program"),
        ], dataBytes: 25)
    }

    /// pump `sell` (14 accounts).
    static func pumpSell(_ m: String) -> Step {
        Step(program: "pump", accounts: [
            Account("pump_global"), Account("pump_fee_recipient", writable: true), Account("mint:\(m)"), Account("bonding_curve:\(m)", writable: true),
            Account("curve_ata:\(m)", writable: true), Account("user_ata:\(m)", writable: true), Account("user", signer: true, writable: true),
            Account("system_program"), Account("creator_vault:\(m)", writable: true), Account("token_program"), Account("pump_event_authority"),
            Account("pump"), Account("fee_config"), Account("fee_program"),
        ], dataBytes: 24)
    }

    /// pump `create`: 14 accounts; data = discriminator, name, symbol and URI as Borsh strings, creator key.
    static func pumpCreate(_ m: String, nameBytes: Int, symbolBytes: Int, uriBytes: Int) -> Step {
        Step(program: "pump", accounts: [
            Account("mint:\(m)", signer: true, writable: true), Account("mint_authority"), Account("bonding_curve:\(m)", writable: true),
            Account("curve_ata:\(m)", writable: true), Account("pump_global"), Account("mpl_token_metadata"), Account("metadata:\(m)", writable: true),
            Account("user", signer: true, writable: true), Account("system_program"), Account("token_program"), Account("associated_token_program"),
            Account("rent"), Account("pump_event_authority"), Account("pump"),
        ], dataBytes: 8 + 4 + nameBytes + 4 + symbolBytes + 4 + uriBytes + 32)
    }

    /// PumpSwap `buy` (23 accounts) or `sell` (21: no volume accumulators).
    static func ammSwap(_ m: String, buy: Bool) -> Step {
        var a = [
            Account("pool:\(m)"), Account("user", signer: true, writable: true), Account("amm_global_config"), Account("mint:\(m)"), Account("wsol_mint"),
            Account("user_ata:\(m)", writable: true), Account("user_wsol_ata", writable: true), Account("pool_base_ata:\(m)", writable: true),
            Account("pool_quote_ata:\(m)", writable: true), Account("amm_fee_recipient"), Account("amm_fee_recipient_ata", writable: true),
            Account("token_program"), Account("token_program_quote"), Account("system_program"), Account("associated_token_program"),
            Account("amm_event_authority"), Account("pump_amm"), Account("coin_creator_vault_ata:\(m)", writable: true),
            Account("coin_creator_vault_authority:\(m)"),
        ]
        if buy { a += [Account("global_volume_accumulator_amm", writable: true), Account("user_volume_accumulator_amm", writable: true)] }
        a += [Account("fee_config"), Account("fee_program")]
        return Step(program: "pump_amm", accounts: a, dataBytes: buy ? 25 : 24)
    }

    /// The associated-token program's `CreateIdempotent` (6 accounts, 1 byte).
    static func createATA(owner: String, ata: String, mint: String) -> Step {
        Step(program: "associated_token_program", accounts: [
            Account("user", signer: true, writable: true), Account(ata, writable: true), Account(owner), Account("mint:\(mint)"),
            Account("system_program"), Account("token_program"),
        ], dataBytes: 1)
    }

    /// Light's compressed-token `transfer` (compress, decompress or move): the system accounts, a
    /// Borsh body of 62 bytes plus 43 per output and 19 per input, and the 128-byte proof when it
    /// reads compressed accounts.
    static func lightTransfer(_ m: String, inputs: Int, outputs: Int, touchesStandard: Bool) -> Step {
        var a = [
            Account("user", signer: true, writable: true), Account("light_cpi_authority"), Account("light_system_program"),
            Account("light_registered_program"), Account("noop_program"), Account("account_compression_authority"),
            Account("account_compression_program"), Account("compressed_token_program"), Account("system_program"),
            Account("state_tree", writable: true),
        ]
        if inputs > 0 { a.append(Account("nullifier_queue", writable: true)) }
        if touchesStandard {
            a += [Account("token_pool:\(m)", writable: true), Account("user_ata:\(m)", writable: true), Account("token_program")]
        }
        let proof = inputs > 0 ? 1 + validityProofBytes : 1
        return Step(program: "compressed_token_program", accounts: a, dataBytes: 62 + proof + 43 * outputs + 19 * inputs)
    }

    /// The URI length assumed for a launch's metadata (an IPFS gateway URL with a CIDv0).
    public static let metadataURIBytes = 67

    /// The wire shape of a transaction carrying `instruction` (a launch's name and symbol lengths
    /// matter; the symbol stands for the mint in roles).
    public static func shape(of instruction: Instruction, nameBytes: Int = 32, symbolBytes: Int = 10) -> Shape {
        func tx(_ name: String, _ steps: [Step], signers: [String] = ["user"]) -> Shape { Shape(name: name, signers: signers, steps: computeBudget + steps) }
        switch instruction {
        case .create(let m, let initial):
            let s = "\(m)"
            var steps = [pumpCreate(s, nameBytes: nameBytes, symbolBytes: symbolBytes, uriBytes: metadataURIBytes)]
            if initial > 0 { steps += [createATA(owner: "user", ata: "user_ata:\(s)", mint: s), pumpBuy(s)] }
            return tx("create", steps, signers: ["user", "mint:\(s)"])
        case .buyExactSolIn(let m, _, _): return tx("buy_exact_sol_in", [pumpBuy("\(m)")])
        case .buyExactTokens(let m, _, _): return tx("buy", [pumpBuy("\(m)")])
        case .sell(let m, _, _): return tx("sell", [pumpSell("\(m)")])
        case .poolBuy(let m, _, _): return tx("pump_amm_buy", [ammSwap("\(m)", buy: true)])
        case .poolSell(let m, _, _): return tx("pump_amm_sell", [ammSwap("\(m)", buy: false)])
        case .claimRewards:
            return tx("claim_rewards", [Step(program: "funpump_rewards", accounts: [
                Account("user", signer: true, writable: true), Account("rewards_vault", writable: true), Account("user_rewards", writable: true),
                Account("system_program"), Account("funpump_rewards"),
            ], dataBytes: 8)])
        case .airdrop(let m, _, let count, _):
            var steps: [Step] = []
            for r in 0..<Int(count) {
                steps.append(createATA(owner: "recipient:\(r)", ata: "recipient_ata:\(r)", mint: "\(m)"))
                steps.append(Step(program: "token_program", accounts: [
                    Account("user_ata:\(m)", writable: true), Account("mint:\(m)"), Account("recipient_ata:\(r)", writable: true), Account("user", signer: true),
                ], dataBytes: 10))
            }
            return tx("airdrop", steps)
        case .compressedAirdrop(let m, _, let count, _):
            return tx("compressed_airdrop", [lightTransfer("\(m)", inputs: 0, outputs: Int(count), touchesStandard: true)])
        case .compressedTransfer(let m, _, _):
            return tx("compressed_transfer", [lightTransfer("\(m)", inputs: maxCompressedInputs, outputs: 2, touchesStandard: false)])
        case .compress(let m, _):
            return tx("compress", [lightTransfer("\(m)", inputs: 0, outputs: 1, touchesStandard: true)])
        case .decompress(let m, _):
            return tx("decompress", [lightTransfer("\(m)", inputs: maxCompressedInputs, outputs: 1, touchesStandard: true)])
        }
    }

    /// The most recipients one airdrop transaction carries: within the size and lock limits, Light's
    /// output limit for compressed ones, and the per-transaction compute limit at these costs.
    public static func maxAirdropRecipients(compressed: Bool, costs: ComputeUnitCosts) -> UInt32 {
        var best: UInt32 = 0
        let cap: UInt32 = compressed ? UInt32(maxCompressedOutputs) : 64
        for n in 1...cap {
            let ins: Instruction = compressed ? .compressedAirdrop(mint: 0, firstRecipient: 0, count: n, amount: 1) : .airdrop(mint: 0, firstRecipient: 0, count: n, amount: 1)
            guard shape(of: ins).problem == nil, costs.airdrop(recipients: n, compressed: compressed) <= maxComputeUnitsPerTransaction else { break }
            best = n
        }
        return best
    }
}
