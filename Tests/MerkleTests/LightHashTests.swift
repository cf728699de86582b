import Foundation
import Testing
import SimCore
@testable import Merkle

/// Vectors from Tests/MerkleTests/Vectors/gen_light_vectors.py (Light's layouts, Poseidon from
/// the PyPI `light-poseidon` 0.1.1 binding of Light's Rust crate, Keccak from pycryptodome).
struct LightVectors: Decodable {
    struct ToField: Decodable { let label: String; let input_hex: String; let output_hex: String }
    struct TokenData: Decodable { let mint: UInt32; let owner: UInt32; let amount: UInt64; let delegate: UInt32?; let token_data_hash: String }
    struct Account: Decodable {
        let owner_hex: String; let leaf_index: UInt32; let tree: UInt32; let lamports: UInt64
        let discriminator_hex: String?; let data_hash_hex: String?; let hash: String
    }
    struct Leaf: Decodable { let mint: UInt32; let owner: UInt32; let amount: UInt64; let tree: UInt32; let leaf_index: UInt32; let leaf: String }
    let token_program_hex: String
    let hash_to_field: [ToField]
    let token_data: [TokenData]
    let compressed_account: [Account]
    let token_account_leaf: [Leaf]

    static let shared: LightVectors = {
        let url = Bundle.module.url(forResource: "light_vectors", withExtension: "json", subdirectory: "Vectors")!
        return try! JSONDecoder().decode(LightVectors.self, from: Data(contentsOf: url))
    }()
}

struct LightHashTests {
    let v = LightVectors.shared
    func h(_ bytes: [UInt8]) -> MerkleNode { LightHash.hashToField(bytes) }

    @Test func hashToFieldMatchesLight() {
        #expect(v.hash_to_field.count == 8)
        for c in v.hash_to_field { #expect(h(Hex.decode(c.input_hex)!).description == c.output_hex, "\(c.label)") }
        #expect(Hex.encode(SimPubkey.compressedTokenProgram) == v.token_program_hex)
        #expect(Hex.encode(SimPubkey.account(99_999)) == v.hash_to_field.first { $0.label == "account/99999" }!.input_hex)
    }

    @Test func tokenDataHashesMatchLight() {
        #expect(v.token_data.count == 10)
        #expect(v.token_data.contains { $0.amount == .max })
        for c in v.token_data {
            let out = LightHash.tokenDataHash(mint: h(SimPubkey.mint(c.mint)), owner: h(SimPubkey.account(c.owner)), amount: c.amount,
                                              delegate: c.delegate.map { h(SimPubkey.account($0)) })
            #expect(out.description == c.token_data_hash, "mint \(c.mint) owner \(c.owner) amount \(c.amount)")
        }
    }

    @Test func compressedAccountHashesMatchLight() {
        #expect(v.compressed_account.count == 11)
        for c in v.compressed_account {
            let disc = c.discriminator_hex.map { hex in Hex.decode(hex)!.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) } }
            let out = LightHash.accountHash(owner: h(Hex.decode(c.owner_hex)!), leafIndex: c.leaf_index, tree: h(SimPubkey.tree(c.tree)),
                                            lamports: c.lamports, discriminator: disc, dataHash: c.data_hash_hex.map { MerkleNode(Hex.decode($0)!)! })
            #expect(out.description == c.hash, "leaf \(c.leaf_index) lamports \(c.lamports)")
        }
    }

    @Test func tokenAccountLeavesMatchLight() {
        let program = h(SimPubkey.compressedTokenProgram)
        for c in v.token_account_leaf {
            let data = LightHash.tokenDataHash(mint: h(SimPubkey.mint(c.mint)), owner: h(SimPubkey.account(c.owner)), amount: c.amount)
            let leaf = LightHash.accountHash(owner: program, leafIndex: c.leaf_index, tree: h(SimPubkey.tree(c.tree)),
                                             discriminator: LightHash.tokenDiscriminatorV1, dataHash: data)
            #expect(leaf.description == c.leaf, "leaf \(c.leaf_index)")
        }
    }
}
