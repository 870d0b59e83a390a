/// Template data for tags: the tags shown on a page, the `tags/` index and one tag's page.
extension PageContext {
    /// The tags page `i` carries, as links to their pages, in the order written.
    func tagLinks(_ i: Int) -> [[String: Any]] {
        guard i < site.tags.ofPage.count else { return [] }
        return site.tags.ofPage[i].map { t -> [String: Any] in
            let tag = site.tags.tags[t]
            var l: [String: Any] = ["title": "#" + tag.name, "name": tag.name]
            if let p = tag.page { l["url"] = site.url(of: p) }
            return l
        }
    }

    /// Every tag A–Z with how many pages carry it; nested tags sit under their parents.
    func tagIndex() -> [String: Any] {
        let tags = site.tags.tags.map { tag -> [String: Any] in
            var l: [String: Any] = ["name": tag.name, "title": "#" + tag.name, "count": tag.pages.count,
                                    "pagesLabel": tag.pages.count == 1 ? "1 page" : "\(tag.pages.count) pages",
                                    "depth": tag.slug.split(separator: "/").count - 1,
                                    "nested": tag.slug.contains("/")]
            if let p = tag.page { l["url"] = site.url(of: p) }
            return l
        }
        return ["items": tags, "hasItems": !tags.isEmpty, "count": tags.count]
    }

    /// One tag's page: the pages carrying it (or a tag nested under it), with their summaries.
    func tagPage(_ page: LoadedPage) -> [String: Any] {
        let slug = String(page.id.dropFirst(TagIndex.folder.count + 1))
        guard let t = site.tags.bySlug[slug] else { return ["hasItems": false] }
        let tag = site.tags.tags[t]
        let items = tag.pages.map { p -> [String: Any] in
            var l = link(p)
            if let s = site.pages[p].description ?? site.pages[p].facts.firstParagraph.map(Self.summary) { l["summary"] = s }
            return l
        }
        let nested = site.tags.children[t].map { site.tags.tags[$0] }
            .compactMap { n -> [String: Any]? in n.page.map { ["title": "#" + n.name, "url": site.url(of: $0), "count": n.pages.count] } }
        var ctx: [String: Any] = ["name": tag.name, "items": items, "hasItems": !items.isEmpty,
                                  "pagesLabel": items.count == 1 ? "1 page" : "\(items.count) pages",
                                  "nested": nested, "hasNested": !nested.isEmpty]
        if let all = site.index.page(id: TagIndex.folder) { ctx["index"] = link(all) }
        return ctx
    }
}
