/// Builds the Mustache context for one page: plain dictionaries (about twice as fast to render as
/// reflected structs). Every value is plain text that templates escape, except `page.content`.
struct PageContext: @unchecked Sendable {  // immutable after init; dictionaries of plain values
    let site: Site
    let nav: [[String: Any]]
    let hasFindings: Bool

    init(site: Site) {
        self.site = site
        var nav: [[String: Any]] = [["title": "Home", "url": site.config.basePath, "id": ""]]
        for type in [PageType.journey, .persona, .finding, .term, .department] {
            guard let folder = type.folder, let i = site.index.page(id: folder) else { continue }
            nav.append(["title": type.sectionTitle, "url": site.url(of: i), "id": folder])
        }
        if let c = site.index.page(id: "coverage") { nav.append(["title": "Evidence", "url": site.url(of: c), "id": "coverage"]) }
        if let t = site.index.page(id: TagIndex.folder), site.pages[t].type == .tags { nav.append(["title": "Tags", "url": site.url(of: t), "id": TagIndex.folder]) }
        self.nav = nav
        hasFindings = site.pages.contains { $0.type == .finding }
    }

    func link(_ i: Int, anchor: String? = nil) -> [String: Any] {
        var l: [String: Any] = ["title": site.pages[i].title, "url": site.url(of: i) + (anchor.map { "#" + $0 } ?? ""), "typeLabel": site.pages[i].type.label]
        if site.pages[i].draft { l["draft"] = true }
        return l
    }

    /// A front-matter reference as a link when it resolves, else as its text (the link step already reported it).
    func link(_ ref: Located<String>, type: PageType?) -> [String: Any] {
        if case .page(let i, let anchor) = site.index.resolve(reference: ref.value, type: type) {
            var l = link(i, anchor: anchor)
            if let anchor, case .journey(let j) = site.pages[i].entity, let name = ReferenceChecker.stageOrTouchpointName(anchor, in: j) {
                l["title"] = "\(site.pages[i].title) › \(name)"
            }
            return l
        }
        return ["title": ref.value]
    }

    func context(for i: Int, content: String) -> [String: Any] {
        let page = site.pages[i]
        var fields = FieldList()
        var ctx: [String: Any] = [:]
        switch page.entity {
        case .journey(let j): ctx["journey"] = journey(j, page: i, fields: &fields)
        case .persona(let p): ctx["persona"] = persona(p, page: i, fields: &fields)
        case .finding(let f): finding(f, fields: &fields)
        case .term(let t): ctx["term"] = term(t, page: i, fields: &fields)
        case .department(let d):
            fields.text("Lead", d.lead)
            fields.text("Contact", d.contact)
            ctx["department"] = departmentView(i)
        case .page: break
        }
        let tags = tagLinks(i)
        fields.links("Tags", tags)
        for p in page.params { fields.param(p) }

        var breadcrumbs: [[String: Any]] = []
        if !page.id.isEmpty {
            breadcrumbs.append(["title": "Home", "url": site.config.basePath])
            let parts = page.id.split(separator: "/").map(String.init)
            for n in parts.indices.dropLast() {
                let folder = parts[...n].joined(separator: "/")
                if let f = site.index.page(id: folder) { breadcrumbs.append(["title": site.pages[f].title, "url": site.url(of: f)]) }
            }
        }
        var groups: [[String: Any]] = []
        var current: (Backlink.Relation, [[String: Any]])?
        for b in site.backlinks[i] {
            var item = link(b.source)
            item["context"] = b.context
            if current?.0 == b.relation { current?.1.append(item) } else {
                if let c = current { groups.append(["relation": c.0.label, "items": c.1]) }
                current = (b.relation, [item])
            }
        }
        if let c = current { groups.append(["relation": c.0.label, "items": c.1]) }

        var pageCtx: [String: Any] = [
            "id": page.id, "title": page.title, "url": site.url(of: i), "type": page.type.rawValue,
            "typeLabel": page.type.label, "content": content,
            "breadcrumbs": breadcrumbs, "hasBreadcrumbs": !breadcrumbs.isEmpty,
            "fields": fields.rows, "hasFields": !fields.rows.isEmpty,
            "backlinks": groups, "hasBacklinks": !groups.isEmpty,
            "params": Dictionary(page.params.map { ($0.key, $0.value.templateValue) }, uniquingKeysWith: { a, _ in a }),
        ]
        if let d = page.description { pageCtx["summary"] = d }
        if !tags.isEmpty { pageCtx["tags"] = tags; pageCtx["hasTags"] = true }
        if page.draft { pageCtx["draft"] = true }
        let toc = tableOfContents(page)
        if !toc.isEmpty {
            pageCtx["toc"] = toc
            pageCtx["hasToc"] = true
        }
        ctx["page"] = pageCtx
        ctx["site"] = siteContext(for: page)
        if page.type == .listing || page.type == .home {
            let items = (site.children[page.id] ?? []).map { c -> [String: Any] in
                var l = link(c)
                if let s = site.pages[c].description ?? site.pages[c].facts.firstParagraph.map(Self.summary) { l["summary"] = s }
                return l
            }
            ctx["listing"] = ["items": items, "hasItems": !items.isEmpty]
        }
        if page.type == .home { ctx["home"] = ["sections": homeSections()] }
        if page.id == "personas", page.type == .listing || page.type == .page {
            let overview = personaOverview()
            if !overview.isEmpty { ctx["personaOverview"] = overview }
        }
        switch page.type {
        case .glossary: ctx["glossary"] = glossaryIndex()
        case .vocabulary: ctx["vocabulary"] = vocabulary(for: page)
        case .matrix: ctx["matrix"] = matrix()
        case .coverage: ctx["coverage"] = coverage()
        case .tags: ctx["tags"] = tagIndex()
        case .tag: ctx["tag"] = tagPage(page)
        default: break
        }
        return ctx
    }

    /// `site`: title, base path, navigation (the section of `page` marked active) and the feed's URL.
    func siteContext(for page: LoadedPage?) -> [String: Any] {
        let section = page.map { $0.id.split(separator: "/").first.map(String.init) ?? "" }
        let navItems = nav.map { item -> [String: Any] in
            var item = item
            let id = item["id"] as? String ?? ""
            item["active"] = page.map { id.isEmpty ? $0.id.isEmpty : id == section } ?? false
            return item
        }
        var siteCtx: [String: Any] = ["title": site.config.title, "base": site.config.basePath, "nav": navItems]
        if hasFindings { siteCtx["feedURL"] = site.config.basePath + "research/feed.xml" }
        return siteCtx
    }

    /// Persona × stage: for each persona, every journey it walks with that journey's stages and feelings.
    private func personaOverview() -> [[String: Any]] {
        site.pages.indices.filter { site.pages[$0].type == .persona }
            .sorted { site.pages[$0].title.lowercased() < site.pages[$1].title.lowercased() }
            .map { p -> [String: Any] in
                let journeys = site.backlinks[p].filter { $0.relation == .walkedJourneys }.map(\.source)
                var row = link(p)
                row["journeys"] = journeys.map { j -> [String: Any] in
                    var l = link(j)
                    if case .journey(let journey) = site.pages[j].entity {
                        l["stages"] = journey.stages.map { s -> [String: Any] in
                            var stage: [String: Any] = ["name": s.name, "url": site.url(of: j) + "#" + s.anchor]
                            if let e = s.emotion { stage["emotion"] = e; stage["emotionLabel"] = Self.signed(e) }
                            return stage
                        }
                    }
                    return l
                }
                row["walksNone"] = journeys.isEmpty
                return row
            }
    }

    /// "On this page": the body's h2 headings with their h3s, for pages with at least three sections.
    private func tableOfContents(_ page: LoadedPage) -> [[String: Any]] {
        var toc: [[String: Any]] = []
        for h in page.facts.headings where h.level == 2 || h.level == 3 {
            if h.level == 2 || toc.isEmpty {
                toc.append(["title": h.text, "anchor": h.anchor])
            } else {
                var children = toc[toc.count - 1]["children"] as? [[String: Any]] ?? []
                children.append(["title": h.text, "anchor": h.anchor])
                toc[toc.count - 1]["children"] = children
            }
        }
        return toc.count >= 3 ? toc : []
    }

    static func summary(_ text: String) -> String {
        text.count > 200 ? String(text.prefix(197)).trimmingWhitespace() + "…" : text
    }

    private func homeSections() -> [[String: Any]] {
        var sections: [[String: Any]] = []
        for child in site.children[""] ?? [] where site.pages[child].type == .listing || site.children[site.pages[child].id] != nil {
            let items = (site.children[site.pages[child].id] ?? []).map { link($0) }
            var section = link(child)
            section["count"] = items.count
            section["items"] = Array(items.prefix(6))
            section["hasMore"] = items.count > 6
            sections.append(section)
        }
        // Typed sections first, in the order of the navigation.
        let order = ["journeys", "personas", "research", "glossary", "departments"]
        return sections.sorted { a, b in
            let ia = order.firstIndex(of: (a["url"] as? String ?? "").split(separator: "/").last.map(String.init) ?? "") ?? order.count
            let ib = order.firstIndex(of: (b["url"] as? String ?? "").split(separator: "/").last.map(String.init) ?? "") ?? order.count
            return ia != ib ? ia < ib : (a["title"] as? String ?? "") < (b["title"] as? String ?? "")
        }
    }

    private func journey(_ j: Journey, page: Int, fields: inout FieldList) -> [String: Any] {
        fields.links("Personas", j.personas.map { link($0, type: .persona) })
        if let o = j.owner { fields.links("Owner", [link(o, type: .department)]) }
        fields.links("Departments", j.departments.map { link($0, type: .department) })
        fields.text("Begins", j.begins)
        fields.text("Ends", j.ends)
        fields.text("Basis", j.basis)
        fields.text("Status", j.status)
        fields.items("Channels", j.channels)
        fields.items("KPIs", j.kpis)
        fields.text("Last reviewed", j.lastReviewed)
        if let p = j.parent { fields.links("Part of", [link(p, type: .journey)]) }
        let children = site.backlinks[page].filter { $0.relation == .childJourneys }.map { link($0.source) }
        var ctx = journeyMap(j, page: page)
        ctx["children"] = children
        ctx["hasChildren"] = !children.isEmpty
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

    private func persona(_ p: Persona, page: Int, fields: inout FieldList) -> [String: Any] {
        fields.text("Type", p.kind)
        fields.text("Segment", p.segment)
        fields.items("Goals", p.goals)
        fields.items("Needs", p.needs)
        fields.items("Pains", p.pains)
        fields.items("Gains", p.gains)
        let journeys = site.backlinks[page].filter { $0.relation == .walkedJourneys }.map { link($0.source) }
        var ctx: [String: Any] = ["journeys": journeys, "hasJourneys": !journeys.isEmpty]
        if let q = p.quote { ctx["quote"] = q }
        return ctx
    }

    private func finding(_ f: Finding, fields: inout FieldList) {
        fields.text("Method", f.method)
        fields.text("Date", f.date)
        fields.text("Participants", f.participants.map(String.init))
        fields.text("Confidence", f.confidence)
        fields.text("Impact", f.impact.map(Self.emotionLabel))
        fields.links("Supports", f.supports.map { link($0, type: .journey) })
        fields.links("Contradicts", f.contradicts.map { link($0, type: .journey) })
        fields.links("Personas", f.personas.map { link($0, type: .persona) })
    }

    private func term(_ t: GlossaryTerm, page: Int, fields: inout FieldList) -> [String: Any] {
        fields.text("Status", t.status)
        if let o = t.owner { fields.links("Owner", [link(o, type: .department)]) }
        fields.links("Related", t.related.map { link($0, type: .term) })
        fields.links("Not to confuse with", t.notToConfuse.map { link($0, type: .term) })
        let synonyms: [[String: Any]] = t.synonyms.map { ["department": link($0.department, type: .department), "words": $0.words] }
        var ctx: [String: Any] = ["definition": t.definition, "synonyms": synonyms, "hasSynonyms": !synonyms.isEmpty]
        if let e = site.glossary.entryOfPage[page] {
            let groups = groupedByType(site.termUsage[e])
            ctx["usedIn"] = groups
            ctx["hasUsedIn"] = !groups.isEmpty
            let homonyms = site.glossary.homonyms.filter { $0.claims.contains { $0.entry == e } }.map { h -> [String: Any] in
                let others = Array(Set(h.claims.map(\.entry)).subtracting([e])).sorted().map { link(site.glossary.entries[$0].page) }
                return ["word": h.word, "others": others]
            }
            if !homonyms.isEmpty { ctx["homonyms"] = homonyms }
        }
        return ctx
    }

    /// A common term is used on thousands of pages; its page lists this many per type, then a count.
    static let usageListLimit = 20

    /// Pages grouped under their type's section title, in navigation order.
    private func groupedByType(_ pages: [Int]) -> [[String: Any]] {
        let order: [PageType] = [.journey, .persona, .finding, .term, .department, .page, .home, .listing]
        let allPages = site.pages
        var shown: [PageType: [Int]] = [:], counts: [PageType: Int] = [:]
        for p in pages {
            let type = allPages[p].type
            counts[type, default: 0] += 1
            if shown[type, default: []].count < Self.usageListLimit { shown[type, default: []].append(p) }
        }
        return order.compactMap { type -> [String: Any]? in
            guard let count = counts[type] else { return nil }
            var group: [String: Any] = ["group": type == .page || type == .home ? "Pages" : type.sectionTitle,
                                        "items": (shown[type] ?? []).map { link($0) }, "count": count]
            if count > Self.usageListLimit { group["more"] = count - Self.usageListLimit }
            return group
        }
    }

    /// The entries as the glossary views show them.
    private func entryContext(_ e: Int) -> [String: Any] {
        let entry = site.glossary.entries[e]
        var ctx = link(entry.page)
        ctx["definition"] = entry.definition
        if case .term(let t) = site.pages[entry.page].entity, let status = t.status { ctx["status"] = status }
        let byDepartment = site.glossary.wordsByDepartment(e)
        ctx["synonyms"] = byDepartment.map { ["department": link($0.department), "words": $0.words.joined(separator: ", ")] as [String: Any] }
        ctx["hasSynonyms"] = !byDepartment.isEmpty
        return ctx
    }

    private var sortedEntries: [Int] {
        site.glossary.entries.indices.sorted { site.glossary.entries[$0].name.lowercased() < site.glossary.entries[$1].name.lowercased() }
    }

    private var departments: [Int] {
        site.pages.indices.filter { site.pages[$0].type == .department }.sorted { site.pages[$0].title < site.pages[$1].title }
    }

    /// A–Z: terms under their first letter, with synonyms and status; links to the other views.
    private func glossaryIndex() -> [String: Any] {
        var letters: [(String, [[String: Any]])] = []
        for e in sortedEntries {
            let first = site.glossary.entries[e].name.first.map { String($0).uppercased() } ?? "#"
            let letter = first.first?.isLetter == true ? first : "#"
            if letters.last?.0 == letter { letters[letters.count - 1].1.append(entryContext(e)) } else { letters.append((letter, [entryContext(e)])) }
        }
        let vocabularies = departments.compactMap { d -> [String: Any]? in
            let name = site.pages[d].id.split(separator: "/").last.map(String.init) ?? ""
            guard let v = site.index.page(id: "glossary/vocabulary/" + name) else { return nil }
            return link(v)
        }
        var ctx: [String: Any] = [
            "letters": letters.map { ["letter": $0.0, "anchor": "letter-" + slugify($0.0), "terms": $0.1] as [String: Any] },
            "termCount": site.glossary.entries.count,
            "vocabularies": vocabularies, "hasVocabularies": !vocabularies.isEmpty,
        ]
        if let m = site.index.page(id: "glossary/matrix") { ctx["matrix"] = link(m) }
        return ctx
    }

    /// One department's words: what it says, which term that is, and what the others call it.
    private func vocabulary(for page: LoadedPage) -> [String: Any] {
        let name = page.id.split(separator: "/").last.map(String.init) ?? ""
        guard let d = site.index.page(id: "departments/" + name) ?? departments.first(where: { site.pages[$0].id.hasSuffix("/" + name) }) else { return [:] }
        var entries: [[String: Any]] = []
        for e in sortedEntries {
            let entry = site.glossary.entries[e]
            let own = entry.words.filter { $0.department == d }.map(\.text)
            let owned: Bool = { if case .term(let t) = site.pages[entry.page].entity, let o = t.owner,
                                  case .page(let p, _) = site.index.resolve(reference: o.value, type: .department) { return p == d }; return false }()
            guard !own.isEmpty || owned else { continue }
            var ctx = entryContext(e)
            ctx["words"] = own.isEmpty ? entry.name : own.joined(separator: ", ")
            ctx["synonyms"] = (ctx["synonyms"] as? [[String: Any]] ?? []).filter { ($0["department"] as? [String: Any])?["url"] as? String != site.url(of: d) }
            entries.append(ctx)
        }
        return ["department": link(d), "entries": entries, "hasEntries": !entries.isEmpty]
    }

    /// Terms × departments: what each department calls each term.
    private func matrix() -> [String: Any] {
        let columns = departments
        let rows = sortedEntries.map { e -> [String: Any] in
            let entry = site.glossary.entries[e]
            let cells = columns.map { d -> [String: Any] in
                let words = entry.words.filter { $0.department == d }.map(\.text)
                return words.isEmpty ? ["empty": true] : ["words": words.joined(separator: ", ")]
            }
            return ["term": link(entry.page), "cells": cells]
        }
        return ["departments": columns.map { link($0) }, "rows": rows]
    }
}

/// The generic "fields" list every type page shows: a label with text, links or items.
struct FieldList {
    private(set) var rows: [[String: Any]] = []

    mutating func text(_ label: String, _ value: String?) {
        guard let value, !value.isEmpty else { return }
        rows.append(["label": label, "text": value])
    }

    mutating func links(_ label: String, _ links: [[String: Any]]) {
        guard !links.isEmpty else { return }
        rows.append(["label": label, "links": links])
    }

    mutating func items(_ label: String, _ items: [String]) {
        guard !items.isEmpty else { return }
        rows.append(["label": label, "items": items])
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
