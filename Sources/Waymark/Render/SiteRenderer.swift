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
    /// Per glossary entry, the link and hover-card markup around an auto-linked word, built once for all pages.
    let termMarkup: [(href: String, card: String)]

    init(site: Site, theme: Theme) {
        self.site = site
        self.theme = theme
        termMarkup = site.glossary.entries.indices.map { e in
            let entry = site.glossary.entries[e]
            var card = "<strong>\(escapeHTML(entry.name))</strong>: \(escapeHTML(entry.definition))"
            let synonyms = site.glossary.synonymSentence(e, index: site.index)
            if !synonyms.isEmpty { card += " <span class=\"term-card-synonyms\">\(escapeHTML(synonyms))</span>" }
            return (escapeHTML(site.url(of: entry.page)), card)
        }
    }

    struct Result {
        var files: [OutputFile]
        var diagnostics: [Diagnostic]
        /// The site as rendered: with glossary usage (which pages mention each term) filled in.
        var site: Site
    }

    /// Renders every page. Glossary words are found while bodies are rendered, so term pages, which
    /// list the pages that use them, are rendered last: one pass over the text, not two.
    func render() -> Result {
        let termPages = Set(site.glossary.entries.map(\.page))
        let firstContexts = PageContext(site: site)
        let firstPass = parallelMap(site.pages.indices.filter { !termPages.contains($0) }) { i in
            (i, self.renderPage(i, contexts: firstContexts))
        }
        var linked = site
        if site.config.glossaryAutolink != .off {
            var usage = site.termUsage.map(Set.init)
            for (i, result) in firstPass { for e in result.mentions { usage[e].insert(i) } }
            // Term pages and pages that opt out of links still count as uses of the words they mention.
            let unrendered = site.pages.indices.filter { termPages.contains($0) || !site.pages[$0].glossary }
            for i in unrendered {
                for e in site.glossary.mentionedEntries(in: site.pages[i].facts.glossaryText, excludingPage: i) { usage[e].insert(i) }
            }
            // Sorted by title through one ranking of all pages: comparing strings per term would be quadratic work.
            let pages = site.pages
            var rank = Array(repeating: 0, count: pages.count)
            for (r, i) in pages.indices.sorted(by: { (pages[$0].title, pages[$0].id) < (pages[$1].title, pages[$1].id) }).enumerated() { rank[i] = r }
            linked.termUsage = usage.map { $0.sorted { rank[$0] < rank[$1] } }
        }
        let contexts = PageContext(site: linked, sharing: firstContexts)
        let secondPass = parallelMap(Array(termPages).sorted()) { i in (i, self.renderPage(i, contexts: contexts)) }
        let results = (firstPass + secondPass).sorted { $0.0 < $1.0 }.map(\.1)
        var files = results.compactMap(\.file)
        let diagnostics = results.compactMap(\.diagnostic)
        if let feed = findingsFeed(linked) { files.append(feed) }
        files.append(knowledgeGraph(linked))
        for asset in site.assets { files.append(OutputFile(path: asset.relativePath, content: .copy(asset.url))) }
        for (path, url) in theme.assets.sorted(by: { $0.key < $1.key }) where !files.contains(where: { $0.path == path }) {
            files.append(OutputFile(path: path, content: .copy(url)))
        }
        return Result(files: files, diagnostics: diagnostics, site: linked)
    }

    private struct PageResult: Sendable {
        var file: OutputFile?
        var diagnostic: Diagnostic?
        /// Glossary entries auto-linked on the page.
        var mentions: Set<Int>
    }

    private func renderPage(_ i: Int, contexts: PageContext) -> PageResult {
        let (html, mentions) = bodyHTML(i)
        let page = site.pages[i]
        let context = contexts.context(for: i, content: html)
        guard let output = theme.render(context, template: page.type.rawValue) else {
            return PageResult(file: nil, diagnostic: .error(SourceLocation(path: page.path), "no template for \(page.type.rawValue) pages",
                                                            hint: "add templates/\(page.type.rawValue).mustache or templates/page.mustache"),
                              mentions: mentions)
        }
        let diagnostic = output.problem.map {
            Diagnostic.error(SourceLocation(path: page.path), "template error: \($0)", hint: "a partial must not include itself, directly or through others")
        }
        return PageResult(file: OutputFile(path: outputPath(of: page), content: .bytes(Data(output.bytes))), diagnostic: diagnostic, mentions: mentions)
    }

    /// `personas/sam` → `personas/sam/index.html`; the home page → `index.html`.
    func outputPath(of page: LoadedPage) -> String {
        page.id.isEmpty ? "index.html" : page.id + "/index.html"
    }

    func bodyHTML(_ i: Int) -> (String, Set<Int>) {
        let page = site.pages[i]
        if page.body.text.isEmpty { return ("", []) }
        var linker: TermLinker?
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
            let termLinker = TermLinker(site: site, markup: termMarkup, page: i, firstOnly: site.config.glossaryAutolink == .first)
            options.autolink = { termLinker.links(in: $0) }
            linker = termLinker
        }
        options.rewriteURL = { url in
            switch index.resolve(url: url, from: i) {
            case .page(let t, let anchor): return site.url(of: t) + (anchor.map { "#" + $0 } ?? "")
            case .asset(let path): return site.url(ofAsset: path)
            default: return nil
            }
        }
        return (page.body.html(options), linker?.linked ?? [])
    }
}

/// Glossary auto-links for one page being rendered: the first mention of each term (or every one),
/// each with a hover card that also opens on keyboard focus and is tied to the link by aria-describedby.
final class TermLinker {
    private let site: Site
    private let markup: [(href: String, card: String)]
    private let page: Int
    private let firstOnly: Bool
    private(set) var linked: Set<Int> = []
    private var count = 0

    init(site: Site, markup: [(href: String, card: String)], page: Int, firstOnly: Bool) {
        self.site = site
        self.markup = markup
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
            let open = "<span class=\"term\"><a href=\"\(markup[e].href)\" class=\"term-link\" aria-describedby=\"\(id)\">"
            let close = "</a><span class=\"term-card\" role=\"tooltip\" id=\"\(id)\">\(markup[e].card)</span></span>"
            result.append((m.range, open, close))
        }
        return result
    }
}
