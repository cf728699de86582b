import Foundation

/// Where tests write their files: one directory per test process under the system's temporary
/// directory, removed when the process exits. Tests used to write beside it, and every run of the
/// suite left some 160 files and directories in /tmp; a run that crashes still leaves its one
/// directory, named by its process id.
public let scratchDirectory: URL = {
    let url = URL(fileURLWithPath: scratchPath, isDirectory: true)
    try? FileManager.default.removeItem(at: url)  // a crashed run's, should its pid come round again
    do {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    } catch {
        fatalError("cannot create the tests' scratch directory \(scratchPath): \(error)")
    }
    atexit { try? FileManager.default.removeItem(atPath: scratchPath) }
    return url
}()

private let scratchPath = FileManager.default.temporaryDirectory.appendingPathComponent("pumpsim-tests-\(getpid())").path
