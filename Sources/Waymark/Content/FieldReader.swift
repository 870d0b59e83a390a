/// Reads typed fields out of one YAML mapping, reporting each missing or mistyped field at its line.
/// Keys it never read are the "unknown" keys that stay available to templates.
struct FieldReader {
    let entries: [YAMLEntry]
    /// Where the mapping starts: missing required fields are reported here.
    let location: SourceLocation
    /// "journey", "stage `Diagnosis`": named in messages so writers know which block is meant.
    let subject: String
    private(set) var diagnostics: [Diagnostic] = []
    /// Which entries a field has read (by position: no hashing of keys for every field).
    private var used: [Bool]

    init(entries: [YAMLEntry], location: SourceLocation, subject: String) {
        self.entries = entries
        self.location = location
        self.subject = subject
        used = Array(repeating: false, count: entries.count)
    }

    init(_ value: YAMLValue, subject: String) {
        if case .mapping(let entries, let l) = value {
            self.init(entries: entries, location: l, subject: subject)
        } else {
            self.init(entries: [], location: value.location, subject: subject)
            diagnostics.append(.error(value.location, "\(subject) must be a mapping of `key: value` lines, not \(value.kindDescription)"))
        }
    }

    var unusedEntries: [YAMLEntry] { entries.indices.filter { !used[$0] }.map { entries[$0] } }

    mutating func value(_ key: String) -> YAMLValue? {
        var found: YAMLValue?
        for i in entries.indices where entries[i].key == key {
            used[i] = true
            if found == nil { found = entries[i].value }
        }
        guard let v = found, !v.isNull else { return nil }
        return v
    }

    mutating func missing(_ key: String, example: String) {
        diagnostics.append(.error(location, "\(subject) is missing the required field `\(key)`", hint: "add `\(key): \(example)`"))
    }

    mutating func wrongType(_ key: String, _ v: YAMLValue, expected: String) {
        diagnostics.append(.error(v.location, "`\(key)` must be \(expected), not \(v.kindDescription)"))
    }

    mutating func string(_ key: String) -> Located<String>? {
        guard let v = value(key) else { return nil }
        switch v {
        case .scalar(let s, _, let l): return Located(value: s, location: l)
        default:
            wrongType(key, v, expected: "text")
            return nil
        }
    }

    mutating func requiredString(_ key: String, example: String) -> Located<String>? {
        guard let s = string(key) else {
            if entries.first(where: { $0.key == key }).map({ !$0.value.isNull }) != true { missing(key, example: example) }
            return nil
        }
        if s.value.trimmingWhitespace().isEmpty {
            diagnostics.append(.error(s.location, "`\(key)` is empty", hint: "add `\(key): \(example)`"))
            return nil
        }
        return s
    }

    /// A whole number within `range`.
    mutating func int(_ key: String, in range: ClosedRange<Int>? = nil) -> Int? {
        guard let v = value(key) else { return nil }
        guard case .scalar(let s, .int, let l) = v, let n = Int(s) else {
            wrongType(key, v, expected: range.map { "a whole number from \($0.lowerBound) to \($0.upperBound)" } ?? "a whole number")
            return nil
        }
        if let range, !range.contains(n) {
            diagnostics.append(.error(l, "`\(key)` is \(n), outside \(range.lowerBound)…\(range.upperBound)",
                                      hint: "use a whole number from \(range.lowerBound) (worst) to \(range.upperBound) (best)"))
            return nil
        }
        return n
    }

    /// One of `allowed` (compared case-insensitively; returned lowercased).
    mutating func choice(_ key: String, _ allowed: [String]) -> String? {
        guard let s = string(key) else { return nil }
        let v = s.value.lowercased()
        guard allowed.contains(v) else {
            diagnostics.append(.error(s.location, "`\(key)` is `\(s.value)`; expected one of \(allowed.joined(separator: ", "))"))
            return nil
        }
        return v
    }

    /// A `YYYY-MM-DD` date.
    mutating func date(_ key: String) -> Located<String>? {
        guard let s = string(key) else { return nil }
        let parts = s.value.split(separator: "-")
        let valid = parts.count == 3 && parts[0].count == 4 && parts[1].count == 2 && parts[2].count == 2
            && parts.allSatisfy { $0.allSatisfy(\.isASCII) && Int($0) != nil }
            && (1...12).contains(Int(parts[1]) ?? 0) && (1...31).contains(Int(parts[2]) ?? 0)
        guard valid else {
            diagnostics.append(.error(s.location, "`\(key)` is `\(s.value)`, not a date", hint: "write dates as YYYY-MM-DD, e.g. 2026-03-14"))
            return nil
        }
        return s
    }

    /// A list of text items; a single text value counts as a list of one.
    mutating func strings(_ key: String) -> [Located<String>] {
        guard let v = value(key) else { return [] }
        switch v {
        case .scalar(let s, _, let l): return [Located(value: s, location: l)]
        case .sequence(let items, _):
            var result: [Located<String>] = []
            for item in items {
                if case .scalar(let s, let kind, let l) = item, kind != .null {
                    result.append(Located(value: s, location: l))
                } else {
                    diagnostics.append(.error(item.location, "each item of `\(key)` must be text, not \(item.kindDescription)"))
                }
            }
            return result
        case .mapping:
            wrongType(key, v, expected: "a list")
            return []
        }
    }

    mutating func list(_ key: String) -> [YAMLValue]? {
        guard let v = value(key) else { return nil }
        guard case .sequence(let items, _) = v else {
            wrongType(key, v, expected: "a list")
            return nil
        }
        return items
    }

    mutating func mapping(_ key: String) -> [YAMLEntry]? {
        guard let v = value(key) else { return nil }
        guard case .mapping(let entries, _) = v else {
            wrongType(key, v, expected: "a mapping of `name: value` lines")
            return nil
        }
        return entries
    }

    /// Adds diagnostics from a nested reader (a stage inside a journey).
    mutating func absorb(_ other: FieldReader) { diagnostics += other.diagnostics }

    mutating func report(_ d: Diagnostic) { diagnostics.append(d) }
}
