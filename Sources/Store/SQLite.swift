import CSQLite

/// An SQLite failure: the database file, the library's result code and message.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var code: Int32
    public var message: String
    public init(path: String, code: Int32, message: String) { self.path = path; self.code = code; self.message = message }
    public var description: String {
        let hint: String
        switch code {
        case SQLITE_BUSY, SQLITE_LOCKED: hint = " (another process holds the catalog; try again when it is done)"
        case SQLITE_READONLY: hint = " (the file or its folder is read-only)"
        case SQLITE_CORRUPT, SQLITE_NOTADB: hint = " (not a PumpSim catalog, or a damaged one)"
        case SQLITE_CANTOPEN: hint = " (cannot open the file; check the path and permissions)"
        case SQLITE_FULL: hint = " (the disk is full)"
        default: hint = ""
        }
        return "catalog \(path): \(message)\(hint)"
    }
}

/// A value bound to or read from a statement.
public enum SQLValue: Sendable, Equatable {
    case null
    case int(Int64)
    case real(Double)
    case text(String)
}

/// A thin, synchronous SQLite connection (the system libsqlite3). One connection, one thread.
public final class SQLiteDatabase {
    private var handle: OpaquePointer?
    public let path: String

    /// True when opened for reading only.
    public let readOnly: Bool

    /// Opens (`readOnly`: without creating or writing anything, so a catalog on a read-only
    /// disk or owned by someone else can still be browsed).
    public init(path: String, readOnly: Bool = false, immutable: Bool = false) throws(SQLiteError) {
        self.path = path
        self.readOnly = readOnly
        var flags = readOnly ? SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX
        var name = path
        if immutable {
            flags |= SQLITE_OPEN_URI
            let escaped = path.unicodeScalars.map { c -> String in
                c == "%" || c == "?" || c == "#" ? "%" + String(c.value, radix: 16, uppercase: true) : String(c)
            }.joined()
            name = "file:\(escaped)?immutable=1"
        }
        let rc = sqlite3_open_v2(name, &handle, flags, nil)
        guard rc == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(handle)
            throw SQLiteError(path: path, code: rc, message: message)
        }
        sqlite3_busy_timeout(handle, 5_000)
        sqlite3_extended_result_codes(handle, 0)
    }

    deinit { sqlite3_close_v2(handle) }

    /// Runs statements that return nothing.
    public func execute(_ sql: String) throws(SQLiteError) {
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &error)
        if rc != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? "unknown"
            sqlite3_free(error)
            throw SQLiteError(path: path, code: rc, message: message)
        }
    }

    /// Runs one statement with bound values and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ values: [SQLValue] = []) throws(SQLiteError) -> [[SQLValue]] {
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &stmt, nil) == SQLITE_OK else { throw lastError() }
        defer { sqlite3_finalize(stmt) }
        for (i, v) in values.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch v {
            case .null: rc = sqlite3_bind_null(stmt, index)
            case .int(let x): rc = sqlite3_bind_int64(stmt, index, x)
            case .real(let x): rc = sqlite3_bind_double(stmt, index, x)
            case .text(let s): rc = sqlite3_bind_text(stmt, index, s, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
            }
            guard rc == SQLITE_OK else { throw lastError() }
        }
        var rows: [[SQLValue]] = []
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw lastError() }
            var row: [SQLValue] = []
            for c in 0..<sqlite3_column_count(stmt) {
                switch sqlite3_column_type(stmt, c) {
                case SQLITE_INTEGER: row.append(.int(sqlite3_column_int64(stmt, c)))
                case SQLITE_FLOAT: row.append(.real(sqlite3_column_double(stmt, c)))
                case SQLITE_NULL: row.append(.null)
                default: row.append(.text(String(cString: sqlite3_column_text(stmt, c))))
                }
            }
            rows.append(row)
        }
        return rows
    }

    /// Runs `body` in one transaction: all of it lands, or none.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    private func lastError() -> SQLiteError {
        SQLiteError(path: path, code: sqlite3_errcode(handle), message: String(cString: sqlite3_errmsg(handle)))
    }
}

extension SQLValue {
    public var int: Int64? { if case .int(let v) = self { return v }; return nil }
    public var real: Double? {
        switch self {
        case .real(let v): return v
        case .int(let v): return Double(v)
        default: return nil
        }
    }
    public var text: String? { if case .text(let v) = self { return v }; return nil }
}
