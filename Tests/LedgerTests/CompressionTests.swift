import Testing
import SimCore
import Curves
import Merkle
@testable import Ledger

/// Compressed token accounts on the mocked chain: leaves, nullification, compress/decompress,
/// and the standard airdrop they are compared with.
struct CompressionTests {
    static let rent: UInt64 = 2_039_280

    /// A chain with mint 0 created and account 2 holding the tokens of a 10 SOL buy; 200 accounts.
    static func chain(tree: StateTreeConfig = StateTreeConfig()) throws -> Chain {
        var config = ChainConfig()
        config.stateTree = tree
        var c = Chain(config: config)
        c.declareMint(curve: .pumpFun(PumpFunCurve()))
        for _ in 0..<200 { c.openAccount(lamports: 10_000_000_000, bornTick: 0) }
        try c.apply(.tokenCreated(TokenCreated(mint: 0, creator: 2)))
        let q = try c.mints[0].curve.quoteBuy(spendable: 5_000_000_000, minTokensOut: 0)
        try c.apply(.tradeExecuted(TradeExecuted(txID: 0, wallet: 2, mint: 0, side: .buy, tokens: q.tokens, curveSol: q.curveSol,
                                                 protocolFee: q.protocolFee, creatorFee: q.creatorFee, rentLamports: rent)))
        return c
    }

    static func tx(_ id: TxID, payer: AccountID, _ ins: Instruction) -> Transaction {
        Transaction(id: id, payer: payer, computeUnits: 200_000, priorityMicroLamportsPerCU: 0, submittedTick: 0, instruction: ins)
    }

    /// Executes and applies one instruction; returns its events.
    @discardableResult
    static func run(_ c: inout Chain, _ t: Transaction) throws -> [LedgerEvent] {
        var events: [LedgerEvent] = []
        c.execute(t, into: &events)
        for e in events { try c.apply(e) }
        return events
    }

    /// A token account's leaf computed straight from Light's layout (not through the chain).
    static func leaf(mint: UInt32, owner: UInt32, amount: UInt64, index: UInt32) -> MerkleNode {
        let data = LightHash.tokenDataHash(mint: LightHash.hashToField(SimPubkey.mint(mint)),
                                           owner: LightHash.hashToField(SimPubkey.account(owner)), amount: amount)
        return LightHash.accountHash(owner: LightHash.hashToField(SimPubkey.compressedTokenProgram), leafIndex: index,
                                     tree: LightHash.hashToField(SimPubkey.tree(0)), discriminator: 2, dataHash: data)
    }

    @Test func theLeafIsLightsTokenAccountHash() throws {
        let c = try Self.chain()
        // token_account_leaf[3] of Tests/MerkleTests/Vectors/light_vectors.json (Light's Poseidon through PyPI).
        #expect(c.compressed.leafHash(mint: 0, owner: 1, amount: 1_000_000_000, leafIndex: 3).description
                == "1c9631127fef0559fd1b04544a9f8122061ab0519a09ae4056683f3a41f672b2")
    }

    @Test func aCompressedAirdropAppendsOneLeafPerRecipient() throws {
        var c = try Self.chain()
        let held = c.balance(of: 2, mint: 0)
        let events = try Self.run(&c, Self.tx(1, payer: 2, .compressedAirdrop(mint: 0, firstRecipient: 10, count: 40, amount: 1_000)))
        guard case .compressedTokensMoved(let m)? = events.first else { Issue.record("\(events)"); return }
        #expect(m.firstLeaf == 0 && m.recipients == 40 && m.fromStandard == 40_000)
        #expect(c.balance(of: 2, mint: 0) == held - 40_000)
        #expect(c.compressed.balance(of: 10, mint: 0) == 1_000 && c.compressed.balance(of: 49, mint: 0) == 1_000)
        #expect(c.compressed.balance(of: 50, mint: 0) == 0)
        // The root of a fresh Light-style tree with the same leaves, appended one by one.
        var fresh = try ConcurrentMerkleTree<PoseidonHasher>(depth: 26, maxBufferSize: 64)
        for k in 0..<UInt32(40) { try fresh.append(Self.leaf(mint: 0, owner: 10 + k, amount: 1_000, index: k)) }
        #expect(c.compressed.tree.root == fresh.root)
        #expect(c.compressed.tree.sequenceNumber == 40)
        #expect(c.rentLockedLamports == Self.rent)   // only the buyer's own token account
    }

    @Test func aTransferNullifiesItsInputsAndAppendsRecipientAndChange() throws {
        var c = try Self.chain()
        try Self.run(&c, Self.tx(1, payer: 2, .compress(mint: 0, amount: 700)))
        try Self.run(&c, Self.tx(2, payer: 2, .compress(mint: 0, amount: 500)))
        let events = try Self.run(&c, Self.tx(3, payer: 2, .compressedTransfer(mint: 0, to: 7, amount: 1_000)))
        guard case .compressedTokensMoved(let m)? = events.first else { Issue.record("\(events)"); return }
        #expect(m.inputs == [0, 1] && m.change == 200 && m.firstLeaf == 2)
        let tree = c.compressed.tree
        #expect(tree.leaf(0) == .zero && tree.leaf(1) == .zero)          // v1 nullification writes zero
        #expect(ConcurrentMerkleTree<PoseidonHasher>.verify(leaf: .zero, index: 0, proof: tree.proof(0), root: tree.root))
        #expect(tree.leaf(2) == Self.leaf(mint: 0, owner: 7, amount: 1_000, index: 2))
        #expect(tree.leaf(3) == Self.leaf(mint: 0, owner: 2, amount: 200, index: 3))
        #expect(c.compressed.balance(of: 7, mint: 0) == 1_000 && c.compressed.balance(of: 2, mint: 0) == 200)
        #expect(c.compressed.unspentLeaves(of: 2, mint: 0) == [3])
        // 2 compresses, 2 nullifications, 2 outputs.
        #expect(tree.sequenceNumber == 6)
        // Spending more than is held is refused on chain, with nothing changed.
        let root = tree.root
        let refused = try Self.run(&c, Self.tx(4, payer: 7, .compressedTransfer(mint: 0, to: 8, amount: 1_001)))
        #expect(refused == [.tokenInstructionFailed(TokenInstructionFailed(txID: 4, payer: 7, mint: 0, reason: .insufficientTokens))])
        #expect(c.compressed.tree.root == root)
    }

    @Test func decompressOpensATokenAccountAndPaysItsRent() throws {
        var c = try Self.chain()
        try Self.run(&c, Self.tx(1, payer: 2, .compressedAirdrop(mint: 0, firstRecipient: 20, count: 2, amount: 900)))
        let lamports = c.lamports[20]
        try Self.run(&c, Self.tx(2, payer: 20, .decompress(mint: 0, amount: 600)))
        #expect(c.balance(of: 20, mint: 0) == 600)
        #expect(c.compressed.balance(of: 20, mint: 0) == 300)
        #expect(c.lamports[20] == lamports - Self.rent)
        #expect(c.tokenAccountOpen[0][20])
        #expect(c.mints[0].holders == 2)
        // A second decompress needs no new account.
        try Self.run(&c, Self.tx(3, payer: 20, .decompress(mint: 0, amount: 300)))
        #expect(c.lamports[20] == lamports - Self.rent)
        #expect(c.compressed.balance(of: 20, mint: 0) == 0 && c.compressed.unspentLeaves(of: 20, mint: 0).isEmpty)
    }

    @Test func aStandardAirdropPaysRentForEveryNewAccount() throws {
        var c = try Self.chain()
        let lamports = c.lamports[2]
        let events = try Self.run(&c, Self.tx(1, payer: 2, .airdrop(mint: 0, firstRecipient: 30, count: 25, amount: 10)))
        #expect(events == [.tokensAirdropped(TokensAirdropped(txID: 1, payer: 2, mint: 0, firstRecipient: 30, count: 25, amount: 10, rentLamports: 25 * Self.rent))])
        #expect(c.lamports[2] == lamports - 25 * Self.rent)
        #expect(c.rentLockedLamports == 26 * Self.rent)
        #expect(c.mints[0].holders == 26)
        // Recipients that already have an account cost nothing more.
        let again = try Self.run(&c, Self.tx(2, payer: 2, .airdrop(mint: 0, firstRecipient: 50, count: 10, amount: 10)))
        #expect(again == [.tokensAirdropped(TokensAirdropped(txID: 2, payer: 2, mint: 0, firstRecipient: 50, count: 10, amount: 10, rentLamports: 5 * Self.rent))])
        #expect(try Self.run(&c, Self.tx(3, payer: 9, .airdrop(mint: 0, firstRecipient: 50, count: 10, amount: 10)))
                == [.tokenInstructionFailed(TokenInstructionFailed(txID: 3, payer: 9, mint: 0, reason: .insufficientTokens))])
    }

    @Test func aFullTreeRefusesOutputs() throws {
        var small = StateTreeConfig()
        small.depth = 3; small.canopyDepth = 1; small.bufferSize = 8
        var c = try Self.chain(tree: small)
        try Self.run(&c, Self.tx(1, payer: 2, .compressedAirdrop(mint: 0, firstRecipient: 10, count: 6, amount: 1)))
        #expect(try Self.run(&c, Self.tx(2, payer: 2, .compressedAirdrop(mint: 0, firstRecipient: 10, count: 3, amount: 1)))
                == [.tokenInstructionFailed(TokenInstructionFailed(txID: 2, payer: 2, mint: 0, reason: .stateTreeFull))])
        // The tree's canopy-short proofs (depth 3 − canopy 1 = 2 siblings) still nullify.
        try Self.run(&c, Self.tx(3, payer: 12, .compressedTransfer(mint: 0, to: 13, amount: 1)))
        #expect(c.compressed.tree.leaf(2) == .zero)
    }

    @Test func parallelLeafHashingEqualsSequential() throws {
        let c = try Self.chain()
        let outputs: [(AccountID, UInt64)] = (0..<37).map { (AccountID(3 + $0), UInt64($0) * 1_000 + 1) }
        let parallel = c.compressed.parallelLeafHashes(outputs, mint: 0, firstLeaf: 5)
        let sequential = outputs.enumerated().map { k, o in Self.leaf(mint: 0, owner: o.0.rawValue, amount: o.1, index: 5 + UInt32(k)) }
        #expect(parallel == sequential)
    }

    @Test func anInconsistentEventIsRejected() throws {
        var c = try Self.chain()
        let bad = CompressedTokensMoved(txID: 1, payer: 5, mint: 0, inputs: [0], fromStandard: 0, toStandard: 0, firstRecipient: 5,
                                        recipients: 1, amount: 1, change: 0, firstLeaf: 0, rentLamports: 0)
        #expect(throws: LedgerError.compressed("input leaf 0 does not exist")) { try c.apply(.compressedTokensMoved(bad)) }
    }
}
