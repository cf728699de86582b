import ArgumentParser
import Sessions

struct MerkleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merkle",
        abstract: "Merkle tree tools for people debugging compressed state.",
        subcommands: [Root.self, HashCommand.self]
    )

    struct Root: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Root (and optionally a proof) of a concurrent Merkle tree, as JSON.",
            discussion: """
            Leaves are 64-hex-digit lines (32 bytes each), appended left to right; empty slots are \
            32 zero bytes and zero[i+1] = H(zero[i], zero[i]). Prints {"root": HEX} and, with \
            --proof INDEX, "proof": the siblings from the leaf up.

            Examples:
              pumpsim merkle root --hash keccak --depth 14 --leaves leaves.txt
              pumpsim merkle root --hash sha256 --depth 26 --leaves leaves.txt --proof 3
            """
        )

        @Option(help: "sha256, keccak or poseidon (Light's BN254 Poseidon; leaves must be below the field modulus).") var hash: MerkleSession.HashKind
        @Option(help: "Tree depth, 1 to 32.", transform: Parse.count("depth", 1...32)) var depth: Int
        @Option(help: "File of leaves, one 64-hex-digit line each (none: an empty tree).") var leaves: String?
        @Option(help: "Also print the proof of this leaf.") var proof: UInt32?

        func run() throws {
            let nodes = try leaves.map { try MerkleSession.readLeaves($0) } ?? []
            Terminal.json(try MerkleSession.root(hash: hash, depth: depth, leaves: nodes, leavesFile: leaves, proof: proof))
        }
    }
}

struct HashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "Poseidon of 1 to 12 field elements, as Light Protocol computes it, as JSON.",
        discussion: """
        Inputs are 32-byte big-endian values in hex (64 digits), each below the BN254 scalar field \
        modulus. Prints {"hash": HEX}.

        Example:
          pumpsim merkle hash --hash poseidon 0000…0001 0000…0002
        """
    )

    @Option(help: "poseidon (the only hash of field elements).") var hash: MerkleSession.HashKind = .poseidon
    @Argument(help: "Inputs, 64 hex digits each.") var inputs: [String]

    func validate() throws {
        guard hash == .poseidon else { throw ValidationError("--hash takes poseidon (sha256 and keccak hash bytes, not field elements)") }
    }

    func run() throws { Terminal.json(try MerkleSession.poseidon(inputs)) }
}
