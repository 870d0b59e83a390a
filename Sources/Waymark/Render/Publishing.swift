import Foundation

/// Publishing an internal wiki: the search page and its index, the 404 page, sitemap, robots.txt and
/// OpenSearch files, and per page its canonical URL, last change (from git) and "edit this page" link.
extension SiteRenderer {
    static let searchPagePath = "search/index.html"
    static let notFoundPath = "404.html"

    /// The context keys publishing adds to a page's: `page.canonical`, `page.updated`, `page.editURL`,
    /// `page.hasMeta`, and `site.searchURL` / `site.openSearchURL`.
    /// `termCards`: the page has glossary auto-links, so its layout loads the hover cards.
    func addPublishingContext(_ context: inout TemplateValue, page i: Int, termCards: Bool = false) {
        guard case .object(var ctx) = context else { return }
        // The dictionaries are taken out of what holds them, so they are changed in place, not copied.
        context = .bool(false)
        let page = site.pages[i]
        var pageCtx: TemplateObject = { if case .object(let o) = ctx.removeValue(forKey: "page") { return o }; return [:] }()
        if let canonical = canonicalURL(site.url(of: i)) { pageCtx["canonical"] = .text(canonical) }
        if !page.isGenerated {
            if let change = history.change(of: page.path) {
                pageCtx["updated"] = ["datetime": .text(change.date), "date": .text(change.day), "author": .text(change.author)]
            }
            if let edit = site.config.editLink(forSourcePath: page.path) { pageCtx["editURL"] = .text(edit) }
        }
        pageCtx["hasMeta"] = .bool(pageCtx["updated"] != nil || pageCtx["editURL"] != nil)
        if termCards { pageCtx["termCards"] = .text(site.config.basePath + TermCards.path) }
        ctx["page"] = .object(pageCtx)
        let siteCtx: TemplateObject = { if case .object(let o) = ctx.removeValue(forKey: "site") { return o }; return [:] }()
        ctx["site"] = .object(publishingSiteContext(siteCtx))
        context = .object(ctx)
    }

    private func publishingSiteContext(_ siteCtx: TemplateObject) -> TemplateObject {
        var siteCtx = siteCtx
        if writesSearchPage { siteCtx["searchURL"] = .text(site.config.basePath + "search/") }
        if site.config.origin != nil { siteCtx["openSearchURL"] = .text(site.config.basePath + Self.openSearchPath) }
        return siteCtx
    }

    /// Absolute when `baseURL` names a host; the site path otherwise, except in a `--relative` build,
    /// where a path would only name a file on the reader's disk.
    func canonicalURL(_ path: String) -> String? {
        if let absolute = site.config.absoluteURL(path) { return absolute }
        return relativeLinks ? nil : path
    }

    /// Everything publishing adds beside the pages, except the search index (`searchFiles`). A file a
    /// site provides itself (`content/robots.txt`) takes the place of the generated one.
    func publishingFiles(_ site: Site, contexts: PageContext, taken: Set<String>) -> (files: [OutputFile], diagnostics: [Diagnostic]) {
        var files: [OutputFile] = []
        var diagnostics: [Diagnostic] = []
        if writesSearchPage {
            if let page = standalonePage(template: "search", title: "Search", type: "search", path: "search/", contexts: contexts) {
                files.append(OutputFile(path: Self.searchPagePath, content: .bytes(Array(page))))
            }
        } else if let i = site.index.page(id: "search") {
            diagnostics.append(.warning(SourceLocation(path: site.pages[i].path, line: 1, column: 1),
                                        "this page takes the place of the search page at search/, so the site has no search",
                                        hint: "rename the file; Waymark writes its search page at search/"))
        }
        if let page = standalonePage(template: "404", title: "Page not found", type: "notfound", path: nil, contexts: contexts) {
            files.append(OutputFile(path: Self.notFoundPath, content: .bytes(Array(page))))
        }
        if TermCards.isUsed(by: site) { files.append(OutputFile(path: TermCards.path, content: .bytes(TermCards.script(site)))) }
        files.append(robots(site))
        if let openSearch = openSearchDescription(site) { files.append(openSearch) }
        return (files.filter { !taken.contains($0.path) }, diagnostics)
    }

    /// The search files, made again where their inputs changed: each word shard (`SearchWords`) when a
    /// page gained or lost a word in it, the index when the pages' titles, places or first words did. `bodyText` is each page's body as plain text (its start),
    /// `bodyWords` its words; `previousWords` the words the previous build saw on each page (nil
    /// where it has no record of the page).
    func searchFiles(_ site: Site, bodyText: [String], bodyWords: [String], previous: BuildCache.SiteFiles?,
                     previousWords: [String?]?, siteView: UInt64?, exists: ([String]) -> Bool,
                     taken: Set<String>) -> SearchFiles {
        guard writesSearchPage else { return SearchFiles() }
        var made = SearchFiles()
        // The version of the shards' page numbers: every page, in order. Shards made for another list
        // are not reused, and the search page asks for them under another address (`ch.js?v=…`).
        var pages = StableHasher()
        // Through the buffer: each page copied out of the array would be retained and released whole.
        site.pages.withUnsafeBufferPointer { for k in $0.indices { pages.combine($0[k].id) } }
        made.pagesKey = pages.value
        let path = SearchWords.path

        var changed: Set<String>?
        if let previous, let previousWords, previous.shardPagesKey == made.pagesKey, exists(previous.shardKeys.map(path)) {
            changed = []
            for i in site.pages.indices where changed != nil {
                guard let before = previousWords[i] else { changed = nil; break }
                if before != bodyWords[i] { changed?.formUnion(SearchWords.changedKeys(before, bodyWords[i])) }
            }
        }
        let shards = SearchWords.shards(pageWords: bodyWords, only: changed)
        var keys = Set(shards.map(\.key))
        if let changed, let previous {
            for key in previous.shardKeys where !changed.contains(key) {
                keys.insert(key)
                made.kept.append(path(key))
            }
        }
        made.shardKeys = keys.sorted()
        made.files = parallelMap(shards) { OutputFile(path: path($0.key), content: .bytes(SearchWords.script($0))) }
        // The list of shards, a few kilobytes, is made on every build and written when it changed.
        made.files.append(OutputFile(path: SearchWords.listPath,
                                     content: .bytes(SearchWords.listScript(keys: made.shardKeys, version: String(made.pagesKey, radix: 36)))))

        var key = StableHasher()
        key.combine(siteView ?? 0)
        key.combine(made.pagesKey)
        for text in bodyText { key.combine(text) }
        made.indexKey = key.value
        if siteView != nil, let previous, previous.searchKey == made.indexKey, exists(previous.searchPaths) {
            made.kept += previous.searchPaths
        } else {
            let index = SearchIndex(site: site, bodyText: bodyText, relativeLinks: relativeLinks)
            made.files.append(OutputFile(path: SearchIndex.path, content: .bytes(index.script())))
        }
        made.files = made.files.filter { !taken.contains($0.path) }
        return made
    }

    struct SearchFiles {
        var files: [OutputFile] = []
        /// The previous build's files that are current.
        var kept: [String] = []
        var pagesKey: UInt64 = 0
        var shardKeys: [String] = []
        var indexKey: UInt64 = 0
    }

    /// A page that is not content (search, 404) rendered through the theme's layout. `path` is its
    /// site path under the base, or nil for the 404 page, which is served at any address.
    private func standalonePage(template: String, title: String, type: String, path: String?, contexts: PageContext) -> [UInt8]? {
        guard theme.library.contains(template) else { return nil }
        var pageCtx: TemplateObject = ["id": .text(path.map { String($0.dropLast()) } ?? type), "title": .text(title), "type": .text(type),
                                                "typeLabel": .text(title), "content": "", "hideSearchBox": true]
        if let path {
            let url = site.config.basePath + path
            pageCtx["url"] = .text(url)
            if let canonical = canonicalURL(url) { pageCtx["canonical"] = .text(canonical) }
        }
        let siteCtx = publishingSiteContext(contexts.siteContext(for: nil))
        return theme.library.render(.object(["page": .object(pageCtx), "site": .object(siteCtx)]), template: template)?.bytes
    }
}

extension BuildReport {
    /// The search index's share of the written site, for `--verbose` and the README's figure.
    public var searchIndexFigure: String? {
        guard let index = searchIndexBytes, siteBytes > 0 else { return nil }
        var figure = String(format: "search index %@ of %@ written (%.1f%%)", Self.size(index), Self.size(siteBytes),
                            Double(index) * 100 / Double(siteBytes))
        if searchShards.count > 0 {
            figure += String(format: "; every word in %d shards beside it, %@ (%.1f%%), the largest %@", searchShards.count,
                             Self.size(searchShards.bytes), Double(searchShards.bytes) * 100 / Double(siteBytes), Self.size(searchShards.largest))
        }
        return figure
    }

    static func size(_ bytes: Int) -> String {
        bytes < 10_000 ? "\(bytes) bytes" : String(format: "%.1f KB", Double(bytes) / 1000)
    }
}
