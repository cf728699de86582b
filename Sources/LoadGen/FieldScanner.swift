/// Finds a numeric field at a dotted path (`data.ts`) in each message of a JSON frame, without
/// building the document: a frame is one message object or an array of them (batched frames).
/// Keys are compared as raw bytes (paths name plain ASCII keys). Malformed input ends the scan.
struct FieldScanner {
    let path: [[UInt8]]

    init(path: String) { self.path = path.split(separator: ".").map { Array($0.utf8) } }

    /// Calls `found` with each integer value at the path (the whole part of a decimal); returns
    /// the number of messages in the frame.
    func scan(_ bytes: UnsafeRawBufferPointer, found: (UInt64) -> Void) -> Int {
        var p = Parser(b: bytes, path: path)
        p.skipSpace()
        guard p.i < p.b.count else { return 0 }
        if p.b[p.i] == UInt8(ascii: "[") {
            p.i += 1
            var n = 0
            while true {
                p.skipSpace()
                guard p.i < p.b.count else { return n }
                if p.b[p.i] == UInt8(ascii: "]") { return n }
                guard p.value(depth: 0, matched: 0, found: found) else { return n }
                n += 1
                p.skipSpace()
                guard p.i < p.b.count else { return n }
                if p.b[p.i] == UInt8(ascii: ",") { p.i += 1 } else { return n }
            }
        }
        return p.value(depth: 0, matched: 0, found: found) ? 1 : 0
    }

    struct Parser {
        let b: UnsafeRawBufferPointer
        let path: [[UInt8]]
        var i = 0

        mutating func skipSpace() {
            while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        }

        /// Reads a string; returns its raw bytes' range (escapes kept as written).
        mutating func string() -> Range<Int>? {
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { return nil }
            i += 1
            let start = i
            while i < b.count {
                if b[i] == UInt8(ascii: "\\") { i += 2; continue }
                if b[i] == UInt8(ascii: "\"") { let r = start..<i; i += 1; return r }
                i += 1
            }
            return nil
        }

        func equals(_ r: Range<Int>, _ key: [UInt8]) -> Bool {
            guard r.count == key.count else { return false }
            var k = 0
            for j in r { if b[j] != key[k] { return false }; k += 1 }
            return true
        }

        /// One value; `matched` path components lead here (nil: off the path).
        mutating func value(depth: Int, matched: Int?, found: (UInt64) -> Void) -> Bool {
            guard depth < 64 else { return false }
            skipSpace()
            guard i < b.count else { return false }
            switch b[i] {
            case UInt8(ascii: "{"):
                i += 1
                skipSpace()
                if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return true }
                while true {
                    skipSpace()
                    guard let key = string() else { return false }
                    skipSpace()
                    guard i < b.count, b[i] == UInt8(ascii: ":") else { return false }
                    i += 1
                    var next: Int?
                    if let m = matched, m < path.count, equals(key, path[m]) { next = m + 1 }
                    guard value(depth: depth + 1, matched: next, found: found) else { return false }
                    skipSpace()
                    guard i < b.count else { return false }
                    if b[i] == UInt8(ascii: ",") { i += 1; continue }
                    if b[i] == UInt8(ascii: "}") { i += 1; return true }
                    return false
                }
            case UInt8(ascii: "["):
                i += 1
                skipSpace()
                if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return true }
                while true {
                    guard value(depth: depth + 1, matched: nil, found: found) else { return false }
                    skipSpace()
                    guard i < b.count else { return false }
                    if b[i] == UInt8(ascii: ",") { i += 1; continue }
                    if b[i] == UInt8(ascii: "]") { i += 1; return true }
                    return false
                }
            case UInt8(ascii: "\""):
                return string() != nil
            default:
                // A number or a literal: up to the next delimiter.
                let start = i
                while i < b.count, b[i] != UInt8(ascii: ","), b[i] != UInt8(ascii: "}"), b[i] != UInt8(ascii: "]"),
                      b[i] != 0x20, b[i] != 0x0A, b[i] != 0x0D, b[i] != 0x09 { i += 1 }
                guard i > start else { return false }
                if matched == path.count {
                    var v: UInt64 = 0
                    var any = false
                    for j in start..<i {
                        let c = b[j]
                        guard c >= 0x30 && c <= 0x39 else { break }
                        v = v &* 10 &+ UInt64(c - 0x30)
                        any = true
                    }
                    if any { found(v) }
                }
                return true
            }
        }
    }
}
