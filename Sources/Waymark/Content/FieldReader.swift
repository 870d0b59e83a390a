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
    /// Not a mapping (already an error): its fields are not reported missing on top.
    private var notAMapping = false

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
            notAMapping = true
            var hint: String?
            // `- Cancelling` where `- name: Cancelling` was meant.
            if case .scalar(let text, _, _) = value, !text.isEmpty, subject == "stage" || subject == "touchpoint" {
                hint = "write it as `- name: \(text)`"
            }
            diagnostics.append(.error(value.location, "\(subject) must be written as `field: value` lines, not \(value.kindDescription)", hint: hint))
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

    /// A required field that is not there. When a field the reader does not know looks like it
    /// misspelt (`persona` for `personas`), that is the one error, at the misspelling.
    /// `example` is written after the key in the hint (`add `key: example``); `then` follows it.
    mutating func missing(_ key: String, example: String, then: String = "") {
        guard !notAMapping else { return }
        for i in entries.indices where !used[i] && Self.nearMiss(entries[i].key, in: [key]) != nil {
            used[i] = true
            diagnostics.append(.error(entries[i].keyLocation, "unknown field `\(entries[i].key)` in \(subject): did you mean `\(key)`, which it needs?",
                                      hint: "rename `\(entries[i].key)` to `\(key)`"))
            return
        }
        diagnostics.append(.error(location, "\(subject) is missing the required field `\(key)`", hint: "add `\(key): \(example)`" + then))
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
    /// `scale`: what the ends of the range mean, said in the hint (an emotion's "worst" and "best").
    mutating func int(_ key: String, in range: ClosedRange<Int>? = nil, scale: (low: String, high: String)? = nil) -> Int? {
        guard let v = value(key) else { return nil }
        guard case .scalar(let s, .int, let l) = v, let n = Int(s) else {
            wrongType(key, v, expected: range.map { "a whole number from \($0.lowerBound) to \($0.upperBound)" } ?? "a whole number")
            return nil
        }
        if let range, !range.contains(n) {
            diagnostics.append(.error(l, "`\(key)` is \(n), outside \(range.lowerBound)…\(range.upperBound)",
                                      hint: scale.map { "use a whole number from \(range.lowerBound) (\($0.low)) to \(range.upperBound) (\($0.high))" }
                                          ?? "use a whole number from \(range.lowerBound) to \(range.upperBound)"))
            return nil
        }
        return n
    }

    /// One of `allowed` (compared case-insensitively; returned lowercased).
    mutating func choice(_ key: String, _ allowed: [String]) -> String? {
        guard let s = string(key) else { return nil }
        let v = s.value.lowercased()
        guard allowed.contains(v) else {
            // `moment of truth` holds the word to write: said so.
            let words = Set(v.split(whereSeparator: { !$0.isLetter }).map(String.init))
            let meant = allowed.filter { words.contains($0) }
            diagnostics.append(.error(s.location, "`\(key)` is `\(s.value)`; expected one of \(allowed.joined(separator: ", "))",
                                      hint: meant.count == 1 ? "write `\(key): \(meant[0])`" : nil))
            return nil
        }
        return v
    }

    /// A `YYYY-MM-DD` date.
    mutating func date(_ key: String) -> Located<String>? {
        guard let s = string(key) else { return nil }
        let parts = s.value.split(separator: "-", omittingEmptySubsequences: false)
        let numbers = parts.map { $0.allSatisfy { $0.isASCII && $0.isNumber } ? Int($0) : nil }
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = numbers[0], let month = numbers[1], let day = numbers[2], (1...12).contains(month), day >= 1 else {
            // Written another way (25/12/2025), the writer thinks it a date: the message names the form.
            let shaped = parts.count == 3 && parts[0].count == 4 && parts[1].count == 2 && parts[2].count == 2 && numbers.allSatisfy { $0 != nil }
            diagnostics.append(.error(s.location, "`\(key)` is `\(s.value)`, not a date" + (shaped ? "" : " in the form YYYY-MM-DD"),
                                      hint: Self.isoDateHint(s.value) ?? "write dates as YYYY-MM-DD, e.g. 2026-03-14"))
            return nil
        }
        // A day the month does not have (2026-02-30) would reach the feed and sitemap as an invalid date.
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard day <= days else {
            let monthName = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                             "October", "November", "December"][month - 1]
            diagnostics.append(.error(s.location, "`\(key)` is `\(s.value)`, not a date: \(monthName) \(year) has \(days) days",
                                      hint: "write dates as YYYY-MM-DD, e.g. \(s.value.prefix(8))\(String(format: "%02d", days))"))
            return nil
        }
        return s
    }

    /// How to write a date given another way (`25/12/2025`, `3.4.2026`, `2026/03/04`, `2026-3-4`) as
    /// YYYY-MM-DD; both readings when day and month could be either. Nil when it is no date at all.
    static func isoDateHint(_ value: String) -> String? {
        let parts = value.trimmingWhitespace().split(omittingEmptySubsequences: false, whereSeparator: { $0 == "/" || $0 == "." || $0 == "-" })
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.count <= 4 && $0.allSatisfy { $0.isASCII && $0.isNumber } }) else { return nil }
        let n = parts.compactMap { Int($0) }
        guard n.count == 3 else { return nil }
        func iso(_ y: Int, _ m: Int, _ d: Int) -> String? {
            guard (1...12).contains(m), (1...31).contains(d), (1000...9999).contains(y) else { return nil }
            return String(format: "%04d-%02d-%02d", y, m, d)
        }
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        if parts[0].count == 4, let date = iso(n[0], n[1], n[2]) { return "write it as \(date)" }
        guard parts[2].count == 4 else { return nil }
        let dayFirst = iso(n[2], n[1], n[0]), monthFirst = iso(n[2], n[0], n[1])
        if let d = dayFirst, let m = monthFirst, d != m {
            return "write it as \(d) if you mean \(n[0]) \(months[n[1] - 1]), or as \(m) if you mean \(months[n[0] - 1]) \(n[1])"
        }
        return (dayFirst ?? monthFirst).map { "write it as \($0)" }
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

    /// A warning for each key nothing read: with `allKeys`, every such key (in a stage or touchpoint,
    /// where Waymark is the only reader); otherwise only a near miss of a field of `known` that the
    /// mapping lacks (`kpi` for `kpis`), since other keys are kept for templates on purpose.
    mutating func warnUnknownKeys(known: @autoclosure () -> [String], allKeys: Bool) {
        guard used.contains(false) else { return }
        let known = known()
        for e in unusedEntries {
            let suggestion = Self.nearMiss(e.key, in: known.filter { k in !entries.contains { $0.key == k } })
            if allKeys {
                diagnostics.append(.warning(e.keyLocation, "unknown field `\(e.key)` in \(subject) is ignored",
                                            hint: suggestion.map { "did you mean `\($0)`?" } ?? "the fields are: \(known.joined(separator: ", "))"))
            } else if let suggestion {
                diagnostics.append(.warning(e.keyLocation, "unknown field `\(e.key)` in \(subject): did you mean `\(suggestion)`?",
                                            hint: "Waymark reads `\(suggestion)`; a field it does not know is only passed to templates"))
            }
        }
    }

    /// The field `key` is most likely a misspelling of: one letter added, missing, changed or two
    /// swapped (two for longer names), ignoring case, `-` and `_`.
    static func nearMiss(_ key: String, in known: [String]) -> String? {
        func plain(_ s: String) -> String { s.lowercased().filter { $0 != "_" && $0 != "-" } }
        let k = plain(key)
        let limit = k.count <= 5 ? 1 : 2
        var best: (field: String, distance: Int)?
        for field in known {
            let d = transposingEditDistance(k, plain(field))
            if d <= limit, d < best?.distance ?? Int.max { best = (field, d) }
        }
        return best?.field
    }

    /// Edit distance counting two swapped neighbours as one edit (`titel` → `title`).
    static func transposingEditDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }

    /// Adds diagnostics from a nested reader (a stage inside a journey).
    mutating func absorb(_ other: FieldReader) { diagnostics += other.diagnostics }

    mutating func report(_ d: Diagnostic) { diagnostics.append(d) }
}
