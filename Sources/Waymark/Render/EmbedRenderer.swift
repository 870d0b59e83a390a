/// How links written on a page become markup: wikilinks, Markdown links, `#tags` and `![[embeds]]`.
/// Embedded content is rendered from its own page, so its links resolve from there.
extension SiteRenderer {
    /// Resolvers for the body of page `i`. `embedding` holds what is being rendered around it (the
    /// page itself first), so an embed never shows something it sits inside.
    func linkOptions(for i: Int, embedding: [EmbedGraph.Key]) -> MarkdownBody.RenderOptions {
        var options = MarkdownBody.RenderOptions()
        let site = self.site
        let index = site.index
        options.resolveWikilink = { link in
            switch index.resolve(link, from: i) {
            case .page(let t, let anchor):
                // The target's fields are read in place, through the buffer: `pages[t].field` made a copy
                // of the whole page here, which retains and releases every one of its fields.
                return index.pages.withUnsafeBufferPointer { pages in
                    let label = link.label ?? index.linkLabel(target: t, anchor: anchor, shownOn: i)
                    return RenderedLink(href: site.url(of: t) + (anchor.map { "#" + urlFragment($0) } ?? ""), label: label,
                                        cssClass: "wikilink wikilink-\(pages[t].type.rawValue)", title: pages[t].description)
                }
            case .missingAnchor(let t, let anchor):
                // The link step reported the anchor; the page is there, so the link still leads to it
                // (with `links.broken: warning` a renamed heading leaves a working link, not text).
                return index.pages.withUnsafeBufferPointer { pages in
                    RenderedLink(href: site.url(of: t) + "#" + urlFragment(anchor), label: link.label ?? index.linkLabel(target: t, anchor: nil, shownOn: i),
                                 cssClass: "wikilink wikilink-\(pages[t].type.rawValue)", title: pages[t].description)
                }
            case .asset(let path):
                let name = path.slashSeparated().last.map(String.init) ?? path
                return RenderedLink(href: site.url(ofAsset: path) + (link.anchor.map { "#" + $0 } ?? ""), label: link.label ?? name,
                                    cssClass: "wikilink wikilink-file", title: nil)
            default:
                return nil
            }
        }
        options.rewriteURL = { url in
            switch index.resolve(url: url, from: i) {
            case .page(let t, let anchor): return site.url(of: t) + (anchor.map { "#" + urlFragment($0) } ?? "")
            case .missingAnchor(let t, let anchor): return site.url(of: t) + "#" + urlFragment(anchor)
            case .asset(let path): return site.url(ofAsset: path) + LinkResolution.suffix(of: url)
            case .external: return LinkResolution.generatedFile(url).map { site.config.basePath + $0 }
            default: return nil
            }
        }
        options.resolveTag = { name in site.tags.tag(named: name)?.page.map { site.url(of: $0) } }
        options.renderEmbed = { link, level in
            if link.targetIsImage { return imageHTML(link, from: i).map { "<p class=\"embed-image\">\($0)</p>" } }
            return embedHTML(link, from: i, embedding: embedding, under: level)
        }
        options.inlineEmbed = { link in imageHTML(link, from: i) }
        return options
    }

    /// A page or section shown in place, framed, with a link to where it comes from. Nil (shown as
    /// a link) when it is missing, would show itself, or sits too deep: the link step reported those.
    /// `level`: the host's heading the embed sits under (0 before any); the embedded headings go below it.
    func embedHTML(_ link: Wikilink, from i: Int, embedding: [EmbedGraph.Key], under level: Int = 0) -> String? {
        guard case .page(let t, let anchor) = site.index.resolve(link, from: i) else { return nil }
        let target = site.pages[t]
        let heading = anchor.flatMap { a in target.facts.headings.first { $0.anchor == a } }
        // A block (`#^id`) is named by its page alone: its id is no title.
        if let anchor, heading == nil, !(anchor.hasPrefix("^") && target.facts.embeddable(anchor: anchor)) { return nil }
        let key = EmbedGraph.Key(page: t, anchor: anchor)
        guard !embedding.contains(key), embedding.count <= EmbedGraph.maxDepth else { return nil }
        var options = linkOptions(for: t, embedding: embedding + [key])
        options.unsafe = site.config.unsafeHTML
        // The host page owns the ids: embedded headings get none, so nothing is defined twice.
        options.headingAnchors = false
        options.headingFloor = max(level, 1) + 1  // before any heading: below the page's title, an h1
        options.section = anchor
        if anchor == nil { options.pageTitle = target.title }
        let body = bodyForRendering(t)
        let content = body.text.isEmpty ? "" : body.html(options)
        let href = site.url(of: t) + (anchor.map { "#" + urlFragment($0) } ?? "")
        let source = target.title + (heading.map { " › " + $0.text } ?? "")
        return "<figure class=\"embed\" data-embed=\"\(escapeHTML(target.id + (anchor.map { "#" + $0 } ?? "")))\">\n"
            + "<figcaption class=\"embed-source\">From <a href=\"\(escapeHTML(href))\">\(escapeHTML(source))</a></figcaption>\n"
            + "<div class=\"embed-content\">\n\(content)</div>\n</figure>"
    }

    /// `![[map.png]]`, `![[map.png|Journey map]]` (alt text) or `![[map.png|300]]` (width in pixels).
    func imageHTML(_ link: Wikilink, from i: Int) -> String? {
        guard link.targetIsImage, case .asset(let path) = site.index.resolve(link, from: i) else { return nil }
        let file = path.slashSeparated().last.map(String.init) ?? path
        var alt = file.split(separator: ".").dropLast().joined(separator: ".").replacingOccurrences(of: "-", with: " ")
        var size = ""
        if let label = link.label {
            let parts = label.split(separator: "x", maxSplits: 1).map(String.init)
            if let width = parts.first.flatMap({ Int($0) }), width > 0, width <= 10_000 {
                size = " width=\"\(width)\""
                if parts.count == 2, let height = Int(parts[1]), height > 0, height <= 10_000 { size += " height=\"\(height)\"" }
            } else {
                alt = label
            }
        }
        return "<img src=\"\(escapeHTML(site.url(ofAsset: path)))\" alt=\"\(escapeHTML(alt))\"\(size) loading=\"lazy\">"
    }
}
