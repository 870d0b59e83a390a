import CYaml  // libyaml, as vendored by Yams; only this file reads its event stream.

/// Builds a `YAMLValue` straight from libyaml's event stream, in one pass: no intermediate node
/// tree, no tag-resolving regular expressions. Aliases share the anchored value (stored once) and are
/// counted by `YAMLExpansion`, so an alias bomb stops at the event that goes over the limit.
///
/// Which problem is reported when a document has several is kept as it was when Waymark asked Yams:
/// going over the limit (before the first syntax error) wins; then the first of a syntax error, a
/// duplicate key (found when its mapping closes), an undefined alias or a second document; then the
/// first key that is not text.
enum YAMLReader {
    static let hint = "check the indentation and quote values that contain `: ` or start with `[`, `{`, `*`, `&` or `#`"

    /// The lines of `bytes` up to line `last` (0-based), each as a range of bytes without its line break.
    private static func lines(_ bytes: UnsafeBufferPointer<UInt8>, upTo last: Int) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = 0
        for i in bytes.indices where bytes[i] == UInt8(ascii: "\n") {
            result.append(start..<(i > start && bytes[i - 1] == UInt8(ascii: "\r") ? i - 1 : i))
            start = i + 1
            if result.count > last { return result }
        }
        if start <= bytes.count { result.append(start..<bytes.count) }
        return result
    }

    /// The first value up to line `last` that opens a quote (after `key: `, `- `, `[` or `, `) and does
    /// not close it on its line: a value may go on over lines in YAML, but in front matter that is
    /// nearly always a forgotten quote. Its line (0-based) and column (1-based, in characters).
    /// Also a value whose quotes close before the line ends, with more text after them
    /// (`goal: "Is it "just a cold" or more"`): `closedAt` is then the closing quote's column.
    static func unclosedQuote(_ bytes: UnsafeBufferPointer<UInt8>, upToLine last: Int) -> (line: Int, column: Int, quote: UInt8, closedAt: Int?)? {
        let dq = UInt8(ascii: "\""), sq = UInt8(ascii: "'"), space = UInt8(ascii: " ")
        for (n, line) in lines(bytes, upTo: last).enumerated() {
            var i = line.lowerBound
            while i < line.upperBound {
                let b = bytes[i]
                let opens = (b == dq || b == sq) && (i == line.lowerBound || bytes[i - 1] == space || bytes[i - 1] == UInt8(ascii: "[")
                    || bytes[i - 1] == UInt8(ascii: "{")) && Self.startsValue(bytes, at: i, line: line)
                if b == UInt8(ascii: "#"), i == line.lowerBound || bytes[i - 1] == space { break }  // a comment
                guard opens else { i += 1; continue }
                // Find the closing quote: `\"` escapes in double quotes, `''` in single ones.
                var j = i + 1, closed = false
                while j < line.upperBound {
                    if b == dq, bytes[j] == UInt8(ascii: "\\") { j += 2; continue }
                    if bytes[j] == b {
                        if b == sq, j + 1 < line.upperBound, bytes[j + 1] == sq { j += 2; continue }
                        closed = true
                        break
                    }
                    j += 1
                }
                func column(_ k: Int) -> Int { String(decoding: UnsafeBufferPointer(rebasing: bytes[line.lowerBound..<k]), as: UTF8.self).count + 1 }
                guard closed else { return (n, column(i), b, nil) }
                // After a closing quote only spaces, a comment, `:` (a quoted key) or flow punctuation may follow.
                var k = j + 1
                while k < line.upperBound, bytes[k] == space { k += 1 }
                if k < line.upperBound, ![UInt8(ascii: "#"), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}")].contains(bytes[k]) {
                    return (n, column(i), b, column(j))
                }
                i = j + 1
            }
        }
        return nil
    }

    /// Whether a quote at `i` starts a value: only spaces, a `- ` item mark, a key and `: `, or a flow
    /// collection's `[`, `{` or `, ` come before it on the line.
    private static func startsValue(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int, line: Range<Int>) -> Bool {
        var k = i - 1
        while k >= line.lowerBound, bytes[k] == UInt8(ascii: " ") { k -= 1 }
        guard k >= line.lowerBound else { return true }
        switch bytes[k] {
        case UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: ","): return true
        default: return false
        }
    }

    /// The last line up to `last` (0-based) that sits where a field should be but has no `:` after its
    /// first word (`title Priya` between `id: …` and `type: …`): libyaml reports it a line later, as
    /// "mapping values are not allowed" or "could not find expected ':'". The line and its text.
    static func lineWithoutColon(_ bytes: UnsafeBufferPointer<UInt8>, upToLine last: Int) -> (line: Int, column: Int, text: String)? {
        var found: (Int, Int, String)?
        // The key column of the field line above, and whether that field's value follows on the next lines.
        var keyColumn: Int?
        var opensValue = false
        for (n, range) in lines(bytes, upTo: last).enumerated() {
            let line = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
            let indent = line.prefix { $0 == " " }.count
            var text = line.dropFirst(indent).trimmingWhitespace()
            if text.isEmpty || text.hasPrefix("#") { continue }
            var column = indent
            if text.hasPrefix("- ") {
                text = String(text.dropFirst(2)).trimmingWhitespace()
                column += 2
            }
            let isField = text.contains(": ") || text.hasSuffix(":")
            if isField {
                keyColumn = column
                opensValue = text.hasSuffix(":") || text.hasSuffix("|") || text.hasSuffix(">")
                continue
            }
            // A value's continuation or a list item's text is indented deeper, or follows `key:`.
            // Before any field, a line at the left margin is where the first field should be.
            guard column == keyColumn ?? 0, !opensValue, !line.dropFirst(indent).hasPrefix("- "),
                  let first = text.first, first.isLetter, text.contains(" ") else { continue }
            found = (n, column + 1, text)
        }
        return found
    }

    /// The last line up to line `last` (0-based) written `key:value`, with no space after the colon:
    /// YAML reads it as one word, not a field, and stops at the next line. Its line, the column just
    /// after the colon, the key and the value. A URL (`https://…`) is not one.
    static func colonWithoutSpace(_ bytes: UnsafeBufferPointer<UInt8>, upToLine last: Int) -> (line: Int, column: Int, key: String, value: String)? {
        var found: (Int, Int, String, String)?
        for (n, range) in lines(bytes, upTo: last).enumerated() {
            let line = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
            var text = Substring(line).drop { $0 == " " }
            while text.hasPrefix("- ") { text = text.dropFirst(2).drop { $0 == " " } }
            guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else { continue }
            let key = text[..<colon], value = text[text.index(after: colon)...]
            guard let first = key.first, first.isLetter || first == "_",
                  key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }),
                  let next = value.first, next != " ", next != "\t", !value.hasPrefix("//") else { continue }
            found = (n, line.count - value.count + 1, String(key), String(value).trimmingWhitespace())
        }
        return found
    }

    /// Plain values cut short by a ` #`, which YAML reads as the start of a comment: `ends: Our #1
    /// goal` is "Our". Only a `#` followed by a letter or digit (`#1`, `#onboarding`) counts: a comment
    /// is written `# …`, as the starter pages write theirs. Block scalars (`|`, `>`) are left alone.
    /// Each with the file line (0-based in `bytes`), the column of its `#`, the field, and the value
    /// as written.
    static func valuesCutByComments(_ bytes: UnsafeBufferPointer<UInt8>) -> [(line: Int, column: Int, key: String?, kept: String, written: String)] {
        guard let base = bytes.baseAddress, memchr(base, 0x23, bytes.count) != nil else { return [] }
        var found: [(Int, Int, String?, String, String)] = []
        var blockIndent: Int?
        for (n, range) in lines(bytes, upTo: Int.max).enumerated() {
            let line = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
            let indent = line.prefix { $0 == " " }.count
            var text = Substring(line.dropFirst(indent))
            if text.trimmingWhitespace().isEmpty { continue }
            if let b = blockIndent { if indent > b { continue } else { blockIndent = nil } }
            if text.hasPrefix("#") { continue }
            while text.hasPrefix("- ") { text = text.dropFirst(2).drop { $0 == " " } }
            var key: String?
            if let first = text.first, !"\"'[{&*!|>%@`#".contains(first), let colon = text.range(of: ": ") ?? (text.hasSuffix(":") ? text.range(of: ":", options: .backwards) : nil) {
                key = String(text[..<colon.lowerBound])
                text = text[colon.upperBound...].drop { $0 == " " }
            }
            guard let first = text.first else { continue }
            if first == "|" || first == ">" { blockIndent = indent; continue }
            if "\"'[{&*!%@`".contains(first) { continue }
            // The first `#` that starts a comment: at the value's start, or after a space or tab.
            var previous: Character = " "
            for (offset, c) in text.enumerated() {
                defer { previous = c }
                guard c == "#", previous == " " || previous == "\t" else { continue }
                let next = text.dropFirst(offset + 1).first
                guard let next, next.isLetter || next.isNumber else { break }
                let column = line.count - text.count + offset + 1
                found.append((n, column, key, String(text.prefix(offset)).trimmingWhitespace(), String(text).trimmingWhitespace()))
                break
            }
        }
        return found
    }

    /// A list item written as a value alone (`- First symptoms`) with fields under it (`emotion: -1`
    /// indented past its dash): YAML reads the lines as one value and stops at the first `:`. The
    /// item's line (0-based), the column of its text and the text, when line `last` is such a field.
    static func itemWithoutKey(_ bytes: UnsafeBufferPointer<UInt8>, upToLine last: Int) -> (line: Int, column: Int, text: String)? {
        var item: (line: Int, dash: Int, column: Int, text: String)?
        for (n, range) in lines(bytes, upTo: last).enumerated() {
            let line = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
            let indent = line.prefix { $0 == " " }.count
            let text = line.dropFirst(indent).trimmingWhitespace()
            if text.isEmpty || text.hasPrefix("#") { continue }
            if text.hasPrefix("- ") {
                let value = String(text.dropFirst(2)).trimmingWhitespace()
                // A plain value: not quoted, no flow or block opener, no field of its own.
                if let first = value.first, !"\"'[{&*!|>%@`#-".contains(first), !value.contains(": "), !value.hasSuffix(":") {
                    item = (n, indent, line.count - line.dropFirst(indent + 2).drop { $0 == " " }.count + 1, value)
                } else {
                    item = nil
                }
                continue
            }
            guard let i = item else { continue }
            // The field line YAML stopped at, under the item: deeper than its dash.
            if n == last, indent > i.dash, text.contains(": ") || text.hasSuffix(":") { return (i.line, i.column, i.text) }
            // A continuation of the value (a long name over two lines) keeps the item; anything else ends it.
            if indent <= i.dash { item = nil }
        }
        return nil
    }

    /// The first field up to line `last` (0-based) indented where no field can be: deeper than the
    /// field above it when that field opens nothing (`emotion:` pushed in under `name:`), or at a
    /// column between two levels (`channel:` one space short of `name:` in a touchpoint, ` tags:` one
    /// space in). Its line, its indentation, its key, and the field it should line up with (key, line,
    /// indentation). Lines inside block scalars (`|`, `>`) are skipped; a flow collection left open
    /// (`[` over several lines) ends the search.
    static func misalignedField(_ bytes: UnsafeBufferPointer<UInt8>, upToLine last: Int)
        -> (line: Int, indent: Int, key: String, sibling: (key: String, line: Int, indent: Int))? {
        struct Level { var column: Int?; var key: String; var line: Int; var opener: Int }
        var levels: [Level] = []
        var blockScalarColumn: Int?
        for (n, range) in lines(bytes, upTo: last).enumerated() {
            let line = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
            let indent = line.prefix { $0 == " " }.count
            var text = Substring(line.dropFirst(indent))
            if text.isEmpty || text.hasPrefix("#") { continue }
            if let b = blockScalarColumn { if indent > b { continue } else { blockScalarColumn = nil } }
            if text.first == "\t" { return nil }  // a tab has its own message
            var column = indent
            while text.hasPrefix("- ") {
                text = text.dropFirst(2).drop { $0 == " " }
                column = line.count - text.count
            }
            let isItem = column != indent
            // A field: a plain key, then `:` at the end of the line or before a space.
            guard let first = text.first, !"\"'[{&*!|>%@`-".contains(first), let colon = text.firstIndex(of: ":"),
                  text.index(after: colon) == text.endIndex || text[text.index(after: colon)] == " " else { continue }
            let key = String(text[..<colon])
            let value = text[text.index(after: colon)...].trimmingWhitespace()
            // The field before opened the next level: its first field sets the column, if deeper.
            if let top = levels.last, top.column == nil {
                if column > top.opener { levels[levels.count - 1].column = column } else { levels.removeLast() }
            }
            if let top = levels.last, let c = top.column, c != column {
                if column < c {
                    let outer = levels.dropLast().compactMap { $0.column }
                    if !outer.contains(column) && !isItem {
                        // Between two levels: it lines up with nothing above it.
                        let placed = levels.compactMap { l in l.column.map { (level: l, column: $0) } }
                        let nearest = placed.min { abs($0.column - column) < abs($1.column - column) } ?? (top, c)
                        return (n, column, key, (nearest.level.key, nearest.level.line, nearest.column))
                    }
                    while let t = levels.last, let tc = t.column, tc > column { levels.removeLast() }
                } else if !isItem {
                    // Deeper than the field above it, which opens nothing.
                    return (n, column, key, (top.key, top.line, c))
                }
            }
            if levels.isEmpty { levels.append(Level(column: column, key: key, line: n, opener: -1)) }
            if let t = levels.last, t.column == column {
                levels[levels.count - 1].key = key
                levels[levels.count - 1].line = n
            } else {
                levels.append(Level(column: column, key: key, line: n, opener: -1))
            }
            if value.hasPrefix("|") || value.hasPrefix(">") { blockScalarColumn = column }
            if (value.hasPrefix("[") && !value.hasSuffix("]")) || (value.hasPrefix("{") && !value.hasSuffix("}")) { return nil }
            if value.isEmpty || value.hasPrefix("#") { levels.append(Level(column: nil, key: key, line: n, opener: column)) }
        }
        return nil
    }

    /// `title Priya` as it should be written: `title: Priya`.
    static func withColon(_ text: String) -> String {
        guard let space = text.firstIndex(of: " ") else { return text + ":" }
        return text[..<space] + ": " + text[text.index(after: space)...].trimmingWhitespace()
    }

    /// The first line up to `last` (0-based) whose indentation holds a tab.
    static func tabIndentedLine(_ bytes: UnsafeBufferPointer<UInt8>, upToLine last: Int) -> Int? {
        for (n, line) in lines(bytes, upTo: last).enumerated() {
            for i in line {
                if bytes[i] == UInt8(ascii: "\t") { return n }
                if bytes[i] != UInt8(ascii: " ") { break }
            }
        }
        return nil
    }

    /// Reads `bytes` (UTF-8). Locations are in the file at `path`, whose line `lineOffset + 1` is the
    /// YAML's first line. Gives nil for a document with nothing in it.
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, path: String = "", lineOffset: Int = 0,
                     limit: Int) -> Outcome {
        var builder = Builder(path: path, lineOffset: lineOffset, limit: limit)
        return builder.run(bytes)
    }

    enum Outcome {
        case value(YAMLValue?)
        case overflow(YAMLExpansion.Overflow)
        case invalid(Diagnostic)
    }

    /// A mapping key as written, for telling keys apart (`1` and `"1"` differ, `a` and `"a"` do not).
    fileprivate struct KeyForm {
        var text: String
        var explicitTag: String?
        var quotedImplicit: Bool

        var tag: YAMLScalar.Tag { .of(text, explicitTag: explicitTag, quotedImplicit: quotedImplicit) }
    }

    fileprivate struct Anchored {
        var value: YAMLValue?
        /// How many values it stands for, for the expansion count.
        var size: Int
        var keyForm: KeyForm?
    }

    /// An open sequence or mapping.
    fileprivate struct Frame {
        var isMapping: Bool
        var location: SourceLocation
        var anchor: String?
        /// Index of its start event: a problem found at or after it lies inside it.
        var startEvent: Int
        var items: [YAMLValue] = []
        var entries: [YAMLEntry] = []
        var keyForms: [KeyForm] = []
        /// Entry indices by key text, once the mapping is too long to search from the start.
        var keyIndex: [String: [Int]]?
        /// The key read, waiting for its value.
        var pendingKey: (form: KeyForm?, location: SourceLocation)?
        /// Repeated keys: each name once, with the location of its second occurrence.
        var duplicates: [(name: String, location: SourceLocation)] = []
    }

    fileprivate struct Builder {
        let path: String
        let lineOffset: Int
        var expansion: YAMLExpansion
        var anchors: [String: Anchored] = [:]
        var stack: [Frame] = []
        var root: YAMLValue?
        var documents = 0
        var eventIndex = 0
        /// The first problem in reading order; once set, nothing more is built, events are only counted.
        var problem: Diagnostic? {
            didSet { building = problem == nil && documents == 1 }
        }
        /// The first key that is not text, and the event its node started at.
        var keyProblem: (diagnostic: Diagnostic, startEvent: Int)?

        init(path: String, lineOffset: Int, limit: Int) {
            self.path = path
            self.lineOffset = lineOffset
            expansion = YAMLExpansion(limit: limit)
        }

        func location(_ mark: yaml_mark_t) -> SourceLocation {
            SourceLocation(path: path, line: Int(mark.line) + 1 + lineOffset, column: Int(mark.column) + 1)
        }

        mutating func run(_ bytes: UnsafeBufferPointer<UInt8>) -> Outcome {
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else {
                return .invalid(.error(SourceLocation(path: path, line: lineOffset + 1, column: 1), "malformed YAML: Memory error", hint: YAMLReader.hint))
            }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            // libyaml reads nothing from a null pointer, even for empty input.
            let empty: [UInt8] = [0]
            return empty.withUnsafeBufferPointer { fallback in
                yaml_parser_set_input_string(&parser, bytes.baseAddress ?? fallback.baseAddress, bytes.count)
                var event = yaml_event_t()
                while true {
                    guard yaml_parser_parse(&parser, &event) == 1 else {
                        return .invalid(problem ?? syntaxError(parser, bytes))
                    }
                    defer { yaml_event_delete(&event) }
                    eventIndex += 1
                    if event.type == YAML_STREAM_END_EVENT {
                        if let problem { return .invalid(problem) }
                        if let keyProblem { return .invalid(keyProblem.diagnostic) }
                        return .value(root)
                    }
                    handle(&event)
                    if expansion.isOver {
                        return .overflow(YAMLExpansion.Overflow(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1,
                                                                throughAliases: expansion.aliases > 0))
                    }
                }
            }
        }

        /// Whether values are still built: no problem yet, inside the first document. Kept as a flag:
        /// asking `problem == nil` for every event copied the optional diagnostic (about 200 instructions).
        private var building = false

        mutating func handle(_ event: inout yaml_event_t) {
            switch event.type {
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                building = problem == nil && documents == 1
                if documents == 2, problem == nil {
                    problem = .error(location(event.start_mark),
                                     "malformed YAML: but found another document (expected a single document in the stream at line \(1 + lineOffset))",
                                     hint: YAMLReader.hint)
                }
            case YAML_SCALAR_EVENT:
                expansion.scalar()
                let data = event.data.scalar
                let anchor = string(data.anchor)
                guard building || anchor != nil else { return }
                let text = String(decoding: UnsafeBufferPointer(start: data.value, count: data.length), as: UTF8.self)
                let tag = string(data.tag)
                let plain = data.style == YAML_PLAIN_SCALAR_STYLE
                let value = YAMLValue.scalar(text, YAMLScalar.kind(text, plain: plain, explicitTag: tag), location(event.start_mark))
                let form = KeyForm(text: text, explicitTag: tag, quotedImplicit: data.quoted_implicit != 0)
                if let anchor { anchors[anchor] = Anchored(value: building ? value : nil, size: 1, keyForm: form) }
                if building { complete(value, form: form, startEvent: eventIndex) }
            case YAML_ALIAS_EVENT:
                let name = string(event.data.alias.anchor) ?? ""
                let anchored = anchors[name]
                expansion.alias(size: anchored?.size ?? 1)
                guard building else { return }
                guard let value = anchored?.value else {
                    problem = .error(location(event.start_mark), "malformed YAML: found undefined alias", hint: YAMLReader.hint)
                    return
                }
                complete(value, form: anchored?.keyForm, startEvent: eventIndex)
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                expansion.startCollection()
                let isMapping = event.type == YAML_MAPPING_START_EVENT
                let anchor = string(isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor)
                stack.append(Frame(isMapping: isMapping, location: location(event.start_mark), anchor: anchor, startEvent: eventIndex))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                let size = expansion.endCollection()
                guard let frame = stack.popLast() else { return }
                var value: YAMLValue?
                if building {
                    if let first = frame.duplicates.min(by: { $0.name < $1.name }) {
                        let names = frame.duplicates.map(\.name).sorted().map { "`\($0)`" }.joined(separator: ", ")
                        problem = .error(first.location, "duplicate key \(names) in front matter",
                                         hint: "each key may appear once; merge the values or remove one")
                    } else {
                        value = frame.isMapping ? .mapping(frame.entries, frame.location) : .sequence(frame.items, frame.location)
                    }
                }
                if let anchor = frame.anchor { anchors[anchor] = Anchored(value: value, size: size, keyForm: nil) }
                if let value { complete(value, form: nil, startEvent: frame.startEvent) }
            default:
                break
            }
        }

        /// Puts a finished value where it belongs: the document root, a list item, a key or a key's value.
        private mutating func complete(_ value: YAMLValue, form: KeyForm?, startEvent: Int) {
            guard !stack.isEmpty else {
                root = value
                return
            }
            let top = stack.count - 1
            if !stack[top].isMapping {
                stack[top].items.append(value)
                return
            }
            guard let key = stack[top].pendingKey else {
                if case .scalar = value {
                    stack[top].pendingKey = (form, value.location)
                } else {
                    stack[top].pendingKey = (nil, value.location)
                    // Keys inside this one were never keys of the document: this one is reported instead.
                    if keyProblem.map({ $0.startEvent >= startEvent }) ?? true {
                        keyProblem = (.error(value.location, "a front-matter key must be text, not \(value.kindDescription)"), startEvent)
                    }
                }
                return
            }
            stack[top].pendingKey = nil
            guard let form = key.form else {
                stack[top].entries.append(YAMLEntry(key: "", keyLocation: key.location, value: value))
                stack[top].keyForms.append(KeyForm(text: "", explicitTag: nil, quotedImplicit: true))
                return
            }
            Self.checkDuplicate(form, at: key.location, in: &stack[top])
            stack[top].entries.append(YAMLEntry(key: form.text, keyLocation: key.location, value: value))
            stack[top].keyForms.append(form)
            let index = stack[top].entries.count - 1
            if stack[top].keyIndex != nil { stack[top].keyIndex?[form.text, default: []].append(index) }
        }

        private static func checkDuplicate(_ form: KeyForm, at location: SourceLocation, in frame: inout Frame) {
            let earlier: [Int]
            if let index = frame.keyIndex {
                earlier = index[form.text] ?? []
            } else {
                // Nearly every key is new: that is settled without making a list.
                if frame.keyForms.count < 32, !frame.keyForms.contains(where: { $0.text == form.text }) { return }
                earlier = frame.keyForms.indices.filter { frame.keyForms[$0].text == form.text }
                if frame.keyForms.count >= 32 {
                    var index: [String: [Int]] = [:]
                    for (i, f) in frame.keyForms.enumerated() { index[f.text, default: []].append(i) }
                    frame.keyIndex = index
                }
            }
            guard !earlier.isEmpty else { return }
            let tag = form.tag
            let same = earlier.filter { frame.keyForms[$0].tag == tag }
            // The second occurrence is the one reported; a third adds nothing.
            if same.count == 1 { frame.duplicates.append((form.text, location)) }
        }

        private func syntaxError(_ parser: yaml_parser_t, _ bytes: UnsafeBufferPointer<UInt8>) -> Diagnostic {
            let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
            switch parser.error {
            case YAML_READER_ERROR:
                return .error(SourceLocation(path: path, line: lineOffset + 1, column: 1), "front matter could not be read: \(problem)")
            case YAML_SCANNER_ERROR, YAML_PARSER_ERROR, YAML_COMPOSER_ERROR:
                let line = Int(parser.problem_mark.line)
                // libyaml names the place it gave up, often far from the mistake: two common mistakes
                // that writers cannot see are found and named where they are.
                if let quote = YAMLReader.unclosedQuote(bytes, upToLine: line) {
                    let mark = quote.quote == UInt8(ascii: "\"") ? "\"" : "'"
                    let at = SourceLocation(path: path, line: quote.line + 1 + lineOffset, column: quote.column)
                    guard let end = quote.closedAt else {
                        return .error(at, "malformed YAML: the quote `\(mark)` that starts this value is not closed",
                                      hint: "end the value with `\(mark)` on the same line, or remove the opening `\(mark)`")
                    }
                    let other = mark == "\"" ? "'" : "\""
                    return .error(at, "malformed YAML: the value quoted with `\(mark)` ends at column \(end), but the line goes on after it",
                                  hint: "for quotes inside a value, put the whole value in \(other)…\(other) instead, or leave the outer `\(mark)` out")
                }
                if problem.hasPrefix("mapping values are not allowed") || problem.hasPrefix("could not find expected ':'"),
                   let joined = YAMLReader.colonWithoutSpace(bytes, upToLine: line), line - joined.line <= 2 {
                    return .error(SourceLocation(path: path, line: joined.line + 1 + lineOffset, column: joined.column),
                                  "malformed YAML: `\(joined.key):\(joined.value)` needs a space after the colon",
                                  hint: "write it as `\(joined.key): \(joined.value)`")
                }
                if problem.hasPrefix("mapping values are not allowed"), let item = YAMLReader.itemWithoutKey(bytes, upToLine: line) {
                    return .error(SourceLocation(path: path, line: item.line + 1 + lineOffset, column: item.column),
                                  "malformed YAML: `- \(item.text)` is a value alone, but the lines under it are fields of the same item",
                                  hint: "give the value its field name, as in `- name: \(item.text)`, and line the fields under it up with `name:`")
                }
                if problem.hasPrefix("mapping values are not allowed") || problem.hasPrefix("could not find expected ':'"),
                   let missing = YAMLReader.lineWithoutColon(bytes, upToLine: line) {
                    return .error(SourceLocation(path: path, line: missing.line + 1 + lineOffset, column: missing.column),
                                  "malformed YAML: this line has no `:` after the field's name",
                                  hint: "write it as `\(YAMLReader.withColon(missing.text))`")
                }
                // A field out of line with the ones around it: named, with the column it belongs at.
                let indentationProblems = ["did not find expected '-' indicator", "did not find expected key", "mapping values are not allowed",
                                           "could not find expected ':'", "block sequence entries are not allowed"]
                if indentationProblems.contains(where: { problem.hasPrefix($0) }), let m = YAMLReader.misalignedField(bytes, upToLine: line),
                   line - m.line <= 3 {
                    return .error(SourceLocation(path: path, line: m.line + 1 + lineOffset, column: m.indent + 1),
                                  "malformed YAML: `\(m.key):` starts at column \(m.indent + 1), but `\(m.sibling.key):` above it "
                                      + "(line \(m.sibling.line + 1 + lineOffset)) at column \(m.sibling.indent + 1)",
                                  hint: "the fields of one mapping or list item start at the same column: move `\(m.key):` to column "
                                      + "\(m.sibling.indent + 1), under `\(m.sibling.key):`" + (m.sibling.indent == 0 ? " (the start of the line)" : ""))
                }
                let lineText = YAMLReader.lines(bytes, upTo: line).last.map { String(decoding: UnsafeBufferPointer(rebasing: bytes[$0]), as: UTF8.self) } ?? ""
                if lineText.contains("“") || lineText.contains("”") || lineText.contains("‘") || lineText.contains("’") {
                    return .error(location(parser.problem_mark), "malformed YAML: \(problem)",
                                  hint: "YAML quotes are straight: write \"…\" instead of “…” (a word processor or chat app curls them)")
                }
                if problem.hasPrefix("mapping values are not allowed"), let colon = lineText.range(of: ": ") {
                    let key = lineText[..<colon.lowerBound], value = lineText[colon.upperBound...].trimmingWhitespace()
                    if value.contains(": "), !value.hasPrefix("\""), !value.hasPrefix("'") {
                        return .error(location(parser.problem_mark), "malformed YAML: a value with `: ` in it must be quoted",
                                      hint: "write it as `\(key.trimmingWhitespace()): \"\(value.replacingOccurrences(of: "\"", with: "\\\""))\"`")
                    }
                }
                var message = "malformed YAML: \(problem)"
                if let context = parser.context {
                    message += " (\(String(cString: context)) at line \(Int(parser.context_mark.line) + 1 + lineOffset))"
                }
                if let tab = YAMLReader.tabIndentedLine(bytes, upToLine: line) {
                    return .error(location(parser.problem_mark), message,
                                  hint: "line \(tab + 1 + lineOffset) is indented with a tab; YAML indents with spaces only (a tab looks like spaces in most editors)")
                }
                return .error(location(parser.problem_mark), message, hint: YAMLReader.hint)
            default:
                return .error(SourceLocation(path: path, line: lineOffset + 1, column: 1), "malformed YAML: Memory error", hint: YAMLReader.hint)
            }
        }

        private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            guard let pointer else { return nil }
            return String(cString: pointer)
        }
    }
}
