import Foundation

/// The link step, the one whole-site step: index ids, resolve every reference, collect backlinks and diagnostics.
struct Linker {
    var config: SiteConfig
    var includeDrafts: Bool
    /// The previous build's `LinkMemo`: pages whose links lead where they led are not resolved again.
    var previous: LinkMemo?

    /// `loaded` is taken over: when every page stays, in order, its array becomes the site's without
    /// a copy of any page (a copy retains every field of it).
    func link(pages loaded: consuming [LoadedPage], assets: [ContentFile]) -> (Site, [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        // Pages are handled by index until the site's own array is made: a page is copied at most once.
        let unique = uniquePages(loaded, diagnostics: &diagnostics)
        let drafts = includeDrafts ? [] : unique.filter { loaded[$0].draft }
        // Every name a draft answers to, so a link to it by id, file name or title gets the --drafts hint.
        let draftIDs = Set(drafts.flatMap {
            [loaded[$0].id.lowercased(), String(loaded[$0].id.slashSeparated().last ?? "").lowercased(), loaded[$0].title.lowercased()]
        })
        var pages: [LoadedPage]
        if drafts.isEmpty, unique.elementsEqual(loaded.indices) {
            pages = consume loaded
        } else {
            pages = []
            pages.reserveCapacity(unique.count)
            for i in unique where includeDrafts || !loaded[i].draft { pages.append(loaded[i]) }
        }
        // Each kind of generated page yields to every page already there, written or generated.
        var existing = Set(pages.indices.map { pages[$0].id })
        func add(_ generated: [LoadedPage]) {
            for page in generated { existing.insert(page.id) }
            pages += generated
        }
        add(glossaryViews(for: pages, existing: existing))
        if pages.indices.contains(where: { pages[$0].type == .journey }), !existing.contains("coverage") {
            add([LoadedPage(generated: "coverage", type: .coverage, title: "Evidence coverage")])
        }
        add(TagIndex.generatedPages(for: pages, existing: existing))
        add(generatedPages(for: pages, existing: existing))
        // Ids are unique by now, so this order is the one sorting the pages themselves gives.
        let byID = pages.indices.sorted { pages[$0].id < pages[$1].id }
        pages.reorder(byID)
        for i in pages.indices where pages[i].id.isEmpty { pages[i].type = .home }
        for i in pages.indices where pages[i].id == "glossary" && [.page, .listing].contains(pages[i].type) { pages[i].type = .glossary }

        // Steps that do not need each other's results run side by side: most of them are serial inside.
        let assetPaths = Set(assets.map(\.relativePath))
        let ready = pages
        let (index, (order, faces)) = concurrently({ SiteIndex(pages: ready, assets: assetPaths) }, {
            (PageOrder(pages: ready), parallelMap(runs(of: ready.count)) { run in
                ready.withUnsafeBufferPointer { pages in run.map { RebuildPlan.face(of: pages.baseAddress! + $0) } }
            }.flatMap { $0 })
        })
        let checked = ReferenceChecker.check(index: index, config: config, draftIDs: draftIDs,
                                             environment: LinkMemo.environment(pages: ready, faces: faces, assets: assetPaths),
                                             previous: previous)
        diagnostics += checked.diagnostics
        diagnostics += EmbedGraph(index: index).diagnostics()

        let (linked, facts) = concurrently({ () -> ([[Backlink]], Glossary, [[Int]]) in
            let backlinks = self.backlinks(from: checked.edges, pageCount: index.pages.count, order: order)
            let glossary = Glossary(index: index)
            return (backlinks, glossary, self.termUsage(glossary, backlinks: backlinks, order: order))
        }, {
            (JourneyIndex(index: index), self.children(of: index.pages, order: order))
        })
        let (backlinks, glossary, usage) = linked
        diagnostics += homonymWarnings(glossary, index: index)
        diagnostics += sameTitleWarnings(index.pages)
        var site = Site(config: config, index: index, backlinks: backlinks, children: facts.1, assets: assets,
                        glossary: glossary, termUsage: usage, journeys: facts.0)
        site.tags = TagIndex(index: index, order: order)
        site.order = order
        site.faces = faces
        site.linkMemo = checked.memo
        site.linksReused = checked.reused
        return (site, diagnostics)
    }

    /// Each page's backlinks: one per source and relation (the first sentence in order when a source
    /// links more than once), sorted by relation, then by the source's title and id.
    private func backlinks(from edges: [[ReferenceChecker.Edge]], pageCount: Int, order: PageOrder) -> [[Backlink]] {
        // Edges by target, in the order found, as positions: a counting sort over integers. The backlinks
        // themselves are gathered on all cores (each copy of one retains its sentence).
        var start = [Int](repeating: 0, count: pageCount + 1)
        for run in edges {
            for k in run.indices where run[k].target != run[k].backlink.source { start[run[k].target + 1] += 1 }
        }
        for t in 0..<pageCount { start[t + 1] += start[t] }
        var positions = [(run: Int32, edge: Int32)](repeating: (0, 0), count: start[pageCount])
        var next = start
        for (r, run) in edges.enumerated() {
            for k in run.indices where run[k].target != run[k].backlink.source {
                positions[next[run[k].target]] = (Int32(r), Int32(k))
                next[run[k].target] += 1
            }
        }
        let rank = order.byListingTitle
        let (first, found) = (start, positions)
        return parallelMap(runs(of: pageCount)) { targets in targets.map { target -> [Backlink] in
            let links = found[first[target]..<first[target + 1]].map { edges[Int($0.run)][Int($0.edge)].backlink }
            guard links.count > 1 else { return links }
            // Edges come page by page, so one source's links are consecutive: its first sentence per
            // relation is found among them (a journey may name one department for dozens of touchpoints).
            // A front-matter relation says every place it is made ("Cited at Diagnosis › Diagnosis letter;
            // First symptoms › Night-time cough search"); a body link its first sentence.
            var kept: [Int] = []
            // Kept position → the places of a front-matter relation shown (at most `placesShown`), and how
            // many more there are: a journey may name one department for hundreds of touchpoints.
            var places: [Int: (shown: [String], more: Int)] = [:]
            var sourceStart = 0
            for k in links.indices {
                if k == 0 || links[k].source != links[k - 1].source { sourceStart = kept.count }
                if let same = kept[sourceStart...].firstIndex(where: { links[$0].relation == links[k].relation }) {
                    if links[k].relation.listsEveryPlace {
                        var found = places[same] ?? ([links[kept[same]].context].filter { !$0.isEmpty }, 0)
                        let context = links[k].context
                        if !context.isEmpty, !found.shown.contains(context) {
                            if found.shown.count < Backlink.placesShown { found.shown.append(context) } else { found.more += 1 }
                        }
                        places[same] = found
                    } else if links[k].context < links[kept[same]].context {
                        kept[same] = k
                    }
                } else {
                    kept.append(k)
                }
            }
            var result = kept.indices.map { position -> Backlink in
                var link = links[kept[position]]
                if let found = places[position], found.shown.count > 1 {
                    link.context = found.shown.joined(separator: "; ") + (found.more > 0 ? "; and \(found.more) more" : "")
                }
                return link
            }
            // One link per source and relation now: no two compare equal, and no sentence is compared.
            // Research about a persona newest first (its note starts with the finding's date), the rest by title.
            result.sort { x, y in
                if x.relation != y.relation { return x.relation.rawValue < y.relation.rawValue }
                if x.relation == .researchAbout, x.context != y.context { return x.context > y.context }
                return rank[x.source] < rank[y.source]
            }
            return result
        } }.flatMap { $0 }
    }

    /// The glossary's generated views: a vocabulary page per department with synonyms, and the matrix.
    /// A page a writer made with the same id wins.
    private func glossaryViews(for pages: [LoadedPage], existing: Set<String>) -> [LoadedPage] {
        guard pages.indices.contains(where: { pages[$0].type == .term }) else { return [] }
        var views: [LoadedPage] = []
        for d in pages.indices where pages[d].type == .department {
            let name = pages[d].id.slashSeparated().last.map(String.init) ?? pages[d].id
            let id = "glossary/vocabulary/" + name
            if !existing.contains(id) { views.append(LoadedPage(generated: id, type: .vocabulary, title: "\(pages[d].title) vocabulary")) }
        }
        if !views.isEmpty, !existing.contains("glossary/vocabulary") {
            views.append(LoadedPage(generated: "glossary/vocabulary", type: .listing, title: "Vocabularies by department"))
        }
        if !existing.contains("glossary/matrix") {
            views.append(LoadedPage(generated: "glossary/matrix", type: .matrix, title: "What each department calls it"))
        }
        return views
    }

    /// Two journeys, personas or departments with one title are nearly always a copied file
    /// ("claim (copy).md"): each would be listed, counted and mapped as one of its own. One warning at
    /// each but the first (by name), naming them all. (Terms have their own, `homonymWarnings`; two
    /// findings may well share a title, "Usability test, round 2".)
    static let sameTitleNamed = 3

    func sameTitleWarnings(_ pages: [LoadedPage]) -> [Diagnostic] {
        // Every build, cached or not, asks this of every page: read in place (a `for page in pages` or
        // a sort reading `pages[$0]` copies the whole page each time: 5 % of a one-file rebuild at
        // 10,000 pages), and titles trimmed only when they need it.
        var byTitle: [String: [Int]] = [:]
        pages.withUnsafeBufferPointer { pages in
            for i in pages.indices {
                let type = pages[i].type
                guard type == .journey || type == .persona || type == .department, !pages[i].isGenerated else { continue }
                let title = pages[i].title
                let trimmed = title.first?.isWhitespace == true || title.last?.isWhitespace == true ? title.trimmingCharacters(in: .whitespaces) : title
                byTitle[type.rawValue + "\u{0}" + trimmed.lowercased(), default: []].append(i)
            }
        }
        return byTitle.values.filter { $0.count > 1 }.flatMap { group -> [Diagnostic] in
            // The shortest name first: the copy is usually the longer one ("claim (copy).md", "sam - Copy.md").
            let paths = group.map { pages[$0].path }
            let sorted = group.indices.sorted { (paths[$0].count, paths[$0]) < (paths[$1].count, paths[$1]) }.map { group[$0] }
            let first = pages[sorted[0]]
            let kind = first.type.sectionTitle.lowercased()
            // A few copies are named in each warning; beyond that each names the first only (every
            // copy has its own warning), so a folder of many copies is not a square of file names.
            let files = sorted.count <= Self.sameTitleNamed
                ? sorted.map { pages[$0].path }.joined(separator: ", ")
                : "\(first.path) and \(sorted.count - 1) more, each warned at"
            return sorted.dropFirst().map { i in
                .warning(SourceLocation(path: pages[i].path, line: 1, column: 1), "\(sorted.count) \(kind) are titled “\(first.title)”: \(files)",
                                hint: "a copied file? each is listed, counted and linked as a \(first.type.label.lowercased()) of its own: remove the copy, or give it a title of its own")
            }
        }.sorted()
    }

    /// A word two terms claim (a homonym such as "lead") is reported once, at its last claim. Two
    /// pages defining a term of the same name (a copied file) are one warning that names both files,
    /// not a homonym for each of their words.
    private func homonymWarnings(_ glossary: Glossary, index: SiteIndex) -> [Diagnostic] {
        var byName: [String: [Int]] = [:]
        for (e, entry) in glossary.entries.enumerated() { byName[TermMatcher.normalisedPhrase(entry.name), default: []].append(e) }
        var sameName: [Int: Int] = [:]  // entry → the first entry of its name
        var warnings: [Diagnostic] = []
        for group in byName.values where group.count > 1 {
            let sorted = group.sorted { index.pages[glossary.entries[$0].page].path < index.pages[glossary.entries[$1].page].path }
            for e in sorted { sameName[e] = sorted[0] }
            let files = sorted.map { index.pages[glossary.entries[$0].page].path }
            let last = index.pages[glossary.entries[sorted[sorted.count - 1]].page]
            warnings.append(.warning(SourceLocation(path: last.path, line: 1, column: 1),
                                     "\(files.count) pages define the term “\(glossary.entries[sorted[0]].name)”: \(files.joined(separator: ", ")); "
                                        + "until one is left, “\(glossary.entries[sorted[0]].name)” is linked to neither",
                                     hint: "merge them into one page, or give one of them another `term:` (or `title:`)"))
        }
        // A term's `homonyms:` says a shared word is known: it is shown as every homonym is, without a warning.
        var known: [Int: Set<String>] = [:]
        for (e, entry) in glossary.entries.enumerated() {
            if case .term(let t) = index.pages[entry.page].entity, !t.homonyms.isEmpty {
                known[e] = Set(t.homonyms.map { TermMatcher.normalisedPhrase($0.value) })
            }
        }
        let homonyms = glossary.homonyms.filter { h in
            // Claims only by pages of one name: the warning above says it.
            let key = TermMatcher.normalisedPhrase(h.word)
            return Set(h.claims.map { sameName[$0.entry] ?? -1 - $0.entry }).count > 1 && !h.claims.contains { known[$0.entry]?.contains(key) == true }
        }
        // A word listed as a known homonym that no other term uses: a misspelling, or one no longer shared.
        let shared = Set(glossary.homonyms.map { TermMatcher.normalisedPhrase($0.word) })
        for entry in glossary.entries {
            guard case .term(let t) = index.pages[entry.page].entity else { continue }
            // Not one of the term's own words: the page's own check says so already.
            let own = Set(entry.words.map { TermMatcher.normalisedPhrase($0.text) })
            for word in t.homonyms where !shared.contains(TermMatcher.normalisedPhrase(word.value)) && own.contains(TermMatcher.normalisedPhrase(word.value)) {
                warnings.append(.warning(word.location, "`homonyms` names `\(word.value)`, which no other term uses",
                                         hint: "remove it from `homonyms`, or check its spelling against the other term's"))
            }
        }
        return warnings.sorted { $0.location.path < $1.location.path } + homonyms.map { h in
            let last = h.claims.map(\.word.location).max() ?? SourceLocation(path: "content/glossary/")
            // One department using the word for two terms is a muddle within it, not between departments.
            var entriesByDepartment: [Int: [Int]] = [:]
            for claim in h.claims {
                if let d = claim.word.department, entriesByDepartment[d]?.contains(claim.entry) != true { entriesByDepartment[d, default: []].append(claim.entry) }
            }
            if let (d, claimed) = entriesByDepartment.filter({ $0.value.count > 1 }).min(by: { $0.key < $1.key }) {
                let department = index.pages[d].title
                let names = claimed.map { "“\(glossary.entries[$0].name)”" }
                let others = h.claims.filter { !claimed.contains($0.entry) }.map { claim -> String in
                    let term = glossary.entries[claim.entry].name
                    guard let other = claim.word.department else { return "“\(term)” (its name)" }
                    return "“\(term)” (what \(index.pages[other].title) calls it)"
                }
                let also = others.isEmpty ? "" : "; it also names \(others.joined(separator: " and "))"
                return .warning(last, "\(department) uses “\(h.word)” for \(claimed.count) terms: \(names.joined(separator: " and "))\(also)",
                                hint: "within one department a word names one thing: keep it under the term \(department) means by it "
                                    + "(until then, on \(department)'s pages it links to the term whose name it is, or nowhere)")
            }
            // One part per term, its departments together: "“Policy (contract)” (what Sales and Claims call it)".
            var terms: [Int] = []
            for claim in h.claims where !terms.contains(claim.entry) { terms.append(claim.entry) }
            let claims = terms.map { e -> String in
                let words = h.claims.filter { $0.entry == e }.map(\.word)
                var departments: [String] = []
                for d in words.compactMap(\.department) where !departments.contains(index.pages[d].title) { departments.append(index.pages[d].title) }
                var who: [String] = []
                if words.contains(where: { $0.department == nil }) { who.append("its name") }
                if !departments.isEmpty {
                    who.append("what \(departments.joined(separator: " and ")) \(departments.count == 1 ? "calls" : "call") it")
                }
                return "“\(glossary.entries[e].name)” (\(who.joined(separator: "; ")))"
            }
            return .warning(last, "“\(h.word)” means different things: \(claims.joined(separator: " and "))",
                            hint: "a homonym confuses readers across departments; auto-links go to the term whose name it is, or nowhere. "
                                + "If both meanings are meant, say so with `homonyms: [\(h.word)]` in one of the terms")
        }
    }

    /// For each glossary entry, the pages that link to it explicitly, by title; auto-detected mentions are added while rendering.
    private func termUsage(_ glossary: Glossary, backlinks: [[Backlink]], order: PageOrder) -> [[Int]] {
        glossary.entries.map { entry in
            let sources = Set(backlinks[entry.page].lazy.filter { $0.relation == .mentions }.map(\.source))
            return sources.sorted { order.byListingTitle[$0] < order.byListingTitle[$1] }
        }
    }

    /// One page per id, as indices into `pages` in path order. Two files with one id (`a.md` and
    /// `a/index.md`, or ids differing only in case) are an error.
    private func uniquePages(_ pages: [LoadedPage], diagnostics: inout [Diagnostic]) -> [Int] {
        // A page's path is content/ and its relative path: ordering by the one orders by the other.
        var inOrder = Array(pages.indices)
        if zip(pages.indices, pages.indices.dropFirst()).contains(where: { pages[$1].file.relativePath < pages[$0].file.relativePath }) {
            inOrder.sort { pages[$0].file.relativePath < pages[$1].file.relativePath }
        }
        var seen: [String: Int] = [:]
        seen.reserveCapacity(pages.count)
        var result: [Int] = []
        result.reserveCapacity(pages.count)
        for i in inOrder {
            let key = pages[i].id.lowercased()
            if let first = seen[key] {
                if pages[first].file.relativePath == pages[i].file.relativePath {
                    // Two files on disk whose names differ only in how an accent is encoded.
                    diagnostics.append(.error(SourceLocation(path: pages[i].path, line: 1, column: 1),
                                              "two files are named \(pages[i].path), its accents encoded two ways (composed and decomposed)",
                                              hint: "keep one of them: to a reader and to links they are the same name"))
                } else {
                    let same = pages[first].id == pages[i].id ? "the same id" : "ids that differ only in case"
                    diagnostics.append(.error(SourceLocation(path: pages[i].path, line: 1, column: 1),
                                              "\(pages[i].path) and \(pages[first].path) have \(same) `\(pages[i].id)`",
                                              hint: "rename or remove one of them; `a.md` and `a/index.md` are the same page"))
                }
                continue
            }
            seen[key] = i
            result.append(i)
        }
        return result
    }

    /// A listing page for every folder without an index page, and a home page when content/index.md is missing.
    private func generatedPages(for pages: [LoadedPage], existing: Set<String>) -> [LoadedPage] {
        var folders: Set<String> = [""]
        for i in pages.indices { Self.insertFolders(of: pages[i].id, into: &folders) }
        return folders.subtracting(existing).sorted().map { folder in
            let name = folder.slashSeparated().last.map(String.init)
            let type = name.flatMap(PageType.fromFolder)
            let title = folder.isEmpty ? config.title
                : folder.contains("/") ? LoadedPage.prettyName(name ?? folder) : (type?.sectionTitle ?? LoadedPage.prettyName(folder))
            return LoadedPage(generated: folder, type: folder.isEmpty ? .home : .listing, title: title)
        }
    }

    /// Adds the folders holding the page `id` (`a` and `a/b` for `a/b/c`) to `folders`, which holds
    /// every ancestor of each folder in it: thousands of pages share a few folders, so the walk up
    /// stops at the first folder already there.
    static func insertFolders(of id: String, into folders: inout Set<String>) {
        let bytes = id.utf8
        let slash = UInt8(ascii: "/")
        // An id with empty parts (`a//b`, `/a`, `a/`), or beyond ASCII (where a mark after `/` joins
        // it in one character), is split as written, part by part.
        guard ContentFile.isASCII(bytes), !hasEmptyPart(id) else {
            var parts = id.slashSeparated().map(String.init)
            while parts.count > 1 {
                parts.removeLast()
                folders.insert(parts.joined(separator: "/"))
            }
            return
        }
        var end = bytes.endIndex
        while let cut = bytes[..<end].lastIndex(of: slash) {
            guard folders.insert(String(id[..<cut])).inserted else { return }
            end = cut
        }
    }

    /// Each folder's direct children, sorted by lowercased title, then id.
    private func children(of pages: [LoadedPage], order: PageOrder) -> [String: [Int]] {
        var children: [String: [Int]] = [:]
        // Pages come sorted by id, so siblings mostly come together: one dictionary update per run of them.
        var run: (parent: String, pages: [Int]) = ("", [])
        for i in pages.indices where !pages[i].id.isEmpty {
            let parent = Self.parentFolder(of: pages[i].id)
            if parent != run.parent, !run.pages.isEmpty {
                children[run.parent, default: []] += run.pages
                run.pages.removeAll(keepingCapacity: true)
            }
            run.parent = parent
            run.pages.append(i)
        }
        if !run.pages.isEmpty { children[run.parent, default: []] += run.pages }
        let rank = order.byListingTitle
        for key in children.keys {
            children[key]?.sort { rank[$0] < rank[$1] }
        }
        return children
    }

    /// Whether splitting `id` at `/` gives an empty part: a slash at either end, or two together.
    static func hasEmptyPart(_ id: String) -> Bool {
        var previous = UInt8(ascii: "/")
        for byte in id.utf8 {
            if byte == UInt8(ascii: "/"), previous == byte { return true }
            previous = byte
        }
        return previous == UInt8(ascii: "/") && !id.isEmpty
    }

    /// `a/b/c` → `a/b`; `a` → "" (the home page's children).
    static func parentFolder(of id: String) -> String {
        let bytes = id.utf8
        let slash = UInt8(ascii: "/")
        guard ContentFile.isASCII(bytes), !hasEmptyPart(id) else { return id.slashSeparated().dropLast().joined(separator: "/") }
        guard let cut = bytes.lastIndex(of: slash) else { return "" }
        return String(id[..<cut])
    }
}

extension LoadedPage {
    /// A page Waymark makes itself: it has no source file and no body.
    init(generated id: String, type: PageType, title: String) {
        let file = ContentFile(relativePath: id.isEmpty ? "" : id + "/", url: URL(fileURLWithPath: "/dev/null"), kind: .markdown)
        self.init(file: file, id: id, type: type, title: title, description: nil, draft: false, tags: [], glossary: false,
                  isGenerated: true, entity: .page, params: [],
                  body: MarkdownBody(text: "", path: file.displayPath, firstLine: 1), facts: BodyFacts())
    }

    /// `customer-onboarding` → "Customer onboarding".
    static func prettyName(_ name: String) -> String {
        let words = name.replacingOccurrences(of: "-", with: " ").replacingOccurrences(of: "_", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }
}
