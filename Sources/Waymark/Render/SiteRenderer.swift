import Foundation

/// One file of the built site, by its path under the output folder.
struct OutputFile: Sendable {
    enum Content: Sendable {
        case bytes(Data)
        /// Copied from a source file as is.
        case copy(URL)
    }
    var path: String
    var content: Content
}

/// The render step: body HTML through cmark with resolved links, then the page's template. Per page, in parallel.
struct SiteRenderer {
    let site: Site
    let theme: Theme

    func render() -> ([OutputFile], [Diagnostic]) {
        let contexts = PageContext(site: site)
        let results: [(OutputFile?, Diagnostic?)] = parallelMap(Array(site.pages.indices)) { i in
            let html = self.bodyHTML(i)
            let page = site.pages[i]
            let context = contexts.context(for: i, content: html)
            guard let output = theme.render(context, template: page.type.rawValue) else {
                return (nil, .error(SourceLocation(path: page.path), "no template for \(page.type.rawValue) pages",
                                    hint: "add templates/\(page.type.rawValue).mustache or templates/page.mustache"))
            }
            return (OutputFile(path: outputPath(of: page), content: .bytes(Data(output.utf8))), nil)
        }
        var files = results.compactMap(\.0)
        let diagnostics = results.compactMap(\.1)
        for asset in site.assets { files.append(OutputFile(path: asset.relativePath, content: .copy(asset.url))) }
        for (path, url) in theme.assets.sorted(by: { $0.key < $1.key }) where !files.contains(where: { $0.path == path }) {
            files.append(OutputFile(path: path, content: .copy(url)))
        }
        return (files, diagnostics)
    }

    /// `personas/sam` → `personas/sam/index.html`; the home page → `index.html`.
    func outputPath(of page: LoadedPage) -> String {
        page.id.isEmpty ? "index.html" : page.id + "/index.html"
    }

    func bodyHTML(_ i: Int) -> String {
        let page = site.pages[i]
        if page.body.text.isEmpty { return "" }
        var options = MarkdownBody.RenderOptions()
        options.unsafe = site.config.unsafeHTML
        options.pageTitle = page.title
        let index = site.index
        options.resolveWikilink = { link in
            guard case .page(let t, let anchor) = index.resolve(link, from: i) else { return nil }
            let target = index.pages[t]
            var label = link.label ?? target.title
            if link.label == nil, let anchor, case .journey(let j) = target.entity,
               let name = ReferenceChecker.stageOrTouchpointName(anchor, in: j) {
                label = t == i ? name : "\(target.title) › \(name)"
            } else if link.label == nil, let anchor, let h = target.facts.headings.first(where: { $0.anchor == anchor }) {
                label = t == i ? h.text : "\(target.title) › \(h.text)"
            }
            return RenderedLink(href: site.url(of: t) + (anchor.map { "#" + $0 } ?? ""), label: label,
                                cssClass: "wikilink wikilink-\(target.type.rawValue)", title: target.description)
        }
        if site.config.glossaryAutolink != .off, page.glossary, !site.glossary.entries.isEmpty {
            let linker = TermLinker(site: site, page: i, firstOnly: site.config.glossaryAutolink == .first)
            options.autolink = { linker.links(in: $0) }
        }
        options.rewriteURL = { url in
            switch index.resolve(url: url, from: i) {
            case .page(let t, let anchor): return site.url(of: t) + (anchor.map { "#" + $0 } ?? "")
            case .asset(let path): return site.url(ofAsset: path)
            default: return nil
            }
        }
        return page.body.html(options)
    }
}

/// Glossary auto-links for one page being rendered: the first mention of each term (or every one),
/// each with a hover card that also opens on keyboard focus and is tied to the link by aria-describedby.
final class TermLinker {
    private let site: Site
    private let page: Int
    private let firstOnly: Bool
    private var linked: Set<Int> = []
    private var count = 0

    init(site: Site, page: Int, firstOnly: Bool) {
        self.site = site
        self.page = page
        self.firstOnly = firstOnly
    }

    func links(in text: String) -> [(range: Range<Int>, open: String, close: String)] {
        let glossary = site.glossary
        var result: [(range: Range<Int>, open: String, close: String)] = []
        for m in glossary.matcher.matches(in: text) {
            guard let e = glossary.patternEntry[m.pattern], glossary.entries[e].page != page else { continue }
            if firstOnly && linked.contains(e) { continue }
            linked.insert(e)
            count += 1
            let id = "wm-term-\(count)"
            let entry = glossary.entries[e]
            let open = "<span class=\"term\"><a href=\"\(escapeHTML(site.url(of: entry.page)))\" class=\"term-link\" aria-describedby=\"\(id)\">"
            var card = "<strong>\(escapeHTML(entry.name))</strong>: \(escapeHTML(entry.definition))"
            let synonyms = glossary.synonymSentence(e, index: site.index)
            if !synonyms.isEmpty { card += " <span class=\"term-card-synonyms\">\(escapeHTML(synonyms))</span>" }
            let close = "</a><span class=\"term-card\" role=\"tooltip\" id=\"\(id)\">\(card)</span></span>"
            result.append((m.range, open, close))
        }
        return result
    }
}
