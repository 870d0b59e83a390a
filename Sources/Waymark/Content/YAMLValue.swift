
/// A YAML value with the file position it was written at, so every field error can point there.
indirect enum YAMLValue: Sendable {
    enum ScalarKind: Sendable { case string, int, float, bool, null, timestamp }

    case scalar(String, ScalarKind, SourceLocation)
    case sequence([YAMLValue], SourceLocation)
    case mapping([YAMLEntry], SourceLocation)

    var location: SourceLocation {
        switch self {
        case .scalar(_, _, let l), .sequence(_, let l), .mapping(_, let l): return l
        }
    }

    /// "text", "a list", "a mapping": for messages about wrong types.
    var kindDescription: String {
        switch self {
        case .scalar(_, .null, _): return "nothing"
        case .scalar(_, .int, _), .scalar(_, .float, _): return "a number"
        case .scalar(_, .bool, _): return "true/false"
        case .scalar: return "text"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }

    var isNull: Bool {
        if case .scalar(_, .null, _) = self { return true }
        return false
    }

    /// The value as templates see it (`page.params`): a float shows as Swift prints a Double, null as empty text.
    var templateValue: TemplateValue {
        switch self {
        case .scalar(let s, .int, _): return Int(s).map(TemplateValue.int) ?? .text(s)
        case .scalar(let s, .float, _): return .text(Double(s).map { String(describing: $0) } ?? s)
        case .scalar(let s, .bool, _): return .bool(["true", "yes", "on"].contains(s.lowercased()))
        case .scalar(_, .null, _): return ""
        case .scalar(let s, _, _): return .text(s)
        case .sequence(let items, _): return .list(items.map(\.templateValue))
        case .mapping(let entries, _):
            // A repeated key (an error reported elsewhere) keeps its last value.
            return .object(TemplateObject(entries.map { ($0.key, $0.value.templateValue) }, uniquingKeysWith: { _, last in last }))
        }
    }
}

struct YAMLEntry: Sendable {
    var key: String
    var keyLocation: SourceLocation
    var value: YAMLValue
}

enum YAMLDocument {
    /// More values than any real front matter has; an alias bomb expands far beyond it.
    static let valueLimit = 100_000

    /// Parses front matter. `firstLine` is the file line of the YAML's first line.
    static func parse(_ yaml: String, path: String, firstLine: Int) -> Result<YAMLValue?, Diagnostic> {
        var yaml = yaml
        return yaml.withUTF8 { parse(utf8: $0, path: path, firstLine: firstLine) }
    }

    /// The same on UTF-8 bytes (a slice of the file, read without copying).
    static func parse(utf8 bytes: UnsafeBufferPointer<UInt8>, path: String, firstLine: Int) -> Result<YAMLValue?, Diagnostic> {
        switch YAMLReader.read(bytes, path: path, lineOffset: firstLine - 1, limit: valueLimit) {
        case .value(let value):
            return .success(value)
        case .invalid(let diagnostic):
            return .failure(diagnostic)
        case .overflow(let overflow):
            let at = SourceLocation(path: path, line: overflow.line + firstLine - 1, column: overflow.column)
            if overflow.throughAliases {
                return .failure(.error(at, "front matter expands to more than \(valueLimit) values",
                                       hint: "YAML aliases (`*name`) that repeat other aliases multiply; write the values out instead"))
            }
            return .failure(.error(at, "front matter has more than \(valueLimit) values",
                                   hint: "keep long lists in the page body, or split the page"))
        }
    }
}
