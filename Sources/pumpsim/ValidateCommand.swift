import ArgumentParser
import Foundation
import SimCore
import Scenario

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check scenario files without running them.",
        discussion: """
        Every problem is reported as FILE:LINE:COLUMN: FIELD: what was expected. Exit code 2 if any \
        file is invalid.
        """
    )

    @Argument(help: "Scenario files (YAML or JSON).")
    var scenarios: [String]

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a field before validating, e.g. --set seed=7.", valueName: "key.path=value"))
    var overrides: [String] = []

    @Flag(help: "Print one JSON object per file instead of text.")
    var json = false

    func validate() throws {
        if scenarios.isEmpty { throw ValidationError("name at least one scenario file") }
    }

    func run() throws {
        var failed = false
        for path in scenarios {
            do {
                let config = try ScenarioLoader.load(path: path, overrides: overrides)
                if json {
                    print(JSON.object([("file", .string(path)), ("valid", .bool(true)), ("name", .string(config.name)),
                                       ("tokens", .uint(UInt64(config.tokens.count))), ("agents", .uint(UInt64(config.agentCount))),
                                       ("ticks", .uint(config.durationTicks))]).serialized())
                } else {
                    print("\(path): ok (\(config.tokens.count) tokens, \(config.agentCount) agents, \(config.durationTicks) slots)")
                }
            } catch {
                failed = true
                if json {
                    print(JSON.object([("file", .string(path)), ("valid", .bool(false)), ("error", .string(error.description)),
                                       ("line", .uint(UInt64(error.line))), ("column", .uint(UInt64(error.column))),
                                       ("field", .string(error.field))]).serialized())
                } else {
                    printError(error.description)
                }
            }
        }
        if failed { throw ExitStatus.badInput.code }
    }
}
