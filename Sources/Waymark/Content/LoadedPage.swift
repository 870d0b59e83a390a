import Foundation

/// One content file after the load step: typed front matter plus the facts of its body.
struct LoadedPage: Sendable {
    var file: ContentFile
    var id: String
    var type: PageType
    var title: String
    var description: String?
    var draft: Bool
    var tags: [String]
    /// false when the page opts out of glossary auto-linking.
    var glossary = true
    /// Made by Waymark (a folder listing, a glossary view), not written by anyone.
    var isGenerated = false
    var entity: Entity
    /// Front-matter keys no field claims, for templates.
    var params: [YAMLEntry]
    var body: MarkdownBody
    var facts: BodyFacts
    /// The source file's bytes, hashed: what the build cache compares, and what pages showing this one depend on.
    var sourceHash: UInt64 = 0
    /// The front matter's text, hashed: with the body's facts, what pages summarising the site show of this one.
    var frontMatterHash: UInt64 = 0
    /// Its front matter could not be read (that error is reported on this page): what it holds (stages,
    /// touchpoints, its type's fields) is unknown, so references to it are not reported as broken too.
    var frontMatterUnreadable = false

    var path: String { file.displayPath }

    /// Every anchor on the page: stages, touchpoints and headings.
    var anchors: Set<String> {
        var set = Set(facts.headings.map(\.anchor))
        set.formUnion(facts.blockAnchors)
        if case .journey(let j) = entity {
            for stage in j.stages {
                set.insert(stage.anchor)
                for tp in stage.touchpoints { set.insert(tp.anchor) }
            }
        }
        return set
    }
}

/// The load step for one file: read, check encoding, split and decode front matter, scan the body.
enum PageLoader {
    /// Larger files are refused with a clear diagnostic instead of stalling the build.
    static let maxFileBytes = 32 * 1024 * 1024

    static func load(_ file: ContentFile) -> (LoadedPage?, [Diagnostic]) {
        let path = file.displayPath
        let start = SourceLocation(path: path, line: 1, column: 1)
        switch readRegularFile(file.path) {
        case .contents(let data)?:
            return load(file, data: data)
        case .tooLarge(let size)?:
            return (unreadable(file), [.error(start, Self.tooLarge(size),
                                 hint: "split it into several pages")])
        case nil:
            // Anything unusual is read again through Foundation, whose error messages writers see.
            break
        }
        let data: Data
        do {
            let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
            if size > maxFileBytes {
                return (unreadable(file), [.error(start, Self.tooLarge(size),
                                     hint: "split it into several pages")])
            }
            data = try Data(contentsOf: file.url)
        } catch {
            return (unreadable(file), [.error(start, "cannot read file: \(error.localizedDescription)", hint: "check the file's permissions")])
        }
        let (loaded, diagnostics) = load(file, data: data)
        var page = loaded
        page?.sourceHash = StableHasher.hash(data)
        return (page, diagnostics)
    }

    /// The load step with the build cache: a file whose stamp or bytes match what the cache saw is not
    /// parsed again. Returns the page, its diagnostics and what the next build's cache keeps of it.
    static func load(_ file: ContentFile, cached: BuildCache.Source?) -> (LoadedPage?, [Diagnostic], BuildCache.Source?) {
        let stamp = FileStamp.of(file.path)
        // A record that cannot be decoded is not trusted: the file is loaded again.
        let cached = cached?.decodingRecord(path: file.relativePath)
        if let cached, let stamp, cached.stamp == stamp {
            return (cached.page, cached.diagnostics, cached)
        }
        guard let stamp, stamp.size <= maxFileBytes, let data = try? Data(contentsOf: file.url) else {
            let (page, diagnostics) = load(file)
            return (page, diagnostics, nil)
        }
        let hash = StableHasher.hash(data)
        if var cached, cached.hash == hash {
            // Same bytes, new stamp (a fresh checkout): the load result still holds.
            cached.stamp = stamp
            return (cached.page, cached.diagnostics, cached)
        }
        let (loaded, diagnostics) = load(file, data: data)
        var page = loaded
        page?.sourceHash = hash
        var kept = page
        // What only rendering needs is not kept: the text (read again when the page is rendered) and,
        // for pages auto-linked while rendering, the text the glossary scans.
        if let p = kept, p.type != .term, p.glossary { kept?.facts.glossaryText = "" }
        return (page, diagnostics, BuildCache.Source(stamp: stamp, hash: hash, page: kept, diagnostics: diagnostics, record: nil))
    }

    enum FileRead {
        case contents(Data)
        case tooLarge(Int)
    }

    /// One open, fstat and read (FileManager's attributes cost a tenth of the load step); nil when
    /// anything fails, so the caller can report it.
    static func readRegularFile(_ path: String) -> FileRead? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        let size = Int(info.st_size)
        if size > maxFileBytes { return .tooLarge(size) }
        var data = Data(count: size)
        var done = 0
        let ok = data.withUnsafeMutableBytes { buffer -> Bool in
            guard let base = buffer.baseAddress else { return true }
            while done < size {
                let n = read(fd, base + done, size - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                if n == 0 { break }  // the file shrank since fstat
                done += n
            }
            return true
        }
        guard ok else { return nil }
        if done < size { data.removeSubrange(done..<size) }
        return .contents(data)
    }

    /// The load step on bytes already read (the fuzz target feeds it without touching disk).
    static func load(_ file: ContentFile, data: Data) -> (LoadedPage?, [Diagnostic]) {
        let path = file.displayPath
        if data.count > maxFileBytes {
            // The file grew after its size was checked.
            return (unreadable(file), [.error(SourceLocation(path: path, line: 1, column: 1),
                                 Self.tooLarge(data.count), hint: "split it into several pages")])
        }
        var text: String
        switch SourceText.decode(data, path: path) {
        case .success(let s): text = s.text
        case .failure(let d): return (unreadable(file), [d])
        }
        // Fences are found and front matter is read on the text's bytes; only the body becomes a new String.
        let whole = text
        var cutByComments: [Diagnostic] = []
        let read = text.withUTF8 { bytes -> Result<(FrontMatterSplit.Fences, Result<YAMLValue?, Diagnostic>?, String, UInt64), Diagnostic> in
            FrontMatterSplit.locate(bytes, path: path).map { fences in
                guard let yaml = fences.yaml else { return (fences, nil, whole, 0) }
                let yamlBytes = UnsafeBufferPointer(rebasing: bytes[yaml])
                let value = YAMLDocument.parse(utf8: yamlBytes, path: path, firstLine: fences.yamlFirstLine)
                if case .success = value { cutByComments = Self.valuesCutByComments(yamlBytes, path: path, firstLine: fences.yamlFirstLine) }
                var hasher = StableHasher()
                hasher.combine(bytes: UnsafeRawBufferPointer(yamlBytes))
                return (fences, value, String(decoding: UnsafeBufferPointer(rebasing: bytes[fences.body]), as: UTF8.self), hasher.value)
            }
        }
        let split: FrontMatterSplit.Fences, yamlResult: Result<YAMLValue?, Diagnostic>?, bodyText: String, frontMatterHash: UInt64
        switch read {
        case .success(let r): (split, yamlResult, bodyText, frontMatterHash) = r
        case .failure(let d): return (unreadable(file), [d])
        }
        var diagnostics = cutByComments
        var frontMatter: YAMLValue?
        var yamlFailed = false
        switch yamlResult {
        case .success(let v)?: frontMatter = v
        case .failure(let d)?: diagnostics.append(d); yamlFailed = true
        case nil: break
        }
        let type = pageType(file, frontMatter: frontMatter, diagnostics: &diagnostics)
        let decoded = EntityDecoder.decode(type, frontMatter: frontMatter, path: path)
        // Unreadable YAML is one error; its fields are not also "missing".
        if !yamlFailed { diagnostics += decoded.diagnostics }

        var reserved: Set<String> = []
        if case .journey(let j) = decoded.entity { reserved = Set(j.stages.map { $0.anchor }) }
        let uncommented = SourceText.withoutComments(bodyText)
        if let at = uncommented.unclosed {
            diagnostics.append(.warning(SourceLocation(path: path, line: split.bodyFirstLine + at.line - 1, column: at.column),
                                        "this `%%` comment is never closed: the rest of the page is hidden, as in Obsidian",
                                        hint: "end the comment with `%%`; to show two per cent signs, put them in `code`"))
        }
        let body = MarkdownBody(text: SourceText.withoutWikilinkDefinitions(SourceText.controlsAsSpaces(uncommented.text)), path: path,
                                firstLine: split.bodyFirstLine, reservedAnchors: reserved)
        // Pages auto-linked while rendering have their words found then; the others keep their text for the glossary.
        let facts = body.scan(glossaryText: type == .term || !decoded.glossary)
        diagnostics += facts.problems
        let heading = facts.headings.first(where: { $0.level == 1 })?.text
        if !yamlFailed, decoded.title == nil, heading == nil, ![.page, .listing, .home, .term, .glossary, .vocabulary, .matrix, .coverage].contains(type) {
            // A file without any front matter (an imported handbook page) gets a warning; typed data without a title is an error.
            // A misspelt `titel:` is that one error, at the misspelling (as for every other required field).
            if let k = diagnostics.firstIndex(where: { $0.severity == .warning && $0.message.hasPrefix("unknown field `") && $0.message.hasSuffix("did you mean `title`?") }) {
                let misspelt = diagnostics[k].message.dropFirst("unknown field `".count).prefix { $0 != "`" }
                diagnostics[k] = .error(diagnostics[k].location, "unknown field `\(misspelt)` in \(type.label.lowercased()): did you mean `title`, which it needs?",
                                        hint: "rename `\(misspelt)` to `title`")
            } else {
                diagnostics.append(Diagnostic(split.yaml == nil ? .warning : .error,
                                              frontMatter?.location ?? SourceLocation(path: path, line: 1, column: 1),
                                              "\(type.label.lowercased()) is missing the required field `title`",
                                              hint: "add `title: A short title` to the front matter (or start the body with `# A short title`)"))
            }
        }
        // Text `waymark new` left for the writer to replace is published as it is: said once per place.
        if let first = facts.firstParagraph, let placeholder = PageSkeleton.bodyPlaceholders.first(where: { first.hasPrefix($0) }) {
            let before = bodyText.range(of: placeholder).map { bodyText[..<$0.lowerBound].reduce(0) { $1 == "\n" ? $0 + 1 : $0 } } ?? 0
            diagnostics.append(.warning(SourceLocation(path: path, line: split.bodyFirstLine + before, column: 1),
                                        "the page still starts with the placeholder text `waymark new` wrote",
                                        hint: "replace “\(placeholder.prefix(40))…” with your own words: it is published as it is"))
        }
        if case .term(let t) = decoded.entity, t.definition == PageSkeleton.definitionPlaceholder {
            var at = frontMatter?.location ?? SourceLocation(path: path, line: 1, column: 1)
            if case .mapping(let entries, _)? = frontMatter, let entry = entries.first(where: { $0.key == "definition" }) { at = entry.value.location }
            diagnostics.append(.warning(at, "`definition` is still the placeholder `waymark new` wrote",
                                        hint: "write the one sentence every department agrees on: it is the term's card and its glossary entry"))
        }
        if split.yaml == nil, let first = Self.fencelessField(bodyText) {
            // `title: Notes` on the first line without `---` around it: shown as text, silently, otherwise.
            diagnostics.append(.warning(SourceLocation(path: path, line: 1, column: 1),
                                        "`\(first):` on the first line looks like front matter, but there is no `---` line above it, so it is shown as text",
                                        hint: "put a line with just `---` before the fields and another after them"))
        }
        // A title is written into link labels, listings and feeds: no control characters (a YAML "\v").
        let title = SourceText.controlsAsSpaces(decoded.title ?? heading ?? prettyTitle(file))
        var page = LoadedPage(file: file, id: file.pageID, type: type, title: title, description: decoded.description.map(SourceText.controlsAsSpaces),
                              draft: decoded.draft, tags: decoded.tags, glossary: decoded.glossary, entity: decoded.entity, params: decoded.params,
                              body: body, facts: facts)
        page.frontMatterHash = frontMatterHash
        page.frontMatterUnreadable = yamlFailed
        return (page, diagnostics)
    }

    /// "file is 32.5 MB; the limit is 32 MB": sizes in megabytes with one decimal, or in bytes when
    /// the file is so little over that both would read the same.
    static func tooLarge(_ size: Int) -> String {
        func megabytes(_ bytes: Int) -> String {
            let tenths = bytes * 10 / 1_048_576
            return tenths % 10 == 0 ? "\(tenths / 10) MB" : "\(tenths / 10).\(tenths % 10) MB"
        }
        let (file, limit) = (megabytes(size), megabytes(maxFileBytes))
        if file != limit { return "file is \(file); the limit is \(limit)" }
        return "file is \(PageContext.groupedDigits(size)) bytes; the limit is \(PageContext.groupedDigits(maxFileBytes)) bytes"
    }

    /// The field a body's first line names when it looks like front matter written without its fences
    /// (`title: Notes`): a field Waymark reads, then `: ` and a value.
    static func fencelessField(_ body: String) -> String? {
        guard let colon = body.prefix(80).firstIndex(of: ":") else { return nil }
        let key = body[..<colon]
        // Lowercase keys that prose does not open with ("Summary: …" may well be prose).
        let keys: Set<Substring> = ["title", "type", "tags", "draft", "personas", "stages", "term", "synonyms"]
        guard keys.contains(key), body[colon...].hasPrefix(": ") else { return nil }
        return String(key)
    }

    /// A page whose front matter cannot even be told from its body (a fence is not closed): it stays in
    /// the site, empty, so that links to it are not reported as broken on top of the one error in it.
    static func unreadable(_ file: ContentFile) -> LoadedPage {
        var ignored: [Diagnostic] = []
        let type = pageType(file, frontMatter: nil, diagnostics: &ignored)
        var page = LoadedPage(file: file, id: file.pageID, type: type, title: prettyTitle(file), description: nil, draft: false, tags: [],
                              glossary: false, entity: EntityDecoder.decode(type, frontMatter: nil, path: file.displayPath).entity,
                              params: [], body: MarkdownBody(text: "", path: file.displayPath, firstLine: 1), facts: BodyFacts())
        page.frontMatterUnreadable = true
        return page
    }

    /// The folder decides the type; `type:` overrides it. A folder's own index page is a plain page.
    /// A warning for each front matter value that a ` #` cut short (`YAMLReader.valuesCutByComments`).
    static func valuesCutByComments(_ yaml: UnsafeBufferPointer<UInt8>, path: String, firstLine: Int) -> [Diagnostic] {
        YAMLReader.valuesCutByComments(yaml).map { cut in
            let field = cut.key.map { "`\($0):` " } ?? "the value "
            let reads = cut.kept.isEmpty ? "is empty" : "is only `\(cut.kept)`"
            let quoted = "\"" + cut.written.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            return .warning(SourceLocation(path: path, line: firstLine + cut.line, column: cut.column),
                            "\(field)\(reads): YAML reads ` #` and the rest of the line as a comment",
                            hint: "to keep it, put the whole value in quotes: `\(cut.key.map { "\($0): " } ?? "")\(quoted)`")
        }
    }

    static func pageType(_ file: ContentFile, frontMatter: YAMLValue?, diagnostics: inout [Diagnostic]) -> PageType {
        // Only an entity's own file is typed: `personas/sam.md` or `personas/sam/index.md`. The type
        // folder's index and deeper pages (`departments/cloud/onboarding.md` in a handbook) are plain pages.
        let idParts = file.pageID.slashSeparated()
        var type = PageType.page
        if idParts.count == 2, let t = PageType.fromFolder(String(idParts[0])) { type = t }
        if case .mapping(let entries, _) = frontMatter, let entry = entries.first(where: { $0.key == "type" }), !entry.value.isNull {
            guard case .scalar(let name, _, let loc) = entry.value else {
                // A persona's own `type` (primary or secondary) is checked, and reported, by the entity decoder.
                if type != .persona {
                    diagnostics.append(.error(entry.value.location, "`type` must be text, not \(entry.value.kindDescription)",
                                              hint: "use one of journey, persona, finding, term, department, page"))
                }
                return type
            }
            if let t = PageType.fromFrontMatter(name) {
                type = t
            } else if type == .persona {
                // A persona's own `type` says primary or secondary; anything else is most likely meant as that.
                if !["primary", "secondary"].contains(name.lowercased()) {
                    diagnostics.append(.error(loc, "a persona's `type` is primary or secondary, not `\(name)`",
                                              hint: "write `type: primary` or `type: secondary` (or leave it out)"))
                }
            } else if !Self.otherToolsTypes.contains(name.lowercased()),
                      let meant = ["journey", "persona", "finding", "term", "department", "page"].first(where: { editDistance(name.lowercased(), $0) <= 1 }) {
                // A misspelt type (`jorney`) would lose every check of that type: an error.
                diagnostics.append(.error(loc, "unknown page type `\(name)`", hint: "did you mean `type: \(meant)`?"))
            } else {
                // Notes from Obsidian, Foam or Dataview often use `type:` for their own kinds (`feature`, `meeting`).
                type = .page
                diagnostics.append(.warning(loc, "unknown page type `\(name)`: the page is built as a plain page",
                                            hint: "Waymark's types are journey, persona, finding, term, department and page; "
                                                + "rename the field (e.g. `kind: \(name)`) to keep it without this warning"))
            }
        }
        return type
    }

    /// `type:` values other tools' notes use (Obsidian, Foam, Dataview) that lie near a Waymark type:
    /// never taken for a misspelling of it.
    static let otherToolsTypes: Set<String> = ["person", "people", "journal", "team", "tag", "tags", "note", "notes", "meeting",
                                               "daily", "project", "task", "topic", "idea", "book", "article", "pages"]

    static func prettyTitle(_ file: ContentFile) -> String {
        LoadedPage.prettyName(file.pageID.slashSeparated().last.map(String.init) ?? "Home")
    }
}
