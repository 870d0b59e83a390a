import Foundation
import Yams

/// A YAML value with the file position it was written at, so every field error can point there.
indirect enum YAMLValue: Sendable, Codable {
    enum ScalarKind: Sendable, Codable { case string, int, float, bool, null, timestamp }

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
            var d: [String: TemplateValue] = [:]
            for e in entries { d[e.key] = e.value.templateValue }
            return .object(d)
        }
    }
}

struct YAMLEntry: Sendable, Codable {
    var key: String
    var keyLocation: SourceLocation
    var value: YAMLValue
}

enum YAMLDocument {
    /// More values than any real front matter has; an alias bomb expands far beyond it.
    static let valueLimit = 100_000

    /// Parses front matter. `firstLine` is the file line of the YAML's first line.
    static func parse(_ yaml: String, path: String, firstLine: Int) -> Result<YAMLValue?, Diagnostic> {
        if let overflow = YAMLExpansion.firstOverflow(yaml, limit: valueLimit) {
            let at = SourceLocation(path: path, line: overflow.line + firstLine - 1, column: overflow.column)
            if overflow.throughAliases { return .failure(expansionError(at)) }
            return .failure(.error(at, "front matter has more than \(valueLimit) values",
                                   hint: "keep long lists in the page body, or split the page"))
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            return .failure(diagnostic(for: error, path: path, firstLine: firstLine))
        } catch {
            return .failure(.error(SourceLocation(path: path, line: firstLine, column: 1), "front matter is not valid YAML: \(error)"))
        }
        guard let node else { return .success(nil) }
        var budget = valueLimit
        do {
            return .success(try convert(node, path: path, lineOffset: firstLine - 1, budget: &budget))
        } catch let d as Diagnostic {
            return .failure(d)
        } catch {
            return .failure(.error(SourceLocation(path: path, line: firstLine, column: 1), "front matter could not be read: \(error)"))
        }
    }

    private static func expansionError(_ location: SourceLocation) -> Diagnostic {
        .error(location, "front matter expands to more than \(valueLimit) values",
               hint: "YAML aliases (`*name`) that repeat other aliases multiply; write the values out instead")
    }

    private static func location(_ mark: Mark?, path: String, lineOffset: Int) -> SourceLocation {
        guard let mark else { return SourceLocation(path: path, line: lineOffset + 1, column: 1) }
        return SourceLocation(path: path, line: mark.line + lineOffset, column: mark.column)
    }

    private static func convert(_ node: Node, path: String, lineOffset: Int, budget: inout Int) throws -> YAMLValue {
        budget -= 1
        if budget < 0 { throw expansionError(location(node.mark, path: path, lineOffset: lineOffset)) }
        let loc = location(node.mark, path: path, lineOffset: lineOffset)
        switch node {
        case .scalar(let scalar):
            // Yams resolves the implicit tag (plain `12` is an int, quoted `"12"` text) through these accessors.
            let kind: YAMLValue.ScalarKind
            if scalar.style != .plain { kind = .string }
            else if node.null != nil { kind = .null }
            else if node.bool != nil { kind = .bool }
            else if node.int != nil { kind = .int }
            else if node.float != nil { kind = .float }
            else if node.timestamp != nil { kind = .timestamp }
            else { kind = .string }
            return .scalar(scalar.string, kind, loc)
        case .sequence(let seq):
            return .sequence(try seq.map { try convert($0, path: path, lineOffset: lineOffset, budget: &budget) }, loc)
        case .mapping(let map):
            var entries: [YAMLEntry] = []
            for (k, v) in map {
                let keyLoc = location(k.mark, path: path, lineOffset: lineOffset)
                guard let key = k.string else {
                    throw Diagnostic.error(keyLoc, "a front-matter key must be text, not \(k)")
                }
                entries.append(YAMLEntry(key: key, keyLocation: keyLoc,
                                         value: try convert(v, path: path, lineOffset: lineOffset, budget: &budget)))
            }
            return .mapping(entries, loc)
        case .alias(let alias):
            return .scalar("", .null, location(alias.mark, path: path, lineOffset: lineOffset))
        }
    }

    private static func diagnostic(for error: YamlError, path: String, firstLine: Int) -> Diagnostic {
        let hint = "check the indentation and quote values that contain `: ` or start with `[`, `{`, `*`, `&` or `#`"
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            var message = "malformed YAML: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line + firstLine - 1))" }
            return .error(SourceLocation(path: path, line: mark.line + firstLine - 1, column: mark.column), message, hint: hint)
        case .duplicatedKeysInMapping(let duplicates, let context):
            // Yams points at one of the keys; writers need the repeated one: the second at that indentation.
            var line = context.mark.line, column = context.mark.column
            if let key = duplicates.first {
                let lines = context.text.split(separator: "\n", omittingEmptySubsequences: false)
                let indent = String(repeating: " ", count: max(0, context.mark.column - 1))
                let hits = lines.indices.filter { i in
                    let l = lines[i]
                    guard l.hasPrefix(indent) else { return false }
                    let rest = l.dropFirst(indent.count)
                    return rest.hasPrefix(key + ":") || rest.hasPrefix("\"\(key)\":") || rest.hasPrefix("'\(key)':")
                }
                if hits.count >= 2 { line = hits[1] + 1; column = indent.count + 1 }
            }
            return .error(SourceLocation(path: path, line: line + firstLine - 1, column: column),
                          "duplicate key \(duplicates.map { "`\($0)`" }.joined(separator: ", ")) in front matter",
                          hint: "each key may appear once; merge the values or remove one")
        case .reader(let problem, _, _, _):
            return .error(SourceLocation(path: path, line: firstLine, column: 1), "front matter could not be read: \(problem)")
        default:
            return .error(SourceLocation(path: path, line: firstLine, column: 1), "malformed YAML: \(error)", hint: hint)
        }
    }
}
