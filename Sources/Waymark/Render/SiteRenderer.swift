import Foundation

/// One file of the built site, by its path under the output folder.
struct OutputFile: Sendable {
    enum Content: Sendable {
        /// A rendered page's bytes are the template's output as is: making a `Data` of them copied
        /// every page once more (300 MB at 10,000 pages, in fresh memory).
        case bytes([UInt8])
        /// Copied from a source file as is.
        case copy(URL)
        /// Already in the staging folder (written as soon as it was rendered): its hash and size.
        case written(hash: UInt64, size: Int)
    }
    var path: String
    var content: Content
}

/// The render step: body HTML through cmark with resolved links, then the page's template. Per page, in parallel.
struct SiteRenderer {
    let site: Site
    let theme: Theme
    /// Per glossary entry, the opening link tag around an auto-linked word (UTF-8), built once for
    /// all pages. Its hover card is drawn in the browser from the per-site card file (`TermCards`).
    let termLinks: [[UInt8]]
    /// The same, in one buffer, for auto-linking.
    let termLinkTable: MarkdownBody.MarkupTable
    /// `waymark build --relative`: every link relative to its page, for opening the output from disk.
    var relativeLinks = false
    /// Each content file's last change, for page footers and the sitemap.
    var history = GitHistory()
    /// False when a content page or file takes the search page's place.
    let writesSearchPage: Bool
    /// Where rendered pages go as soon as they are made, when the whole output is replaced.
    var staging: OutputWriter.Staging?

    init(site: Site, theme: Theme) {
        self.site = site
        self.theme = theme
        writesSearchPage = site.index.page(id: "search") == nil && !site.assets.contains { $0.relativePath == Self.searchPagePath }
        termLinks = site.glossary.entries.map { entry in Array(TermLinker.open(href: escapeHTML(site.url(of: entry.page))).utf8) }
        termLinkTable = MarkdownBody.MarkupTable(termLinks)
    }

    struct Result {
        var files: [OutputFile]
        var diagnostics: [Diagnostic]
        /// The site as rendered: with glossary usage (which pages mention each term) filled in.
        var site: Site
        /// Every page's render inputs by output path, for the next build's cache.
        var renders: [String: BuildCache.Render] = [:]
        /// Output paths of pages not rendered because their inputs did not change: their files stay as they are.
        var kept: [String] = []
        /// The whole-site files, for the next build to keep if their inputs stay the same.
        var siteFiles: BuildCache.SiteFiles?
        /// Wall and CPU time (every thread's, user and system) of each part of the render, in order, for `--verbose`.
        var phases: [(name: String, seconds: Double, cpu: Double)] = []
    }

    /// What an incremental build knows from the previous one.
    struct Incremental {
        /// The build-wide inputs (see `RebuildPlan.globalKey`).
        var global: UInt64
        /// The previous build's pages by output path.
        var previous: [String: BuildCache.Render]
        /// The previous build's glossary terms by entry (page ids), which its pages' `mentions` index.
        var termIDs: [String]
        /// Whether the previous output of a page is still in the output folder.
        var outputExists: @Sendable (String) -> Bool
        /// The previous build's whole-site files (feed, graph.json, search, sitemap…), with their inputs' key.
        var siteFiles: BuildCache.SiteFiles?
    }

    /// Renders every page, or with `incremental` only those whose inputs changed. Glossary words are
    /// found while bodies are rendered, so term pages, which list the pages that use them, are
    /// rendered last: one pass over the text, not two.
    func render(incremental: Incremental? = nil) -> Result {
        let termPages = Set(site.glossary.entries.map(\.page))
        let digests = RebuildPlan.digests(site)
        let cards = termLinks.map { link -> UInt64 in
            var h = StableHasher()
            h.combine(String(decoding: link, as: UTF8.self))
            return h.value
        }
        let global = incremental?.global ?? 0
        let siteView = incremental.map { RebuildPlan.siteView(site, digests: digests, global: $0.global) }
        // The previous build's glossary entries as this build's, looked up once.
        let entryNow: [Int?] = (incremental?.termIDs ?? []).map { id in site.index.page(id: id).flatMap { site.glossary.entryOfPage[$0] } }
        // What pages read of the previous build, taken out once: a copy of the whole per page retains each part.
        let previousRenders = incremental?.previous ?? [:]
        let outputExists = incremental?.outputExists
        /// Renders page `i` unless its fingerprint says its output is current.
        let renderOrKeep: @Sendable (Int, Site, PageContext) -> (Int, PageResult) = { i, site, contexts in
            let path = Self.outputPath(id: site.id(of: i))
            let fingerprint = { (mentions: [Int]) in
                RebuildPlan.fingerprint(of: i, in: site, global: global, digests: digests, mentions: mentions,
                                        cards: cards, history: self.history, siteView: siteView)
            }
            // Without a previous render there is nothing to compare with: the page is rendered, then fingerprinted once.
            var mentions: [Int]?
            var previous: UInt64??
            if let outputExists, let old = previousRenders[path], let oldFingerprint = old.fingerprint, outputExists(path) {
                mentions = old.mentions.compactMap { e in entryNow.indices.contains(e) ? entryNow[e] : nil }
                let current = fingerprint(mentions ?? [])
                if current == oldFingerprint {
                    return (i, PageResult(file: nil, diagnostic: nil, mentions: (mentions ?? []).sorted(), fingerprint: current, kept: true,
                                          searchText: old.searchText, searchWords: old.searchWords, previousSearchWords: old.searchWords))
                }
                previous = current
            }
            var result = self.renderPage(i, contexts: contexts)
            result.previousSearchWords = previousRenders[path]?.searchWords
            if let staging = self.staging, let file = result.file { result.file = staging.write(file) }
            // Kept with the terms the page links now, which is what the next build compares against.
            let now = result.mentions
            if let previous, now == mentions {
                result.fingerprint = previous
            } else {
                result.fingerprint = fingerprint(now)
            }
            return (i, result)
        }
        var clock = DispatchTime.now().uptimeNanoseconds, cpuClock = processCPUSeconds()
        var phases: [(name: String, seconds: Double, cpu: Double)] = []
        func phase(_ name: String) {
            let now = DispatchTime.now().uptimeNanoseconds, cpu = processCPUSeconds()
            phases.append((name, Double(now - clock) / 1e9, cpu - cpuClock))
            (clock, cpuClock) = (now, cpu)
        }
        let firstContexts = PageContext(site: site)
        let firstPass = parallelMap(site.pages.indices.filter { !termPages.contains($0) }) { i in renderOrKeep(i, self.site, firstContexts) }
        phase("pages")
        var linked = site
        if site.config.glossaryAutolink != .off {
            // Uses are gathered per term (explicit links, auto-links, and the words of term pages and
            // pages that opt out of links), then each term's list is sorted by title and deduplicated.
            var usage = site.termUsage
            firstPass.withUnsafeBufferPointer { results in
                for k in results.indices { for e in results[k].1.mentions { usage[e].append(results[k].0) } }
            }
            let unrendered = site.pages.withUnsafeBufferPointer { pages in pages.indices.filter { termPages.contains($0) || !pages[$0].glossary } }
            let unrenderedMentions = parallelMap(unrendered) { i in
                (i, site.glossary.mentionedEntries(in: site.pages[i].facts.glossaryText, excludingPage: i, department: site.department(of: i)))
            }
            for (i, entries) in unrenderedMentions { for e in entries { usage[e].append(i) } }
            // Sorted by title through one ranking of all pages: comparing strings per term would be quadratic work.
            // Ranks are sorted as plain integers, then turned back into pages.
            let rank = site.order?.byListingTitle ?? PageOrder(pages: site.pages).byListingTitle
            var pageAtRank = [Int](repeating: 0, count: rank.count)
            for (page, r) in rank.enumerated() { pageAtRank[r] = page }
            let pageOfRank = pageAtRank
            linked.termUsage = parallelMap(usage) { users in
                var ranks = users.map { rank[$0] }
                ranks.sort()
                var unique: [Int] = []
                unique.reserveCapacity(ranks.count)
                for (k, r) in ranks.enumerated() where k == 0 || r != ranks[k - 1] { unique.append(pageOfRank[r]) }
                return unique
            }
        }
        phase("glossary usage")
        let contexts = PageContext(site: linked, sharing: firstContexts)
        let linkedSite = linked
        // graph.json, the longest of the whole-site files to make and mostly on one core, needs no page
        // rendered: when the previous one cannot be kept (there is none), it is begun now, beside the
        // term pages and then the search index, so that both cores stay busy.
        var graph = incremental?.siteFiles == nil ? pendingGraph(linkedSite) : nil
        let secondPass = parallelMap(Array(termPages).sorted()) { i in renderOrKeep(i, linkedSite, contexts) }
        phase("term pages")
        let all = (firstPass + secondPass).sorted { $0.0 < $1.0 }
        var files: [OutputFile] = []
        var result = Result(files: [], diagnostics: [], site: linked)
        var searchText = Array(repeating: "", count: site.pages.count)
        var searchWords = Array(repeating: "", count: site.pages.count)
        var previousWords = [String?](repeating: nil, count: site.pages.count)
        for (i, page) in all {
            let path = Self.outputPath(id: site.id(of: i))
            if let file = page.file { files.append(file) }
            if let d = page.diagnostic { result.diagnostics.append(d) }
            if page.kept { result.kept.append(path) }
            searchText[i] = page.searchText
            searchWords[i] = page.searchWords
            previousWords[i] = page.previousSearchWords
            result.renders[path] = BuildCache.Render(fingerprint: page.fingerprint,
                                                     mentions: page.mentions,
                                                     searchText: page.searchText,
                                                     searchWords: page.searchWords)
        }
        // The whole-site files are made from the site view and what pages link as glossary terms: when
        // neither changed, the previous ones are kept. The search files have inputs of their own
        // (every page's words), and are kept or made again piece by piece (`searchFiles`).
        var siteFilesKey: UInt64?
        if let siteView {
            var h = StableHasher()
            h.combine(siteView)
            for users in linked.termUsage { h.combine(users.count); for u in users { h.combine(u) } }
            siteFilesKey = h.value
        }
        let assetPaths = Set(site.assets.map(\.relativePath))
        let previous = siteView == nil ? nil : incremental?.siteFiles
        let exists = { (paths: [String]) in paths.allSatisfy { incremental?.outputExists($0) == true } }
        let keepSite = previous != nil && previous?.key == siteFilesKey && exists(previous?.paths ?? [])
        var siteFiles = previous ?? BuildCache.SiteFiles(key: 0, paths: [], diagnostics: [])
        if let previous, keepSite {
            result.kept += previous.paths
            result.diagnostics += previous.diagnostics
        }
        // Made while graph.json, begun before the term pages, is still being made on the other core. Only
        // files under search/ can take the place of the search files.
        let inSearch = { (paths: [String]) in paths.filter { $0.hasPrefix("search/") } }
        let search = searchFiles(linkedSite, bodyText: searchText, bodyWords: searchWords, previous: previous,
                                 previousWords: incremental == nil ? nil : previousWords, siteView: siteView, exists: exists,
                                 taken: Set(inSearch(files.map(\.path)) + inSearch(result.kept) + inSearch(Array(assetPaths)) + inSearch(Array(theme.assets.keys))))
        files += search.files
        result.kept += search.kept
        siteFiles.searchKey = search.indexKey
        siteFiles.searchPaths = search.files.map(\.path).filter { $0 == SearchIndex.path } + search.kept.filter { $0 == SearchIndex.path }
        siteFiles.shardKeys = search.shardKeys
        siteFiles.shardPagesKey = search.pagesKey
        phase("search index and word shards")
        let taken = Set(files.map(\.path)).union(result.kept).union(assetPaths).union(theme.assets.keys)
        if !keepSite {
            // graph.json is written alongside the feed, the search page and other published files.
            if graph == nil { graph = pendingGraph(linkedSite) }
            let feed = findingsFeed(linkedSite)
            let published = publishingFiles(linkedSite, contexts: contexts,
                                            taken: taken.union([Self.graphPath] + (feed.map { [$0.path] } ?? [])))
            let made = (feed.map { [$0] } ?? []) + [graph?.value ?? knowledgeGraph(linkedSite)] + published.files
            result.diagnostics += published.diagnostics
            files += made
            (siteFiles.key, siteFiles.paths, siteFiles.diagnostics) = (siteFilesKey ?? 0, made.map(\.path), published.diagnostics)
        }
        // The sitemap gives every page's date from git: made on every build (it takes milliseconds), so
        // a commit does not make the other whole-site files again. Written only when its bytes changed.
        let sitemapFile = sitemap(linkedSite)
        if !Set(files.map(\.path)).union(result.kept).union(assetPaths).union(theme.assets.keys).contains(sitemapFile.path) {
            files.append(sitemapFile)
        }
        if siteFilesKey != nil { result.siteFiles = siteFiles }
        phase("site files (graph.json, feed, listings)")
        result.diagnostics += placeAssets(site.assets, among: &files, kept: result.kept)
        let provided = Set(files.map(\.path)).union(result.kept)
        for (path, url) in theme.assets.sorted(by: { $0.key < $1.key }) where !provided.contains(path) {
            files.append(OutputFile(path: path, content: .copy(url)))
        }
        result.diagnostics += pagesInPlaceOfFiles(Set(files.map(\.path)).union(result.kept))
        if relativeLinks {
            let base = site.config.basePath
            files = parallelMap(files) { RelativeLinks.rewrite($0, basePath: base) }
        }
        result.files = files
        phase("assets and the rest")
        result.phases = phases
        return result
    }

    static let graphPath = "graph.json"

    /// Adds the files under content/ that are copied as they are, each where it lies. One whose place
    /// Waymark writes itself (a page's `index.html`, `graph.json`, a listing), or where the site
    /// needs a folder (`guides/notes` beside `guides/notes.md`), is an error at the file: it would
    /// silently replace a page, or no build could write it.
    private func placeAssets(_ assets: [ContentFile], among files: inout [OutputFile], kept: [String]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let generated = Set(files.map(\.path)).union(kept)
        var paths = generated
        var placed: [ContentFile] = []
        var seen: Set<String> = []
        for asset in assets {
            if !seen.insert(asset.relativePath).inserted {
                diagnostics.append(.error(SourceLocation(path: "content/" + asset.relativePath),
                                          "two files are named content/\(asset.relativePath), its accents encoded two ways (composed and decomposed)",
                                          hint: "keep one of them: to a reader, a web server and links they are the same name"))
            } else if generated.contains(asset.relativePath) {
                diagnostics.append(.error(SourceLocation(path: "content/" + asset.relativePath),
                                          "Waymark writes \(asset.relativePath) itself (\(Self.describe(generatedPath: asset.relativePath)))",
                                          hint: "rename the file or move it to another folder"))
            } else {
                paths.insert(asset.relativePath)
                placed.append(asset)
            }
        }
        // A file where another output needs a folder: `guides/notes` and `guides/notes/index.html`.
        var folders: Set<Substring> = []
        for path in paths {
            var end = path.endIndex
            while let slash = path[..<end].lastIndex(of: "/") {
                guard folders.insert(path[..<slash]).inserted else { break }
                end = slash
            }
        }
        for asset in placed {
            if folders.contains(Substring(asset.relativePath)) {
                diagnostics.append(.error(SourceLocation(path: "content/" + asset.relativePath),
                                          "the site needs a folder \(asset.relativePath)/ where this file would be copied",
                                          hint: "rename the file, or the page or folder of the same name"))
            } else {
                files.append(OutputFile(path: asset.relativePath, content: .copy(asset.url)))
            }
        }
        return diagnostics
    }

    /// A page is written as `<id>/index.html`: one whose folder is where the site has a file
    /// (`graph.json.md`, `robots.txt.md`, `assets/style.css.md`) could never be written. An error at the page.
    private func pagesInPlaceOfFiles(_ paths: Set<String>) -> [Diagnostic] {
        site.pages.indices.compactMap { i -> Diagnostic? in
            let id = site.id(of: i)
            guard !id.isEmpty, paths.contains(id) else { return nil }
            return .error(SourceLocation(path: site.pages[i].path, line: 1, column: 1),
                          "this page would be written in a folder \(id)/, where the site has the file \(id) (\(Self.describe(generatedPath: id)))",
                          hint: "rename the file: a page's address is its path without `.md`")
        }
    }

    /// What Waymark writes at a path, for a message: a page, or one of the whole-site files.
    private static func describe(generatedPath path: String) -> String {
        switch path {
        case graphPath: return "the knowledge graph"
        case SearchIndex.path: return "the search index"
        default:
            if path.hasSuffix("index.html") { return "a page of the site" }
            return path.hasPrefix("assets/") ? "a file of the theme" : "a file of the site"
        }
    }

    /// graph.json, being made on another thread, and written there into the staging folder when
    /// there is one (it is the biggest file: about 100 MB at 10,000 pages with auto-links), in pieces.
    private func pendingGraph(_ site: Site) -> Pending<OutputFile> {
        Pending(fallback: OutputFile(path: Self.graphPath, content: .bytes([]))) {
            let document = self.graphDocument(site)
            // Into the staging folder in pieces: made whole, it was 100 MB of fresh memory at 10,000 pages.
            if let staging = self.staging,
               let file = staging.write(path: Self.graphPath, size: document.size, produce: { document.write($0) }) {
                return file
            }
            let graph = OutputFile(path: Self.graphPath, content: .bytes(document.bytes()))
            return self.staging?.write(graph) ?? graph
        }
    }

    private struct PageResult: Sendable {
        var file: OutputFile?
        var diagnostic: Diagnostic?
        /// Glossary entries auto-linked on the page, sorted.
        var mentions: [Int]
        var fingerprint: UInt64?
        /// Not rendered: the output from the previous build is current.
        var kept = false
        /// The start of the body as plain text, for the search index.
        var searchText = ""
        /// Every word of the body, for the search index's shards (`SearchWords`).
        var searchWords = ""
        /// What the previous build saw of them, if it saw the page.
        var previousSearchWords: String?
    }

    private func renderPage(_ i: Int, contexts: PageContext) -> PageResult {
        let page = site.pages[i]
        let body = bodyForRendering(i)
        if body.textOmitted {
            return PageResult(file: nil, diagnostic: .error(SourceLocation(path: page.path), "the file changed or vanished during the build",
                                                            hint: "run the build again"), mentions: [])
        }
        // One linker for the page, in reading order: the front matter's sentences shown above the body
        // (a persona's pains, a stage's goal) first, so that with `first` a term is linked where a
        // reader meets it first.
        let linker = termLinker(for: i)
        let prose = linker.map { PageContext.Prose(page.entity, linker: $0, autolink: termAutolink($0)) } ?? PageContext.Prose()
        let (html, leadLength, mentions) = bodyHTML(i, body: body, linker: linker)
        var context = contexts.context(for: i, content: html, leadLength: leadLength, prose: prose)
        addPublishingContext(&context, page: i, termCards: !mentions.isEmpty)
        let searchText = SearchIndex.plainText(fromHTML: html)
        let searchWords = SearchWords.words(ofHTML: html, page: page)
        // The page's body and the theme around it, and a line for each page a term page lists.
        let listed = site.glossary.entryOfPage[i].map { site.termUsage[$0].count } ?? 0
        guard let output = theme.render(context, template: page.type.rawValue, capacity: html.count + 16_384 + 128 * listed) else {
            return PageResult(file: nil, diagnostic: .error(SourceLocation(path: page.path), "no template for \(page.type.rawValue) pages",
                                                            hint: "add templates/\(page.type.rawValue).mustache or templates/page.mustache"),
                              mentions: mentions, searchText: searchText, searchWords: searchWords)
        }
        let diagnostic = output.problem.map {
            Diagnostic.error(SourceLocation(path: page.path), "template error: \($0)", hint: "a partial must not include itself, directly or through others")
        }
        return PageResult(file: OutputFile(path: Self.outputPath(id: page.id), content: .bytes(output.bytes)), diagnostic: diagnostic,
                          mentions: mentions, searchText: searchText, searchWords: searchWords)
    }

    /// A page's body with its text: a page restored from the build cache has none, so it is read
    /// again from its file (which the cache saw unchanged). Still without text if the file is gone.
    func bodyForRendering(_ i: Int) -> MarkdownBody {
        let page = site.pages[i]
        guard page.body.textOmitted else { return page.body }
        return PageLoader.load(page.file).0?.body ?? page.body
    }

    /// `personas/sam` → `personas/sam/index.html`; the home page → `index.html`.
    static func outputPath(id: String) -> String {
        id.isEmpty ? "index.html" : id + "/index.html"
    }

    /// A page's body as HTML, how long its lead is (the part before its first heading) and the
    /// glossary entries it links.
    /// `linker`: the page's term linker (`termLinker(for:)`), which may have linked its front matter already.
    func bodyHTML(_ i: Int, body: MarkdownBody, linker: TermLinker?) -> (html: [UInt8], leadLength: Int, mentions: [Int]) {
        let page = site.pages[i]
        if body.text.isEmpty { return ([], 0, linker?.linked ?? []) }
        var options = linkOptions(for: i, embedding: [EmbedGraph.Key(page: i, anchor: nil)])
        options.unsafe = site.config.unsafeHTML
        options.pageTitle = page.title
        options.markLead = true
        if let linker { options.autolink = termAutolink(linker) }
        var html = body.htmlBytes(options)
        let leadLength = MarkdownBody.splitLead(&html)
        return (html, leadLength, linker?.linked ?? [])
    }

    /// The page's glossary auto-linker, when the site auto-links and the page has not opted out.
    func termLinker(for i: Int) -> TermLinker? {
        guard site.config.glossaryAutolink != .off, site.pages[i].glossary, !site.glossary.entries.isEmpty else { return nil }
        return TermLinker(site: site, page: i, firstOnly: site.config.glossaryAutolink == .first)
    }

    func termAutolink(_ linker: TermLinker) -> MarkdownBody.Autolink {
        MarkdownBody.Autolink(find: { linker.links(in: $0, into: &$1) }, open: termLinkTable, close: Array("</a>".utf8))
    }
}

/// Glossary auto-links for one page being rendered: the first mention of each term (or every one).
/// The theme's script finds each link's card in the per-site card file by the term page's address
/// and draws it next to the link, so the definition is not repeated in every page. With JavaScript
/// off the word is still a link to the term page.
final class TermLinker {
    private let matcher: TermMatcher
    private let patternEntry: [Int?]
    /// The entry whose term page this is, which never links to itself.
    private let ownEntry: Int?
    private let ownWords: Set<Int>
    /// The homonyms the page's department claims, pattern → the entry it means (`Glossary.departmentSenses`).
    private let senses: [Int: Int]
    private let firstOnly: Bool
    /// The entries linked so far, in the order first linked, and the same as flags by entry.
    /// Unchecked: one page's render uses its linker on one thread, and the checks (a call into the
    /// runtime per access, for each text node of each page) were a tenth of the linker's own time.
    @exclusivity(unchecked) private var linkedInOrder: [Int] = []
    @exclusivity(unchecked) private var isLinked: [Bool]
    @exclusivity(unchecked) private var scratch = TermMatcher.Scratch()
    /// The entries linked, sorted.
    var linked: [Int] { linkedInOrder.sorted() }

    init(site: Site, page: Int, firstOnly: Bool) {
        matcher = site.glossary.matcher
        patternEntry = site.glossary.patternEntry
        ownEntry = site.glossary.entryOfPage[page]
        // On a term's page, the homonyms it claims mean this term: they link to no other (see `Glossary.mentionedEntries`).
        ownWords = ownEntry.flatMap { site.glossary.homonymPatterns[$0] } ?? []
        senses = site.department(of: page).flatMap { site.glossary.departmentSenses[$0] } ?? [:]
        self.firstOnly = firstOnly
        isLinked = Array(repeating: false, count: site.glossary.entries.count)
        // A term the page links to itself, in its text, is not linked a second time: the reader has
        // the writer's link.
        if firstOnly, let own = site.explicitTerms[page] {
            for e in own where !isLinked[e] { isLinked[e] = true }
        }
    }

    /// Replaces `hits` with the words of `text` to link, left to right, each with its glossary entry.
    func links(in text: UnsafeBufferPointer<UInt8>, into hits: inout [(range: Range<Int>, tag: Int)]) {
        if !hits.isEmpty { hits.removeAll(keepingCapacity: true) }
        for m in matcher.matches(inUTF8: text, scratch: &scratch) {
            guard ownWords.isEmpty || !ownWords.contains(m.pattern),
                  let e = (senses.isEmpty ? nil : senses[m.pattern]) ?? patternEntry[m.pattern], e != ownEntry else { continue }
            if isLinked[e] {
                if firstOnly { continue }
            } else {
                isLinked[e] = true
                linkedInOrder.append(e)
            }
            hits.append((m.range, e))
        }
    }

    /// The opening tag of an auto-link to a term page; `href` already HTML-escaped.
    static func open(href: String) -> String {
        "<a href=\"\(href)\" class=\"term-link\">"
    }
}
