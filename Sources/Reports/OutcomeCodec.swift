import Foundation
import SimCore
import Engine

/// Outcomes as stored in the catalog: JSON with snake_case keys in a fixed (sorted) order.
///
/// Version 2 (engine 0.3) is `RunOutcome` itself. Version 1 (engine 0.2: per-token outcomes only,
/// SOL and prices as decimals) still decodes, into a `RunOutcome` whose run-wide sections are empty.
public enum OutcomeCodec {
    public static func encode(_ o: RunOutcome) -> String {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? e.encode(o)) ?? Data("{}".utf8), as: UTF8.self)
    }

    public static func decode(_ text: String) throws -> RunOutcome {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        let data = Data(text.utf8)
        if (try? d.decode(Version.self, from: data))?.outcomeVersion == nil {
            return try d.decode(LegacyRunOutcome.self, from: data).upgraded
        }
        return try d.decode(RunOutcome.self, from: data)
    }

    struct Version: Decodable { var outcomeVersion: Int? }
}

