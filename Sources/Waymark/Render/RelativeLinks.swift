import Foundation

/// `waymark build --relative`: every link to the site's own pages and files, in every HTML file, made
/// relative to the page (`/personas/sam/` → `../../personas/sam/index.html`). A site opened from disk
/// (file://) has no server to find a folder's index.html or to know where the site's root is.
/// Like Hugo's `relativeURLs`, it rewrites finished HTML, so templates and Markdown need no changes.
enum RelativeLinks {
    static let urlAttributes: Set<String> = ["href", "src", "action", "poster"]

    static func rewrite(_ file: OutputFile, basePath: String) -> OutputFile {
        guard file.path.hasSuffix(".html"), case .bytes(let data) = file.content else { return file }
        let html = String(decoding: data, as: UTF8.self)
        return OutputFile(path: file.path, content: .bytes(Array(rewrite(html: html, pagePath: file.path, basePath: basePath).utf8)))
    }

    /// The link `url` as written on the page at `pagePath` (under the output folder), or nil when it
    /// does not point into the site (external URLs, fragments, links already relative).
    static func relative(_ url: String, pagePath: String, basePath: String) -> String? {
        guard url.hasPrefix(basePath), url.hasPrefix("/"), !url.hasPrefix("//") else { return nil }
        var rest = String(url.dropFirst(basePath.count))
        var suffix = ""
        if let cut = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            suffix = String(rest[cut...])
            rest = String(rest[..<cut])
        }
        if rest.isEmpty || rest.hasSuffix("/") { rest += "index.html" }
        let depth = pagePath.slashSeparated().count - 1
        return String(repeating: "../", count: max(0, depth)) + rest + suffix
    }

    /// Rewrites the URL attributes of every tag; text, comments and the insides of scripts and styles stay as they are.
    static func rewrite(html: String, pagePath: String, basePath: String) -> String {
        let b = Array(html.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(b.count + b.count / 8)
        var copied = 0
        var i = 0
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0C || c == 0x0D }
        func isNameByte(_ c: UInt8) -> Bool {
            (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x3A || c == 0x5F
        }
        func replace(_ range: Range<Int>, with text: String) {
            out += b[copied..<range.lowerBound]
            out += Array(text.utf8)
            copied = range.upperBound
        }
        while i < b.count {
            guard b[i] == UInt8(ascii: "<"), i + 1 < b.count else { i += 1; continue }
            if b[(i + 1)...].starts(with: Array("!--".utf8)) {
                i = find(Array("-->".utf8), in: b, from: i + 4).map { $0 + 3 } ?? b.count
                continue
            }
            var j = i + 1
            let nameStart = j
            while j < b.count, isNameByte(b[j]) { j += 1 }
            guard j > nameStart, (b[nameStart] | 0x20) >= 0x61, (b[nameStart] | 0x20) <= 0x7A else { i += 1; continue }
            let tag = String(decoding: b[nameStart..<j], as: UTF8.self).lowercased()
            while j < b.count, b[j] != UInt8(ascii: ">") {
                if isSpace(b[j]) || b[j] == UInt8(ascii: "/") { j += 1; continue }
                let attrStart = j
                while j < b.count, !isSpace(b[j]), b[j] != UInt8(ascii: "="), b[j] != UInt8(ascii: ">"), b[j] != UInt8(ascii: "/") { j += 1 }
                let name = String(decoding: b[attrStart..<j], as: UTF8.self).lowercased()
                while j < b.count, isSpace(b[j]) { j += 1 }
                guard j < b.count, b[j] == UInt8(ascii: "=") else { continue }
                j += 1
                while j < b.count, isSpace(b[j]) { j += 1 }
                let valueRange: Range<Int>
                if j < b.count, b[j] == UInt8(ascii: "\"") || b[j] == UInt8(ascii: "'") {
                    let quote = b[j]
                    var end = j + 1
                    while end < b.count, b[end] != quote { end += 1 }
                    valueRange = (j + 1)..<end
                    j = min(end + 1, b.count)
                } else {
                    var end = j
                    while end < b.count, !isSpace(b[end]), b[end] != UInt8(ascii: ">") { end += 1 }
                    valueRange = j..<end
                    j = end
                }
                let value = String(decoding: b[valueRange], as: UTF8.self)
                if urlAttributes.contains(name), let rewritten = relative(value, pagePath: pagePath, basePath: basePath) {
                    replace(valueRange, with: rewritten)
                } else if name == "srcset" {
                    let candidates = value.split(separator: ",").map { candidate -> String in
                        let parts = candidate.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
                        guard let url = parts.first, let rewritten = relative(String(url), pagePath: pagePath, basePath: basePath) else {
                            return String(candidate)
                        }
                        return ([rewritten] + parts.dropFirst().map(String.init)).joined(separator: " ")
                    }
                    let joined = candidates.joined(separator: ",")
                    if joined != value { replace(valueRange, with: joined) }
                }
            }
            i = j + 1
            // The insides of scripts and styles are not markup.
            if tag == "script" || tag == "style", let end = find(Array("</\(tag)".utf8), in: b, from: i) { i = end }
        }
        if copied == 0 { return html }
        out += b[copied...]
        return String(decoding: out, as: UTF8.self)
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        firstIndex(of: needle, in: bytes, from: from)
    }
}
