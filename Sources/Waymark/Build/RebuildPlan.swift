/// What must be rendered again after a change, decided without rendering anything.
///
/// Every page gets a fingerprint of the inputs its output is made from: the build's global inputs
/// (Waymark version, options, waymark.yml, the theme, the set of pages and the glossary's words),
/// its own source, its backlinks and children, and the source of every page it shows something of
/// (pages it links to, pages linking to it, its folder's pages, the terms it auto-links). A page whose
/// fingerprint equals the one its current output was made from is not rendered again.
///
/// Pages that summarise the whole site (home, listings, glossary views, coverage, departments, the
/// persona overview) are rendered on every build: they are few, and tracking them would be guesswork.
enum RebuildPlan {
    /// The build-wide inputs: when this changes, every page is rendered.
    static func globalKey(version: String, configuration: String, themeFingerprint: UInt64, site: Site) -> UInt64 {
        var h = StableHasher()
        h.combine(version)
        h.combine(configuration)
        h.combine(themeFingerprint)
        // Adding, removing or renaming a page can change how any short link resolves, and the navigation.
        h.combine(site.pages.count)
        for page in site.pages {
            h.combine(page.id)
            h.combine(page.type.rawValue)
            if !page.id.contains("/") { h.combine(page.title) }  // sections: their titles are the navigation
        }
        // The words the matcher links decide which terms any page mentions.
        h.combine(site.config.glossaryAutolink.rawValue)
        for entry in site.glossary.entries {
            h.combine(site.pages[entry.page].id)
            for word in entry.words {
                h.combine(word.text)
                h.combine(word.department.map { site.pages[$0].id })
            }
        }
        return h.value
    }

    /// Pages rendered on every build because they show facts from across the site.
    static func isSiteWide(_ page: LoadedPage) -> Bool {
        if page.isGenerated || page.id == "personas" { return true }
        switch page.type {
        case .home, .listing, .glossary, .vocabulary, .matrix, .coverage, .department, .tags, .tag: return true
        case .journey, .persona, .finding, .term, .page: return false
        }
    }

    /// For each page, the pages it links to (the reverse of backlinks), computed once for the site.
    static func outgoing(_ site: Site) -> [[Int]] {
        var out = Array(repeating: [Int](), count: site.pages.count)
        for (target, links) in site.backlinks.enumerated() {
            for link in links { out[link.source].append(target) }
        }
        return out
    }

    /// What pages summarising the site can show of a page: its front matter and the facts of its body
    /// (summary, headings, tags), not its text. A sentence added to a body leaves it unchanged.
    static func face(_ page: LoadedPage) -> UInt64 {
        var h = StableHasher()
        h.combine(page.id)
        h.combine(page.type.rawValue)
        h.combine(page.title)
        h.combine(page.description)
        h.combine(page.draft)
        h.combine(page.frontMatterHash)
        h.combine(page.facts.firstParagraph)
        h.combine(page.tags.count)
        for tag in page.tags { h.combine(tag) }
        h.combine(page.facts.headings.count)
        for heading in page.facts.headings {
            h.combine(heading.level)
            h.combine(heading.anchor)
            h.combine(heading.text)
        }
        return h.value
    }

    /// The inputs of the pages that summarise the whole site (home, listings, glossary views, coverage,
    /// departments, tag pages): every page's face, every backlink with its sentence, the folders, and
    /// the dates from git. Site-wide pages are kept while it stays the same.
    static func siteView(_ site: Site, global: UInt64, history: GitHistory) -> UInt64 {
        var h = StableHasher()
        h.combine(global)
        h.combine(history.fingerprint)
        for (i, page) in site.pages.enumerated() {
            h.combine(face(page))
            // A site-wide page's own text is rendered on it (the home page's introduction).
            if isSiteWide(page) { h.combine(page.sourceHash) }
            h.combine(site.backlinks[i].count)
            for b in site.backlinks[i] {
                h.combine(b.relation.rawValue)
                h.combine(b.source)
                h.combine(b.context)
            }
        }
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
    static func fingerprint(of i: Int, in site: Site, global: UInt64, outgoing: [[Int]], mentions: [Int], cards: [UInt64],
                            history: GitHistory = GitHistory(), siteView: UInt64? = nil) -> UInt64? {
        let page = site.pages[i]
        var h = StableHasher()
        if isSiteWide(page) {
            guard let siteView else { return nil }
            h.combine(siteView)
            h.combine(page.id)
            h.combine(mentions.count)
            for e in mentions where cards.indices.contains(e) { h.combine(cards[e]) }
            return h.value
        }
        h.combine(global)
        h.combine(page.sourceHash)
        // The page shows when it last changed and who changed it.
        let change = history.change(of: page.path)
        h.combine(change?.date)
        h.combine(change?.author)
        h.combine(site.url(of: i))
        var shown = Set(outgoing[i])
        h.combine(site.backlinks[i].count)
        for b in site.backlinks[i] {
            h.combine(b.relation.rawValue)
            h.combine(site.pages[b.source].id)
            h.combine(b.context)
            shown.insert(b.source)
        }
        for c in site.children[page.id] ?? [] { shown.insert(c) }
        // Breadcrumbs show every folder above the page.
        var folder = page.id
        while let slash = folder.lastIndex(of: "/") {
            folder = String(folder[..<slash])
            if let f = site.index.page(id: folder) { shown.insert(f) }
        }
        if let e = site.glossary.entryOfPage[i] {
            // A term page lists the first pages of each type that use it, then how many more there are.
            var perType = [Int](repeating: 0, count: PageType.allCases.count)
            for p in site.termUsage[e] {
                let type = PageType.allCases.firstIndex(of: site.pages[p].type) ?? 0
                perType[type] += 1
                if perType[type] <= PageContext.usageListLimit { h.combine(site.pages[p].id); shown.insert(p) }
            }
            for count in perType { h.combine(count) }
        }
        // Embedded pages are shown whole, with what they embed in turn.
        var embeds = [i], seen: Set<Int> = [i]
        while let p = embeds.popLast(), seen.count <= 64 {
            for link in site.pages[p].facts.links {
                guard case .wiki(let w) = link.target, w.embed, case .page(let t, _) = site.index.resolve(w, from: p), seen.insert(t).inserted else { continue }
                shown.insert(t)
                embeds.append(t)
            }
        }
        for p in shown.sorted() {
            h.combine(site.pages[p].id)
            h.combine(site.pages[p].sourceHash)
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
