#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A process, told apart from a later one that reuses its pid by its start time.
public struct ProcessIdentity: Sendable, Equatable {
    public var pid: Int32
    public var host: String
    /// When the process started, in clock ticks since boot (`/proc/PID/stat` field 22); 0 where unknown.
    public var startTicks: UInt64

    public init(pid: Int32, host: String, startTicks: UInt64) { self.pid = pid; self.host = host; self.startTicks = startTicks }

    public static let current = ProcessIdentity(pid: getpid(), host: ProcessInfo.processInfo.hostName, startTicks: startTicks(of: getpid()) ?? 0)

    /// True while the process runs (on this host).
    public var isAlive: Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard startTicks != 0, let now = Self.startTicks(of: pid) else { return true }
        return now == startTicks
    }

    /// Field 22 of `/proc/PID/stat` (after the parenthesised command name, which may hold spaces).
    static func startTicks(of pid: Int32) -> UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After ")": state is field 3, so field 22 is index 19.
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }
}

/// An exclusive lock held for as long as this value lives (or the process: the kernel releases
/// it when the process dies, even by `kill -9`). The lock file holds the owner's pid.
public final class FileLock: @unchecked Sendable {
    public let path: String
    private let fd: Int32

    /// Why the lock was not taken.
    public enum Failure: Error, Sendable {
        /// Another process holds it; its pid as written in the file, if readable.
        case held(path: String, pid: Int32?)
        case io(path: String, message: String)
    }

    public init(path: String) throws(Failure) {
        self.path = path
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: path, message: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let pid = (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            close(fd)
            throw .held(path: path, pid: pid)
        }
        _ = ftruncate(fd, 0)
        let text = "\(getpid())\n"
        _ = text.withCString { write(fd, $0, strlen($0)) }
    }

    /// The file stays (unlinking it would let a waiting process lock an inode nobody else sees).
    deinit {
        _ = ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
    }
}
