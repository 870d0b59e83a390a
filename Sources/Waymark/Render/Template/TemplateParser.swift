/// A template that cannot be compiled: what is wrong, and where (1-based line, column in characters).
struct TemplateSyntaxError: Error, Sendable, Equatable {
    var message: String
    var hint: String
    var line: Int
    var column: Int
}

/// Compiles Mustache text into nodes. The whitespace rules follow swift-mustache's parser, which
/// Waymark used before, tag for tag, so existing themes and site overrides render byte for byte the
/// same: a tag alone on its line (a "standalone" section, comment, partial, block or delimiter
/// change) takes the line's indentation and newline with it.
struct TemplateParser {
    /// Deeper nesting than any real template has; stops a hostile one from exhausting the stack.
    static let nestingLimit = 100

    private let bytes: [UInt8]
    private var position = 0

    private struct State {
        var section: (name: String, openedAt: Int)?
        var newLine = true
        var inPartialDefinition = false
        var partialDefinitionTopLevel = false
        var startDelimiter: [UInt8] = Array("{{".utf8)
        var endDelimiter: [UInt8] = Array("}}".utf8)
        /// Inside a block override: the indentation of its first line, removed from every line.
        var partialDefinitionIndent: Int?
        var depth = 0

        func inSection(_ name: String, openedAt: Int, newLine: Bool) -> State {
            var s = self
            s.section = (name, openedAt)
            s.partialDefinitionTopLevel = false
            if !newLine { s.newLine = false }
            s.depth += 1
            return s
        }
    }

    private struct Failure: Error {
        var message: String
        var hint: String
        var at: Int
    }

    /// Parses a whole template.
    static func parse(_ text: String) throws(TemplateSyntaxError) -> [TemplateNode] {
        var parser = TemplateParser(bytes: Array(text.utf8))
        do {
            return try parser.parse(State())
        } catch {
            let (line, column) = parser.lineAndColumn(of: error.at)
            throw TemplateSyntaxError(message: error.message, hint: error.hint, line: line, column: column)
        }
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    // MARK: - Bytes

    private var atEnd: Bool { position >= bytes.count }

    private func byte(at i: Int) -> UInt8? { i < bytes.count ? bytes[i] : nil }

    /// The length of the newline at `i` (`\n` or `\r\n`), or 0.
    private func newlineLength(at i: Int) -> Int {
        guard let b = byte(at: i) else { return 0 }
        if b == UInt8(ascii: "\n") { return 1 }
        if b == UInt8(ascii: "\r"), byte(at: i + 1) == UInt8(ascii: "\n") { return 2 }
        return 0
    }

    private static func isSpaceOrTab(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
    private static func isWhitespace(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0D).contains(b) }

    private static let nameBytes: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for b in "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?*()".utf8 { table[Int(b)] = true }
        return table
    }()
    private static func isNameByte(_ b: UInt8) -> Bool { nameBytes[Int(b)] }
    private static func isPartialNameByte(_ b: UInt8) -> Bool { nameBytes[Int(b)] || b == UInt8(ascii: "/") }

    @discardableResult
    private mutating func skip(while predicate: (UInt8) -> Bool) -> Range<Int> {
        let start = position
        while position < bytes.count, predicate(bytes[position]) { position += 1 }
        return start..<position
    }

    private func matches(_ literal: [UInt8], at i: Int) -> Bool {
        guard i + literal.count <= bytes.count else { return false }
        for k in literal.indices where bytes[i + k] != literal[k] { return false }
        return true
    }

    private mutating func consume(_ literal: [UInt8]) -> Bool {
        guard matches(literal, at: position) else { return false }
        position += literal.count
        return true
    }

    private func string(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
    private func string(_ literal: [UInt8]) -> String { String(decoding: literal, as: UTF8.self) }

    private func lineAndColumn(of offset: Int) -> (Int, Int) {
        let end = min(offset, bytes.count)
        var line = 1, lineStart = 0
        for i in 0..<end where bytes[i] == UInt8(ascii: "\n") {
            line += 1
            lineStart = i + 1
        }
        return (line, String(decoding: bytes[lineStart..<end], as: UTF8.self).count + 1)
    }

    // MARK: - Tags

    private mutating func parse(_ initial: State) throws(Failure) -> [TemplateNode] {
        var nodes: [TemplateNode] = []
        var state = initial
        var whitespaceBefore: [UInt8] = []
        guard state.depth <= Self.nestingLimit else {
            throw Failure(message: "sections, blocks or parents nest more than \(Self.nestingLimit) deep",
                          hint: "flatten the template, or move inner parts into partials", at: position)
        }
        while !atEnd {
            if state.newLine {
                let whitespace = Array(bytes[skip(while: Self.isSpaceOrTab)])
                if state.inPartialDefinition, !state.partialDefinitionTopLevel {
                    if let indent = state.partialDefinitionIndent {
                        whitespaceBefore = Array(whitespace.dropFirst(indent))
                    } else {
                        state.partialDefinitionIndent = whitespace.count
                    }
                } else {
                    whitespaceBefore = whitespace
                }
            }
            let tagStart = position
            let (text, foundTag) = readUntilTagOrNewline(state)
            if !foundTag, case let newline = newlineLength(at: position), newline > 0 {
                nodes.append(.text(whitespaceBefore + text + bytes[position..<position + newline]))
                state.newLine = true
                position += newline
                continue
            }
            if !text.isEmpty {
                nodes.append(.text(whitespaceBefore + text))
                whitespaceBefore = []
                state.newLine = false
            }
            if !foundTag {
                if atEnd { break }
                continue
            }
            let tagOpen = tagStart + text.count
            guard let kind = byte(at: position) else {
                throw Failure(message: "the template ends inside a tag", hint: "close the tag with \(string(state.endDelimiter))", at: tagOpen)
            }
            var setNewLine = false
            switch kind {
            case UInt8(ascii: "#"), UInt8(ascii: "^"):
                position += 1
                let name = try parseName(state, tagOpen: tagOpen)
                if isStandalone(state) {
                    setNewLine = true
                } else if !whitespaceBefore.isEmpty {
                    nodes.append(.text(whitespaceBefore))
                    whitespaceBefore = []
                }
                let body = try parse(state.inSection(name.source, openedAt: tagOpen, newLine: setNewLine))
                nodes.append(.section(name, body: body, inverted: kind == UInt8(ascii: "^")))

            case UInt8(ascii: "/"):
                position += 1
                let namePosition = position
                let name = try parseName(state, tagOpen: tagOpen)
                guard let section = state.section else {
                    throw Failure(message: "{{/\(name.source)}} closes a section that was never opened",
                                  hint: "remove it, or open the section with {{#\(name.source)}}", at: namePosition)
                }
                guard name.source == section.name else {
                    throw Failure(message: "{{/\(name.source)}} closes the section opened as \(section.name)",
                                  hint: "close \(section.name) first: sections close in the reverse order they open", at: namePosition)
                }
                if !isStandalone(state), !whitespaceBefore.isEmpty {
                    nodes.append(.text(whitespaceBefore))
                }
                return nodes

            case UInt8(ascii: "!"):
                position += 1
                guard let end = find(state.endDelimiter, from: position) else {
                    throw Failure(message: "comment is never closed", hint: "end it with \(string(state.endDelimiter))", at: tagOpen)
                }
                position = end + state.endDelimiter.count
                setNewLine = isStandalone(state)

            case UInt8(ascii: "{"), UInt8(ascii: "&"):
                if !whitespaceBefore.isEmpty {
                    nodes.append(.text(whitespaceBefore))
                    whitespaceBefore = []
                }
                position += 1
                let name = try parseName(state, tagOpen: tagOpen)
                if kind == UInt8(ascii: "{"), !consume([UInt8(ascii: "}")]) {
                    throw Failure(message: "{{{\(name.source)}} needs a third closing brace", hint: "write {{{\(name.source)}}}", at: position)
                }
                nodes.append(.variable(name, escaped: false))

            case UInt8(ascii: ">"):
                position += 1
                skip(while: Self.isWhitespace)
                let dynamic = consume([UInt8(ascii: "*")])
                let name = try parsePartialName(state, tagOpen: tagOpen)
                if !whitespaceBefore.isEmpty { nodes.append(.text(whitespaceBefore)) }
                let partial: PartialName = dynamic ? .dynamic(TemplateName(name, transforms: [])) : .fixed(name)
                if isStandalone(state) {
                    setNewLine = true
                    nodes.append(.partial(partial, indentation: whitespaceBefore, overrides: nil))
                } else {
                    nodes.append(.partial(partial, indentation: nil, overrides: nil))
                }
                whitespaceBefore = []

            case UInt8(ascii: "<"):
                position += 1
                skip(while: Self.isWhitespace)
                let sectionName = try parsePartialName(state, tagOpen: tagOpen)
                if !whitespaceBefore.isEmpty { nodes.append(.text(whitespaceBefore)) }
                if isStandalone(state) { setNewLine = true }
                var inner = state.inSection(sectionName, openedAt: tagOpen, newLine: true)
                inner.newLine = true
                inner.inPartialDefinition = true
                inner.partialDefinitionTopLevel = true
                let body = try parse(inner)
                var overrides: [String: [TemplateNode]] = [:]
                for node in body {
                    switch node {
                    case .blockDefinition(let block, let blockBody): overrides[block] = blockBody
                    case .text: break
                    default:
                        throw Failure(message: "only {{$block}} overrides may appear inside {{<\(sectionName)}}",
                                      hint: "move other tags into a {{$block}}…{{/block}}", at: tagOpen)
                    }
                }
                let partial: PartialName = sectionName.first == "*"
                    ? .dynamic(TemplateName(String(sectionName.dropFirst()), transforms: [])) : .fixed(sectionName)
                nodes.append(.partial(partial, indentation: whitespaceBefore, overrides: overrides))
                whitespaceBefore = []

            case UInt8(ascii: "$"):
                position += 1
                let name = try parseName(state, tagOpen: tagOpen)
                guard name.transforms.isEmpty else {
                    throw Failure(message: "a block cannot have a transform", hint: "write {{$name}} without parentheses", at: tagOpen)
                }
                if state.partialDefinitionTopLevel {
                    if isStandalone(state) { setNewLine = true }
                    let body = try parse(state.inSection(name.source, openedAt: tagOpen, newLine: setNewLine))
                    nodes.append(.blockDefinition(name.source, body: body))
                } else {
                    if !whitespaceBefore.isEmpty { nodes.append(.text(whitespaceBefore)) }
                    if isStandalone(state) { setNewLine = true }
                    let body = try parse(state.inSection(name.source, openedAt: tagOpen, newLine: setNewLine))
                    nodes.append(.block(name.source, defaultBody: body, indentation: whitespaceBefore))
                    whitespaceBefore = []
                }

            case UInt8(ascii: "="):
                position += 1
                try setDelimiters(&state, tagOpen: tagOpen)
                setNewLine = isStandalone(state)

            case UInt8(ascii: "%"):
                position += 1
                nodes.append(try parsePragma(state, tagOpen: tagOpen))
                setNewLine = isStandalone(state)

            default:
                if !whitespaceBefore.isEmpty {
                    nodes.append(.text(whitespaceBefore))
                    whitespaceBefore = []
                }
                nodes.append(.variable(try parseName(state, tagOpen: tagOpen), escaped: true))
            }
            state.newLine = setNewLine
        }
        if let section = state.section {
            throw Failure(message: "{{\(section.name)}} is never closed",
                          hint: "add {{/\(section.name)}} where the section ends", at: section.openedAt)
        }
        return nodes
    }

    /// Reads text up to the next opening delimiter (consumed; `foundTag`) or newline (not consumed).
    private mutating func readUntilTagOrNewline(_ state: State) -> (text: [UInt8], foundTag: Bool) {
        let start = position
        guard let first = state.startDelimiter.first else { return ([], false) }
        while position < bytes.count {
            let b = bytes[position]
            if b == UInt8(ascii: "\n") || (b == UInt8(ascii: "\r") && byte(at: position + 1) == UInt8(ascii: "\n")) {
                return (Array(bytes[start..<position]), false)
            }
            if b == first, matches(state.startDelimiter, at: position) {
                let text = Array(bytes[start..<position])
                position += state.startDelimiter.count
                return (text, true)
            }
            position += 1
        }
        return (Array(bytes[start..<position]), false)
    }

    private func find(_ literal: [UInt8], from start: Int) -> Int? {
        guard !literal.isEmpty, bytes.count >= literal.count else { return nil }
        var i = start
        while i + literal.count <= bytes.count {
            if bytes[i] == literal[0], matches(literal, at: i) { return i }
            i += 1
        }
        return nil
    }

    /// A tag is standalone when it started a line (only whitespace before it) and only whitespace
    /// follows it up to the newline, which it then takes.
    private mutating func isStandalone(_ state: State) -> Bool {
        guard state.newLine else { return false }
        if atEnd { return true }
        var i = position
        while let b = byte(at: i), Self.isSpaceOrTab(b) { i += 1 }
        let newline = newlineLength(at: i)
        guard newline > 0 else { return false }
        position = i + newline
        return true
    }

    private mutating func expectEndDelimiter(_ state: State, tagOpen: Int, what: String) throws(Failure) {
        guard consume(state.endDelimiter) else {
            let found = byte(at: position).map { String(decoding: [$0], as: UTF8.self) } ?? "the end of the template"
            throw Failure(message: "unexpected \(found.debugDescription) in \(what); expected \(string(state.endDelimiter))",
                          hint: "names use letters, digits and . - _ ?; close the tag with \(string(state.endDelimiter))", at: position)
        }
    }

    /// `name`, `a.b`, `.`, or a transform call such as `empty(.)`, `first()`, `a(b(x))`.
    private mutating func parseName(_ state: State, tagOpen: Int) throws(Failure) -> TemplateName {
        skip(while: Self.isWhitespace)
        let range = skip(while: Self.isNameByte)
        skip(while: Self.isWhitespace)
        try expectEndDelimiter(state, tagOpen: tagOpen, what: "a tag")
        let text = string(range)
        guard let open = text.firstIndex(of: "(") else {
            if text.contains(")") { throw badTransform(text, at: range.lowerBound) }
            return TemplateName(text, transforms: [])
        }
        // Transforms nest: each "name(" opens one, and as many ")" close them at the end.
        var transforms = [String(text[..<open])]
        var rest = text[text.index(after: open)...]
        while let next = rest.firstIndex(where: { $0 == "(" || $0 == ")" }), rest[next] == "(" {
            transforms.append(String(rest[..<next]))
            rest = rest[rest.index(after: next)...]
        }
        guard let close = rest.firstIndex(of: ")") else { throw badTransform(text, at: range.lowerBound) }
        let argument = String(rest[..<close])
        let closers = rest[close...]
        guard closers.count == transforms.count, closers.allSatisfy({ $0 == ")" }),
              !transforms.contains(where: { $0.contains(")") || $0.contains("(") }) else {
            throw badTransform(text, at: range.lowerBound)
        }
        return TemplateName(argument, transforms: transforms)
    }

    private func badTransform(_ text: String, at offset: Int) -> Failure {
        Failure(message: "\(text.debugDescription) is not a name or a transform call",
                hint: "a transform looks like first(), empty(.) or uppercased(name)", at: offset)
    }

    private mutating func parsePartialName(_ state: State, tagOpen: Int) throws(Failure) -> String {
        skip(while: Self.isWhitespace)
        let range = skip(while: Self.isPartialNameByte)
        skip(while: Self.isWhitespace)
        try expectEndDelimiter(state, tagOpen: tagOpen, what: "a partial's name")
        return string(range)
    }

    /// `{{=<% %>=}}`: two delimiters separated by whitespace.
    private mutating func setDelimiters(_ state: inout State, tagOpen: Int) throws(Failure) {
        let invalid = Failure(message: "invalid delimiter change", hint: "write it as {{=<% %>=}}: two delimiters without spaces or =, between = signs", at: tagOpen)
        skip(while: Self.isWhitespace)
        let start = skip(while: { !Self.isWhitespace($0) })
        guard !atEnd else { throw invalid }
        skip(while: Self.isWhitespace)
        let end = skip(while: { !Self.isWhitespace($0) && $0 != UInt8(ascii: "=") })
        guard !atEnd else { throw invalid }
        skip(while: Self.isWhitespace)
        guard consume([UInt8(ascii: "=")]), consume(state.endDelimiter), !start.isEmpty, !end.isEmpty else { throw invalid }
        state.startDelimiter = Array(bytes[start])
        state.endDelimiter = Array(bytes[end])
        state.partialDefinitionTopLevel = false
    }

    /// `{{% CONTENT_TYPE: TEXT}}` or `HTML`, as swift-mustache supports.
    private mutating func parsePragma(_ state: State, tagOpen: Int) throws(Failure) -> TemplateNode {
        let invalid = Failure(message: "unknown pragma", hint: "the one pragma is {{% CONTENT_TYPE: HTML}} or {{% CONTENT_TYPE: TEXT}}", at: tagOpen)
        let word: (UInt8) -> Bool = { Self.isNameByte($0) && $0 != UInt8(ascii: "(") && $0 != UInt8(ascii: ")") }
        skip(while: Self.isWhitespace)
        let variable = string(skip(while: word))
        skip(while: Self.isWhitespace)
        guard consume([UInt8(ascii: ":")]) else { throw invalid }
        skip(while: Self.isWhitespace)
        let value = string(skip(while: word))
        skip(while: Self.isWhitespace)
        guard consume(state.endDelimiter), variable == "CONTENT_TYPE" else { throw invalid }
        switch value {
        case "HTML": return .escaping(true)
        case "TEXT": return .escaping(false)
        default: throw invalid
        }
    }
}
