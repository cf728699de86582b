import Foundation
import SimCore
import Store

/// Opening run catalogs for the sessions.
public enum Catalogs {
    /// The default catalog, relative to the working directory.
    public static var defaultPath: String { RunCatalog.defaultPath }

    /// Opens (creating it and its folder) a catalog to record in.
    public static func forWriting(_ path: String) throws(PumpSimError) -> RunCatalog {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty && !FileManager.default.fileExists(atPath: dir) {
            do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                throw .badInput("catalog \(path): cannot create its folder \(dir) (\(error.localizedDescription))")
            }
        }
        do { return try RunCatalog(path: path) } catch { throw PumpSimError(error) }
    }

    /// Opens an existing catalog to read, writing nothing (a read-only file or disk works).
    public static func forReading(_ path: String) throws(PumpSimError) -> RunCatalog {
        guard FileManager.default.fileExists(atPath: path) else {
            throw .badInput("no catalog at \(path) (runs and sweeps are recorded by `pumpsim run` and `pumpsim sweep`; --db names another)")
        }
        do { return try RunCatalog(path: path, readOnly: true) } catch { throw PumpSimError(error) }
    }

    /// Runs a catalog call, turning its failure into bad input that names the file.
    @discardableResult
    public static func call<T>(_ body: () throws -> T) throws(PumpSimError) -> T {
        do { return try body() } catch { throw PumpSimError(error) }
    }

    /// An ISO 8601 timestamp for catalog rows.
    public static func now() -> String { ISO8601DateFormatter().string(from: Date()) }
}
