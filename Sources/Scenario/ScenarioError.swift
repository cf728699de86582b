/// A bad scenario: where it is and what was expected.
///
/// Printed as `file:line:column: field: message`, the form editors and CI annotate.
public struct ScenarioError: Error, Equatable, Sendable, CustomStringConvertible {
    /// File path, or `--set key=value` for an override.
    public var file: String
    /// 1-based line, 0 when unknown.
    public var line: Int
    /// 1-based column, 0 when unknown.
    public var column: Int
    /// Dotted path of the field, e.g. `tokens[0].curve.virtual_sol`.
    public var field: String
    public var message: String

    public init(file: String, line: Int, column: Int, field: String, message: String) {
        self.file = file; self.line = line; self.column = column; self.field = field; self.message = message
    }

    init(_ origin: Origin, field: String, _ message: String) {
        self.init(file: origin.file, line: origin.line, column: origin.column, field: field, message: message)
    }

    public var description: String {
        let place = line > 0 ? "\(file):\(line):\(column)" : file
        return field.isEmpty ? "\(place): \(message)" : "\(place): \(field): \(message)"
    }
}

/// Where a value came from.
struct Origin: Sendable, Equatable {
    var file: String
    var line: Int
    var column: Int
}
