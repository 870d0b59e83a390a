/// Template data for tags: the tags shown on a page, the `tags/` index and one tag's page.
extension PageContext {
    /// The tags page `i` carries, as links to their pages, in the order written.
    func tagLinks(_ i: Int) -> [TemplateObject] {
        guard i < site.tags.ofPage.count else { return [] }
        return site.tags.ofPage[i].map { t -> TemplateObject in
            let tag = site.tags.tags[t]
            var l: TemplateObject = ["title": .text("#" + tag.name), "name": .text(tag.name)]
            if let p = tag.page { l["url"] = .text(site.url(of: p)) }
            return l
        }
    }

    /// Every tag A–Z with how many pages carry it; nested tags sit under their parents.
    func tagIndex() -> TemplateObject {
        let tags = site.tags.tags.map { tag -> TemplateValue in
            var l: TemplateObject = ["name": .text(tag.name), "title": .text("#" + tag.name), "count": .int(tag.pages.count),
                                              "pagesLabel": .text(tag.pages.count == 1 ? "1 page" : "\(tag.pages.count) pages"),
                                              "depth": .int(tag.slug.slashSeparated().count - 1),
                                              "nested": .bool(tag.slug.contains("/"))]
            if let p = tag.page { l["url"] = .text(site.url(of: p)) }
            return .object(l)
        }
        return ["items": .list(tags), "hasItems": .bool(!tags.isEmpty), "count": .int(tags.count)]
    }

    /// One tag's page: the pages carrying it (or a tag nested under it), with their summaries.
    func tagPage(_ page: LoadedPage) -> TemplateObject {
        let slug = String(page.id.dropFirst(TagIndex.folder.count + 1))
        guard let t = site.tags.bySlug[slug] else { return ["hasItems": false] }
        let tag = site.tags.tags[t]
        let items = tag.pages.map { p -> TemplateValue in
            var l = link(p)
            if let s = site.pages[p].description ?? site.firstParagraph(of: p).map(Self.summary) { l["summary"] = .text(s) }
            return .object(l)
        }
        let nested = site.tags.children[t].map { site.tags.tags[$0] }.compactMap { n -> TemplateValue? in
            n.page.map { .object(["title": .text("#" + n.name), "url": .text(site.url(of: $0)), "count": .int(n.pages.count)]) }
        }
        var ctx: TemplateObject = ["name": .text(tag.name), "items": .list(items), "hasItems": .bool(!items.isEmpty),
                                            "pagesLabel": .text(items.count == 1 ? "1 page" : "\(items.count) pages"),
                                            "nested": .list(nested), "hasNested": .bool(!nested.isEmpty)]
        if let all = site.index.page(id: TagIndex.folder) { ctx["index"] = .object(link(all)) }
        return ctx
    }
}
