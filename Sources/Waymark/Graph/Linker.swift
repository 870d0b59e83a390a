import Foundation

/// The link step, the one whole-site step: index ids, resolve every reference, collect backlinks and diagnostics.
struct Linker {
    var config: SiteConfig
    var includeDrafts: Bool

    func link(pages loaded: [LoadedPage], assets: [ContentFile]) -> (Site, [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        var pages = uniquePages(loaded, diagnostics: &diagnostics)
        let drafts = includeDrafts ? [] : pages.filter(\.draft)
        let draftIDs = Set(drafts.map { $0.id.lowercased() })
        if !includeDrafts { pages.removeAll(where: \.draft) }
        pages += generatedPages(for: pages)
        pages.sort { $0.id < $1.id }
        for i in pages.indices where pages[i].id.isEmpty { pages[i].type = .home }

        let index = SiteIndex(pages: pages, assets: Set(assets.map(\.relativePath)))
        var resolver = ReferenceChecker(index: index, config: config, draftIDs: draftIDs)
        for i in pages.indices { resolver.check(page: i) }
        diagnostics += resolver.diagnostics

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
        let site = Site(config: config, index: index, backlinks: backlinks, children: children(of: pages), assets: assets)
        return (site, diagnostics)
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
            let file = ContentFile(relativePath: folder.isEmpty ? "" : folder + "/", url: URL(fileURLWithPath: "/dev/null"), kind: .markdown)
            return LoadedPage(file: file, id: folder, type: folder.isEmpty ? .home : .listing, title: title, description: nil,
                              draft: false, tags: [], entity: .page, params: [],
                              body: MarkdownBody(text: "", path: file.displayPath, firstLine: 1), facts: BodyFacts())
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
    /// `customer-onboarding` → "Customer onboarding".
    static func prettyName(_ name: String) -> String {
        let words = name.replacingOccurrences(of: "-", with: " ").replacingOccurrences(of: "_", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }
}
