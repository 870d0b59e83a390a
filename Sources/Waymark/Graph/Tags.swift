/// The tags of the published pages: `tags:` in front matter and inline `#tags` in bodies. A nested
/// tag (`research/interviews`) also counts under its parents (`research`), as in Obsidian's tag pane.
/// Built once in the link step; every lookup afterwards is a dictionary read.
struct TagIndex: Sendable {
    struct Tag: Sendable {
        /// As written (the first spelling in sort order when pages spell it differently).
        var name: String
        /// `research/interviews`; the tag's page is `tags/<slug>/`.
        var slug: String
        /// Pages carrying the tag or one nested under it, sorted by title.
        var pages: [Int]
        /// The tag's page, when there is one.
        var page: Int?
    }

    /// Sorted by slug, so parents come before their children.
    private(set) var tags: [Tag] = []
    private(set) var bySlug: [String: Int] = [:]
    /// Per page, the tags it carries itself, in the order first written.
    private(set) var ofPage: [[Int]] = []
    /// Per tag, the tags nested one level under it (`research/interviews` under `research`).
    private(set) var children: [[Int]] = []
    /// The slug of every spelling a page used, so rendering an inline tag slugs nothing.
    private var slugByName: [String: String] = [:]

    static let folder = "tags"

    static func pageID(slug: String) -> String { folder + "/" + slug }

    /// A page's tags as written: front matter first, then the body's inline tags.
    static func names(of page: LoadedPage) -> [String] {
        guard !page.isGenerated else { return [] }
        return page.tags.map(TagName.clean) + page.facts.tags
    }

    /// `names(of: pages[i])`, reading the page in place: a copy of a page retains everything it holds.
    static func names(of i: Int, in pages: [LoadedPage]) -> [String] {
        guard !pages[i].isGenerated, !(pages[i].tags.isEmpty && pages[i].facts.tags.isEmpty) else { return [] }
        return pages[i].tags.map(TagName.clean) + pages[i].facts.tags
    }

    /// Every tag slug of `pages` with its parents, and the name it is shown with. Writers repeat
    /// a handful of tags across thousands of pages, so each spelling is slugged once.
    static func collect(_ pages: [LoadedPage]) -> [String: String] {
        var names: [String: String] = [:]
        var seen: Set<String> = []
        for i in pages.indices {
            for name in Self.names(of: i, in: pages) where seen.insert(name).inserted {
                for (slug, shown) in levels(of: name) {
                    if let current = names[slug], current <= shown { continue }
                    names[slug] = shown
                }
            }
        }
        return names
    }

    /// `Research/Interviews` → (`research`, `Research`) and (`research/interviews`, `Research/Interviews`).
    static func levels(of name: String) -> [(slug: String, shown: String)] {
        var result: [(String, String)] = []
        var slug = "", shown = ""
        for part in name.slashSeparated() {
            let s = slugify(String(part))
            guard !s.isEmpty else { continue }
            slug += slug.isEmpty ? s : "/" + s
            shown += shown.isEmpty ? String(part) : "/" + part
            result.append((slug, shown))
        }
        return result
    }

    /// The generated tag pages: `tags/` listing every tag and `tags/<slug>/` per tag. A page with one
    /// of these ids (`existing`: the ids of `pages`) wins.
    static func generatedPages(for pages: [LoadedPage], existing: Set<String>) -> [LoadedPage] {
        let names = collect(pages)
        guard !names.isEmpty else { return [] }
        var result: [LoadedPage] = []
        if !existing.contains(folder) { result.append(LoadedPage(generated: folder, type: .tags, title: "Tags")) }
        for (slug, name) in names.sorted(by: { $0.key < $1.key }) where !existing.contains(pageID(slug: slug)) {
            result.append(LoadedPage(generated: pageID(slug: slug), type: .tag, title: "#" + name))
        }
        return result
    }

    init() {}

    init(index: SiteIndex, order: PageOrder) {
        let pages = index.pages
        var names: [String: String] = [:]
        var levelsByName: [String: [(slug: String, shown: String)]] = [:]
        var members: [String: Set<Int>] = [:]
        var own: [[String]] = Array(repeating: [], count: pages.count)
        for i in pages.indices {
            var seen: Set<String> = []
            for name in Self.names(of: i, in: pages) {
                let levels: [(slug: String, shown: String)]
                if let known = levelsByName[name] { levels = known } else {
                    levels = Self.levels(of: name)
                    levelsByName[name] = levels
                    for (slug, shown) in levels where names[slug].map({ shown < $0 }) ?? true { names[slug] = shown }
                }
                guard let slug = levels.last?.slug, seen.insert(slug).inserted else { continue }
                own[i].append(slug)
                for level in levels { members[level.slug, default: []].insert(i) }
            }
        }
        slugByName = levelsByName.compactMapValues { $0.last?.slug }
        // One ranking of all pages by title, so sorting each tag's pages is no string comparison per tag.
        let rank = order.byListingTitle
        for slug in members.keys.sorted() {
            let tag = Tag(name: names[slug] ?? slug, slug: slug, pages: (members[slug] ?? []).sorted { rank[$0] < rank[$1] },
                          page: index.page(id: Self.pageID(slug: slug)))
            bySlug[slug] = tags.count
            tags.append(tag)
        }
        ofPage = own.map { $0.compactMap { bySlug[$0] } }
        children = Array(repeating: [], count: tags.count)
        for (t, tag) in tags.enumerated() {
            guard let slash = tag.slug.lastIndex(of: "/"), let parent = bySlug[String(tag.slug[..<slash])] else { continue }
            children[parent].append(t)
        }
    }

    /// The tag a name written in a page (`#Research/Interviews`, `research/interviews`) stands for.
    func tag(named name: String) -> Tag? {
        let slug = slugByName[name] ?? TagName.slug(TagName.clean(name))
        return bySlug[slug].map { tags[$0] }
    }
}
