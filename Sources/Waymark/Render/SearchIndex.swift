import Foundation

/// The client-side search index, `search/index.js`: a script that sets `window.WaymarkSearchIndex`, so
/// the search page can load it with a `<script>` tag, also from disk (browsers refuse `fetch` on file://).
///
/// ```
/// {"version": 1,
///  "types": [["journey", "Journey"], …, ["page", "Page"]],
///  "pages": [[title, url, type, keywords, text], …]}
/// ```
/// `url` is relative to the site root (`journeys/asthma/`); `type` indexes `types`; `keywords` are short
/// strings that rank above body text: glossary synonyms and tags as strings, headings, stages and
/// touchpoints as `[name, anchor]` so results can link to them; `text` is the description, definition or
/// quote and the start of the body, cut at `excerptWords` words. Kept small: only what ranking and a
/// result snippet need. Every other word of every page is in the shards under `search/words/`
/// (`SearchWords`).
struct SearchIndex {
    static let path = "search/index.js"
    static let excerptWords = 80
    static let types: [(key: String, label: String)] = [PageType.journey, .persona, .finding, .term, .department]
        .map { ($0.rawValue, $0.label) } + [("page", "Page")]

    struct Entry: Sendable {
        var title: String
        var url: String
        var type: Int
        var keywords: [(text: String, anchor: String?)]
        var text: String
    }

    var entries: [Entry]

    init(entries: [Entry]) { self.entries = entries }

    /// The index of `site`; `bodyText[i]` is page i's body as plain text (from its rendered HTML).
    /// `relativeLinks` makes folder URLs end in `index.html`, which pages opened from disk need.
    init(site: Site, bodyText: [String], relativeLinks: Bool) {
        let base = site.config.basePath
        entries = parallelMap(Array(site.pages.indices)) { i in
            let page = site.pages[i]
            var url = site.url(of: i)
            if url.hasPrefix(base) { url.removeFirst(base.count) }
            if relativeLinks && (url.isEmpty || url.hasSuffix("/")) { url += "index.html" }
            let type = Self.types.firstIndex { $0.key == page.type.rawValue } ?? Self.types.count - 1
            var keywords: [(text: String, anchor: String?)] = []
            var lead: [String] = []
            if let d = page.description { lead.append(d) }
            switch page.entity {
            case .journey(let j):
                for stage in j.stages {
                    keywords.append((stage.name, stage.anchor))
                    for tp in stage.touchpoints { keywords.append((tp.name, tp.anchor)) }
                }
            case .term(let t):
                lead.append(t.definition)
                for s in t.synonyms { for w in s.words where !keywords.contains(where: { $0.text == w }) { keywords.append((w, nil)) } }
            case .persona(let p):
                if let q = p.quote { lead.append(q) }
                if let s = p.segment { keywords.append((s, nil)) }
            case .finding(let f):
                keywords.append((f.method, nil))
            case .department, .page:
                break
            }
            for h in page.facts.headings where h.level > 1 && h.level <= 4 { keywords.append((h.text, h.anchor)) }
            for tag in page.tags { keywords.append((tag, nil)) }
            let text = Self.firstWords(of: (lead + [i < bodyText.count ? bodyText[i] : ""]).joined(separator: " "), Self.excerptWords)
            return Entry(title: page.title, url: url, type: type, keywords: keywords, text: text)
        }
    }

    /// The index as the script the search page loads: `{"pages":[…],"types":[…],"version":1}` (keys
    /// sorted, as JSONEncoder's `.sortedKeys` writes them). The pages, nearly all of it, are written in
    /// runs on all cores and joined.
    func script() -> [UInt8] {
        let entries = self.entries
        let parts = parallelMap(runs(of: entries.count)) { run -> [UInt8] in
            var json = JSONText()
            json.reserveCapacity(run.reduce(0) { $0 + 64 + entries[$1].title.utf8.count + entries[$1].url.utf8.count + entries[$1].text.utf8.count })
            for k in run {
                if k > 0 { json.append(",") }
                let e = entries[k]
                let page = JSONValue.array([.string(e.title), .string(e.url), .int(e.type),
                                            .array(e.keywords.map { k in k.anchor.map { .array([.string(k.text), .string($0)]) } ?? .string(k.text) }),
                                            .string(e.text)])
                page.write(into: &json)
            }
            return json.bytes
        }
        var json = JSONText()
        json.reserveCapacity(parts.reduce(256) { $0 + $1.count })
        json.append("window.WaymarkSearchIndex = {\"pages\":[")
        for part in parts { part.withUnsafeBufferPointer { json.append($0) } }
        json.append("],\"types\":")
        JSONValue.array(Self.types.map { .array([.string($0.key), .string($0.label)]) }).write(into: &json)
        json.append(",\"version\":")
        json.integer(1)
        json.append("};\n")
        return json.bytes
    }

    /// The first `count` words of `text`, one space apart, with " …" when there are more. Reads
    /// UTF-8 and stops after the word past `count`; white space is any Unicode white space.
    static func firstWords(of text: String, _ count: Int) -> String {
        var text = text
        return text.withUTF8 { bytes -> String in
            var out: [UInt8] = []
            var words = 0, i = 0
            var inWord = false
            while i < bytes.count {
                let b = bytes[i]
                var width = 1
                var space: Bool
                if b < 0x80 {
                    space = b == 0x20 || (b >= 0x09 && b <= 0x0D)
                } else {
                    width = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
                    var value = UInt32(b) & (width == 2 ? 0x1F : width == 3 ? 0x0F : 0x07)
                    for k in (i + 1)..<min(i + width, bytes.count) { value = value << 6 | UInt32(bytes[k] & 0x3F) }
                    space = Unicode.Scalar(value)?.properties.isWhitespace ?? false
                }
                if space {
                    inWord = false
                } else {
                    if !inWord {
                        if words == count { out += Array(" …".utf8); break }
                        if words > 0 { out.append(0x20) }
                        words += 1
                        inWord = true
                    }
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<min(i + width, bytes.count)]))
                }
                i += width
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// The readable text of rendered body HTML: tags dropped, entities decoded, whitespace collapsed.
    /// Scripts and styles a site with `markdown.unsafe` may carry are left out.
    static func plainText(fromHTML html: [UInt8], maxWords: Int = excerptWords + 1) -> String {
        html.withUnsafeBufferPointer { plainText(fromHTML: $0, maxWords: maxWords) }
    }

    static func plainText(fromHTML html: String, maxWords: Int = excerptWords + 1) -> String {
        // Read in place: only the first words are wanted, and a page's HTML runs to tens of kilobytes.
        if let text = html.utf8.withContiguousStorageIfAvailable({ plainText(fromHTML: $0, maxWords: maxWords) }) { return text }
        return Array(html.utf8).withUnsafeBufferPointer { plainText(fromHTML: $0, maxWords: maxWords) }
    }

    private static func plainText(fromHTML b: UnsafeBufferPointer<UInt8>, maxWords: Int) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(maxWords >= b.count ? b.count : min(b.count, 8 * maxWords + 64))
        var words = 0
        var lastWasSpace = true
        var i = 0
        func space() {
            if !lastWasSpace { out.append(0x20); lastWasSpace = true }
        }
        func emit(_ c: UInt8) {
            if c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D { space(); return }
            if lastWasSpace { words += 1 }
            out.append(c)
            lastWasSpace = false
        }
        while i < b.count, words <= maxWords {
            let c = b[i]
            if c == UInt8(ascii: "<") {
                guard let close = b[i...].firstIndex(of: UInt8(ascii: ">")) else { break }
                var j = i + 1
                let closing = j < close && b[j] == UInt8(ascii: "/")
                if closing { j += 1 }
                let nameStart = j
                while j < close, Self.isASCIIAlphanumeric(b[j]) { j += 1 }
                let name = (closing ? "/" : "") + String(decoding: b[nameStart..<j], as: UTF8.self).lowercased()
                i = close + 1
                if name == "script" || name == "style", let end = find(Array("</\(name)".utf8), in: b, from: i) {
                    i = end
                    continue
                }
                if Self.inlineTags.contains(name) { continue }
                // A heading ends like a sentence, so that an excerpt does not run it into the text after it.
                if closing, name.utf8.count == 3, name.hasPrefix("/h"), let level = name.utf8.last, (0x31...0x36).contains(level),
                   let last = out.last, !lastWasSpace, !".:!?".utf8.contains(last) {
                    out.append(UInt8(ascii: "."))
                }
                space()
                continue
            }
            i += 1
            if c == UInt8(ascii: "&"), let semi = b[i...].prefix(10).firstIndex(of: UInt8(ascii: ";")) {
                let name = String(decoding: b[i..<semi], as: UTF8.self)
                if let decoded = decodeEntity(name) {
                    for byte in decoded.utf8 { emit(byte) }
                    i = semi + 1
                    continue
                }
            }
            emit(c)
        }
        return trimmingWhitespaces(String(decoding: out, as: UTF8.self))
    }

    /// `text` without the white space at either end that `CharacterSet.whitespaces` names (tab, the
    /// space separators, U+00A0 among them, and, in swift-corelibs-foundation, the zero-width space),
    /// in Swift: Foundation's version goes through NSString and was about 3 % of a cold build.
    static func trimmingWhitespaces(_ text: String) -> String {
        func isWhitespace(_ s: Unicode.Scalar) -> Bool {
            s == " " || s == "\t" || (s.value >= 0x80 && (s.value == 0x200B || s.properties.generalCategory == .spaceSeparator))
        }
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isWhitespace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isWhitespace($0) }) ?? first
        if first == scalars.startIndex && scalars.index(after: last) == scalars.endIndex { return text }
        return String(scalars[first...last])
    }

    private static let inlineTags: Set<String> = ["a", "/a", "span", "/span", "em", "/em", "strong", "/strong", "code", "/code", "mark", "/mark",
                                                  "abbr", "/abbr", "b", "/b", "i", "/i", "u", "/u", "s", "/s", "del", "/del",
                                                  "ins", "/ins", "sub", "/sub", "sup", "/sup", "small", "/small", "kbd", "/kbd",
                                                  "q", "/q", "cite", "/cite", "dfn", "/dfn", "time", "/time", "var", "/var"]

    private static func decodeEntity(_ name: String) -> String? {
        switch name {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos", "#39": return "'"
        case "nbsp": return " "
        default:
            let hex = name.hasPrefix("#x") || name.hasPrefix("#X")
            guard name.hasPrefix("#"), let n = UInt32(name.dropFirst(hex ? 2 : 1), radix: hex ? 16 : 10),
                  let scalar = Unicode.Scalar(n), n != 0 else { return nil }
            return String(Character(scalar))
        }
    }

    private static func isASCIIAlphanumeric(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A)
    }

    private static func find(_ needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        firstIndex(of: needle, in: bytes, from: from)
    }
}

/// Just enough JSON for arrays of mixed values, in a fixed order (deterministic output).
enum JSONValue: Encodable {
    case string(String), int(Int), array([JSONValue]), object([(String, JSONValue)])

    /// The value as JSONEncoder with `[.sortedKeys, .withoutEscapingSlashes]` writes it, byte for
    /// byte, without going through Codable (which took 0.4 s for a 10,000-page search index).
    func write(into json: inout JSONText) {
        switch self {
        case .string(let s):
            json.string(s)
        case .int(let n):
            json.integer(n)
        case .array(let values):
            json.append("[")
            for (k, v) in values.enumerated() {
                if k > 0 { json.append(",") }
                v.write(into: &json)
            }
            json.append("]")
        case .object(let members):
            json.append("{")
            // JSONEncoder's .sortedKeys order: by the keys' UTF-8 bytes.
            for (k, member) in members.sorted(by: { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }).enumerated() {
                if k > 0 { json.append(",") }
                json.string(member.0)
                json.append(":")
                member.1.write(into: &json)
            }
            json.append("}")
        }
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: Encoder) throws {
        switch self {
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .int(let n):
            var c = encoder.singleValueContainer()
            try c.encode(n)
        case .array(let values):
            var c = encoder.unkeyedContainer()
            for v in values { try c.encode(v) }
        case .object(let members):
            var c = encoder.container(keyedBy: Key.self)
            for (k, v) in members { try c.encode(v, forKey: Key(stringValue: k)) }
        }
    }
}
