/// Resolves every reference of every page once: typed front-matter references and body links.
/// Collects the diagnostics and the backlinks they imply.
struct ReferenceChecker {
    struct Edge: Hashable {
        var target: Int
        var backlink: Backlink
    }

    let index: SiteIndex
    let config: SiteConfig
    /// Lowercased ids of draft pages left out of this build, so links to them get a precise message.
    let draftIDs: Set<String>
    private(set) var diagnostics: [Diagnostic] = []
    private(set) var backlinks: [Edge] = []
    private var suggestions = Suggestions()

    init(index: SiteIndex, config: SiteConfig, draftIDs: Set<String>) {
        self.index = index
        self.config = config
        self.draftIDs = draftIDs
    }

    private var brokenSeverity: Diagnostic.Severity { config.brokenLinks == .warning ? .warning : .error }

    mutating func check(page i: Int) {
        let page = index.pages[i]
        switch page.entity {
        case .journey(let j): checkJourney(j, page: i)
        case .finding(let f):
            for r in f.supports { reference(r, from: i, type: .journey, relation: .supportingEvidence, anchors: .stagesAndTouchpoints) }
            for r in f.contradicts { reference(r, from: i, type: .journey, relation: .contradictingEvidence, anchors: .stagesAndTouchpoints) }
            for r in f.personas { reference(r, from: i, type: .persona, relation: .researchAbout) }
        case .term(let t):
            for r in t.related { reference(r, from: i, type: .term, relation: .relatedTerms) }
            for r in t.notToConfuse { reference(r, from: i, type: .term, relation: .notToConfuse) }
            if let o = t.owner { reference(o, from: i, type: .department, relation: .owned) }
            for s in t.synonyms {
                reference(s.department, from: i, type: .department, relation: .vocabulary,
                          context: s.words.joined(separator: ", "), what: "department")
            }
        case .persona, .department, .page:
            break
        }
        if config.unsafeHTML == false, let loc = page.facts.rawHTML {
            diagnostics.append(.warning(loc, "raw HTML is shown as text",
                                        hint: "set `markdown: {unsafe: true}` in waymark.yml if this site trusts its writers' HTML"))
        }
        for link in page.facts.links { bodyLink(link, from: i) }
    }

    private mutating func checkJourney(_ j: Journey, page i: Int) {
        for r in j.personas { reference(r, from: i, type: .persona, relation: .walkedJourneys) }
        if let o = j.owner { reference(o, from: i, type: .department, relation: .owned, context: "owns the journey") }
        for d in j.departments { reference(d, from: i, type: .department, relation: .owned, context: "takes part in the journey") }
        if let p = j.parent {
            if let parent = reference(p, from: i, type: .journey, relation: .childJourneys) { checkParentCycle(from: i, parent: parent, at: p) }
        }
        for stage in j.stages {
            if let o = stage.owner { reference(o, from: i, type: .department, relation: .owned, context: "owns the stage “\(stage.name)”") }
            for tp in stage.touchpoints {
                if let o = tp.owner {
                    reference(o, from: i, type: .department, relation: .owned, context: "owns the touchpoint “\(stage.name) › \(tp.name)”")
                }
                for f in tp.findings {
                    reference(f, from: i, type: .finding, relation: .citedAt, context: "\(stage.name) › \(tp.name)")
                }
            }
        }
        for ranking in j.rankings where ranking.list.value != "customer" {
            if case .page(let d, _) = index.resolve(reference: ranking.list.value, type: .department), index.pages[d].type == .department {
                continue
            }
            diagnostics.append(.error(ranking.list.location, "ranking `\(ranking.list.value)` is neither `customer` nor a department",
                                      hint: departmentHint(ranking.list.value)))
        }
    }

    private mutating func departmentHint(_ name: String) -> String {
        if let s = suggestions.page(for: name, type: .department, in: index) { return "did you mean `\(s)`?" }
        return "departments are the pages in content/departments/"
    }

    private mutating func checkParentCycle(from start: Int, parent: Int, at location: Located<String>) {
        var seen: Set<Int> = [start]
        var current: Int? = parent
        var chain = [index.pages[start].id]
        while let c = current {
            chain.append(index.pages[c].id)
            if seen.contains(c) {
                // Report the cycle once, on the page with the smallest id in it.
                guard c == start, index.pages[start].id == chain.dropLast().min() else { return }
                diagnostics.append(.error(location.location, "journey parents form a cycle: \(chain.joined(separator: " → "))",
                                          hint: "a journey cannot be its own ancestor; remove one `parent:`"))
                return
            }
            seen.insert(c)
            guard case .journey(let j) = index.pages[c].entity, let p = j.parent,
                  case .page(let next, _) = index.resolve(reference: p.value, type: .journey) else { return }
            current = next
        }
    }

    enum AnchorRule { case any, stagesAndTouchpoints }

    /// A typed front-matter reference; returns the target page when it resolves to the right type.
    @discardableResult
    private mutating func reference(_ r: Located<String>, from i: Int, type: PageType, relation: Backlink.Relation,
                                    anchors: AnchorRule = .any, context: String = "", what: String? = nil) -> Int? {
        let noun = what ?? type.label.lowercased()
        switch index.resolve(reference: r.value, type: type) {
        case .page(let t, let anchor):
            guard index.pages[t].type == type else {
                diagnostics.append(.error(r.location, "`\(r.value)` is a \(index.pages[t].type.label.lowercased()), not a \(noun)",
                                          hint: suggestions.page(for: r.value, type: type, in: index).map { "did you mean `\($0)`?" }))
                return nil
            }
            var note = context
            if let anchor {
                guard case .journey(let j) = index.pages[t].entity, let name = Self.stageOrTouchpointName(anchor, in: j) else {
                    if anchors == .stagesAndTouchpoints {
                        diagnostics.append(.error(r.location, "`#\(anchor)` is not a stage or touchpoint of `\(index.pages[t].id)`",
                                                  hint: "refer to a stage as `journey#stage` or a touchpoint as `journey#stage/touchpoint`"))
                        return nil
                    }
                    backlinks.append(Edge(target: t, backlink: Backlink(relation: relation, source: i, context: note)))
                    return t
                }
                note = note.isEmpty ? name : note
            }
            backlinks.append(Edge(target: t, backlink: Backlink(relation: relation, source: i, context: note)))
            return t
        case .missingAnchor(let t, let anchor):
            var hint = "refer to a stage as `journey#stage` or a touchpoint as `journey#stage/touchpoint`"
            if let suggestion = suggestions.anchor(for: anchor, on: t, in: index) { hint = "did you mean `\(index.pages[t].id)#\(suggestion)`?" }
            diagnostics.append(.error(r.location, "unknown stage or touchpoint `#\(anchor)` in `\(index.pages[t].id)`", hint: hint))
        case .missing(let near, let nearType):
            let suggestion = near.flatMap { suggestions.page(for: $0, type: nearType, in: index) }
            var hint = "create content/\(type.folder.map { $0 + "/" } ?? "")\(slugify(r.value.split(separator: "/").last.map(String.init) ?? r.value)).md or fix the id"
            if let suggestion { hint = "did you mean `\(suggestion)`?" }
            if draftIDs.contains(SiteIndex.normalise(r.value).lowercased()) { hint = "that page is a draft; build with --drafts or publish it" }
            diagnostics.append(.error(r.location, "unknown \(noun) `\(r.value)`", hint: hint))
        case .ambiguous(let hits):
            diagnostics.append(.error(r.location, "`\(r.value)` matches \(hits.count) pages: \(hits.map { index.pages[$0].id }.joined(separator: ", "))",
                                      hint: "write the full id, e.g. `\(index.pages[hits[0]].id)`"))
        case .asset, .external:
            diagnostics.append(.error(r.location, "unknown \(noun) `\(r.value)`"))
        }
        return nil
    }

    /// A backlink sentence as the page shows it: unlabelled wikilinks read as their targets' titles.
    func readable(_ sentence: String) -> String {
        // Both marks are private-use characters whose UTF-8 starts with 0xEE: most sentences have neither.
        guard sentence.utf8.contains(0xEE), sentence.contains(MarkdownBody.titleMarkStart) || sentence.contains(MarkdownBody.titleMarkEnd) else { return sentence }
        var out = ""
        var rest = Substring(sentence)
        while let start = rest.range(of: MarkdownBody.titleMarkStart) {
            out += rest[..<start.lowerBound]
            rest = rest[start.upperBound...]
            let end = rest.range(of: MarkdownBody.titleMarkEnd)
            let target = String(end.map { rest[..<$0.lowerBound] } ?? rest)
            rest = end.map { rest[$0.upperBound...] } ?? ""
            let page = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? target
            if !page.isEmpty, case .found(let p) = index.lookup(page) { out += index.pages[p].title } else { out += target }
        }
        out += rest
        return out.replacingOccurrences(of: MarkdownBody.titleMarkEnd, with: "")
    }

    static func stageOrTouchpointName(_ anchor: String, in journey: Journey) -> String? {
        for stage in journey.stages {
            if stage.anchor == anchor { return stage.name }
            for tp in stage.touchpoints where tp.anchor == anchor { return "\(stage.name) › \(tp.name)" }
        }
        return nil
    }

    private mutating func bodyLink(_ link: BodyLink, from i: Int) {
        let written: String
        let resolution: LinkResolution
        var embed = false
        switch link.target {
        case .wiki(let w):
            embed = w.embed
            written = "\(w.embed ? "!" : "")[[\(w.target)\(w.anchor.map { "#" + $0 } ?? "")]]"
            resolution = index.resolve(w, from: i)
        case .url(let u), .image(let u):
            written = "`\(u)`"
            resolution = index.resolve(url: u, from: i)
        }
        let isImage: Bool = { if case .image = link.target { return true }; return false }()
        let what = isImage ? "image" : embed ? "embed" : "link"
        switch resolution {
        case .page(let t, let anchor):
            if embed, let anchor, !index.pages[t].facts.headings.contains(where: { $0.anchor == anchor }) {
                let suggestion = suggestions.anchor(for: anchor, on: t, in: index)
                    .flatMap { s in index.pages[t].facts.headings.contains(where: { $0.anchor == s }) ? s : nil }
                diagnostics.append(Diagnostic(brokenSeverity, link.location,
                                              "broken embed \(written): `#\(anchor)` is not a heading of `\(index.pages[t].id.isEmpty ? "home" : index.pages[t].id)`; embeds show the section under a heading",
                                              hint: suggestion.map { "did you mean ![[\(index.pages[t].id)#\($0)]]?" } ?? "embed the whole page with ![[\(index.pages[t].id)]], or link the stage with [[…]]"))
                return
            }
            if !isImage {
                let relation: Backlink.Relation = embed ? .embeddedIn : .mentions
                backlinks.append(Edge(target: t, backlink: Backlink(relation: relation, source: i, context: readable(link.sentence))))
            }
        case .asset, .external:
            break
        case .missing(let near, let nearType):
            let suggestion = near.flatMap { suggestions.page(for: $0, type: nearType, in: index) }
            var hint: String?
            if let suggestion { hint = "did you mean \(embed ? "!" : "")[[\(suggestion)]]?" }
            let named: String? = {
                if case .wiki(let w) = link.target { return SiteIndex.normalise(w.target).lowercased() }
                return near?.lowercased()
            }()
            if let named, draftIDs.contains(named) {
                diagnostics.append(Diagnostic(brokenSeverity, link.location,
                                              "\(what) \(written) points to a draft, which this build leaves out",
                                              hint: "publish it (remove `draft: true`), build with --drafts to preview, or remove the \(what)"))
                return
            }
            diagnostics.append(Diagnostic(brokenSeverity, link.location, "broken \(what) \(written): no such page or file", hint: hint ?? (isImage || (embed && near.map { Wikilink(target: $0, range: 0..<0).targetIsImage } == true) ? "put the image under content/ and link it relative to this file" : "check the spelling, or create the page")))
        case .ambiguous(let hits):
            diagnostics.append(Diagnostic(brokenSeverity, link.location,
                                          "ambiguous \(what) \(written) matches \(hits.count) pages: \(hits.map { index.pages[$0].id }.joined(separator: ", "))",
                                          hint: "write the full id, e.g. \(embed ? "!" : "")[[\(index.pages[hits[0]].id)]]"))
        case .missingAnchor(let t, let anchor):
            let suggestion = suggestions.anchor(for: anchor, on: t, in: index)
            diagnostics.append(Diagnostic(brokenSeverity, link.location,
                                          "broken \(embed ? "embed" : "anchor") \(written): `#\(anchor)` is not a heading, stage or touchpoint of `\(index.pages[t].id.isEmpty ? "home" : index.pages[t].id)`",
                                          hint: suggestion.map { "did you mean \(embed ? "!" : "")[[\(index.pages[t].id)#\($0)]]?" }))
        }
    }
}
