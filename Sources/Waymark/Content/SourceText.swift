import Foundation

/// A content file's text, checked and normalised: UTF-8 without BOM, LF line endings.
struct SourceText: Sendable {
    var text: String

    /// Refuses encodings Waymark cannot read, naming the first bad byte's position.
    static func decode(_ data: Data, path: String) -> Result<SourceText, Diagnostic> {
        let bytes = [UInt8](data)
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            return .failure(.error(SourceLocation(path: path, line: 1, column: 1),
                                   "file is UTF-16; Waymark reads UTF-8",
                                   hint: "re-save the file as UTF-8 (most editors: File › Save with Encoding › UTF-8)"))
        }
        var body = bytes[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { body = bytes[3...] }
        guard let text = String(validating: body, as: UTF8.self) else {
            let (line, column) = firstInvalidUTF8(body)
            return .failure(.error(SourceLocation(path: path, line: line, column: column),
                                   "invalid UTF-8 byte sequence",
                                   hint: "re-save the file as UTF-8; the text near this position was written in another encoding"))
        }
        if let nul = text.utf8.firstIndex(of: 0) {
            let (line, column) = lineAndColumn(of: text.utf8.distance(from: text.utf8.startIndex, to: nul), in: Array(text.utf8))
            return .failure(.error(SourceLocation(path: path, line: line, column: column),
                                   "file contains a NUL byte", hint: "this looks like a binary file; give it another extension or remove the byte"))
        }
        var normalised = text
        if normalised.contains("\r") {
            normalised = normalised.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        }
        return .success(SourceText(text: normalised))
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

    /// Splits `text` (already normalised to LF). A `---` first line opens front matter;
    /// `---` or `...` on a line of its own closes it.
    static func split(_ text: String, path: String) -> Result<FrontMatterSplit, Diagnostic> {
        guard text.hasPrefix("---") else {
            return .success(FrontMatterSplit(yaml: nil, yamlFirstLine: 0, body: text, bodyFirstLine: 1))
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.first.map({ $0.trimmingWhitespace() != "---" }) ?? true {
            // `----` or `--- text`: a thematic break or prose, not a fence.
            return .success(FrontMatterSplit(yaml: nil, yamlFirstLine: 0, body: text, bodyFirstLine: 1))
        }
        lines.removeFirst()
        guard let close = lines.firstIndex(where: { let t = $0.trimmingWhitespace(); return t == "---" || t == "..." }) else {
            return .failure(.error(SourceLocation(path: path, line: 1, column: 1),
                                   "front matter is not closed",
                                   hint: "add a line with only `---` after the last YAML line"))
        }
        let yaml = lines[..<close].joined(separator: "\n")
        let body = lines[(close + 1)...].joined(separator: "\n")
        return .success(FrontMatterSplit(yaml: yaml, yamlFirstLine: 2, body: body, bodyFirstLine: close + 3))
    }
}
