import ArgumentParser
import Foundation
import SimCore
import Merkle

struct MerkleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merkle",
        abstract: "Merkle tree tools for people debugging compressed state.",
        subcommands: [Root.self]
    )

    struct Root: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Root (and optionally a proof) of a concurrent Merkle tree, as JSON.",
            discussion: """
            Leaves are 64-hex-digit lines (32 bytes each), appended left to right; empty slots are
            32 zero bytes and zero[i+1] = H(zero[i], zero[i]). Prints {"root": HEX} and, with
            --proof INDEX, "proof": the siblings from the leaf up.

            Examples:
              pumpsim merkle root --hash keccak --depth 14 --leaves leaves.txt
              pumpsim merkle root --hash sha256 --depth 26 --leaves leaves.txt --proof 3
            """
        )

        @Option(help: "sha256 or keccak.") var hash: String
        @Option(help: "Tree depth, 1 to 32.") var depth: Int
        @Option(help: "File of leaves, one 64-hex-digit line each (none: an empty tree).") var leaves: String?
        @Option(help: "Also print the proof of this leaf.") var proof: UInt32?

        func validate() throws {
            guard ["sha256", "keccak"].contains(hash) else { throw ValidationError("--hash takes sha256 or keccak") }
            guard (1...32).contains(depth) else { throw ValidationError("--depth must be between 1 and 32") }
        }

        func run() throws {
            var nodes: [Node] = []
            if let leaves {
                guard let text = try? String(contentsOfFile: leaves, encoding: .utf8) else {
                    printError("error: cannot read \(leaves)")
                    throw ExitStatus.badInput.code
                }
                for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let s = line.trimmingCharacters(in: .whitespaces)
                    if s.isEmpty { continue }
                    guard s.count == 64, let bytes = Hex.decode(s) else {
                        printError("\(leaves):\(n + 1): expected 64 hex digits (a 32-byte leaf), found \"\(s.prefix(80))\"")
                        throw ExitStatus.badInput.code
                    }
                    nodes.append(bytes)
                }
            }
            switch hash {
            case "sha256": try emit(Sha256Hasher.self, nodes)
            default: try emit(Keccak256Hasher.self, nodes)
            }
        }

        func emit<H: MerkleHasher>(_: H.Type, _ nodes: [Node]) throws {
            do {
                var tree = try ConcurrentMerkleTree<H>(depth: depth, maxBufferSize: 64)
                for n in nodes { try tree.append(n) }
                var fields: [(String, JSON)] = [("hash", .string(H.name)), ("depth", .uint(UInt64(depth))),
                                                ("leaves", .uint(UInt64(nodes.count))), ("root", .string(Hex.encode(tree.root)))]
                if let p = proof {
                    guard UInt64(p) < tree.capacity else {
                        printError("error: --proof \(p) is beyond the tree's \(tree.capacity) leaves")
                        throw ExitStatus.badInput.code
                    }
                    fields.append(("proof", .array(tree.proof(p).map { .string(Hex.encode($0)) })))
                }
                print(JSON.object(fields).serialized(pretty: true))
            } catch let e as MerkleError {
                printError("error: \(e)")
                throw ExitStatus.badInput.code
            }
        }
    }
}
