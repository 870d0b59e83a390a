/// What must be rendered again after a change, decided without rendering anything.
///
/// Every page gets a fingerprint of the inputs its output is made from: the build's global inputs
/// (Waymark version, options, waymark.yml, the theme, the set of pages and the glossary's words),
/// its own source, its backlinks and children, and the face of every page it shows something of
/// (pages it links to, pages linking to it, its folder's pages, the terms it auto-links): what another
/// page can show of it (title, front matter, summary, headings, tags), so that a sentence added to
/// a page's text renders that page alone. Pages it embeds are shown whole: their whole source counts.
/// A page whose fingerprint equals the one its current output was made from is not rendered again.
///
/// Pages that summarise the whole site (home, listings, glossary views, coverage, departments, the
/// persona overview) are rendered on every build: they are few, and tracking them would be guesswork.
enum RebuildPlan {
    /// The build-wide inputs: when this changes, every page is rendered. Adding or removing a file
    /// under content/ is one: links and images resolve to files (a commit of those is rare).
    static func globalKey(version: String, configuration: String, themeFingerprint: UInt64, site: Site) -> UInt64 {
        var h = StableHasher()
        h.combine(version)
        h.combine(configuration)
        h.combine(themeFingerprint)
        // Adding, removing or renaming a page can change how any short link resolves, and the navigation.
        h.combine(site.pages.count)
        for i in site.pages.indices {  // read in place: a copy of a page retains every field
            h.combine(site.pages[i].id)
            h.combine(site.pages[i].type.rawValue)
            if !site.pages[i].id.contains("/") { h.combine(site.pages[i].title) }  // sections: their titles are the navigation
        }
        // Whether a link or an image names a file under content/ decides what it renders as.
        h.combine(site.assets.count)
        for path in site.assets.map(\.relativePath).sorted() { h.combine(path) }
        // The words the matcher links decide which terms any page mentions.
        h.combine(site.config.glossaryAutolink.rawValue)
        for entry in site.glossary.entries {
            h.combine(site.pages[entry.page].id)
            for word in entry.words {
                h.combine(word.text)
                h.combine(word.department.map { site.pages[$0].id })
            }
        }
        // Which of them link at all, and to which term.
        for linked in site.glossary.patternEntry { h.combine(linked ?? -1) }
        return h.value
    }

    /// Pages rendered on every build because they show facts from across the site.
    static func isSiteWide(_ page: LoadedPage) -> Bool {
        isSiteWide(generated: page.isGenerated, id: page.id, type: page.type)
    }

    static func isSiteWide(generated: Bool, id: String, type: PageType) -> Bool {
        if generated || id == "personas" { return true }
        switch type {
        case .home, .listing, .glossary, .vocabulary, .matrix, .coverage, .department, .tags, .tag: return true
        case .journey, .persona, .finding, .term, .page: return false
        }
    }

    /// What fingerprints read of every page, hashed once per build instead of once for every page
    /// that shows it: reading a page's strings from two threads at once makes both wait on their
    /// reference counts.
    struct Digests: Sendable {
        /// Each page's id.
        var ids: [UInt64]
        /// Each page's backlinks: relation, source page and sentence.
        var backlinks: [UInt64]
        /// For each page, the pages it links to (the reverse of backlinks).
        var outgoing: [[Int]]
        /// Each page's `face`: what other pages show of it.
        var faces: [UInt64]
    }

    static func digests(_ site: Site) -> Digests {
        var outgoing = Array(repeating: [Int](), count: site.pages.count)
        for target in site.backlinks.indices {
            // In place: a backlink carries its sentence, which a copy would retain.
            for k in site.backlinks[target].indices { outgoing[site.backlinks[target][k].source].append(target) }
        }
        let ids = parallelMap(runs(of: site.pages.count)) { run in run.map { StableHasher.hash(site.pages[$0].id) } }.flatMap { $0 }
        let backlinks = parallelMap(runs(of: site.pages.count)) { run in
            run.map { i -> UInt64 in
                var h = StableHasher()
                h.combine(site.backlinks[i].count)
                for k in site.backlinks[i].indices {
                    h.combine(site.backlinks[i][k].relation.rawValue)
                    h.combine(ids[site.backlinks[i][k].source])
                    h.combine(site.backlinks[i][k].context)
                }
                return h.value
            }
        }.flatMap { $0 }
        // Made by the link step; made here for a site put together without it.
        let faces = site.faces.count == site.pages.count ? site.faces : parallelMap(runs(of: site.pages.count)) { run in
            // Through the buffer: `site.pages[i]` can copy the whole page first.
            site.pages.withUnsafeBufferPointer { pages in run.map { face(of: pages.baseAddress! + $0) } }
        }.flatMap { $0 }
        return Digests(ids: ids, backlinks: backlinks, outgoing: outgoing, faces: faces)
    }

    /// What pages summarising the site can show of a page: its front matter and the facts of its body
    /// (summary, headings, tags), not its text. A sentence added to a body leaves it unchanged.
    static func face(_ page: borrowing LoadedPage) -> UInt64 {
        withUnsafePointer(to: page) { face(of: $0) }
    }

    /// `face(_:)` of the page at `page`, read in place through the pointer: passed by value from an
    /// array (even to a borrowing parameter), the page was copied first, retaining every field.
    static func face(of page: UnsafePointer<LoadedPage>) -> UInt64 {
        var h = StableHasher()
        h.combine(page.pointee.id)
        h.combine(page.pointee.type.rawValue)
        h.combine(page.pointee.title)
        h.combine(page.pointee.description)
        h.combine(page.pointee.draft)
        h.combine(page.pointee.frontMatterHash)
        h.combine(page.pointee.facts.firstParagraph)
        h.combine(page.pointee.tags.count)
        for k in page.pointee.tags.indices { h.combine(page.pointee.tags[k]) }
        h.combine(page.pointee.facts.headings.count)
        for k in page.pointee.facts.headings.indices {
            h.combine(page.pointee.facts.headings[k].level)
            h.combine(page.pointee.facts.headings[k].anchor)
            h.combine(page.pointee.facts.headings[k].text)
        }
        return h.value
    }

    /// The inputs of the pages that summarise the whole site (home, listings, glossary views, coverage,
    /// departments, tag pages): every page's face, every backlink with its sentence and the folders.
    /// Site-wide pages are kept while it stays the same. The dates from git are not in it: such a page
    /// shows only its own (in its fingerprint), and only the sitemap shows them all (in its key), so a
    /// commit does not render every listing again.
    static func siteView(_ site: Site, digests: Digests, global: UInt64) -> UInt64 {
        // The pages in a few dozen runs hashed on all cores, then the runs' hashes in order.
        let parts = parallelMap(runs(of: site.pages.count)) { run -> UInt64 in
            var h = StableHasher()
            // Through the buffer: `site.pages[i].field` can copy the whole page first.
            site.pages.withUnsafeBufferPointer { pages in
                for i in run {
                    h.combine(digests.faces[i])
                    // A site-wide page's own text is rendered on it (the home page's introduction).
                    if isSiteWide(generated: pages[i].isGenerated, id: pages[i].id, type: pages[i].type) {
                        h.combine(pages[i].sourceHash)
                    }
                    h.combine(digests.backlinks[i])
                }
            }
            return h.value
        }
        var h = StableHasher()
        h.combine(global)
        for part in parts { h.combine(part) }
        for (folder, children) in site.children.sorted(by: { $0.key < $1.key }) {
            h.combine(folder)
            h.combine(children.count)
            for c in children { h.combine(c) }
        }
        for users in site.termUsage {
            h.combine(users.count)
            for u in users { h.combine(u) }
        }
        return h.value
    }

    /// The fingerprint of page `i`; for a site-wide page, `siteView` with its id.
    /// - mentions: glossary entries the page auto-linked when last rendered (its text and the
    ///   glossary's words are in the fingerprint, so while it matches, the mentions are the same).
    /// - cards: per glossary entry, a hash of its link and hover card.
    static func fingerprint(of i: Int, in site: Site, global: UInt64, digests: Digests, mentions: [Int], cards: [UInt64],
                            history: GitHistory = GitHistory(), siteView: UInt64? = nil) -> UInt64? {
        // Fields read in place: a copy of a page retains every one of them, on every page of every build.
        var h = StableHasher()
        if isSiteWide(generated: site.pages[i].isGenerated, id: site.pages[i].id, type: site.pages[i].type) {
            guard let siteView else { return nil }
            h.combine(siteView)
            h.combine(digests.ids[i])
            // Its own date and author, in its footer.
            let change = history.change(of: site.pages[i].file.displayPath)
            h.combine(change?.date)
            h.combine(change?.author)
            h.combine(mentions.count)
            for e in mentions where cards.indices.contains(e) { h.combine(cards[e]) }
            return h.value
        }
        h.combine(global)
        h.combine(site.pages[i].sourceHash)
        // The page shows when it last changed and who changed it.
        let change = history.change(of: site.pages[i].file.displayPath)
        h.combine(change?.date)
        h.combine(change?.author)
        h.combine(site.url(of: i))
        // The pages it shows something of, as a list sorted and made unique at the end (cheaper than a set).
        var shown = digests.outgoing[i]
        h.combine(digests.backlinks[i])
        for k in site.backlinks[i].indices { shown.append(site.backlinks[i][k].source) }
        if let children = site.children[site.pages[i].id] { shown += children }
        // Breadcrumbs show every folder above the page.
        var folder = site.pages[i].id
        while let slash = folder.lastIndex(of: "/") {
            folder = String(folder[..<slash])
            if let f = site.index.page(id: folder) { shown.append(f) }
        }
        if let e = site.glossary.entryOfPage[i] {
            // A term page lists every page that uses it, in order, grouped by type.
            h.combine(site.termUsage[e].count)
            for p in site.termUsage[e] { h.combine(digests.ids[p]) }
            shown += site.termUsage[e]
            // Its homonyms' callouts name the other terms and whose word it is ("what Sales calls it").
            for homonym in site.glossary.homonyms where homonym.claims.contains(where: { $0.entry == e }) {
                h.combine(homonym.word)
                for claim in homonym.claims {
                    shown.append(site.glossary.entries[claim.entry].page)
                    if let d = claim.word.department { shown.append(d) }
                }
            }
        }
        shown.sort()
        for (k, p) in shown.enumerated() where k == 0 || p != shown[k - 1] { h.combine(digests.faces[p]) }
        // Embedded pages are shown whole, with what they embed in turn: their sources, in the order
        // embedded, and the faces of the pages they link to (a link shows its target's title and description).
        var embeds = [i], seen: Set<Int> = [i]
        while let p = embeds.popLast(), seen.count <= 64 {
            for link in site.pages[p].facts.links {
                guard case .wiki(let w) = link.target, w.embed, case .page(let t, _) = site.index.resolve(w, from: p), seen.insert(t).inserted else { continue }
                h.combine(digests.ids[t])
                h.combine(site.pages[t].sourceHash)
                h.combine(digests.outgoing[t].count)
                for q in digests.outgoing[t] { h.combine(digests.faces[q]) }
                embeds.append(t)
            }
        }
        h.combine(mentions.count)
        for e in mentions where cards.indices.contains(e) { h.combine(cards[e]) }
        return h.value
    }

    /// The decision itself: which of `current` (output path → fingerprint, nil for site-wide pages)
    /// to render, given the fingerprints the existing outputs were made from, and which old outputs to delete.
    static func plan(current: [String: UInt64?], previous: [String: UInt64], outputExists: (String) -> Bool) -> (render: Set<String>, delete: Set<String>) {
        var render: Set<String> = []
        for (path, fingerprint) in current {
            guard let fingerprint, previous[path] == fingerprint, outputExists(path) else {
                render.insert(path)
                continue
            }
        }
        let delete = Set(previous.keys).subtracting(current.keys)
        return (render, delete)
    }
}
