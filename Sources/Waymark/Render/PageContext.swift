import Foundation

/// Builds the Mustache context for one page as typed template values. Every value is plain text
/// that templates escape, except `page.content`. Whole-site views are computed once, in `init`.
struct PageContext: Sendable {
    let site: Site
    let nav: [TemplateObject]
    /// The `site` context by the section whose navigation item is marked active ("" for the home page),
    /// and with none active: made once, not per page (each page copied every navigation item to mark it).
    private let siteContexts: [String: TemplateObject]
    private let siteContextNoneActive: TemplateObject
    let hasFindings: Bool
    /// Glossary entries A–Z and department pages by title, shared by the glossary views.
    let sortedEntries: [Int]
    let departments: [Int]
    /// Per department page: the handoffs that touch it and its words, found in one pass over the site
    /// the first time a department page asks (a rebuild that keeps every department page never does).
    private let departmentIndexes: ComputedOnce<(handoffs: [Int: [JourneyIndex.Handoff]], words: [Int: [(words: String, entry: Int)]])>
    var departmentHandoffs: [Int: [JourneyIndex.Handoff]] { departmentIndexes.value.handoffs }
    var departmentWords: [Int: [(words: String, entry: Int)]] { departmentIndexes.value.words }
    /// Every page as a link (`link(_:)`), made the first time a term page lists the pages that use it:
    /// a page used by forty terms is then one value in forty lists, not forty values.
    private let pageLinks: ComputedOnce<[TemplateValue]>
    /// Every page as a line of the default theme's "Used in" list, `<li><a href="…">…</a></li>`,
    /// escaped: a common term's page lists thousands, which are copied, not rendered one by one.
    private let pageLines: ComputedOnce<(bytes: [UInt8], ranges: [Range<Int>])>

    /// `sharing` a context of the same site (before glossary usage was filled in) reuses its
    /// whole-site views instead of computing them again: none of them depends on term usage.
    init(site: Site, sharing earlier: PageContext? = nil) {
        self.site = site
        if let earlier {
            nav = earlier.nav
            siteContexts = earlier.siteContexts
            siteContextNoneActive = earlier.siteContextNoneActive
            hasFindings = earlier.hasFindings
            sortedEntries = earlier.sortedEntries
            departments = earlier.departments
            departmentIndexes = earlier.departmentIndexes
            pageLinks = earlier.pageLinks
            pageLines = earlier.pageLines
            return
        }
        var nav: [TemplateObject] = [["title": "Home", "url": .text(site.config.basePath), "id": ""]]
        for type in [PageType.journey, .persona, .finding, .term, .department] {
            guard let folder = type.folder, let i = site.index.page(id: folder) else { continue }
            nav.append(["title": .text(type.sectionTitle), "url": .text(site.url(of: i)), "id": .text(folder)])
        }
        if let c = site.index.page(id: "coverage") { nav.append(["title": "Coverage", "url": .text(site.url(of: c)), "id": "coverage"]) }
        if let t = site.index.page(id: TagIndex.folder), site.pages[t].type == .tags {
            nav.append(["title": "Tags", "url": .text(site.url(of: t)), "id": .text(TagIndex.folder)])
        }
        self.nav = nav
        let findings = site.pages.withUnsafeBufferPointer { pages in pages.indices.contains { pages[$0].type == .finding } }
        func siteContext(active: String?) -> TemplateObject {
            let navItems = nav.map { item -> TemplateValue in
                var item = item
                item["active"] = .bool(active != nil && item["id"]?.string == active)
                return .object(item)
            }
            var siteCtx: TemplateObject = ["title": .text(site.config.title), "base": .text(site.config.basePath), "nav": .list(navItems)]
            if findings { siteCtx["feedURL"] = .text(site.config.basePath + "research/feed.xml") }
            return siteCtx
        }
        var contexts: [String: TemplateObject] = [:]
        for item in nav { if let id = item["id"]?.string { contexts[id] = siteContext(active: id) } }
        siteContexts = contexts
        siteContextNoneActive = siteContext(active: nil)
        // Through the buffer: iterating the pages, or reading `site.pages[i].type`, copies each whole page.
        hasFindings = findings
        departments = site.pages.withUnsafeBufferPointer { pages in
            pages.indices.filter { pages[$0].type == .department }.sorted { pages[$0].title < pages[$1].title }
        }
        // A–Z as a dictionary files words: "Ärztenetz" among the A's (accents and case aside, then as
        // written). Folded once, not per comparison.
        let names = site.glossary.entries.map { (Self.folded($0.name), $0.name.lowercased()) }
        sortedEntries = names.indices.sorted { names[$0] < names[$1] }
        departmentIndexes = ComputedOnce { Self.departmentIndex(site) }
        pageLinks = ComputedOnce { [site] in
            let context = PageContext(linksOf: site)
            return site.pages.indices.map { .object(context.link($0)) }
        }
        pageLines = ComputedOnce { [site] in Self.listLines(site) }
    }

    /// `pageLines`: each page's line in one buffer, and where each is.
    private static func listLines(_ site: Site) -> (bytes: [UInt8], ranges: [Range<Int>]) {
        var bytes: [UInt8] = [], ranges: [Range<Int>] = []
        ranges.reserveCapacity(site.pages.count)
        bytes.reserveCapacity(site.pages.count * 96)
        for i in site.pages.indices {
            let start = bytes.count
            bytes += #"        <li><a href=""#.utf8
            var url = site.url(of: i), title = site.pages[i].title
            url.withUTF8 { HTMLEscaper.append($0, to: &bytes) }
            bytes += #"">"#.utf8
            title.withUTF8 { HTMLEscaper.append($0, to: &bytes) }
            bytes += "</a></li>".utf8
            ranges.append(start..<bytes.count)
        }
        return (bytes, ranges)
    }

    /// A context that only makes links (`link(_:)`), for the list of every page as a link.
    private init(linksOf site: Site) {
        self.site = site
        (nav, siteContexts, siteContextNoneActive, hasFindings, sortedEntries, departments) = ([], [:], [:], false, [], [])
        departmentIndexes = ComputedOnce { ([:], [:]) }
        pageLinks = ComputedOnce { [] }
        pageLines = ComputedOnce { ([], []) }
    }

    func link(_ i: Int, anchor: String? = nil) -> TemplateObject {
        // Read in place: `site.pages[i].title` can copy the whole page first (retaining every field).
        let (title, type, draft) = site.pages.withUnsafeBufferPointer { ($0[i].title, $0[i].type, $0[i].draft) }
        var l: TemplateObject = ["title": .text(title), "url": .text(anchor.map { site.url(of: i) + "#" + urlFragment($0) } ?? site.url(of: i)),
                                 "typeLabel": .text(type.label)]
        if draft { l["draft"] = true }
        return l
    }

    /// Every page as a link, made once per build: a list of thousands of pages (what a department
    /// owns, a tag's pages, backlinks) then shares values instead of making one per item.
    /// Index it with page numbers; each value is `link(_:)`'s.
    var links: [TemplateValue] { pageLinks.value }

    /// A front-matter reference as a link when it resolves, else as its text (the link step already reported it).
    func link(_ ref: Located<String>, type: PageType?) -> TemplateObject {
        if case .page(let i, let anchor) = site.index.resolve(reference: ref.value, type: type) {
            var l = link(i, anchor: anchor)
            if let anchor, case .journey(let j) = site.pages[i].entity, let name = ReferenceChecker.stageOrTouchpointName(anchor, in: j) {
                l["title"] = .text("\(site.pages[i].title) › \(name)")
            }
            return l
        }
        return ["title": .text(ref.value)]
    }

    /// `leadLength`: how much of `content` comes before the body's first heading (`page.lead`);
    /// nil when unknown, and then `page.afterLead` is the whole body.
    func context(for i: Int, content: [UInt8], leadLength: Int? = nil, prose: Prose = Prose()) -> TemplateValue {
        let page = site.pages[i]
        var fields = FieldList()
        var ctx: TemplateObject = [:]
        switch page.entity {
        case .journey(let j): ctx["journey"] = .object(journey(j, page: i, fields: &fields, prose: prose))
        case .persona(let p): ctx["persona"] = .object(persona(p, page: i, fields: &fields, prose: prose))
        case .finding(let f): finding(f, fields: &fields)
        case .term(let t): ctx["term"] = .object(term(t, page: i, fields: &fields, prose: prose))
        case .department(let d):
            fields.text("Lead", d.lead)
            // An e-mail address is a link that starts a message.
            if let c = d.contact, Self.isEmailAddress(c) {
                fields.links("Contact", [["url": .text("mailto:" + c), "title": .text(c)]])
            } else {
                fields.text("Contact", d.contact)
            }
            ctx["department"] = .object(departmentView(i))
        case .page: break
        }
        let tags = tagLinks(i)
        fields.links("Tags", tags)
        for p in page.params { fields.param(p) }

        var breadcrumbs: [TemplateValue] = []
        if !page.id.isEmpty {
            breadcrumbs.append(["title": "Home", "url": .text(site.config.basePath)])
            let parts = page.id.slashSeparated().map(String.init)
            for n in parts.indices.dropLast() {
                let folder = parts[...n].joined(separator: "/")
                if let f = site.index.page(id: folder) { breadcrumbs.append(["title": .text(site.pages[f].title), "url": .text(site.url(of: f))]) }
            }
        }
        // `backlinks` has them all; `otherBacklinks` (what the default theme shows) leaves out what the
        // page shows in its own sections (a persona's journeys, a department's vocabulary, a term's
        // "Used in"), and a page under "Mentioned in" that is listed by what it says of this one.
        let shownAbove: Set<Backlink.Relation> = switch page.type {
        case .persona: [.walkedJourneys]
        case .department: [.vocabulary]
        case .term: [.mentions, .notToConfuse]
        default: []
        }
        let typedSources = Set(site.backlinks[i].lazy.filter { $0.relation != .mentions }.map(\.source))
        var groups: [TemplateValue] = [], otherGroups: [TemplateValue] = []
        var current: (relation: Backlink.Relation, items: [TemplateValue], others: [TemplateValue])?
        func close() {
            guard let c = current else { return }
            groups.append(["relation": .text(c.relation.label), "items": .list(c.items)])
            guard !c.others.isEmpty else { return }
            // A page linked from dozens shows the first few of a relation, the rest behind "Show N more".
            var group: TemplateObject = ["relation": .text(c.relation.label), "items": .list(c.others), "count": .int(c.others.count),
                                         "shown": .list(Array(c.others.prefix(Self.backlinkListLimit)))]
            if c.others.count > Self.backlinkListLimit {
                group["more"] = .int(c.others.count - Self.backlinkListLimit)
                group["rest"] = .list(Array(c.others.dropFirst(Self.backlinkListLimit)))
            }
            otherGroups.append(.object(group))
        }
        for b in site.backlinks[i] {
            var item = link(b.source)
            item["context"] = .text(b.context)
            if current?.relation != b.relation {
                close()
                current = (b.relation, [], [])
            }
            current?.items.append(.object(item))
            if !shownAbove.contains(b.relation), !(b.relation == .mentions && typedSources.contains(b.source)) {
                current?.others.append(.object(item))
            }
        }
        close()

        var pageCtx: TemplateObject = [
            "id": .text(page.id), "title": .text(page.title), "url": .text(site.url(of: i)), "type": .text(page.type.rawValue),
            "typeLabel": .text(page.type.label), "content": .utf8(content),
            "breadcrumbs": .list(breadcrumbs), "hasBreadcrumbs": .bool(!breadcrumbs.isEmpty),
            "fields": .list(fields.rows), "hasFields": .bool(!fields.rows.isEmpty),
            "backlinks": .list(groups), "hasBacklinks": .bool(!groups.isEmpty),
            "otherBacklinks": .list(otherGroups), "hasOtherBacklinks": .bool(!otherGroups.isEmpty),
            "params": .object(TemplateObject(page.params.map { ($0.key, $0.value.templateValue) }, uniquingKeysWith: { a, _ in a })),
        ]
        if let d = page.description { pageCtx["summary"] = .text(d) }
        // The home page is usually titled as the site: its tab says it once.
        if page.title == site.config.title { pageCtx["isSiteTitle"] = true }
        if !tags.isEmpty { pageCtx["tags"] = .list(tags.map(TemplateValue.object)); pageCtx["hasTags"] = true }
        if page.draft { pageCtx["draft"] = true }
        // The lead (the writer's introduction) and the rest, for themes that show the lead before
        // the page's generated views; a copy only when the body has both.
        let lead = min(max(leadLength ?? 0, 0), content.count)
        pageCtx["lead"] = .utf8(lead == content.count ? content : Array(content[..<lead]))
        pageCtx["afterLead"] = .utf8(lead == 0 ? content : Array(content[lead...]))
        let bodyToc = tableOfContents(page)
        if bodyToc.count >= 3 {
            pageCtx["bodyToc"] = .list(bodyToc)
            pageCtx["hasBodyToc"] = true
        }
        // "On this page" lists the whole page: the generated sections shown above and below the body,
        // the body's headings, and "Linked from".
        let sections = Self.generatedSections(page.type, typed: ctx)
        var toc = sections.before.map(Self.tocEntry) + bodyToc + sections.after.map(Self.tocEntry)
        if !otherGroups.isEmpty { toc.append(Self.tocEntry(Self.linkedFromSection)) }
        if toc.count >= 3 {
            pageCtx["toc"] = .list(toc)
            pageCtx["hasToc"] = true
        }
        ctx["page"] = .object(pageCtx)
        ctx["site"] = .object(siteContext(for: page))
        if page.type == .listing || page.type == .home {
            var children = site.children[page.id] ?? []
            // A folder of research findings is a table, newest first: what was learnt, how, when, from
            // how many people, how sure.
            let findings = children.compactMap { c -> (Int, Finding)? in
                if case .finding(let f) = site.pages[c].entity { return (c, f) } else { return nil }
            }
            let isResearch = !children.isEmpty && findings.count == children.count
            if isResearch {
                let order = Dictionary(uniqueKeysWithValues: children.enumerated().map { ($1, $0) })
                children = findings.sorted { a, b in a.1.date != b.1.date ? a.1.date > b.1.date : order[a.0, default: 0] < order[b.0, default: 0] }.map(\.0)
            }
            let items = children.map { c -> TemplateValue in
                var l = link(c)
                if let s = site.pages[c].description ?? site.firstParagraph(of: c).map(Self.summary) { l["summary"] = .text(s) }
                if case .finding(let f) = site.pages[c].entity {
                    l["finding"] = ["method": .text(f.method), "date": .text(f.date),
                                    "participants": .text(f.participants.map(Self.groupedDigits) ?? ""),
                                    "confidence": .text(f.confidence ?? "")]
                }
                // A journey says what a reader picks by: who owns it, how far it is, what it rests on.
                if case .journey(let j) = site.pages[c].entity {
                    var meta: [String] = []
                    if let o = j.owner, case .page(let d, _) = site.index.resolve(reference: o.value, type: .department),
                       site.pages[d].type == .department { meta.append("owner: " + site.pages[d].title) }
                    if let status = j.status { meta.append("status: " + status) }
                    if let basis = j.basis { meta.append("basis: " + basis) }
                    if !meta.isEmpty { l["meta"] = .text(meta.joined(separator: " · ")) }
                }
                return .object(l)
            }
            ctx["listing"] = ["items": .list(items), "hasItems": .bool(!items.isEmpty), "isResearch": .bool(isResearch)]
        }
        if page.type == .home { ctx["home"] = ["sections": .list(homeSections())] }
        if page.id == "personas", page.type == .listing || page.type == .page {
            let overview = personaOverview()
            if !overview.isEmpty { ctx["personaOverview"] = .list(overview) }
        }
        switch page.type {
        case .glossary: ctx["glossary"] = .object(glossaryIndex())
        case .vocabulary: ctx["vocabulary"] = .object(vocabulary(for: page))
        case .matrix: ctx["matrix"] = .object(matrix())
        case .coverage: ctx["coverage"] = .object(coverage())
        case .tags: ctx["tags"] = .object(tagIndex())
        case .tag: ctx["tag"] = .object(tagPage(page))
        default: break
        }
        return .object(ctx)
    }

    /// The pages of `type`, A–Z by title regardless of case. Each title is lowercased once and read in
    /// place: lowercasing in the comparison (and copying each page to read its title) made a sort of
    /// 4,000 journeys some 100,000 lowercased copies.
    func sortedByTitle(type: PageType) -> [Int] {
        let keyed: [(page: Int, key: String)] = site.pages.withUnsafeBufferPointer { pages in
            pages.indices.compactMap { pages[$0].type == type ? ($0, pages[$0].title.lowercased()) : nil }
        }
        return keyed.sorted { $0.key != $1.key ? $0.key < $1.key : $0.page < $1.page }.map(\.page)
    }

    /// `site`: title, base path, navigation (the section of `page` marked active) and the feed's URL.
    func siteContext(for page: LoadedPage?) -> TemplateObject {
        guard let page else { return siteContextNoneActive }
        // The home page's item is the one with the empty id; any other page's is its first folder's.
        let section = page.id.isEmpty ? "" : page.id.slashSeparated().first.map(String.init) ?? ""
        return siteContexts[section] ?? siteContextNoneActive
    }

    /// Persona × stage: for each persona, every journey it walks with that journey's stages and feelings.
    private func personaOverview() -> [TemplateValue] {
        // A journey walked by several personas lists its stages under each: made once.
        var stagesOfJourney: [Int: TemplateValue] = [:]
        return sortedByTitle(type: .persona)
            .map { p -> TemplateValue in
                let journeys = site.backlinks[p].filter { $0.relation == .walkedJourneys }.map(\.source)
                var row = link(p)
                row["journeys"] = .list(journeys.map { j -> TemplateValue in
                    var l = link(j)
                    if let stages = stagesOfJourney[j] {
                        l["stages"] = stages
                    } else if case .journey(let journey) = site.pages[j].entity {
                        let url = site.url(of: j)
                        let stages = TemplateValue.list(journey.stages.map { s -> TemplateValue in
                            var stage: TemplateObject = ["name": .text(s.name), "url": .text(url + "#" + s.anchor)]
                            if let e = s.emotion { stage["emotion"] = .int(e); stage["emotionLabel"] = .text(Self.signed(e)) }
                            return .object(stage)
                        })
                        stagesOfJourney[j] = stages
                        l["stages"] = stages
                    }
                    return .object(l)
                })
                row["walksNone"] = .bool(journeys.isEmpty)
                return .object(row)
            }
    }

    /// A section of the default theme around a page's body: its heading and the heading's id.
    struct GeneratedSection: Equatable {
        let title: String
        let anchor: String
    }

    static let linkedFromSection = GeneratedSection(title: "Linked from", anchor: "wm-backlinks-title")

    /// The sections the default theme shows before and after a page's body, as its templates decide
    /// them (from the same values): "On this page" lists them with the body's headings. Their titles
    /// and ids are the templates' (a test holds the two together).
    static func generatedSections(_ type: PageType, typed ctx: TemplateObject) -> (before: [GeneratedSection], after: [GeneratedSection]) {
        func has(_ view: String, _ key: String) -> Bool {
            switch ctx[view]?[key] {
            case .bool(let b)?: return b
            case .list(let items)?: return !items.isEmpty
            case nil, .null?: return false
            default: return true
            }
        }
        func sections(_ view: String, _ list: [(key: String, title: String, anchor: String)]) -> [GeneratedSection] {
            list.filter { has(view, $0.key) }.map { GeneratedSection(title: $0.title, anchor: $0.anchor) }
        }
        switch type {
        case .journey:
            return (sections("journey", [("hasStages", "Journey map", "wm-map-title"),
                                         ("rankings", "Inside-out vs outside-in", "wm-rankings-title")]),
                    sections("journey", [("hasChildren", "Sub-journeys", "wm-children-title")]))
        case .department:
            return (sections("department", [("hasJourneys", "Journeys", "wm-journeys-title"),
                                            ("hasOwned", "Touchpoints it owns", "wm-owned-title"),
                                            ("hasKPIs", "KPIs it owns", "wm-kpis-title"),
                                            ("hasHandoffs", "Handoffs", "wm-handoffs-title"),
                                            ("hasVocabulary", "Vocabulary", "wm-vocabulary-title")]), [])
        case .persona:
            return ([], sections("persona", [("hasJourneys", "Journeys this persona walks", "wm-walks-title")]))
        case .term:
            return (sections("term", [("hasSynonyms", "What each department calls it", "wm-synonyms-title")]),
                    sections("term", [("hasUsedIn", "Used in", "wm-used-in-title")]))
        default:
            return ([], [])
        }
    }

    private static func tocEntry(_ section: GeneratedSection) -> TemplateValue {
        ["title": .text(section.title), "anchor": .text(section.anchor)]
    }

    /// The body's h2 headings, each with its h3s.
    private func tableOfContents(_ page: LoadedPage) -> [TemplateValue] {
        var toc: [(title: String, anchor: String, children: [TemplateValue])] = []
        for h in page.facts.headings where h.level == 2 || h.level == 3 {
            if h.level == 2 || toc.isEmpty {
                toc.append((h.text, h.anchor, []))
            } else {
                toc[toc.count - 1].children.append(["title": .text(h.text), "anchor": .text(h.anchor)])
            }
        }
        return toc.map { h in
            var item: TemplateObject = ["title": .text(h.title), "anchor": .text(h.anchor)]
            if !h.children.isEmpty { item["children"] = .list(h.children) }
            return .object(item)
        }
    }

    /// `3406` → `3,406`, as the pages' own text writes numbers.
    static func groupedDigits(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (k, c) in digits.enumerated() {
            if k > 0, (digits.count - k) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// `name@example.org`: one `@` with text on both sides, a dot after it, no spaces.
    static func isEmailAddress(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
            && !s.contains(where: { $0.isWhitespace || $0 == ":" || $0 == "/" || $0 == "<" || $0 == ">" })
    }

    /// At most 200 characters, cut after a whole word where there is one in the last forty.
    /// A quote as the theme shows it, in quotation marks of its own: the marks a writer put around
    /// it (`“…”`, `"…"`, `„…“`, `«…»`, `‘…’`) would double them.
    static func withoutEnclosingQuotes(_ text: String) -> String {
        let trimmed = text.trimmingWhitespace()
        guard let first = trimmed.first, let last = trimmed.last, trimmed.count >= 2 else { return text }
        let opening: Set<Character> = ["“", "\"", "„", "«", "‘", "'", "‹", "「", "”"]
        let closing: Set<Character> = ["”", "\"", "“", "»", "’", "'", "›", "」"]
        guard opening.contains(first), closing.contains(last) else { return text }
        let inner = trimmed.dropFirst().dropLast().trimmingWhitespace()
        return inner.isEmpty ? text : inner
    }

    static func summary(_ text: String) -> String {
        // Up to 200 characters stay whole. Counted only as far as the 201st: a listing of thousands of
        // pages asks for as many summaries, and counting a long paragraph's characters walks all of it.
        guard text.utf8.count > 200, let limit = text.index(text.startIndex, offsetBy: 200, limitedBy: text.endIndex),
              limit < text.endIndex else { return text }
        var cut = text.prefix(197)
        if let space = cut.lastIndex(of: " "), cut.distance(from: space, to: cut.endIndex) <= 40 { cut = cut[..<space] }
        // "…them." + "…" would read "them.…": a full stop at the cut goes, as commas and colons do.
        var kept = Substring(String(cut).trimmingWhitespace()).unicodeScalars
        func isStop(_ c: Unicode.Scalar) -> Bool { c == "," || c == ";" || c == ":" || c == "." }
        while let first = kept.first, isStop(first) { kept.removeFirst() }
        while let last = kept.last, isStop(last) { kept.removeLast() }
        return String(kept) + "…"
    }

    private func homeSections() -> [TemplateValue] {
        var sections: [TemplateObject] = []
        for child in site.children[""] ?? [] where site.pages[child].type == .listing || site.children[site.pages[child].id] != nil {
            let all = site.children[site.pages[child].id] ?? []
            // A typed folder counts and shows its own pages: the glossary its terms, not its matrix and vocabulary views.
            let typed = PageType.fromFolder(site.pages[child].id).map { type in all.filter { site.pages[$0].type == type } } ?? []
            var items = typed.isEmpty ? all : typed
            // Research newest first, each with its date and method, as the research listing shows it.
            func finding(_ p: Int) -> Finding? { if case .finding(let f) = site.pages[p].entity { return f }; return nil }
            if items.contains(where: { finding($0) != nil }) {
                items = items.enumerated().sorted { a, b in
                    let (x, y) = (finding(a.element)?.date ?? "", finding(b.element)?.date ?? "")
                    return x != y ? x > y : a.offset < b.offset
                }.map(\.element)
            }
            var section = link(child)
            section["count"] = .int(items.count)
            section["items"] = .list(items.prefix(6).map { p in
                var item = link(p)
                if let f = finding(p) { item["meta"] = .text([f.date, f.method].filter { !$0.isEmpty }.joined(separator: " · ")) }
                return .object(item)
            })
            section["hasMore"] = .bool(items.count > 6)
            sections.append(section)
        }
        // Typed sections first, in the order of the navigation.
        let order = ["journeys", "personas", "research", "glossary", "departments"]
        return sections.sorted { a, b in
            let ia = order.firstIndex(of: (a["url"]?.string ?? "").slashSeparated().last.map(String.init) ?? "") ?? order.count
            let ib = order.firstIndex(of: (b["url"]?.string ?? "").slashSeparated().last.map(String.init) ?? "") ?? order.count
            return ia != ib ? ia < ib : (a["title"]?.string ?? "") < (b["title"]?.string ?? "")
        }.map(TemplateValue.object)
    }

    private func journey(_ j: Journey, page: Int, fields: inout FieldList, prose: Prose) -> TemplateObject {
        fields.links("Personas", j.personas.map { link($0, type: .persona) })
        if let o = j.owner { fields.links("Owner", [link(o, type: .department)]) }
        fields.links("Departments", j.departments.map { link($0, type: .department) })
        fields.text("Begins", j.begins, prose: prose)
        fields.text("Ends", j.ends, prose: prose)
        fields.text("Basis", j.basis)
        fields.text("Status", j.status)
        fields.items("Channels", j.channels)
        fields.items("KPIs", j.kpis)
        fields.text("Last reviewed", j.lastReviewed)
        if let p = j.parent { fields.links("Part of", [link(p, type: .journey)]) }
        let children = site.backlinks[page].filter { $0.relation == .childJourneys }.map { links[$0.source] }
        var ctx = journeyMap(j, page: page, prose: prose)
        ctx["children"] = .list(children)
        ctx["hasChildren"] = .bool(!children.isEmpty)
        return ctx
    }

    static func emotionLabel(_ e: Int) -> String {
        switch e {
        case ...(-2): return "−2 very negative"
        case -1: return "−1 negative"
        case 0: return "0 neutral"
        case 1: return "+1 positive"
        default: return "+2 very positive"
        }
    }

    private func persona(_ p: Persona, page: Int, fields: inout FieldList, prose: Prose) -> TemplateObject {
        fields.text("Type", p.kind)
        fields.text("Segment", p.segment)
        fields.items("Goals", p.goals, prose: prose)
        fields.items("Needs", p.needs, prose: prose)
        fields.items("Pains", p.pains, prose: prose)
        fields.items("Gains", p.gains, prose: prose)
        let journeys = site.backlinks[page].filter { $0.relation == .walkedJourneys }.map { links[$0.source] }
        var ctx: TemplateObject = ["journeys": .list(journeys), "hasJourneys": .bool(!journeys.isEmpty)]
        if let q = p.quote { ctx["quote"] = prose.value(Self.withoutEnclosingQuotes(q)) }
        return ctx
    }

    private func finding(_ f: Finding, fields: inout FieldList) {
        fields.text("Method", f.method)
        fields.text("Date", f.date)
        fields.text("Participants", f.participants.map(Self.groupedDigits))
        fields.text("Confidence", f.confidence)
        fields.text("Impact", f.impact.map(Self.emotionLabel))
        fields.links("Supports", f.supports.map { link($0, type: .journey) })
        fields.links("Contradicts", f.contradicts.map { link($0, type: .journey) })
        fields.links("Personas", f.personas.map { link($0, type: .persona) })
    }

    private func term(_ t: GlossaryTerm, page: Int, fields: inout FieldList, prose: Prose) -> TemplateObject {
        fields.text("Status", t.status)
        if let o = t.owner { fields.links("Owner", [link(o, type: .department)]) }
        fields.links("Related", t.related.map { link($0, type: .term) })
        // Both ways: a term that says not to confuse it with this one is named here too.
        var confusable = t.notToConfuse.map { link($0, type: .term) }
        var named = Set(t.notToConfuse.compactMap { ref -> Int? in
            if case .page(let p, _) = site.index.resolve(reference: ref.value, type: .term) { return p }
            return nil
        })
        for b in site.backlinks[page] where b.relation == .notToConfuse && named.insert(b.source).inserted {
            confusable.append(link(b.source))
        }
        fields.links("Not to confuse with", confusable)
        let synonyms: [TemplateValue] = t.synonyms.map { ["department": .object(link($0.department, type: .department)), "words": .texts($0.words)] }
        var ctx: TemplateObject = ["definition": prose.value(t.definition), "synonyms": .list(synonyms), "hasSynonyms": .bool(!synonyms.isEmpty)]
        if let e = site.glossary.entryOfPage[page] {
            let groups = groupedByType(site.termUsage[e])
            ctx["usedIn"] = .list(groups)
            ctx["hasUsedIn"] = .bool(!groups.isEmpty)
            let homonyms = site.glossary.homonyms.filter { $0.claims.contains { $0.entry == e } }.map { h -> TemplateValue in
                ["word": .text(h.word), "mine": .text(whose(h.claims.filter { $0.entry == e }.map(\.word), entry: e, mine: true)),
                 "others": .list(otherMeanings(of: h, than: e))]
            }
            if !homonyms.isEmpty { ctx["homonyms"] = .list(homonyms) }
        }
        return ctx
    }

    /// Whose word it is, on one side of a homonym: "what Sales calls this term" (`mine`) or "what
    /// Sales calls it", "this term's name" or "its name".
    private func whose(_ words: [Glossary.Word], entry: Int, mine: Bool) -> String {
        var said: [String] = []
        // A name says whose term it is, when a department owns it: "its name; Marketing's term".
        var owner = ""
        if case .term(let t) = site.pages[site.glossary.entries[entry].page].entity, let o = t.owner,
           case .page(let d, _) = site.index.resolve(reference: o.value, type: .department), site.pages[d].type == .department {
            owner = "; \(site.pages[d].title)'s term"
        }
        for w in words {
            let text = w.department.map { "what \(site.pages[$0].title) calls \(mine ? "this term" : "it")" } ?? ((mine ? "this term's name" : "its name") + owner)
            if !said.contains(text) { said.append(text) }
        }
        return said.joined(separator: " and ")
    }

    /// The other terms a homonym names than `entry`: each a link with `who` (whose word it is there).
    private func otherMeanings(of h: Glossary.Homonym, than entry: Int) -> [TemplateValue] {
        Array(Set(h.claims.map(\.entry)).subtracting([entry])).sorted().map { o -> TemplateValue in
            var other = link(site.glossary.entries[o].page)
            other["who"] = .text(whose(h.claims.filter { $0.entry == o }.map(\.word), entry: o, mine: false))
            return .object(other)
        }
    }

    /// "Linked from" shows this many pages per relation, then the rest behind "Show N more" (a `<details>`
    /// element, so it works without JavaScript and every link stays in the page).
    static let backlinkListLimit = 10

    /// A common term is used on thousands of pages; its page shows this many per type, then the rest
    /// behind "Show N more" (a `<details>` element: every page is listed, and it works without JavaScript).
    static let usageListLimit = 20

    /// Pages grouped under their type's section title, in navigation order: `items` (the first
    /// `usageListLimit`), `count`, and when there are more, `more` (how many) and `rest` (them), also
    /// as `restHTML`, their lines of the default theme's list ready made.
    /// Every type without a section of its own (plain pages, the home page, folder listings) is a page.
    private func groupedByType(_ pages: [Int]) -> [TemplateValue] {
        let sections: [PageType] = [.journey, .persona, .finding, .term, .department, .page]
        var bySection = [[Int]](repeating: [], count: sections.count)
        // Read in place: a copy of a page, to read its type, retains every field it holds.
        site.pages.withUnsafeBufferPointer { allPages in
            for p in pages { bySection[sections.firstIndex(of: allPages[p].type) ?? sections.count - 1].append(p) }
        }
        guard bySection.contains(where: { !$0.isEmpty }) else { return [] }
        let links = pageLinks.value
        return sections.indices.compactMap { k -> TemplateValue? in
            let list = bySection[k]
            guard !list.isEmpty else { return nil }
            var group: TemplateObject = ["group": .text(sections[k].sectionTitle),
                                         "items": .list(list.prefix(Self.usageListLimit).map { links[$0] }), "count": .int(list.count)]
            if list.count > Self.usageListLimit {
                let rest = list.dropFirst(Self.usageListLimit)
                group["more"] = .int(rest.count)
                group["rest"] = .list(rest.map { links[$0] })
                group["restHTML"] = .utf8(lines(rest))
            }
            return .object(group)
        }
    }

    /// The pages' list lines (`pageLines`), one per line.
    private func lines(_ pages: ArraySlice<Int>) -> [UInt8] {
        let (bytes, ranges) = pageLines.value
        var out: [UInt8] = []
        out.reserveCapacity(pages.reduce(0) { $0 + ranges[$1].count + 1 })
        bytes.withUnsafeBufferPointer { bytes in
            for (k, p) in pages.enumerated() {
                if k > 0 { out.append(UInt8(ascii: "\n")) }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[ranges[p]]))
            }
        }
        return out
    }

    /// The entries as the glossary views show them.
    private func entryContext(_ e: Int, exceptDepartment: Int? = nil) -> TemplateObject {
        let entry = site.glossary.entries[e]
        var ctx = link(entry.page)
        ctx["definition"] = .text(entry.definition)
        if case .term(let t) = site.pages[entry.page].entity, let status = t.status {
            ctx["status"] = .text(status)
            ctx["proposed"] = .bool(status == "proposed")
        }
        // Departments in one order for every term (by title, as the navigation lists them), so a reader
        // scanning the A–Z finds Sales' word in the same place each time.
        let byDepartment = site.glossary.wordsByDepartment(e).sorted {
            (departments.firstIndex(of: $0.department) ?? Int.max) < (departments.firstIndex(of: $1.department) ?? Int.max)
        }
        ctx["synonyms"] = .list(byDepartment.filter { $0.department != exceptDepartment }.map {
            ["department": .object(link($0.department)), "words": .text($0.words.joined(separator: ", "))]
        })
        ctx["hasSynonyms"] = .bool(!byDepartment.isEmpty)
        return ctx
    }

    /// A name as the glossary's A–Z files it: lower case, accents dropped.
    static func folded(_ name: String) -> String {
        name.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }

    /// A–Z: terms under their first letter, with synonyms and status; links to the other views.
    private func glossaryIndex() -> TemplateObject {
        // The terms, and a "see" row for each department's word that is no term's name ("SQL: Sales' word
        // for Qualified practice"), as a printed index has: a reader looks a word up under its own letter.
        var rows: [(key: (String, String), see: Bool, value: TemplateValue)] = sortedEntries.map { e in
            let name = site.glossary.entries[e].name
            return ((Self.folded(name), name.lowercased()), false, .object(entryContext(e)))
        }
        let names = Set(site.glossary.entries.map { TermMatcher.normalisedPhrase($0.name) })
        var seen: Set<String> = []
        for (e, entry) in site.glossary.entries.enumerated() {
            let keys = entry.words.map { TermMatcher.normalisedPhrase($0.text) }
            for (word, key) in zip(entry.words, keys) {
                guard let d = word.department else { continue }
                guard !key.isEmpty, !names.contains(key), seen.insert(key + "\u{0}" + String(e)).inserted else { continue }
                var see = link(entry.page)
                see["see"] = true
                see["word"] = .text(word.text)
                // Each department that says it, once.
                let who = zip(entry.words, keys).filter { $0.1 == key }.compactMap(\.0.department)
                var titles: [String] = []
                for w in who.isEmpty ? [d] : who where !titles.contains(site.pages[w].title) { titles.append(site.pages[w].title) }
                see["who"] = .text(titles.joined(separator: " and "))
                rows.append(((Self.folded(word.text), word.text.lowercased()), true, .object(see)))
            }
        }
        rows.sort { a, b in a.key != b.key ? a.key < b.key : (!a.see && b.see) }
        var letters: [(String, [TemplateValue])] = []
        for row in rows {
            let first = row.key.0.first.map { String($0).uppercased() } ?? "#"
            let letter = first.first?.isLetter == true ? first : "#"
            if letters.last?.0 == letter { letters[letters.count - 1].1.append(row.value) } else { letters.append((letter, [row.value])) }
        }
        let vocabularies = departments.compactMap { d -> TemplateValue? in
            let name = site.pages[d].id.slashSeparated().last.map(String.init) ?? ""
            guard let v = site.index.page(id: "glossary/vocabulary/" + name) else { return nil }
            return .object(link(v))
        }
        var ctx: TemplateObject = [
            "letters": .list(letters.map { ["letter": .text($0.0), "anchor": .text("letter-" + ($0.0 == "#" ? "other" : slugify($0.0))), "terms": .list($0.1)] }),
            "termCount": .int(site.glossary.entries.count),
            "vocabularies": .list(vocabularies), "hasVocabularies": .bool(!vocabularies.isEmpty),
        ]
        if let m = site.index.page(id: "glossary/matrix") { ctx["matrix"] = .object(link(m)) }
        return ctx
    }

    /// One department's words: what it says, which term that is, and what the others call it.
    private func vocabulary(for page: LoadedPage) -> TemplateObject {
        let name = page.id.slashSeparated().last.map(String.init) ?? ""
        guard let d = site.index.page(id: "departments/" + name) ?? departments.first(where: { site.pages[$0].id.hasSuffix("/" + name) }) else { return [:] }
        var homonyms: [String: Glossary.Homonym] = [:]
        for h in site.glossary.homonyms { homonyms[TermMatcher.normalisedPhrase(h.word)] = h }
        var rows: [(words: String, ctx: TemplateObject)] = []
        for e in sortedEntries {
            let entry = site.glossary.entries[e]
            let own = entry.words.filter { $0.department == d }.map(\.text)
            let owned: Bool = { if case .term(let t) = site.pages[entry.page].entity, let o = t.owner,
                                  case .page(let p, _) = site.index.resolve(reference: o.value, type: .department) { return p == d }; return false }()
            guard !own.isEmpty || owned else { continue }
            // A row for each of the department's words, filed under its own letter ("SQL" under S).
            let ctx = entryContext(e, exceptDepartment: d)
            for words in own.isEmpty ? [entry.name] : own {
                var row = ctx
                row["words"] = .text(words)
                // A word that names other terms too ("lead"): which, and whose word it is there.
                if let h = homonyms[TermMatcher.normalisedPhrase(words)] {
                    let others = otherMeanings(of: h, than: e)
                    if !others.isEmpty { row["homonym"] = ["others": .list(others)] }
                }
                rows.append((words, row))
            }
        }
        // A–Z by the department's own words, which its people look up (stable: ties keep the terms' order).
        let entries = rows.enumerated().sorted { a, b in
            let (x, y) = (a.element.words.lowercased(), b.element.words.lowercased())
            return x != y ? x < y : a.offset < b.offset
        }.map { TemplateValue.object($0.element.ctx) }
        return ["department": links[d], "entries": .list(entries), "hasEntries": .bool(!entries.isEmpty)]
    }

    /// Terms × departments: what each department calls each term.
    private func matrix() -> TemplateObject {
        let columns = departments
        let rows = sortedEntries.map { e -> TemplateValue in
            let entry = site.glossary.entries[e]
            let cells = columns.map { d -> TemplateValue in
                let words = entry.words.filter { $0.department == d }.map(\.text)
                return words.isEmpty ? ["empty": true] : ["words": .text(words.joined(separator: ", "))]
            }
            return ["term": links[entry.page], "proposed": .bool(TermCards.isProposed(entry, in: site)), "cells": .list(cells)]
        }
        return ["departments": .list(columns.map { .object(link($0)) }), "rows": .list(rows)]
    }
}

/// The generic "fields" list every type page shows: a label with text, links or items.
struct FieldList {
    private(set) var rows: [TemplateValue] = []

    mutating func text(_ label: String, _ value: String?, prose: PageContext.Prose? = nil) {
        guard let value, !value.isEmpty else { return }
        rows.append(["label": .text(label), "text": prose?.value(value) ?? .text(value)])
    }

    mutating func links(_ label: String, _ links: [TemplateObject]) {
        guard !links.isEmpty else { return }
        var row: TemplateObject = ["label": .text(label), "links": .list(links.map(TemplateValue.object))]
        if Self.inline(links.map { $0["title"]?.string ?? "" }) { row["inline"] = true }
        rows.append(.object(row))
    }

    mutating func items(_ label: String, _ items: [String], prose: PageContext.Prose? = nil) {
        guard !items.isEmpty else { return }
        var row: TemplateObject = ["label": .text(label), "items": prose.map { p in .list(items.map(p.value)) } ?? .texts(items)]
        if Self.inline(items) { row["inline"] = true }
        rows.append(.object(row))
    }

    /// Several short values ("web", "email", "phone"; department names) read best on one line,
    /// not one a line: `inline` on the row.
    static func inline(_ values: [String]) -> Bool {
        values.count > 1 && values.allSatisfy { $0.count <= 24 }
    }

    /// An unknown front-matter key, shown as best it can be.
    mutating func param(_ entry: YAMLEntry) {
        let label = LoadedPage.prettyName(entry.key)
        switch entry.value {
        case .scalar(let s, _, _): text(label, s)
        case .sequence(let values, _):
            items(label, values.compactMap { if case .scalar(let s, _, _) = $0 { return s }; return nil })
        case .mapping(let entries, _):
            items(label, entries.compactMap { e in
                if case .scalar(let s, _, _) = e.value { return "\(e.key): \(s)" }
                return nil
            })
        }
    }
}

/// A value computed by the first thread that asks for it; the others wait for it, then share it.
final class ComputedOnce<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var computed: Value?
    private let make: () -> Value

    init(_ make: @escaping () -> Value) { self.make = make }

    var value: Value {
        lock.lock()
        defer { lock.unlock() }
        if let computed { return computed }
        let value = make()
        computed = value
        return value
    }
}

extension PageContext {
    /// A page's front-matter sentences with their glossary links: what a persona wants and suffers,
    /// where a journey begins and ends, each stage's goal. The page's term linker reads them in the
    /// order the page shows them, before its body, so that with `glossary.autolink: first` a term is
    /// linked where a reader meets it first. A sentence that links no term stays text.
    struct Prose {
        private var linked: [String: [UInt8]] = [:]

        init() {}

        init(_ entity: Entity, linker: TermLinker, autolink: MarkdownBody.Autolink) {
            var hits: [(range: Range<Int>, tag: Int)] = []
            for sentence in Self.sentences(of: entity) where !sentence.isEmpty && linked[sentence] == nil {
                var text = sentence
                text.withUTF8 { linker.links(in: $0, into: &hits) }
                if !hits.isEmpty { linked[sentence] = MarkdownBody.linkedMarkup(sentence, hits: hits, autolink: autolink) }
            }
        }

        /// The sentences, in the order the default theme shows them.
        static func sentences(of entity: Entity) -> [String] {
            switch entity {
            case .persona(let p):
                return (p.quote.map { [PageContext.withoutEnclosingQuotes($0)] } ?? []) + p.goals + p.needs + p.pains + p.gains
            case .journey(let j):
                return [j.begins, j.ends].compactMap { $0 } + j.stages.compactMap(\.goal)
            case .term(let t):
                // Other terms in the definition; the term's own page never links to itself.
                return [t.definition]
            default:
                return []
            }
        }

        /// The sentence as a template shows it: HTML with its links, or text.
        func value(_ sentence: String) -> TemplateValue {
            linked[sentence].map { .markup($0, plain: sentence) } ?? .text(sentence)
        }
    }
}
