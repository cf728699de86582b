import ArgumentParser
import Foundation
import SimCore
import Merkle

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
            32 zero bytes and zero[i+1] = H(zero[i], zero[i]). Prints {"root": HEX} and, with
            --proof INDEX, "proof": the siblings from the leaf up.

            Examples:
              pumpsim merkle root --hash keccak --depth 14 --leaves leaves.txt
              pumpsim merkle root --hash sha256 --depth 26 --leaves leaves.txt --proof 3
            """
        )

        @Option(help: "sha256, keccak or poseidon (Light's BN254 Poseidon; leaves must be below the field modulus).") var hash: String
        @Option(help: "Tree depth, 1 to 32.") var depth: Int
        @Option(help: "File of leaves, one 64-hex-digit line each (none: an empty tree).") var leaves: String?
        @Option(help: "Also print the proof of this leaf.") var proof: UInt32?

        func validate() throws {
            guard ["sha256", "keccak", "poseidon"].contains(hash) else { throw ValidationError("--hash takes sha256, keccak or poseidon") }
            guard (1...32).contains(depth) else { throw ValidationError("--depth must be between 1 and 32") }
        }

        func run() throws {
            var nodes: [MerkleNode] = []
            if let leaves {
                guard let text = try? String(contentsOfFile: leaves, encoding: .utf8) else {
                    printError("error: cannot read \(leaves)")
                    throw ExitStatus.badInput.code
                }
                for (n, line) in text.utf8.split(separator: 10, omittingEmptySubsequences: false).map({ Substring($0) }).enumerated() {
                    let s = line.trimmingCharacters(in: .whitespacesAndNewlines)
                    if s.isEmpty { continue }
                    guard s.count == 64, let bytes = Hex.decode(s) else {
                        printError("\(leaves):\(n + 1): expected 64 hex digits (a 32-byte leaf), found \"\(s.prefix(80))\"")
                        throw ExitStatus.badInput.code
                    }
                    nodes.append(MerkleNode(bytes)!)
                }
            }
            switch hash {
            case "sha256": try emit(Sha256Hasher.self, nodes)
            case "keccak": try emit(Keccak256Hasher.self, nodes)
            default:
                if let i = nodes.firstIndex(where: { Fr(node: $0) == nil }) {
                    printError("\(leaves ?? "leaves"): leaf \(i + 1) is not below the BN254 field modulus (Poseidon rejects it)")
                    throw ExitStatus.badInput.code
                }
                try emit(PoseidonHasher.self, nodes)
            }
        }

        func emit<H: MerkleHasher>(_: H.Type, _ nodes: [MerkleNode]) throws {
            do {
                var tree = try ConcurrentMerkleTree<H>(depth: depth, maxBufferSize: 64)
                if !nodes.isEmpty { try tree.append(contentsOf: nodes) }
                var fields: [(String, JSON)] = [("hash", .string(H.name)), ("depth", .uint(UInt64(depth))),
                                                ("leaves", .uint(UInt64(nodes.count))), ("root", .string(Hex.encode(tree.root.bytes)))]
                if let p = proof {
                    guard UInt64(p) < tree.capacity else {
                        printError("error: --proof \(p) is beyond the tree's \(tree.capacity) leaves")
                        throw ExitStatus.badInput.code
                    }
                    fields.append(("proof", .array(tree.proof(p).map { .string(Hex.encode($0.bytes)) })))
                }
                print(JSON.object(fields).serialized(pretty: true))
            } catch let e as MerkleError {
                printError("error: \(e)")
                throw ExitStatus.badInput.code
            }
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

    @Option(help: "poseidon.") var hash: String = "poseidon"
    @Argument(help: "Inputs, 64 hex digits each.") var inputs: [String]

    func validate() throws {
        guard hash == "poseidon" else { throw ValidationError("--hash takes poseidon") }
        guard (1...12).contains(inputs.count) else { throw ValidationError("give 1 to 12 inputs") }
        for (i, x) in inputs.enumerated() where x.count != 64 || Hex.decode(x) == nil {
            throw ValidationError("input \(i + 1) is not 64 hex digits")
        }
    }

    func run() throws {
        do {
            let out = try Poseidon.hash(bigEndian: inputs.map { Hex.decode($0)! })
            print(JSON.object([("hash", .string(Hex.encode(out)))]).serialized(pretty: true))
        } catch {
            printError("error: \(error) (inputs must be below the BN254 modulus 0x30644e72…f0000001)")
            throw ExitStatus.badInput.code
        }
    }
}
