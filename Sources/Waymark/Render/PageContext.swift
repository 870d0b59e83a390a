/// Builds the Mustache context for one page: plain dictionaries (about twice as fast to render as
/// reflected structs). Every value is plain text that templates escape, except `page.content`.
struct PageContext: @unchecked Sendable {  // immutable after init; dictionaries of plain values
    let site: Site
    let nav: [[String: Any]]

    init(site: Site) {
        self.site = site
        var nav: [[String: Any]] = [["title": "Home", "url": site.config.basePath, "id": ""]]
        for type in [PageType.journey, .persona, .finding, .term, .department] {
            guard let folder = type.folder, let i = site.index.page(id: folder) else { continue }
            nav.append(["title": type.sectionTitle, "url": site.url(of: i), "id": folder])
        }
        self.nav = nav
    }

    func link(_ i: Int, anchor: String? = nil) -> [String: Any] {
        ["title": site.pages[i].title, "url": site.url(of: i) + (anchor.map { "#" + $0 } ?? ""), "typeLabel": site.pages[i].type.label]
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
        let section = page.id.split(separator: "/").first.map(String.init) ?? ""
        let navItems = nav.map { item -> [String: Any] in
            var item = item
            let id = item["id"] as? String ?? ""
            item["active"] = id.isEmpty ? page.id.isEmpty : id == section
            return item
        }
        var fields = FieldList()
        var ctx: [String: Any] = [:]
        switch page.entity {
        case .journey(let j): ctx["journey"] = journey(j, page: i, fields: &fields)
        case .persona(let p): ctx["persona"] = persona(p, page: i, fields: &fields)
        case .finding(let f): finding(f, fields: &fields)
        case .term(let t): ctx["term"] = term(t, fields: &fields)
        case .department(let d):
            fields.text("Lead", d.lead)
            fields.text("Contact", d.contact)
        case .page: break
        }
        if !page.tags.isEmpty { fields.items("Tags", page.tags) }
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
        if let edit = site.config.editURL, !page.file.relativePath.hasSuffix("/"), !page.file.relativePath.isEmpty {
            pageCtx["editURL"] = edit.replacingOccurrences(of: "{path}", with: page.path)
        }
        ctx["page"] = pageCtx
        ctx["site"] = ["title": site.config.title, "base": site.config.basePath, "nav": navItems]
        if page.type == .listing || page.type == .home {
            let items = (site.children[page.id] ?? []).map { c -> [String: Any] in
                var l = link(c)
                if let s = site.pages[c].description ?? site.pages[c].facts.firstParagraph.map(Self.summary) { l["summary"] = s }
                return l
            }
            ctx["listing"] = ["items": items, "hasItems": !items.isEmpty]
        }
        if page.type == .home { ctx["home"] = ["sections": homeSections()] }
        return ctx
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
        let stages: [[String: Any]] = j.stages.map { stage in
            var s: [String: Any] = ["name": stage.name, "anchor": stage.anchor, "hasTouchpoints": !stage.touchpoints.isEmpty]
            if let g = stage.goal { s["goal"] = g }
            if let e = stage.emotion { s["emotion"] = e; s["emotionLabel"] = Self.emotionLabel(e) }
            if let o = stage.owner { s["owner"] = link(o, type: .department) }
            s["touchpoints"] = stage.touchpoints.map { tp -> [String: Any] in
                var t: [String: Any] = ["name": tp.name, "anchor": tp.anchor, "channel": tp.channel]
                if let m = tp.mode { t["mode"] = m }
                if let o = tp.owner { t["owner"] = link(o, type: .department) }
                if !tp.actors.isEmpty { t["actors"] = tp.actors }
                if let m = tp.moment {
                    t["moment"] = m
                    t["momentLabel"] = ["pain": "Pain point", "pleasure": "Pleasure", "truth": "Moment of truth", "neutral": "Neutral"][m] ?? m
                }
                if let e = tp.emotion { t["emotion"] = e; t["emotionLabel"] = Self.emotionLabel(e) }
                if !tp.kpis.isEmpty { t["kpis"] = tp.kpis }
                if !tp.findings.isEmpty { t["findings"] = tp.findings.map { link($0, type: .finding) } }
                return t
            }
            return s
        }
        let children = site.backlinks[page].filter { $0.relation == .childJourneys }.map { link($0.source) }
        return ["stages": stages, "children": children, "hasChildren": !children.isEmpty]
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

    private func term(_ t: GlossaryTerm, fields: inout FieldList) -> [String: Any] {
        fields.text("Status", t.status)
        if let o = t.owner { fields.links("Owner", [link(o, type: .department)]) }
        fields.links("Related", t.related.map { link($0, type: .term) })
        fields.links("Not to confuse with", t.notToConfuse.map { link($0, type: .term) })
        let synonyms: [[String: Any]] = t.synonyms.map { ["department": link($0.department, type: .department), "words": $0.words] }
        return ["definition": t.definition, "synonyms": synonyms, "hasSynonyms": !synonyms.isEmpty]
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
