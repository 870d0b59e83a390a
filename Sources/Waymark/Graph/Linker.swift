import Foundation

/// The link step, the one whole-site step: index ids, resolve every reference, collect backlinks and diagnostics.
struct Linker {
    var config: SiteConfig
    var includeDrafts: Bool

    func link(pages loaded: [LoadedPage], assets: [ContentFile]) -> (Site, [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        var pages = uniquePages(loaded, diagnostics: &diagnostics)
        let drafts = includeDrafts ? [] : pages.filter(\.draft)
        // Every name a draft answers to, so a link to it by id, file name or title gets the --drafts hint.
        let draftIDs = Set(drafts.flatMap { [$0.id.lowercased(), String($0.id.split(separator: "/").last ?? "").lowercased(), $0.title.lowercased()] })
        if !includeDrafts { pages.removeAll(where: \.draft) }
        pages += glossaryViews(for: pages)
        if pages.contains(where: { $0.type == .journey }), !pages.contains(where: { $0.id == "coverage" }) {
            pages.append(LoadedPage(generated: "coverage", type: .coverage, title: "Evidence coverage"))
        }
        pages += TagIndex.generatedPages(for: pages)
        pages += generatedPages(for: pages)
        pages.sort { $0.id < $1.id }
        for i in pages.indices where pages[i].id.isEmpty { pages[i].type = .home }
        for i in pages.indices where pages[i].id == "glossary" && [.page, .listing].contains(pages[i].type) { pages[i].type = .glossary }

        let index = SiteIndex(pages: pages, assets: Set(assets.map(\.relativePath)))
        var resolver = ReferenceChecker(index: index, config: config, draftIDs: draftIDs)
        for i in pages.indices { resolver.check(page: i) }
        diagnostics += resolver.diagnostics
        diagnostics += EmbedGraph(index: index).diagnostics()

        var backlinks = Array(repeating: [Backlink](), count: pages.count)
        for link in Set(resolver.backlinks) where link.target != link.backlink.source {
            backlinks[link.target].append(link.backlink)
        }
        for i in backlinks.indices {
            backlinks[i] = deduplicated(backlinks[i]).sorted {
                ($0.relation.rawValue, pages[$0.source].title, pages[$0.source].id, $0.context)
                    < ($1.relation.rawValue, pages[$1.source].title, pages[$1.source].id, $1.context)
            }
        }
        let glossary = Glossary(index: index)
        diagnostics += homonymWarnings(glossary, index: index)
        let usage = termUsage(glossary, index: index, backlinks: backlinks)
        var site = Site(config: config, index: index, backlinks: backlinks, children: children(of: pages), assets: assets,
                        glossary: glossary, termUsage: usage, journeys: JourneyIndex(index: index))
        site.tags = TagIndex(index: index)
        return (site, diagnostics)
    }

    /// The glossary's generated views: a vocabulary page per department with synonyms, and the matrix.
    /// A page a writer made with the same id wins.
    private func glossaryViews(for pages: [LoadedPage]) -> [LoadedPage] {
        guard pages.contains(where: { $0.type == .term }) else { return [] }
        let existing = Set(pages.map(\.id))
        var views: [LoadedPage] = []
        for department in pages where department.type == .department {
            let name = department.id.split(separator: "/").last.map(String.init) ?? department.id
            let id = "glossary/vocabulary/" + name
            if !existing.contains(id) { views.append(LoadedPage(generated: id, type: .vocabulary, title: "\(department.title) vocabulary")) }
        }
        if !views.isEmpty, !existing.contains("glossary/vocabulary") {
            views.append(LoadedPage(generated: "glossary/vocabulary", type: .listing, title: "Vocabularies by department"))
        }
        if !existing.contains("glossary/matrix") {
            views.append(LoadedPage(generated: "glossary/matrix", type: .matrix, title: "What each department calls it"))
        }
        return views
    }

    /// A word two terms claim (a homonym such as "lead") is reported once, at its last claim.
    private func homonymWarnings(_ glossary: Glossary, index: SiteIndex) -> [Diagnostic] {
        glossary.homonyms.map { h in
            let claims = h.claims.map { claim -> String in
                let term = glossary.entries[claim.entry].name
                guard let d = claim.word.department else { return "“\(term)” (its name)" }
                return "“\(term)” (what \(index.pages[d].title) calls it)"
            }
            let last = h.claims.map(\.word.location).max() ?? SourceLocation(path: "content/glossary/")
            return .warning(last, "“\(h.word)” means different things: \(claims.joined(separator: " and "))",
                            hint: "a homonym confuses readers across departments; auto-links go to the term whose name it is, or nowhere")
        }
    }

    /// For each glossary entry, the pages that link to it explicitly; auto-detected mentions are added while rendering.
    private func termUsage(_ glossary: Glossary, index: SiteIndex, backlinks: [[Backlink]]) -> [[Int]] {
        var usage = Array(repeating: Set<Int>(), count: glossary.entries.count)
        for (e, entry) in glossary.entries.enumerated() {
            for b in backlinks[entry.page] where b.relation == .mentions { usage[e].insert(b.source) }
        }
        return usage.map { $0.sorted { (index.pages[$0].title, index.pages[$0].id) < (index.pages[$1].title, index.pages[$1].id) } }
    }

    /// One page per id. Two files with one id (`a.md` and `a/index.md`, or ids differing only in case) are an error.
    private func uniquePages(_ pages: [LoadedPage], diagnostics: inout [Diagnostic]) -> [LoadedPage] {
        var seen: [String: LoadedPage] = [:]
        var result: [LoadedPage] = []
        for page in pages.sorted(by: { $0.path < $1.path }) {
            let key = page.id.lowercased()
            if let first = seen[key] {
                let same = first.id == page.id ? "the same id" : "ids that differ only in case"
                diagnostics.append(.error(SourceLocation(path: page.path, line: 1, column: 1),
                                          "\(page.path) and \(first.path) have \(same) `\(page.id)`",
                                          hint: "rename or remove one of them; `a.md` and `a/index.md` are the same page"))
                continue
            }
            seen[key] = page
            result.append(page)
        }
        return result
    }

    /// A listing page for every folder without an index page, and a home page when content/index.md is missing.
    private func generatedPages(for pages: [LoadedPage]) -> [LoadedPage] {
        let existing = Set(pages.map(\.id))
        var folders: Set<String> = [""]
        for page in pages {
            var parts = page.id.split(separator: "/").map(String.init)
            while parts.count > 1 {
                parts.removeLast()
                folders.insert(parts.joined(separator: "/"))
            }
        }
        return folders.subtracting(existing).sorted().map { folder in
            let name = folder.split(separator: "/").last.map(String.init)
            let type = name.flatMap(PageType.fromFolder)
            let title = folder.isEmpty ? config.title
                : folder.contains("/") ? LoadedPage.prettyName(name ?? folder) : (type?.sectionTitle ?? LoadedPage.prettyName(folder))
            return LoadedPage(generated: folder, type: folder.isEmpty ? .home : .listing, title: title)
        }
    }

    private func children(of pages: [LoadedPage]) -> [String: [Int]] {
        var children: [String: [Int]] = [:]
        for (i, page) in pages.enumerated() where !page.id.isEmpty {
            let parent = page.id.split(separator: "/").dropLast().joined(separator: "/")
            children[parent, default: []].append(i)
        }
        for key in children.keys {
            children[key]?.sort { (pages[$0].title.lowercased(), pages[$0].id) < (pages[$1].title.lowercased(), pages[$1].id) }
        }
        return children
    }

    private func deduplicated(_ links: [Backlink]) -> [Backlink] {
        var seen: Set<[Int]> = []
        return links.sorted { $0.context < $1.context }.filter { seen.insert([$0.relation.rawValue, $0.source]).inserted }
    }
}

extension LoadedPage {
    /// A page Waymark makes itself: it has no source file and no body.
    init(generated id: String, type: PageType, title: String) {
        let file = ContentFile(relativePath: id.isEmpty ? "" : id + "/", url: URL(fileURLWithPath: "/dev/null"), kind: .markdown)
        self.init(file: file, id: id, type: type, title: title, description: nil, draft: false, tags: [], glossary: false,
                  isGenerated: true, entity: .page, params: [],
                  body: MarkdownBody(text: "", path: file.displayPath, firstLine: 1), facts: BodyFacts())
    }

    /// `customer-onboarding` → "Customer onboarding".
    static func prettyName(_ name: String) -> String {
        let words = name.replacingOccurrences(of: "-", with: " ").replacingOccurrences(of: "_", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }
}
