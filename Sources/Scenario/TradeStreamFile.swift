import Foundation
import SimCore
import Engine

/// Trade-stream files: CSV with a header line, or NDJSON (one JSON object per line), chosen by
/// the first line that is not blank or a `#` comment. Fields (CSV columns or JSON keys):
///
/// | field | meaning |
/// |---|---|
/// | `slot` or `time` | when the trade was decided: a slot number, or seconds from the start |
/// | `landed_slot` or `landed_time` | optional: when it landed (default: the same slot) |
/// | `wallet` | any name; each distinct name is one wallet |
/// | `token` | a token symbol of the scenario |
/// | `side` | `buy`, `sell` or `create` |
/// | `sol` | buy: SOL to spend (fees included); create: the initial buy (optional) |
/// | `tokens` | buy: exactly this many tokens; sell: this many tokens |
/// | `share` | sell: this percentage of the holding (0 < share ≤ 100, two decimals) |
/// | `held` | sell with `tokens`: the wallet's holding when it sold, as recorded; the replay sells the same part of the holding it has then |
/// | `slippage_bps` | optional tolerance (default: the scenario's `trades.slippage_bps`) |
/// | `priority` | optional priority fee, micro-lamports per CU |
/// | `balance_sol` | optional, on a wallet's first row: the SOL it starts with (default `trades.wallet_balance_sol`) |
///
/// A buy gives `sol` or `tokens`; a sell gives `tokens` or `share`. Errors name file, line and column.
public enum TradeStreamFile {
    public static let fields = ["slot", "time", "landed_slot", "landed_time", "wallet", "token", "side", "sol", "tokens", "share",
                                "held", "slippage_bps", "priority", "balance_sol"]

    /// `ignoring`: columns or keys (besides ours) to skip, e.g. a recorded history's `signature`.
    public static func parse(_ text: String, file: String, slotMillis: UInt64, symbols: [String] = [],
                             ignoring: Set<String> = []) throws(ScenarioError) -> [NamedStreamTrade] {
        try parseWithLines(text, file: file, slotMillis: slotMillis, symbols: symbols, ignoring: ignoring).rows
    }

    /// Where a row's cells are, for errors only the whole scenario can see (a second create, a
    /// landing past the run's end or past expiry).
    struct RowPosition: Sendable {
        var line: Int
        var slotColumn: Int32
        var landedColumn: Int32
        var sideColumn: Int32
        var balanceColumn: Int32
    }

    /// The rows and where each came from.
    static func parseWithLines(_ text: String, file: String, slotMillis: UInt64, symbols: [String],
                               ignoring: Set<String> = []) throws(ScenarioError) -> (rows: [NamedStreamTrade], positions: [RowPosition]) {
        var rows: [NamedStreamTrade] = []
        var positions: [RowPosition] = []
        var parser = Parser(file: file, slotMillis: slotMillis, symbols: symbols, ignoring: ignoring)
        try LineSplitter.lines(of: text) { (line: Substring, number: Int) throws(ScenarioError) in
            if let (row, position) = try parser.feed(line, number: number) { rows.append(row); positions.append(position) }
        }
        try parser.finish()
        return (rows, positions)
    }

    /// Reads a stream a line at a time: one row in, one row out, nothing else kept.
    struct Parser {
        let file: String
        let slotMillis: UInt64
        let symbols: [String]
        let ignoring: Set<String>
        private var header: [(name: String, column: Int)]?
        private var ndjson: Bool?
        private(set) var rows = 0

        init(file: String, slotMillis: UInt64, symbols: [String], ignoring: Set<String>) {
            self.file = file; self.slotMillis = slotMillis; self.symbols = symbols; self.ignoring = ignoring
        }

        /// Most bytes one line may hold.
        static let maxLineBytes = 1 << 16

        /// One line (without its line break); a row, or nil for a header, comment or blank line.
        mutating func feed(_ rawLine: Substring, number lineNumber: Int) throws(ScenarioError) -> (NamedStreamTrade, RowPosition)? {
            var line = rawLine
            guard line.utf8.count <= Self.maxLineBytes else {
                throw ScenarioError(file: file, line: lineNumber, column: 1, field: "", message: "the line is longer than \(Self.maxLineBytes) bytes")
            }
            if lineNumber == 1 && line.hasPrefix("\u{FEFF}") { line = line.dropFirst() } // a byte-order mark
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { return nil }
            if ndjson == nil { ndjson = trimmed.hasPrefix("{") }
            var cells: [String: (String, Int)] = [:]
            if ndjson == true {
                cells = try jsonCells(String(line), file: file, line: lineNumber, ignoring: ignoring)
            } else if let header {
                let values = try csvCells(String(line), file: file, line: lineNumber)
                if values.count > header.count {
                    throw ScenarioError(file: file, line: lineNumber, column: values[header.count].1, field: "",
                                        message: "\(values.count) values but the header names \(header.count) columns")
                }
                for (i, v) in values.enumerated() where !v.0.isEmpty && !ignoring.contains(header[i].name) { cells[header[i].name] = v }
            } else {
                header = try readHeader(String(line), lineNumber)
                return nil
            }
            let row = try TradeStreamFile.row(cells, file: file, line: lineNumber, slotMillis: slotMillis, symbols: symbols)
            rows += 1
            func column(_ fields: String...) -> Int32 { Int32(fields.lazy.compactMap { cells[$0]?.1 }.first ?? 1) }
            return (row, RowPosition(line: lineNumber, slotColumn: column("slot", "time"), landedColumn: column("landed_slot", "landed_time", "slot", "time"),
                                     sideColumn: column("side"), balanceColumn: column("balance_sol")))
        }

        /// Column names are matched without regard to case (`SOL`, `Time`).
        private func readHeader(_ line: String, _ lineNumber: Int) throws(ScenarioError) -> [(name: String, column: Int)] {
            let names = try csvCells(line, file: file, line: lineNumber).map { (ignoring.contains($0.0) ? $0.0 : $0.0.lowercased(), $0.1) }
            for (name, column) in names where !ignoring.contains(name) {
                guard fields.contains(name) else {
                    throw ScenarioError(file: file, line: lineNumber, column: column, field: name,
                                        message: "unknown column; expected some of \(fields.joined(separator: ", ")) (other columns: list them in trades.ignore_columns)")
                }
                if names.filter({ $0.0 == name }).count > 1 {
                    throw ScenarioError(file: file, line: lineNumber, column: column, field: name, message: "duplicate column")
                }
            }
            for required in ["wallet", "token", "side"] where !names.contains(where: { $0.0 == required }) {
                throw ScenarioError(file: file, line: lineNumber, column: 1, field: required, message: "missing column (the header must name wallet, token, side and slot or time)")
            }
            if !names.contains(where: { $0.0 == "slot" || $0.0 == "time" }) {
                throw ScenarioError(file: file, line: lineNumber, column: 1, field: "slot", message: "missing column: slot or time")
            }
            return names.map { (name: $0.0, column: $0.1) }
        }

        /// At the end: a stream needs at least one row.
        func finish() throws(ScenarioError) {
            if rows == 0 {
                throw ScenarioError(file: file, line: 0, column: 0, field: "", message: "no trades (expected a CSV header and rows, or NDJSON lines)")
            }
        }
    }

    static func row(_ cells: [String: (String, Int)], file: String, line: Int, slotMillis: UInt64, symbols: [String]) throws(ScenarioError) -> NamedStreamTrade {
        func fail(_ field: String, _ message: String) -> ScenarioError {
            ScenarioError(file: file, line: line, column: cells[field]?.1 ?? 1, field: field, message: message)
        }
        func text(_ field: String) throws(ScenarioError) -> String {
            guard let v = cells[field]?.0, !v.isEmpty else { throw fail(field, "missing; every row needs wallet, token, side and slot or time") }
            guard !v.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw fail(field, "a control character (tab, line break, …) in the value")
            }
            return v
        }
        func decimal(_ field: String, scale: Int, what: String) throws(ScenarioError) -> UInt64? {
            guard let raw = cells[field]?.0 else { return nil }
            let v = plainDecimal(raw) ?? raw  // `1e-05`, as spreadsheets and Python write small numbers
            guard let x = FixedDecimal.parse(v, scale: scale) else {
                if v.hasPrefix("-") { throw fail(field, "expected \(what), not a negative number (found \"\(raw)\")") }
                let parts = v.split(separator: ".", omittingEmptySubsequences: false)
                if parts.count <= 2, parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }), (parts.count == 1 ? 0 : parts[1].count) <= scale {
                    throw fail(field, "\(raw) is too large for \(what)")
                }
                throw fail(field, "expected \(what) with at most \(scale) decimals, found \"\(raw)\"")
            }
            return x
        }
        func when(_ slotField: String, _ timeField: String) throws(ScenarioError) -> UInt64? {
            if cells[slotField] != nil && cells[timeField] != nil { throw fail(timeField, "give \(slotField) or \(timeField), not both") }
            if let s = try decimal(slotField, scale: 0, what: "a slot number") { return s }
            guard let ms = try decimal(timeField, scale: 3, what: "seconds") else { return nil }
            return ms / slotMillis
        }
        guard let tick = try when("slot", "time") else { throw fail("slot", "missing; every row needs slot or time") }
        let landing = try when("landed_slot", "landed_time") ?? tick
        guard landing >= tick else { throw fail(cells["landed_slot"] != nil ? "landed_slot" : "landed_time", "lands before it was decided (slot \(tick))") }
        let wallet = try text("wallet")
        let token = try text("token")
        if !symbols.isEmpty && !symbols.contains(token) {
            throw fail("token", "unknown token \"\(token)\" (the scenario has \(symbols.joined(separator: ", ")))")
        }
        let sideText = try text("side").lowercased()
        let sol = try decimal("sol", scale: 9, what: "SOL")
        let tokens = try decimal("tokens", scale: 6, what: "tokens")
        let share = try decimal("share", scale: 2, what: "a percentage")
        let held = try decimal("held", scale: 6, what: "tokens")
        if held != nil && (sideText != "sell" || tokens == nil) { throw fail("held", "only a sell that gives tokens gives held (the holding it sold from)") }
        let action: StreamAction
        switch sideText {
        case "buy":
            if share != nil { throw fail("share", "a buy gives sol or tokens, not share") }
            switch (sol, tokens) {
            case (let s?, nil):
                guard s > 0 else { throw fail("sol", "must be more than zero") }
                action = .buySol(lamports: s)
            case (nil, let t?):
                guard t > 0 else { throw fail("tokens", "must be more than zero") }
                action = .buyTokens(tokens: t)
            case (nil, nil): throw fail("sol", "missing; a buy gives sol (to spend) or tokens (to buy)")
            default: throw fail("tokens", "a buy gives sol or tokens, not both")
            }
        case "sell":
            if sol != nil { throw fail("sol", "a sell gives tokens or share, not sol") }
            switch (tokens, share) {
            case (let t?, nil):
                guard t > 0 else { throw fail("tokens", "must be more than zero") }
                if let h = held {
                    guard h >= t else { throw fail("held", "the holding (\(cells["held"]!.0)) is smaller than the tokens sold") }
                    action = .sellPart(tokens: t, held: h)
                } else {
                    action = .sellTokens(tokens: t)
                }
            case (nil, let p?):
                guard p > 0, p <= 10_000 else { throw fail("share", "must be a percentage above 0 and at most 100") }
                action = .sellShare(bps: UInt32(p))
            case (nil, nil): throw fail("share", "missing; a sell gives share (percent of the holding) or tokens")
            default: throw fail("share", "a sell gives tokens or share, not both")
            }
        case "create":
            if tokens != nil || share != nil { throw fail(tokens != nil ? "tokens" : "share", "a create gives only sol (its initial buy)") }
            action = .create(initialBuyLamports: sol ?? 0)
        default:
            throw fail("side", "expected buy, sell or create, found \"\(sideText)\"")
        }
        var slippage: UInt32?
        if let s = try decimal("slippage_bps", scale: 0, what: "basis points") {
            guard s <= 10_000 else { throw fail("slippage_bps", "must be at most 10000") }
            slippage = UInt32(s)
        }
        let priority = try decimal("priority", scale: 0, what: "micro-lamports per CU")
        if let p = priority, p > 1_000_000_000_000 { throw fail("priority", "at most 1000000000000 micro-lamports per CU") }
        let balance = try decimal("balance_sol", scale: 9, what: "SOL")
        return NamedStreamTrade(tick: tick, landing: landing, wallet: wallet, token: token, action: action, slippageBps: slippage, priority: priority,
                                balanceLamports: balance)
    }

    /// Splits a CSV line into (value, 1-based column); double-quoted values may hold commas and `""`.
    static func csvCells(_ line: String, file: String, line number: Int) throws(ScenarioError) -> [(String, Int)] {
        var out: [(String, Int)] = []
        let chars = Array(line)
        var i = 0
        while true {
            let start = i
            var value = ""
            if i < chars.count && chars[i] == "\"" {
                i += 1
                var closed = false
                while i < chars.count {
                    if chars[i] == "\"" {
                        if i + 1 < chars.count && chars[i + 1] == "\"" { value.append("\""); i += 2; continue }
                        closed = true
                        i += 1
                        break
                    }
                    value.append(chars[i])
                    i += 1
                }
                if !closed { throw ScenarioError(file: file, line: number, column: start + 1, field: "", message: "unterminated quoted value") }
                if i < chars.count && chars[i] != "," {
                    throw ScenarioError(file: file, line: number, column: i + 1, field: "", message: "expected a comma after the quoted value")
                }
            } else {
                while i < chars.count && chars[i] != "," { value.append(chars[i]); i += 1 }
                value = value.trimmingSpaces.replacingAll("\t", with: "")
            }
            out.append((value, start + 1))
            if i >= chars.count { break }
            i += 1 // the comma
        }
        return out
    }

    /// The top-level fields of a flat JSON object line: strings or numbers (kept as text).
    static func jsonCells(_ line: String, file: String, line number: Int, ignoring: Set<String> = []) throws(ScenarioError) -> [String: (String, Int)] {
        let parsed: [FlatJSON.Field]
        do { parsed = try FlatJSON.parse(line) } catch {
            throw ScenarioError(file: file, line: number, column: error.column, field: "", message: error.message)
        }
        var cells: [String: (String, Int)] = [:]
        var seen = Set<String>()
        for f in parsed {
            let skip = ignoring.contains(f.key)
            guard skip || fields.contains(f.key) else {
                throw ScenarioError(file: file, line: number, column: f.keyColumn, field: f.key,
                                    message: "unknown field; expected some of \(fields.joined(separator: ", ")) (other fields: list them in trades.ignore_columns)")
            }
            guard seen.insert(f.key).inserted else { throw ScenarioError(file: file, line: number, column: f.keyColumn, field: f.key, message: "duplicate field") }
            // Numbers in exponent form (`1e-05`, as Python writes small floats) become plain decimals, exactly.
            if !skip, let v = f.value, !v.isEmpty { cells[f.key] = ((f.quoted ? nil : plainDecimal(v)) ?? v, f.valueColumn) }
        }
        return cells
    }

    /// `1e-05` → `0.00001`, `2.5E3` → `2500` (exact, by moving the point); nil if `text` has no
    /// exponent or is not a number.
    public static func plainDecimal(_ text: String) -> String? {
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }), let exponent = Int(text[text.index(after: e)...]),
              abs(exponent) <= 40 else { return nil }
        var mantissa = String(text[..<e])
        var sign = ""
        if mantissa.hasPrefix("-") || mantissa.hasPrefix("+") { sign = mantissa.hasPrefix("-") ? "-" : ""; mantissa.removeFirst() }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, !mantissa.isEmpty, parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }) else { return nil }
        var digits = String(parts[0]) + (parts.count == 2 ? String(parts[1]) : "")
        var point = parts[0].count + exponent
        if point <= 0 { digits = String(repeating: "0", count: 1 - point) + digits; point = 1 }
        if point > digits.count { digits += String(repeating: "0", count: point - digits.count) }
        var whole = String(digits.prefix(point)), frac = String(digits.dropFirst(point))
        while whole.count > 1 && whole.first == "0" { whole.removeFirst() }
        while frac.last == "0" { frac.removeLast() }
        if whole.isEmpty { whole = "0" }
        return sign + whole + (frac.isEmpty ? "" : "." + frac)
    }

    // MARK: writing

    static func cells(_ t: NamedStreamTrade) -> [(String, String)] {
        var c: [(String, String)] = [("slot", "\(t.tick)")]
        if t.landing != t.tick { c.append(("landed_slot", "\(t.landing)")) }
        c += [("wallet", t.wallet), ("token", t.token), ("side", t.action.side)]
        switch t.action {
        case .create(let l): if l > 0 { c.append(("sol", FixedDecimal.format(UInt128(l), scale: 9))) }
        case .buySol(let l): c.append(("sol", FixedDecimal.format(UInt128(l), scale: 9)))
        case .buyTokens(let n), .sellTokens(let n): c.append(("tokens", FixedDecimal.format(UInt128(n), scale: 6)))
        case .sellShare(let b): c.append(("share", FixedDecimal.format(UInt128(b), scale: 2)))
        case .sellPart(let n, let h):
            c.append(("tokens", FixedDecimal.format(UInt128(n), scale: 6)))
            c.append(("held", FixedDecimal.format(UInt128(h), scale: 6)))
        }
        if let s = t.slippageBps { c.append(("slippage_bps", "\(s)")) }
        if let p = t.priority { c.append(("priority", "\(p)")) }
        if let b = t.balanceLamports { c.append(("balance_sol", FixedDecimal.format(UInt128(b), scale: 9))) }
        return c
    }

    static let csvColumns = ["slot", "landed_slot", "wallet", "token", "side", "sol", "tokens", "share", "slippage_bps", "priority"]

    /// CSV text: `comments` as `#` lines, a header, one row per trade. The `held` and
    /// `balance_sol` columns are there only when a row needs them (so streams without them keep
    /// their canonical text).
    public static func csv(_ trades: [NamedStreamTrade], comments: [String] = []) -> String {
        var out = comments.map { "# \($0)\n" }.joined()
        var columns = csvColumns
        if trades.contains(where: { if case .sellPart = $0.action { return true } else { return false } }) {
            columns.insert("held", at: columns.firstIndex(of: "share")! + 1)
        }
        if trades.contains(where: { $0.balanceLamports != nil }) { columns.append("balance_sol") }
        out += columns.joined(separator: ",") + "\n"
        for t in trades {
            let c = Dictionary(cells(t), uniquingKeysWith: { a, _ in a })
            out += columns.map { quoteCSV(c[$0] ?? "") }.joined(separator: ",") + "\n"
        }
        return out
    }

    /// NDJSON text: `comments` as `#` lines, then one object per trade.
    public static func ndjson(_ trades: [NamedStreamTrade], comments: [String] = []) -> String {
        var out = comments.map { "# \($0)\n" }.joined()
        for t in trades {
            out += JSON.object(cells(t).map { k, v in
                (k, k == "wallet" || k == "token" || k == "side" ? JSON.string(v) : JSON.number(v))
            }).serialized() + "\n"
        }
        return out
    }

    static func quoteCSV(_ s: String) -> String {
        guard s.contains(",") || s.contains("\"") || s.hasPrefix(" ") || s.hasSuffix(" ") || s.hasPrefix("#") else { return s }
        return "\"" + s.replacingAll("\"", with: "\"\"") + "\""
    }
}

/// Lines of text or of a file, split on the byte (LF or CRLF: in Swift "\r\n" is one Character,
/// which a split on "\n" would never find), numbered from 1.
enum LineSplitter {
    static func lines(of text: String, _ body: (Substring, Int) throws(ScenarioError) -> Void) throws(ScenarioError) {
        var n = 0
        for raw in text.utf8.split(separator: 10, omittingEmptySubsequences: false) {
            n += 1
            try body(Substring(raw.last == 13 ? raw.dropLast() : raw), n)
        }
    }

    /// A file read in chunks: memory holds a chunk and a line, whatever the file's size.
    static func lines(ofFile path: String, _ body: (Substring, Int) throws(ScenarioError) -> Void) throws(ScenarioError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ScenarioError(file: path, line: 0, column: 0, field: "", message: "cannot read the file")
        }
        defer { try? handle.close() }
        var pending: [UInt8] = []
        var n = 0
        func emit(_ bytes: ArraySlice<UInt8>) throws(ScenarioError) {
            n += 1
            let b = bytes.last == 13 ? bytes.dropLast() : bytes
            try body(Substring(String(decoding: b, as: UTF8.self)), n)
        }
        while true {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: 1 << 20) } catch {
                throw ScenarioError(file: path, line: n, column: 0, field: "", message: "cannot read the file (\(error.localizedDescription))")
            }
            guard let chunk, !chunk.isEmpty else { break }
            pending.append(contentsOf: chunk)
            var start = pending.startIndex
            while let nl = pending[start...].firstIndex(of: 10) {
                try emit(pending[start..<nl])
                start = nl + 1
            }
            pending.removeSubrange(..<start)
            if pending.count > TradeStreamFile.Parser.maxLineBytes {
                throw ScenarioError(file: path, line: n + 1, column: 1, field: "", message: "the line is longer than \(TradeStreamFile.Parser.maxLineBytes) bytes")
            }
        }
        try emit(pending[...])
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
