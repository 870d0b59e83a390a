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

    static let folder = "tags"

    static func pageID(slug: String) -> String { folder + "/" + slug }

    /// A page's tags as written: front matter first, then the body's inline tags.
    static func names(of page: LoadedPage) -> [String] {
        guard !page.isGenerated else { return [] }
        return page.tags.map(TagName.clean) + page.facts.tags
    }

    /// Every tag slug of `pages` with its parents, and the name it is shown with.
    static func collect(_ pages: [LoadedPage]) -> [String: String] {
        var names: [String: String] = [:]
        for page in pages {
            for name in Self.names(of: page) {
                let parts = name.split(separator: "/").map(String.init).filter { !slugify($0).isEmpty }
                for n in parts.indices {
                    let shown = parts[...n].joined(separator: "/")
                    let slug = TagName.slug(shown)
                    guard !slug.isEmpty else { continue }
                    if let current = names[slug], current <= shown { continue }
                    names[slug] = shown
                }
            }
        }
        return names
    }

    /// The generated tag pages: `tags/` listing every tag and `tags/<slug>/` per tag. A page a writer
    /// made with one of these ids wins.
    static func generatedPages(for pages: [LoadedPage]) -> [LoadedPage] {
        let names = collect(pages)
        guard !names.isEmpty else { return [] }
        let existing = Set(pages.map(\.id))
        var result: [LoadedPage] = []
        if !existing.contains(folder) { result.append(LoadedPage(generated: folder, type: .tags, title: "Tags")) }
        for (slug, name) in names.sorted(by: { $0.key < $1.key }) where !existing.contains(pageID(slug: slug)) {
            result.append(LoadedPage(generated: pageID(slug: slug), type: .tag, title: "#" + name))
        }
        return result
    }

    init() {}

    init(index: SiteIndex) {
        let pages = index.pages
        let names = Self.collect(pages)
        var members: [String: Set<Int>] = [:]
        var own: [[String]] = Array(repeating: [], count: pages.count)
        for (i, page) in pages.enumerated() {
            var seen: Set<String> = []
            for name in Self.names(of: page) {
                let slug = TagName.slug(name)
                guard !slug.isEmpty, seen.insert(slug).inserted else { continue }
                own[i].append(slug)
                let parts = slug.split(separator: "/")
                for n in parts.indices { members[parts[...n].joined(separator: "/"), default: []].insert(i) }
            }
        }
        // One ranking of all pages by title, so sorting each tag's pages is no string comparison per tag.
        var rank = Array(repeating: 0, count: pages.count)
        for (r, i) in pages.indices.sorted(by: { (pages[$0].title.lowercased(), pages[$0].id) < (pages[$1].title.lowercased(), pages[$1].id) }).enumerated() {
            rank[i] = r
        }
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
        bySlug[TagName.slug(TagName.clean(name))].map { tags[$0] }
    }
}
