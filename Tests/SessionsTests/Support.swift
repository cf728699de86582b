import Foundation

/// The repository's root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func scenarioPath(_ name: String) -> String { packageRoot.appendingPathComponent("Scenarios/\(name)").path
}
