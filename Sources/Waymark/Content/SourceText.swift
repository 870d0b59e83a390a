import Foundation

/// A content file's text, checked and normalised: UTF-8 without BOM, LF line endings.
struct SourceText: Sendable {
    var text: String

    /// Refuses encodings Waymark cannot read, naming the first bad byte's position.
    static func decode(_ data: Data, path: String) -> Result<SourceText, Diagnostic> {
        data.withUnsafeBytes { raw in decode(raw.bindMemory(to: UInt8.self), path: path) }
    }

    /// The same on bytes: one validating copy into a String, byte scans for NUL and CR, no Foundation search.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, path: String) -> Result<SourceText, Diagnostic> {
        if bytes.count >= 2, (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF) {
            return .failure(.error(SourceLocation(path: path, line: 1, column: 1),
                                   "file is UTF-16; Waymark reads UTF-8",
                                   hint: "re-save the file as UTF-8 (most editors: File › Save with Encoding › UTF-8)"))
        }
        var body = bytes
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            body = UnsafeBufferPointer(rebasing: bytes[3...])
        }
        guard let text = String(validating: body, as: UTF8.self) else {
            let (line, column) = firstInvalidUTF8(Array(body)[...])
            return .failure(.error(SourceLocation(path: path, line: line, column: column),
                                   "invalid UTF-8 byte sequence",
                                   hint: "re-save the file as UTF-8; the text near this position was written in another encoding"))
        }
        if let nul = firstIndex(of: 0, in: body) {
            let (line, column) = lineAndColumn(of: nul, in: Array(body))
            return .failure(.error(SourceLocation(path: path, line: line, column: column),
                                   "file contains a NUL byte", hint: "this looks like a binary file; give it another extension or remove the byte"))
        }
        guard firstIndex(of: 0x0D, in: body) != nil else { return .success(SourceText(text: text)) }
        // CRLF and lone CR become LF; removing bytes from valid UTF-8 at ASCII boundaries keeps it valid.
        var normalised: [UInt8] = []
        normalised.reserveCapacity(body.count)
        var i = 0
        while i < body.count {
            let b = body[i]
            if b == 0x0D {
                normalised.append(0x0A)
                if i + 1 < body.count, body[i + 1] == 0x0A { i += 1 }
            } else {
                normalised.append(b)
            }
            i += 1
        }
        return .success(SourceText(text: String(decoding: normalised, as: UTF8.self)))
    }

    /// `text` with each control character HTML and XML do not allow (see `isForbiddenControl`; Word's
    /// soft return, U+000B, comes with pasted text) made a space: cmark writes them into the page as
    /// they are. A space is one byte as they are, so every line and column stays where it was.
    /// Eight bytes a step: most bodies have none, and only words with a byte below 0x20 or DEL are looked into.
    static func controlsAsSpaces(_ text: String) -> String {
        var text = text
        let found = text.withUTF8 { bytes -> Bool in
            guard let base = bytes.baseAddress else { return false }
            let raw = UnsafeRawPointer(base)
            var i = 0
            while i + 8 <= bytes.count {
                let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                // A byte below 0x20, or a byte equal to 0x7F (w XOR 0x7F…7F has a zero byte).
                let below = (w &- 0x2020_2020_2020_2020) & ~w & 0x8080_8080_8080_8080
                let x = w ^ 0x7F7F_7F7F_7F7F_7F7F
                let del = (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
                if below | del != 0, (i..<i + 8).contains(where: { isForbiddenControl(bytes[$0]) }) { return true }
                i += 8
            }
            return (i..<bytes.count).contains { isForbiddenControl(bytes[$0]) }
        }
        guard found else { return text }
        return String(decoding: text.utf8.map { isForbiddenControl($0) ? 0x20 : $0 }, as: UTF8.self)
    }

    /// `text` without the link reference definitions Foam writes for its wikilinks (`[[beta]]` in the
    /// text, `[beta]: beta.md "Beta"` at the end, so other Markdown tools see a link): cmark would make
    /// `[beta]` a link and the page would show `[beta]` in brackets. Each such line is emptied, not
    /// removed, so every other line keeps its number.
    static func withoutWikilinkDefinitions(_ text: String) -> String {
        guard text.containsByte(UInt8(ascii: "[")), text.containsUTF8("[["), text.containsUTF8("]:") else { return text }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var changed = false
        for k in lines.indices {
            let line = lines[k]
            let trimmed = line.drop { $0 == " " }
            guard line.count - trimmed.count <= 3, trimmed.first == "[", let close = trimmed.firstIndex(of: "]") else { continue }
            let label = trimmed[trimmed.index(after: trimmed.startIndex)..<close]
            guard !label.isEmpty, !label.contains("["), trimmed[close...].hasPrefix("]:"),
                  text.contains("[[" + label + "]]") else { continue }
            lines[k] = ""
            changed = true
        }
        return changed ? lines.joined(separator: "\n") : text
    }

    /// `text` without Obsidian's comments, `%%like this%%` in a line or `%%` … `%%` around lines:
    /// Obsidian hides them when a note is read, so a writer's remark there ("%% client's name: … %%")
    /// must not be published. Lines inside a comment are emptied, not removed, so every other line
    /// keeps its number. Code is left alone: fenced blocks, indented blocks after a blank line, and
    /// backtick spans on one line. A comment never closed hides the rest of the page, as in
    /// Obsidian; `unclosed` is where it opens (1-based line and column of the body).
    static func withoutComments(_ text: String) -> (text: String, unclosed: (line: Int, column: Int)?) {
        guard text.containsUTF8("%%") else { return (text, nil) }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var opened: (line: Int, column: Int)?
        var fence: (byte: UInt8, count: Int)?
        var previousBlank = true, inIndentedCode = false
        var lineNumber = 0
        var start = 0
        while start <= bytes.count {
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            let line = bytes[start..<end]
            lineNumber += 1
            defer {
                if end < bytes.count { out.append(0x0A) }
                start = end + 1
            }
            if opened == nil {
                let indent = line.prefix { $0 == 0x20 }.count
                let rest = line.dropFirst(indent)
                let run = rest.prefix { $0 == rest.first }.count
                if let f = fence {
                    out += line
                    if indent <= 3, rest.first == f.byte, run >= f.count, rest.dropFirst(run).allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { fence = nil }
                    continue
                }
                if indent <= 3, let first = rest.first, first == UInt8(ascii: "`") || first == UInt8(ascii: "~"), run >= 3 {
                    fence = (first, run)
                    out += line
                    continue
                }
                let blank = line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
                if !blank, (previousBlank || inIndentedCode), indent >= 4 || line.first == 0x09 {
                    inIndentedCode = true
                    out += line
                    previousBlank = false
                    continue
                }
                if !blank { inIndentedCode = false }
                previousBlank = blank
            }
            var i = line.startIndex
            while i < line.endIndex {
                let isMark = line[i] == UInt8(ascii: "%") && i + 1 < line.endIndex && line[i + 1] == UInt8(ascii: "%")
                if opened != nil {
                    if isMark { opened = nil; i += 2 } else { i += 1 }
                    continue
                }
                if line[i] == UInt8(ascii: "`") {
                    // A code span: its backticks, then everything up to the same number of them.
                    var j = i
                    while j < line.endIndex, line[j] == UInt8(ascii: "`") { j += 1 }
                    let ticks = j - i
                    var k = j, close: Int?
                    while k < line.endIndex {
                        guard line[k] == UInt8(ascii: "`") else { k += 1; continue }
                        var m = k
                        while m < line.endIndex, line[m] == UInt8(ascii: "`") { m += 1 }
                        if m - k == ticks { close = m; break }
                        k = m
                    }
                    let upTo = close ?? j
                    out += line[i..<upTo]
                    i = upTo
                    continue
                }
                if isMark {
                    opened = (lineNumber, String(decoding: line[line.startIndex..<i], as: UTF8.self).count + 1)
                    i += 2
                    continue
                }
                out.append(line[i])
                i += 1
            }
            if end == bytes.count { break }
        }
        return (String(decoding: out, as: UTF8.self), opened)
    }

    /// memchr: the whole file is searched for NUL and CR on every load.
    static func firstIndex(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = bytes.baseAddress, !bytes.isEmpty, let hit = memchr(base, Int32(byte), bytes.count) else { return nil }
        return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
    }

    private static func firstInvalidUTF8(_ bytes: ArraySlice<UInt8>) -> (Int, Int) {
        var line = 1, column = 1
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            let length: Int
            switch b {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return (line, column)
            }
            if i + length > bytes.endIndex { return (line, column) }
            let chunk = bytes[i..<(i + length)]
            if String(validating: chunk, as: UTF8.self) == nil { return (line, column) }
            if b == 0x0A { line += 1; column = 1 } else { column += 1 }
            i += length
        }
        return (line, column)
    }
}

/// 1-based line and column (in characters) of a UTF-8 byte offset.
func lineAndColumn(of offset: Int, in bytes: [UInt8]) -> (Int, Int) {
    var line = 1
    var lineStart = 0
    var i = 0
    while i < min(offset, bytes.count) {
        if bytes[i] == 0x0A { line += 1; lineStart = i + 1 }
        i += 1
    }
    let column = String(decoding: bytes[lineStart..<min(offset, bytes.count)], as: UTF8.self).count + 1
    return (line, column)
}

/// A Markdown file split into its YAML front matter and its body.
struct FrontMatterSplit: Equatable, Sendable {
    /// The YAML between the fences, or nil when the file has none.
    var yaml: String?
    /// File line of the YAML's first line.
    var yamlFirstLine: Int
    var body: String
    /// File line of the body's first line.
    var bodyFirstLine: Int

    /// Where the parts lie in the text's bytes.
    struct Fences: Equatable {
        var yaml: Range<Int>?
        var yamlFirstLine: Int
        var body: Range<Int>
        var bodyFirstLine: Int
    }

    /// Splits `text` (already normalised to LF). A `---` first line opens front matter;
    /// `---` or `...` on a line of its own closes it.
    static func split(_ text: String, path: String) -> Result<FrontMatterSplit, Diagnostic> {
        var bytes = text
        return bytes.withUTF8 { b in
            locate(b, path: path).map { f in
                FrontMatterSplit(yaml: f.yaml.map { String(decoding: UnsafeBufferPointer(rebasing: b[$0]), as: UTF8.self) },
                                 yamlFirstLine: f.yamlFirstLine,
                                 body: f.yaml == nil ? text : String(decoding: UnsafeBufferPointer(rebasing: b[f.body]), as: UTF8.self),
                                 bodyFirstLine: f.bodyFirstLine)
            }
        }
    }

    /// The same on the text's UTF-8 bytes, line by line with memchr; no String is made.
    static func locate(_ b: UnsafeBufferPointer<UInt8>, path: String) -> Result<Fences, Diagnostic> {
        let none = Fences(yaml: nil, yamlFirstLine: 0, body: 0..<b.count, bodyFirstLine: 1)
        let dash = UInt8(ascii: "-"), dot = UInt8(ascii: ".")
        guard b.count >= 3, b[0] == dash, b[1] == dash, b[2] == dash else { return .success(none) }
        let firstEnd = lineEnd(b, from: 0)
        // `----` or `--- text`: a thematic break or prose, not a fence.
        guard isFence(b, 0..<firstEnd, dash) else { return .success(none) }
        var start = firstEnd + 1, line = 2
        while firstEnd < b.count && start <= b.count {
            let end = lineEnd(b, from: start)
            if isFence(b, start..<end, dash) || isFence(b, start..<end, dot) {
                return .success(Fences(yaml: (firstEnd + 1)..<max(firstEnd + 1, start - 1), yamlFirstLine: 2,
                                       body: min(end + 1, b.count)..<b.count, bodyFirstLine: line + 1))
            }
            start = end + 1
            line += 1
        }
        return .failure(.error(SourceLocation(path: path, line: 1, column: 1),
                               "front matter is not closed",
                               hint: "add a line with only `---` after the last YAML line"))
    }

    /// Index of the `\n` ending the line that starts at `start`, or the end of the text.
    private static func lineEnd(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard start < b.count else { return b.count }
        return SourceText.firstIndex(of: 0x0A, in: UnsafeBufferPointer(rebasing: b[start...])).map { start + $0 } ?? b.count
    }

    /// Whether the line is three `mark` bytes with only Unicode white space around them.
    private static func isFence(_ b: UnsafeBufferPointer<UInt8>, _ line: Range<Int>, _ mark: UInt8) -> Bool {
        var i = line.lowerBound
        while i < line.upperBound, let n = whitespaceLength(b, at: i, end: line.upperBound) { i += n }
        guard line.upperBound - i >= 3, b[i] == mark, b[i + 1] == mark, b[i + 2] == mark else { return false }
        i += 3
        while i < line.upperBound, let n = whitespaceLength(b, at: i, end: line.upperBound) { i += n }
        return i == line.upperBound
    }

    /// Byte length of the White_Space scalar at `i` (what `trimmingWhitespace` trims), or nil.
    static func whitespaceLength(_ b: UnsafeBufferPointer<UInt8>, at i: Int, end: Int) -> Int? {
        let c = b[i]
        if c == 0x20 || (c >= 0x09 && c <= 0x0D) { return 1 }
        if c < 0xC2 || c > 0xE3 { return nil }
        if c == 0xC2 { return i + 1 < end && (b[i + 1] == 0x85 || b[i + 1] == 0xA0) ? 2 : nil }
        guard i + 2 < end else { return nil }
        let c1 = b[i + 1], c2 = b[i + 2]
        switch c {
        case 0xE1: return c1 == 0x9A && c2 == 0x80 ? 3 : nil                      // U+1680
        case 0xE2:
            if c1 == 0x80, (0x80...0x8A).contains(c2) || c2 == 0xA8 || c2 == 0xA9 || c2 == 0xAF { return 3 }  // U+2000–200A, 2028, 2029, 202F
            return c1 == 0x81 && c2 == 0x9F ? 3 : nil                               // U+205F
        case 0xE3: return c1 == 0x80 && c2 == 0x80 ? 3 : nil                      // U+3000
        default: return nil
        }
    }
}
