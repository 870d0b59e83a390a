import Foundation

/// One content file through the whole pipeline in memory, for the fuzz targets in Fuzz/:
/// split front matter → decode YAML → decode the entity → scan the body → link it with a few
/// fixed pages → render every page with the default theme. Returns the invariants it broke.
public enum FuzzEntry {
    /// Pages the fuzzed one can link to: a persona, a department, a glossary term with a
    /// synonym (so auto-linking runs) and a journey with a stage and a touchpoint (so anchors resolve).
    static let companions: [(String, String)] = [
        ("personas/sam.md", "---\ntitle: Sam\n---\nSam lives with asthma.\n"),
        ("departments/it.md", "---\ntitle: IT\n---\nThe IT department.\n"),
        ("glossary/persona.md", "---\nterm: Persona\ndefinition: A portrait of one kind of customer.\nsynonyms:\n  it: [user]\n---\n"),
        ("journeys/asthma.md", """
            ---
            title: Asthma
            personas: [personas/sam]
            stages:
              - name: Diagnosis
                touchpoints:
                  - {name: GP appointment, channel: in person}
            ---
            The journey of a persona.

            """),
    ]

    /// Where the fuzzed file lives; the first input byte picks one, so every entity type is decoded.
    static let folders = ["", "journeys/", "personas/", "research/", "glossary/", "departments/"]

    static let theme: Theme? = Theme.load(siteRoot: URL(fileURLWithPath: "/nonexistent-waymark-fuzz-site")).0

    static let loadedCompanions: [LoadedPage] = companions.compactMap { path, text in
        PageLoader.load(ContentFile(relativePath: path, url: URL(fileURLWithPath: "/dev/null"), kind: .markdown), data: Data(text.utf8)).0
    }

    /// `bytes` as the compact form of a cached load result, sealed with the record's checksum (so that
    /// they reach the compact reader) and decoded: nil when rejected.
    static func cacheRecord(compact bytes: [UInt8]) -> LoadedPage? {
        var record = bytes
        var hasher = StableHasher()
        record.withUnsafeBytes { hasher.combine(bytes: $0) }
        for i in 0..<8 { record.append(UInt8(truncatingIfNeeded: hasher.value >> (8 * UInt64(i)))) }
        return decodeRecord(record)
    }

    /// `bytes` taken as a whole record, checksum included: nearly always rejected by the checksum.
    static func cacheRecord(unsealed bytes: [UInt8]) -> LoadedPage? { decodeRecord(bytes) }

    private static func decodeRecord(_ record: [UInt8]) -> LoadedPage? {
        let stamp = FileStamp(size: 0, seconds: 0, nanoseconds: 0, inode: 0)
        let source = BuildCache.Source(stamp: stamp, hash: 0, page: nil, diagnostics: [], record: Data(record), decoded: false)
        return source.decodingRecord(path: "fuzz.md")?.page
    }

    /// Runs `input` as one content file and returns every broken invariant (empty when all hold).
    public static func run(_ input: [UInt8]) -> [String] {
        var broken: [String] = []
        let folder = folders[Int(input.first ?? 0) % folders.count]
        let bytes = Array(input.dropFirst())
        let file = ContentFile(relativePath: folder + "fuzz.md", url: URL(fileURLWithPath: "/dev/null"), kind: .markdown)

        // The pieces on their own, each with what it promises.
        let text = String(decoding: bytes, as: UTF8.self)
        for link in Wikilink.scan(text) {
            let utf8 = Array(text.utf8)
            // An embed's range starts at its `!`.
            let opening: [UInt8] = link.embed ? [0x21, 0x5B, 0x5B] : [0x5B, 0x5B]
            guard link.range.lowerBound >= 0, link.range.upperBound <= utf8.count,
                  utf8[link.range].starts(with: opening), utf8[link.range].reversed().starts(with: [0x5D, 0x5D]) else {
                broken.append("wikilink range \(link.range) is not a \(link.embed ? "![[…]]" : "[[…]]") in the text")
                continue
            }
        }
        if case .success(let split) = FrontMatterSplit.split(text, path: file.displayPath), let yaml = split.yaml {
            _ = YAMLDocument.parse(yaml, path: file.displayPath, firstLine: split.yamlFirstLine)
        }
        broken += HTMLSafety.problems(in: StandaloneRender.html(markdown: text, unsafe: false, headingAnchors: true))
            .map { "waymark render: \($0)" }

        // The same bytes as a build-cache record's compact form, sealed with a valid checksum so that
        // the compact reader itself reads them, and as a whole record: either may reject them, never trap.
        _ = cacheRecord(compact: bytes)
        _ = cacheRecord(unsealed: bytes)

        // The whole pipeline for one page.
        let (page, diagnostics) = PageLoader.load(file, data: Data(bytes))
        for d in diagnostics where d.location.path != file.displayPath {
            broken.append("diagnostic names \(d.location.path), not \(file.displayPath): \(d.message)")
        }
        guard let page, let theme else { return broken }
        var config = SiteConfig()
        config.brokenLinks = .warning
        let (site, _) = Linker(config: config, includeDrafts: true).link(pages: loadedCompanions + [page], assets: [])
        let result = SiteRenderer(site: site, theme: theme).render()
        for output in result.files {
            guard OutputWriter.isSafe(output.path) else {
                broken.append("output path `\(output.path)` leaves the output folder")
                continue
            }
            guard output.path.hasSuffix(".html"), case .bytes(let data) = output.content else { continue }
            broken += HTMLSafety.problems(in: String(decoding: data, as: UTF8.self)).map { "\(output.path): \($0)" }
        }
        return broken
    }
}

/// A small tag scanner over built HTML: what would run script in a reader's browser if it were
/// there. The default theme's only scripts and forms are its search page's, its glossary cards', its journey map's and
/// its search boxes (the site's own files, by `src`, and GET forms to the search page), so any other
/// came from content.
enum HTMLSafety {
    static let forbiddenTags: Set<String> = ["script", "iframe", "object", "embed", "frame", "frameset", "base", "form"]
    static let urlAttributes: Set<String> = ["href", "src", "action", "formaction", "xlink:href", "poster", "data"]

    static func problems(in html: String) -> [String] {
        var problems: [String] = []
        let b = Array(html.utf8)
        var i = 0
        func isNameByte(_ c: UInt8) -> Bool {
            (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x3A || c == 0x5F
        }
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0C || c == 0x0D }
        while i < b.count {
            guard b[i] == UInt8(ascii: "<"), i + 1 < b.count else { i += 1; continue }
            if b[i + 1] == UInt8(ascii: "!") {
                // A comment or doctype: skip to its end.
                if let end = find(Array("-->".utf8), in: b, from: i + 2), b[(i + 2)...].starts(with: Array("--".utf8)) { i = end + 3 } else { i += 2 }
                continue
            }
            var j = i + 1
            let closing = b[j] == UInt8(ascii: "/")
            if closing { j += 1 }
            let nameStart = j
            while j < b.count, isNameByte(b[j]) { j += 1 }
            guard j > nameStart, (b[nameStart] | 0x20) >= 0x61, (b[nameStart] | 0x20) <= 0x7A else { i += 1; continue }
            let tag = String(decoding: b[nameStart..<j], as: UTF8.self).lowercased()
            var attributes: [String: String] = [:]
            // Attributes up to the closing `>`.
            while j < b.count, b[j] != UInt8(ascii: ">") {
                if isSpace(b[j]) || b[j] == UInt8(ascii: "/") { j += 1; continue }
                let attrStart = j
                while j < b.count, !isSpace(b[j]), b[j] != UInt8(ascii: "="), b[j] != UInt8(ascii: ">"), b[j] != UInt8(ascii: "/") { j += 1 }
                let name = String(decoding: b[attrStart..<j], as: UTF8.self).lowercased()
                while j < b.count, isSpace(b[j]) { j += 1 }
                var value = ""
                if j < b.count, b[j] == UInt8(ascii: "=") {
                    j += 1
                    while j < b.count, isSpace(b[j]) { j += 1 }
                    if j < b.count, b[j] == UInt8(ascii: "\"") || b[j] == UInt8(ascii: "'") {
                        let quote = b[j]
                        let valueStart = j + 1
                        j = valueStart
                        while j < b.count, b[j] != quote { j += 1 }
                        value = String(decoding: b[valueStart..<min(j, b.count)], as: UTF8.self)
                        j += 1
                    } else {
                        let valueStart = j
                        while j < b.count, !isSpace(b[j]), b[j] != UInt8(ascii: ">") { j += 1 }
                        value = String(decoding: b[valueStart..<j], as: UTF8.self)
                    }
                }
                if name.hasPrefix("on") { problems.append("event handler attribute `\(name)` on <\(tag)>") }
                if name == "style", value.lowercased().contains("url(") || value.lowercased().contains("expression(") {
                    problems.append("style attribute with url() on <\(tag)>")
                }
                // The default theme's empty favicon (`<link rel="icon" href="data:,">`) stops browsers asking for one.
                if tag == "link", name == "href", value == "data:," { continue }
                if urlAttributes.contains(name), let scheme = MarkdownBody.blockedScheme(decodeEntities(value), image: name == "src" && tag == "img") {
                    problems.append("`\(scheme):` URL in \(name) of <\(tag)>")
                }
                if name == "http-equiv" { problems.append("http-equiv on <\(tag)>") }
                attributes[name] = value
            }
            if !closing, forbiddenTags.contains(tag), !isThemeFile(tag, attributes, followedBy: b[min(j + 1, b.count)...]) {
                problems.append("<\(tag)> element")
            }
            i = j + 1
        }
        return problems
    }

    /// The scripts the build and the default theme write: search and glossary hover cards.
    static let themeScripts = [SearchIndex.path, SearchWords.listPath, "assets/search.js", TermCards.path, "assets/term-cards.js", "assets/journey-map.js", "assets/scroll-regions.js"]

    /// The theme's scripts (`themeScripts`, by `src`, nothing inline) and its search forms (GET to the
    /// site's search page).
    static func isThemeFile(_ tag: String, _ attributes: [String: String], followedBy rest: ArraySlice<UInt8>) -> Bool {
        func sameSitePath(_ v: String) -> Bool { !v.contains(":") && !v.hasPrefix("//") && !v.contains("&") }
        switch tag {
        case "script":
            guard let src = attributes["src"], sameSitePath(src), themeScripts.contains(where: { src.hasSuffix($0) }),
                  Set(attributes.keys).isSubset(of: ["src", "defer"]) else { return false }
            return rest.starts(with: Array("</script>".utf8))
        case "form":
            guard let action = attributes["action"], sameSitePath(action),
                  action.hasSuffix("search/") || action.hasSuffix("search/index.html") else { return false }
            return (attributes["method"] ?? "get").lowercased() == "get"
                && Set(attributes.keys).isSubset(of: ["action", "method", "class", "role", "id"])
        default:
            return false
        }
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        guard needle.count <= bytes.count, from <= bytes.count - needle.count else { return nil }
        for k in from...(bytes.count - needle.count) where bytes[k..<(k + needle.count)].elementsEqual(needle) { return k }
        return nil
    }

    /// Character references a browser decodes in an attribute before it reads the URL's scheme.
    static func decodeEntities(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var out = ""
        var rest = Substring(s)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            rest = rest[amp...]
            let end = rest.firstIndex(of: ";").map { rest.distance(from: rest.startIndex, to: $0) } ?? -1
            guard end > 1, end < 12 else { out += "&"; rest = rest.dropFirst(); continue }
            let body = String(rest.dropFirst().prefix(end - 1)).lowercased()
            var decoded: String?
            if body.hasPrefix("#x"), let n = UInt32(body.dropFirst(2), radix: 16), let u = Unicode.Scalar(n) { decoded = String(u) }
            else if body.hasPrefix("#"), let n = UInt32(body.dropFirst()), let u = Unicode.Scalar(n) { decoded = String(u) }
            else { decoded = ["amp": "&", "colon": ":", "tab": "\t", "newline": "\n", "quot": "\"", "lt": "<", "gt": ">", "#39": "'"][body] }
            if let decoded { out += decoded; rest = rest.dropFirst(end + 1) } else { out += "&"; rest = rest.dropFirst() }
        }
        out += rest
        return out
    }
}
