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
/// result snippet need, not every word of every page.
struct SearchIndex {
    static let path = "search/index.js"
    static let excerptWords = 80
    static let types: [(key: String, label: String)] = [PageType.journey, .persona, .finding, .term, .department]
        .map { ($0.rawValue, $0.label) } + [("page", "Page")]

    struct Entry {
        var title: String
        var url: String
        var type: Int
        var keywords: [(text: String, anchor: String?)]
        var text: String
    }

    var entries: [Entry]

    /// The index of `site`; `bodyText[i]` is page i's body as plain text (from its rendered HTML).
    /// `relativeLinks` makes folder URLs end in `index.html`, which pages opened from disk need.
    init(site: Site, bodyText: [String], relativeLinks: Bool) {
        let base = site.config.basePath
        entries = site.pages.indices.map { i in
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

    /// The index as the script the search page loads.
    func script() -> Data {
        let pages: [JSONValue] = entries.map { e in
            .array([.string(e.title), .string(e.url), .int(e.type),
                    .array(e.keywords.map { k in k.anchor.map { .array([.string(k.text), .string($0)]) } ?? .string(k.text) }),
                    .string(e.text)])
        }
        let index = JSONValue.object([
            ("version", .int(1)),
            ("types", .array(Self.types.map { .array([.string($0.key), .string($0.label)]) })),
            ("pages", .array(pages)),
        ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = (try? encoder.encode(index)) ?? Data("{\"version\":1,\"types\":[],\"pages\":[]}".utf8)
        return Data("window.WaymarkSearchIndex = ".utf8) + json + Data(";\n".utf8)
    }

    static func firstWords(of text: String, _ count: Int) -> String {
        var words: [Substring] = []
        for word in text.split(whereSeparator: { $0.isWhitespace }) {
            if words.count == count { return words.joined(separator: " ") + " …" }
            words.append(word)
        }
        return words.joined(separator: " ")
    }

    /// The readable text of rendered body HTML: tags dropped, entities decoded, whitespace collapsed.
    /// Scripts and styles a site with `markdown.unsafe` may carry are left out.
    static func plainText(fromHTML html: String, maxWords: Int = excerptWords + 1) -> String {
        let b = Array(html.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(min(b.count, 8 * maxWords + 64))
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
        return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespaces)
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

    private static func find(_ needle: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        firstIndex(of: needle, in: bytes, from: from)
    }
}

/// Just enough JSON for arrays of mixed values, in a fixed order (deterministic output).
enum JSONValue: Encodable {
    case string(String), int(Int), array([JSONValue]), object([(String, JSONValue)])

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
