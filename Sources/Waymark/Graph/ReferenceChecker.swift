/// Resolves every reference of every page once: typed front-matter references and body links.
/// Collects the diagnostics and the backlinks they imply. Pages are checked on all cores, each on
/// its own; only the "did you mean" hints, which share one budget, are looked for afterwards, in
/// page order, so every build words its diagnostics the same way.
struct ReferenceChecker {
    struct Edge: Hashable {
        var target: Int
        var backlink: Backlink
    }

    /// A hint that needs a suggestion: the name or anchor nearest to what was written.
    struct PendingHint: Sendable {
        enum Lookup: Sendable {
            case page(String, type: PageType?)
            case anchor(String, page: Int)
        }
        var lookup: Lookup
        /// The hint, given the suggestion (nil when there is none, or the budget is spent).
        var hint: @Sendable (String?) -> String?
    }

    /// What checking some pages found, in page order.
    struct Report: Sendable {
        var diagnostics: [(diagnostic: Diagnostic, pending: PendingHint?)] = []
        var edges: [Edge] = []
        /// Where the body links of the pages led, for the next build (nil for a page whose links found a problem).
        var memo: [LinkMemo.Entry?] = []
        /// Pages whose body links were taken from the previous build's memo.
        var reused = 0
    }

    /// What checking every page found.
    struct Result {
        var diagnostics: [Diagnostic]
        /// The backlink edges in page order, in a few runs of pages (each edge holds a sentence: they
        /// are left where they were made, not copied into one array).
        var edges: [[Edge]]
        /// Where each page's body links led, for the next build.
        var memo: LinkMemo
        /// Pages whose body links were not resolved again (see `LinkMemo`).
        var reused: Int
    }

    let index: SiteIndex
    let config: SiteConfig
    /// Lowercased ids of draft pages left out of this build, so links to them get a precise message.
    let draftIDs: Set<String>
    /// The previous build's memo, when it was made against the same site (`LinkMemo.environment`).
    let previous: LinkMemo?
    /// The file names (slugs) of pages whose front matter is unreadable: their titles are unknown, so
    /// a link by title (`[[Priya, small business owner]]` for `priya-small-business-owner.md`) is
    /// matched by its slug and not reported on top of that page's own error.
    let unreadableNames: Set<String>
    private(set) var found = Report()

    init(index: SiteIndex, config: SiteConfig, draftIDs: Set<String>, previous: LinkMemo? = nil) {
        self.index = index
        self.config = config
        self.draftIDs = draftIDs
        self.previous = previous
        unreadableNames = Set(index.pages.filter(\.frontMatterUnreadable).compactMap { $0.id.slashSeparated().last.map(String.init) })
    }

    /// Whether a wikilink that names no page may name one whose front matter is unreadable.
    private func mayNameUnreadablePage(_ target: String) -> Bool {
        guard !unreadableNames.isEmpty else { return false }
        let name = target.slashSeparated().last.map(String.init) ?? target
        return unreadableNames.contains(slugify(ContentFile.stripMarkdownExtension(name)))
    }

    /// Checks every page, on all cores. `environment` is the digest of what resolving a link reads of
    /// the site (`LinkMemo.environment`); `previous`, the memo of the last build, is used only when it
    /// was made for the same one.
    static func check(index: SiteIndex, config: SiteConfig, draftIDs: Set<String>,
                      environment: UInt64 = 0, previous: LinkMemo? = nil) -> Result {
        let usable = previous.flatMap { $0.environment == environment && $0.pages.count == index.pages.count ? $0 : nil }
        // A few dozen runs of consecutive pages, so each core checks many pages per task.
        let reports = parallelMap(runs(of: index.pages.count)) { run -> Report in
            var checker = ReferenceChecker(index: index, config: config, draftIDs: draftIDs, previous: usable)
            for i in run { checker.check(page: i) }
            return checker.found
        }
        var suggestions = Suggestions()
        var diagnostics: [Diagnostic] = []
        for report in reports {
            for (written, pending) in report.diagnostics {
                var diagnostic = written
                if let pending {
                    let suggestion: String?
                    switch pending.lookup {
                    case .page(let name, let type): suggestion = suggestions.page(for: name, type: type, in: index)
                    case .anchor(let anchor, let page): suggestion = suggestions.anchor(for: anchor, on: page, in: index)
                    }
                    diagnostic.hint = pending.hint(suggestion)
                }
                diagnostics.append(diagnostic)
            }
        }
        return Result(diagnostics: diagnostics, edges: reports.map(\.edges),
                      memo: LinkMemo(environment: environment, pages: reports.flatMap(\.memo)),
                      reused: reports.reduce(0) { $0 + $1.reused })
    }

    private var brokenSeverity: Diagnostic.Severity { config.brokenLinks == .warning ? .warning : .error }

    private mutating func report(_ diagnostic: Diagnostic, pending: PendingHint? = nil) {
        found.diagnostics.append((diagnostic, pending))
    }

    /// A diagnostic whose hint is made, later, from the page nearest to `name`.
    private mutating func report(_ diagnostic: Diagnostic, nearestPageTo name: String, type: PageType?, hint: @escaping @Sendable (String?) -> String?) {
        report(diagnostic, pending: PendingHint(lookup: .page(name, type: type), hint: hint))
    }

    /// A diagnostic whose hint is made, later, from the anchor on `page` nearest to `anchor`.
    private mutating func report(_ diagnostic: Diagnostic, nearestAnchorTo anchor: String, on page: Int, hint: @escaping @Sendable (String?) -> String?) {
        report(diagnostic, pending: PendingHint(lookup: .anchor(anchor, page: page), hint: hint))
    }

    mutating func check(page i: Int) {
        switch index.pages[i].entity {
        case .journey(let j): checkJourney(j, page: i)
        case .finding(let f):
            for r in f.supports { reference(r, from: i, type: .journey, relation: .supportingEvidence, anchors: .stagesAndTouchpoints) }
            for r in f.contradicts { reference(r, from: i, type: .journey, relation: .contradictingEvidence, anchors: .stagesAndTouchpoints) }
            // On the persona's page: how recent, how and how sure ("2025-03-14 · interviews · confidence: medium").
            let about = [f.date, f.method.isEmpty ? nil : f.method, f.confidence.map { "confidence: \($0)" }].compactMap { $0 }.joined(separator: " · ")
            for r in withoutCommaSplitTitles(f.personas, type: .persona) { reference(r, from: i, type: .persona, relation: .researchAbout, context: about) }
        case .term(let t):
            // A term named in its own lists, or both related and not to be confused: the writer meant another.
            func target(_ r: Located<String>) -> Int? {
                if case .page(let p, _) = index.resolve(reference: r.value, type: .term) { return p }
                return nil
            }
            let related = Set(t.related.compactMap(target))
            for (field, list) in [("related", t.related), ("not_to_confuse", t.notToConfuse)] {
                for r in list where target(r) == i {
                    report(.warning(r.location, "`\(field)` names this term itself", hint: "name other terms here; remove `\(r.value)`"))
                }
            }
            for r in t.notToConfuse where target(r).map({ $0 != i && related.contains($0) }) ?? false {
                report(.warning(r.location, "`\(r.value)` is both related to this term and not to be confused with it",
                                hint: "keep it in one of `related` and `not_to_confuse`"))
            }
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
        if config.unsafeHTML == false, let first = index.pages[i].facts.rawHTML.first {
            // One warning a page, naming every line (up to ten): a page of imported HTML is not a hundred warnings.
            let facts = index.pages[i].facts
            var message = "raw HTML is shown as text"
            let others = facts.rawHTML.dropFirst().map { String($0.line) }
            if !others.isEmpty {
                message += ", here and on line\(facts.rawHTMLLines > 2 ? "s" : "") " + others.joined(separator: ", ")
                if facts.rawHTMLLines > facts.rawHTML.count { message += " and \(facts.rawHTMLLines - facts.rawHTML.count) more" }
            }
            report(.warning(first, message, hint: "set `markdown: {unsafe: true}` in waymark.yml if this site trusts its writers' HTML"))
        }
        let links = index.pages[i].facts.links
        let sourceHash = index.pages[i].sourceHash
        if let entry = previous?.entry(i, sourceHash: sourceHash, linkCount: links.count) {
            // Nothing a link resolves against changed, nor the page: its links lead where they led.
            for k in links.indices {
                guard let target = LinkMemo.Entry.target(entry.links[k]) else { continue }
                let context = LinkMemo.Entry.titled(entry.links[k]) ? index.readable(links[k].sentence, from: i, shownOn: target) : links[k].sentence
                found.edges.append(Edge(target: target, backlink: Backlink(relation: links[k].isEmbed ? .embeddedIn : .mentions,
                                                                           source: i, context: context)))
            }
            found.memo.append(entry)
            found.reused += 1
            return
        }
        let problems = found.diagnostics.count
        var codes: [UInt32] = []
        codes.reserveCapacity(links.count)
        for k in links.indices { codes.append(bodyLink(links[k], from: i)) }
        found.memo.append(found.diagnostics.count == problems ? LinkMemo.Entry(sourceHash: sourceHash, links: codes) : nil)
    }

    /// References in a `[…]` list, each with the neighbour it may have been cut from: a title with a
    /// comma in it (`[Priya, small business owner]`) is two items in YAML. Such a pair that names a page
    /// together is one error, with the id (or the title in quotes) to write; each other item is returned.
    private mutating func withoutCommaSplitTitles(_ refs: [Located<String>], type: PageType) -> [Located<String>] {
        guard refs.count > 1 else { return refs }
        var kept: [Located<String>] = []
        var k = 0
        while k < refs.count {
            if k + 1 < refs.count, refs[k].location.line == refs[k + 1].location.line {
                let (a, b) = (refs[k], refs[k + 1])
                if case .missing = index.resolve(reference: a.value, type: type), case .missing = index.resolve(reference: b.value, type: type),
                   case .found(let t) = index.lookup(a.value + ", " + b.value, type: type), index.pages[t].type == type {
                    report(.error(a.location, "`\(a.value)` and `\(b.value)` are two items here: in `[…]` a comma separates items, so the title `\(a.value), \(b.value)` was cut in two",
                                  hint: "write the \(type.label.lowercased())'s id, `\(index.pages[t].id)`, or the title in quotes: \"\(a.value), \(b.value)\""))
                    k += 2
                    continue
                }
            }
            kept.append(refs[k])
            k += 1
        }
        return kept
    }

    private mutating func checkJourney(_ j: Journey, page i: Int) {
        for r in withoutCommaSplitTitles(j.personas, type: .persona) { reference(r, from: i, type: .persona, relation: .walkedJourneys) }
        if let o = j.owner { reference(o, from: i, type: .department, relation: .owned, context: "owns the journey") }
        for d in j.departments { reference(d, from: i, type: .department, relation: .takesPart) }
        if let p = j.parent {
            if let parent = reference(p, from: i, type: .journey, relation: .childJourneys) { checkParentCycle(from: i, parent: parent, at: p) }
        }
        // Stages and touchpoints are read in place: a journey has dozens, and copying one retains all it holds.
        for s in j.stages.indices {
            let stage = j.stages[s].name
            if let o = j.stages[s].owner { reference(o, from: i, type: .department, relation: .owned, context: "owns the stage “\(stage)”") }
            for t in j.stages[s].touchpoints.indices {
                let name = j.stages[s].touchpoints[t].name
                if let o = j.stages[s].touchpoints[t].owner {
                    reference(o, from: i, type: .department, relation: .owned, context: "owns the touchpoint “\(stage) › \(name)”")
                }
                for f in j.stages[s].touchpoints[t].findings {
                    reference(f, from: i, type: .finding, relation: .citedAt, context: "\(stage) › \(name)")
                }
            }
        }
        // A ranked item that is one or two typing mistakes from a touchpoint's name ("Claim tracker pag") would
        // show as an item not on the map: a warning with the name to write.
        var touchpointNames: [String: String] = [:]
        for stage in j.stages { for tp in stage.touchpoints { touchpointNames[slugify(tp.name)] = tp.name } }
        for ranking in j.rankings {
            for item in ranking.items {
                let key = slugify(item.value)
                guard key.count >= 4, touchpointNames[key] == nil else { continue }
                // Names of about the same length and first letter only: the distance is worked out for few.
                let near = touchpointNames.compactMap { name, shown -> (Int, String, String)? in
                    guard abs(name.count - key.count) <= 2, name.first == key.first else { return nil }
                    let d = editDistance(name, key)
                    return d <= 2 ? (d, name, shown) : nil
                }.min { ($0.0, $0.1) < ($1.0, $1.1) }
                if let near {
                    report(.warning(item.location, "ranked item `\(item.value)` is not a touchpoint of this journey: did you mean `\(near.2)`?",
                                    hint: "an item that is no touchpoint is shown in italics, as not on the map; write the touchpoint's name to rank it"))
                }
            }
        }
        for ranking in j.rankings where ranking.list.value != "customer" {
            if case .page(let d, _) = index.resolve(reference: ranking.list.value, type: .department), index.pages[d].type == .department {
                continue
            }
            report(.error(ranking.list.location, "ranking `\(ranking.list.value)` is neither `customer` nor a department"),
                   nearestPageTo: ranking.list.value, type: .department) { s in
                s.map { "did you mean `\($0)`?" } ?? "departments are the pages in content/departments/"
            }
        }
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
                report(.error(location.location, "journey parents form a cycle: \(chain.joined(separator: " → "))",
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
        let resolution = index.resolve(reference: r.value, type: type)
        // A page whose front matter is unreadable has its own error; what it holds is unknown, so a
        // reference to it is not reported as wrong on top of that.
        switch resolution {
        case .page(let t, _) where index.pages[t].frontMatterUnreadable, .missingAnchor(let t, _) where index.pages[t].frontMatterUnreadable:
            return nil
        default:
            break
        }
        switch resolution {
        case .page(let t, let anchor):
            guard index.pages[t].type == type else {
                report(.error(r.location, "`\(r.value)` is a \(index.pages[t].type.label.lowercased()), not a \(noun)"),
                       nearestPageTo: r.value, type: type) { s in s.map { "did you mean `\($0)`?" } }
                return nil
            }
            var note = context
            if let anchor {
                guard case .journey(let j) = index.pages[t].entity, let name = Self.stageOrTouchpointName(anchor, in: j) else {
                    if anchors == .stagesAndTouchpoints {
                        report(.error(r.location, "`#\(anchor)` is not a stage or touchpoint of `\(index.pages[t].id)`",
                                      hint: "refer to a stage as `journey#stage` or a touchpoint as `journey#stage/touchpoint`"))
                        return nil
                    }
                    found.edges.append(Edge(target: t, backlink: Backlink(relation: relation, source: i, context: note)))
                    return t
                }
                note = note.isEmpty ? name : note
            }
            found.edges.append(Edge(target: t, backlink: Backlink(relation: relation, source: i, context: note)))
            return t
        case .missingAnchor(let t, let anchor):
            let id = index.pages[t].id
            if let moved = Self.touchpointUnderRenamedStage(anchor, of: t, in: index) {
                report(.error(r.location, "unknown stage or touchpoint `#\(anchor)` in `\(id)`",
                              hint: "its stage has another name now: did you mean `\(id)#\(moved)`?"))
                return nil
            }
            if let full = Self.touchpointWithoutStage(anchor, of: t, in: index) {
                report(.error(r.location, "unknown stage or touchpoint `#\(anchor)` in `\(id)`",
                              hint: "a touchpoint is named with its stage: did you mean `\(id)#\(full)`?"))
                return nil
            }
            report(.error(r.location, "unknown stage or touchpoint `#\(anchor)` in `\(id)`"), nearestAnchorTo: anchor, on: t) { s in
                s.map { "did you mean `\(id)#\($0)`?" } ?? "refer to a stage as `journey#stage` or a touchpoint as `journey#stage/touchpoint`"
            }
        case .missing(let near, let nearType):
            // `owner: Hannah Reid`: a person where a department goes, not a department page to create.
            let create = type == .department && relation == .owned && r.value.contains(" ") && !r.value.contains("/")
                ? "an owner is a department (a page under content/departments/), not a person: write its id, as in `owner: "
                    + (index.pages.first { $0.type == .department }?.id ?? "departments/service") + "`"
                : "create content/\(type.folder.map { $0 + "/" } ?? "")\(slugify(r.value.slashSeparated().last.map(String.init) ?? r.value)).md or fix the id"
            let isDraft = draftIDs.contains(SiteIndex.normalise(r.value).lowercased())
            let hint: @Sendable (String?) -> String? = { suggestion in
                if isDraft { return "that page is a draft; build with --drafts or publish it" }
                return suggestion.map { "did you mean `\($0)`?" } ?? create
            }
            let diagnostic = Diagnostic.error(r.location, "unknown \(noun) `\(r.value)`")
            if let near {
                report(diagnostic, nearestPageTo: near, type: nearType, hint: hint)
            } else {
                report(.error(r.location, diagnostic.message, hint: hint(nil)))
            }
        case .ambiguous(let hits):
            report(.error(r.location, "`\(r.value)` matches \(hits.count) pages: \(hits.map { index.pages[$0].id }.joined(separator: ", "))",
                          hint: "write the full id, e.g. `\(index.pages[hits[0]].id)`"))
        case .asset, .external:
            report(.error(r.location, "unknown \(noun) `\(r.value)`"))
        }
        return nil
    }

    /// What a link to a missing anchor on page `t` could point at instead: its first few headings,
    /// stages and touchpoints, or that it has none.
    /// `wanted`: the anchor written; a touchpoint's (`stage/touchpoint`) gets touchpoint anchors listed, not stages.
    static func anchorList(of t: Int, in index: SiteIndex, wanted: String = "") -> String {
        var anchors: [String] = []
        if case .journey(let j) = index.pages[t].entity {
            for stage in j.stages {
                if wanted.contains("/") { anchors += stage.touchpoints.map(\.anchor) } else { anchors.append(stage.anchor) }
            }
        }
        anchors += index.pages[t].facts.headings.map(\.anchor)
        guard !anchors.isEmpty else { return "`\(index.pages[t].id)` has no headings: link to the page itself, without `#…`" }
        let shown = anchors.prefix(8).map { "#\($0)" }.joined(separator: ", ")
        return "its anchors are \(shown)" + (anchors.count > 8 ? " and \(anchors.count - 8) more" : "")
    }

    /// The one touchpoint anchor of journey page `t` with the touchpoint part of `wanted`
    /// (`diagnosis/gp-appointment` → `diagnosis-and-tests/gp-appointment`): its stage was renamed.
    /// `journeys/claim#claim-tracker-page`: a touchpoint named without its stage, when one touchpoint of
    /// the journey has that name: its anchor with the stage.
    static func touchpointWithoutStage(_ wanted: String, of t: Int, in index: SiteIndex) -> String? {
        guard !wanted.contains("/"), case .journey(let j) = index.pages[t].entity else { return nil }
        let same = j.stages.flatMap { $0.touchpoints.map(\.anchor) }.filter { $0.hasSuffix("/" + wanted) }
        return same.count == 1 ? same[0] : nil
    }

    static func touchpointUnderRenamedStage(_ wanted: String, of t: Int, in index: SiteIndex) -> String? {
        guard case .journey(let j) = index.pages[t].entity, let slash = wanted.lastIndex(of: "/") else { return nil }
        let touchpoint = "/" + wanted[wanted.index(after: slash)...]
        let same = j.stages.flatMap { $0.touchpoints.map(\.anchor) }.filter { $0.hasSuffix(touchpoint) }
        return same.count == 1 ? same[0] : nil
    }

    /// `personas/sam.md` as written in a link from `guides/notes.md`: `../personas/sam.md`.
    static func relativeFile(_ target: String, from source: String) -> String {
        var from = source.split(separator: "/", omittingEmptySubsequences: false).dropLast()[...]
        var to = target.split(separator: "/", omittingEmptySubsequences: false)[...]
        while let a = from.first, let b = to.first, to.count > 1, a == b {
            from = from.dropFirst()
            to = to.dropFirst()
        }
        return (Array(repeating: "..", count: from.count) + to.map(String.init)).joined(separator: "/")
    }

    static func stageOrTouchpointName(_ anchor: String, in journey: Journey) -> String? {
        for stage in journey.stages {
            if stage.anchor == anchor { return stage.name }
            for tp in stage.touchpoints where tp.anchor == anchor { return "\(stage.name) › \(tp.name)" }
        }
        return nil
    }

    /// Checks a body link; returns where it leads, as `LinkMemo.Entry.links` keeps it.
    private mutating func bodyLink(_ link: BodyLink, from i: Int) -> UInt32 {
        let resolution: LinkResolution
        var embed = false
        switch link.target {
        case .wiki(let w):
            embed = w.embed
            resolution = index.resolve(w, from: i)
        case .url(let u), .image(let u):
            resolution = index.resolve(url: u, from: i)
        }
        let isImage: Bool = { if case .image = link.target { return true }; return false }()
        if case .page(let t, let anchor) = resolution, !(embed && anchor.map { a in !index.pages[t].facts.embeddable(anchor: a) } == true) {
            guard !isImage else { return 0 }
            let relation: Backlink.Relation = embed ? .embeddedIn : .mentions
            let titled = MarkdownBody.hasTitleMarks(link.sentence)
            found.edges.append(Edge(target: t, backlink: Backlink(relation: relation, source: i,
                                                                  context: titled ? index.readable(link.sentence, from: i, shownOn: t) : link.sentence)))
            return LinkMemo.Entry.code(target: t, titled: titled)
        }
        if case .asset = resolution { return 0 }
        if case .external = resolution {
            // A `javascript:` or `file:` link is emptied when rendered (it would run code, or open the reader's
            // own disk): the writer hears why it goes nowhere.
            switch link.target {
            case .url(let u), .image(let u):
                // Nearly every address is a web one: those are not looked at again.
                if u.isEmpty {
                    // `[review process]()`: a link that only reloads the page, or an image of nothing.
                    report(.warning(link.location, "\(isImage ? "image" : "link") has no address",
                                    hint: isImage ? "put the image's path between the parentheses" : "put the page or address it should lead to between the parentheses, or drop the brackets"))
                } else if !u.hasPrefix("https://"), !u.hasPrefix("http://"), let scheme = MarkdownBody.blockedScheme(u, image: isImage) {
                    report(.warning(link.location, "\(isImage ? "image" : "link") `\(u)` is left out: `\(scheme):` addresses are not published",
                                    hint: "link a page with [[…]] or a web address (https://…) instead"))
                } else if u.hasPrefix("/"), !u.hasPrefix("//"), LinkResolution.generatedFile(u) == nil,
                          case let id = u.dropFirst().prefix(while: { $0 != "?" && $0 != "#" }).split(separator: "/").joined(separator: "/").lowercased(),
                          draftIDs.contains(id) {
                    report(Diagnostic(brokenSeverity, link.location, "\(isImage ? "image" : "link") `\(u)` points to a draft, which this build leaves out",
                                      hint: "publish it (remove `draft: true`), build with --drafts to preview, or remove the link"))
                } else if u.hasPrefix("/"), !u.hasPrefix("//"), LinkResolution.generatedFile(u) == nil {
                    // Root-relative, and no page or file of this site: another application on the same server, or a typo.
                    report(.warning(link.location, "\(isImage ? "image" : "link") `\(u)` is not a page or file of this site: it is left as written",
                                    hint: "a page is linked from the site's root as `/journeys/asthma/` or `/journeys/asthma.md`; "
                                        + "for something else on the same server, write its full address (https://…)"))
                }
            case .wiki: break
            }
            return 0
        }
        // An anchor on a page whose front matter is unreadable: its stages are unknown (that page has the error).
        if case .missingAnchor(let t, _) = resolution, index.pages[t].frontMatterUnreadable { return 0 }
        if case .page(let t, _) = resolution, index.pages[t].frontMatterUnreadable { return 0 }
        if case .missing = resolution, case .wiki(let w) = link.target, mayNameUnreadablePage(w.target) { return 0 }
        // Only a broken link needs the words for it.
        let written: String
        switch link.target {
        case .wiki(let w): written = "\(w.embed ? "!" : "")[[\(w.target)\(w.anchor.map { "#" + $0 } ?? "")]]"
        case .url(let u), .image(let u): written = "`\(u)`"
        }
        let what = isImage ? "image" : embed ? "embed" : "link"
        let bang = embed ? "!" : ""
        switch resolution {
        case .page(let t, let anchor):
            // An embed of a section that is no heading (checked above).
            guard let anchor else { return 0 }
            let id = index.pages[t].id
            let headings = Set(index.pages[t].facts.headings.map(\.anchor))
            report(Diagnostic(brokenSeverity, link.location,
                              "broken embed \(written): `#\(anchor)` is not a heading of `\(id.isEmpty ? "home" : id)`; embeds show the section under a heading, or a block with an id (`#^id`)"),
                   nearestAnchorTo: anchor, on: t) { s in
                s.flatMap { headings.contains($0) ? $0 : nil }.map { "did you mean ![[\(id)#\($0)]]?" }
                    ?? "embed the whole page with ![[\(id)]], or link the stage with [[…]]"
            }
        case .asset, .external:
            break
        case .missing(let near, let nearType):
            let named: String? = {
                if case .wiki(let w) = link.target { return SiteIndex.normalise(w.target).lowercased() }
                return near?.lowercased()
            }()
            let diagnostic: Diagnostic
            let hint: @Sendable (String?) -> String?
            if let named, draftIDs.contains(named) {
                diagnostic = Diagnostic(brokenSeverity, link.location, "\(what) \(written) points to a draft, which this build leaves out",
                                        hint: "publish it (remove `draft: true`), build with --drafts to preview, or remove the \(what)")
                let fixed = diagnostic.hint
                hint = { _ in fixed }
            } else {
                diagnostic = Diagnostic(brokenSeverity, link.location, "broken \(what) \(written): no such page or file")
                let fallback = isImage || (embed && near.map { Wikilink(target: $0, range: 0..<0).targetIsImage } == true)
                    ? "put the image under content/ and link it relative to this file" : "check the spelling, or create the page"
                if case .url = link.target {
                    // A Markdown link gets its suggestion as a Markdown link: the page's file, relative to this one.
                    let from = index.pages[i].file.relativePath
                    let files = index.pages.map(\.file.relativePath), ids = index.pages.map(\.id)
                    hint = { s in
                        guard let s, let t = ids.firstIndex(of: s), !files[t].isEmpty else { return fallback }
                        return "did you mean `\(Self.relativeFile(files[t], from: from))`?"
                    }
                } else {
                    hint = { s in s.map { "did you mean \(bang)[[\($0)]]?" } ?? fallback }
                }
            }
            // The suggestion is looked for even for a draft, as it always was: it spends the same budget.
            if let near {
                report(diagnostic, nearestPageTo: near, type: nearType, hint: hint)
            } else {
                var d = diagnostic
                d.hint = hint(nil)
                report(d)
            }
        case .ambiguous(let hits):
            report(Diagnostic(brokenSeverity, link.location,
                              "ambiguous \(what) \(written) matches \(hits.count) pages: \(hits.map { index.pages[$0].id }.joined(separator: ", "))",
                              hint: "write the full id, e.g. \(bang)[[\(index.pages[hits[0]].id)]]"))
        case .missingAnchor(let t, let anchor):
            let id = index.pages[t].id
            // Suggested the way the link was written: a Markdown link gets the file relative to this one.
            var form = (before: "\(bang)[[\(id)#", after: "]]")
            if case .url(let u) = link.target, u.hasPrefix("#") {
                form = ("`#", "`")  // a section of this page, as written: `#…`
            } else if case .url = link.target, !index.pages[t].file.relativePath.isEmpty {
                form = ("`\(Self.relativeFile(index.pages[t].file.relativePath, from: index.pages[i].file.relativePath))#", "`")
            } else if case .wiki(let w) = link.target, w.target.isEmpty {
                form = ("\(bang)[[#", "]]")  // `[[#where-it-brakes]]`: the same page, as written
            }
            let suggestion = form
            let fallback = Self.anchorList(of: t, in: index, wanted: anchor)
            var broken = Diagnostic(brokenSeverity, link.location,
                                    "broken \(embed ? "embed" : "anchor") \(written): `#\(anchor)` is not "
                                    + (anchor.hasPrefix("^") ? "a block id" : "a heading, stage or touchpoint") + " of `\(id.isEmpty ? "home" : id)`")
            if let moved = Self.touchpointUnderRenamedStage(anchor, of: t, in: index) {
                broken.hint = "its stage has another name now: did you mean \(suggestion.before)\(moved)\(suggestion.after)?"
                report(broken)
            } else if let full = Self.touchpointWithoutStage(anchor, of: t, in: index) {
                broken.hint = "a touchpoint is named with its stage: did you mean \(suggestion.before)\(full)\(suggestion.after)?"
                report(broken)
            } else {
                report(broken, nearestAnchorTo: anchor, on: t) { s in s.map { "did you mean \(suggestion.before)\($0)\(suggestion.after)?" } ?? fallback }
            }
            // The link still leads to the page (and shows its title when unlabelled): it is a backlink,
            // and so the page is re-rendered when that title changes.
            if !isImage, t != i {
                let titled = MarkdownBody.hasTitleMarks(link.sentence)
                found.edges.append(Edge(target: t, backlink: Backlink(relation: .mentions, source: i,
                                                                      context: titled ? index.readable(link.sentence, from: i, shownOn: t) : link.sentence)))
            }
        }
        return 0
    }
}
