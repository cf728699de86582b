import ArgumentParser
import Foundation
import Sessions
import Scenario

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check scenario files without running them.",
        discussion: """
        Every problem is reported as FILE:LINE:COLUMN: FIELD: what was expected. Exit code 2 if any \
        file is invalid. A trade stream file is read a row at a time, in constant memory.

        --agent-params prints the fields of agent groups and of each strategy's params (form, \
        unit, default, meaning) as the Markdown table the README carries; the loader accepts \
        exactly these keys.
        """
    )

    @Argument(help: "Scenario files (YAML or JSON).") var scenarios: [String] = []
    @Option(name: .customLong("set"), help: ArgumentHelp("Override a field before validating, e.g. --set seed=7.", valueName: "key.path=value"))
    var overrides: [String] = []
    @Flag(help: "Print one JSON object per file instead of text.") var json = false
    @Flag(help: "Print the agent groups' fields and every strategy's params (Markdown) and exit.") var agentParams = false

    func validate() throws {
        if scenarios.isEmpty && !agentParams { throw ValidationError("name at least one scenario file") }
    }

    func run() throws {
        if agentParams { print(AgentParamsSchema.markdown, terminator: ""); return }
        var failed = 0
        for path in scenarios {
            let r = ValidateSession.check(path, overrides: overrides)
            if json { Terminal.json(ValidateSession.json(r, path: path), pretty: false); if case .failure = r { failed += 1 }; continue }
            switch r {
            case .success(let v): Terminal.out(ValidateSession.text(v))
            case .failure(let e): failed += 1; Terminal.error(e.description)
            }
        }
        if failed > 0 { throw PumpSimError.badInput("") }
    }
}
