import Foundation

/// Every way a writer can name a page (id, file name, title) and every anchor on it. Immutable after the link step.
struct SiteIndex: Sendable {
    enum Lookup: Equatable {
        case found(Int)
        case ambiguous([Int])
        case missing
    }

    let pages: [LoadedPage]
    private let byID: [String: Int]
    private let byLowerID: [String: [Int]]
    private let byName: [String: [Int]]
    private let byTitle: [String: [Int]]
    /// Each page's folder under content/ as path components, for resolving relative Markdown links.
    let folders: [[String]]
    /// Asset paths under content/ (`files/map.pdf`).
    let assets: Set<String>
    /// Asset paths by lower-cased file name, for `![[map.png]]` written without its folder.
    private let assetsByName: [String: [String]]

    init(pages: [LoadedPage], assets: Set<String>) {
        self.pages = pages
        self.assets = assets
        var assetsByName: [String: [String]] = [:]
        for path in assets.sorted() { assetsByName[(path.slashSeparated().last.map(String.init) ?? path).lowercased(), default: []].append(path) }
        self.assetsByName = assetsByName
        // Lowercasing every id, file name and title is most of the work: all cores do it.
        let keys = parallelMap(Array(pages.indices)) { i in Keys(pages, i) }
        var byID: [String: Int] = [:], byLowerID: [String: [Int]] = [:]
        var byName: [String: [Int]] = [:], byTitle: [String: [Int]] = [:]
        byID.reserveCapacity(pages.count)
        byLowerID.reserveCapacity(pages.count)
        byName.reserveCapacity(pages.count)
        byTitle.reserveCapacity(pages.count)
        for (i, key) in keys.enumerated() {
            if byID[pages[i].id] == nil { byID[pages[i].id] = i }
            byLowerID[key.lowerID, default: []].append(i)
            // Generated pages answer to their id only, so they never make a writer's short link ambiguous.
            if pages[i].isGenerated { continue }
            if let name = key.lowerName { byName[name, default: []].append(i) }
            byTitle[key.lowerTitle, default: []].append(i)
        }
        self.byID = byID
        self.byLowerID = byLowerID
        self.byName = byName
        self.byTitle = byTitle
        // Thousands of pages share a handful of folders: each is split once.
        var folderParts: [Substring: [String]] = [:]
        folders = pages.indices.map { i in
            let path = pages[i].file.relativePath
            // In ASCII the last `/` byte is the last `/` character.
            let slash = ContentFile.isASCII(path.utf8) ? path.utf8.lastIndex(of: UInt8(ascii: "/")) : path.lastIndex(of: "/")
            guard let slash else { return [] }
            let folder = path[..<slash]
            if let known = folderParts[folder] { return known }
            let parts = folder.slashSeparated(omittingEmpty: false).map(String.init)
            folderParts[folder] = parts
            return parts
        }
    }

    /// What indexing one page needs that takes time to make.
    private struct Keys: Sendable {
        var lowerID: String
        /// The file name part of the id, lowercased; nil for the home page.
        var lowerName: String?
        var lowerTitle: String

        /// Reads the page in place: a copy of a page would retain everything it holds.
        init(_ pages: [LoadedPage], _ i: Int) {
            let (id, title) = pages.withUnsafeBufferPointer { ($0[i].id, $0[i].title) }
            lowerID = id.lowercased()
            // In ASCII the last part is what follows the last `/` byte (when the id does not end with one).
            if ContentFile.isASCII(id.utf8), let last = id.utf8.last, last != UInt8(ascii: "/") {
                let start = id.utf8.lastIndex(of: UInt8(ascii: "/")).map { id.utf8.index(after: $0) } ?? id.startIndex
                lowerName = id[start...].lowercased()
            } else {
                lowerName = id.slashSeparated().last?.lowercased()
            }
            lowerTitle = title.lowercased()
        }
    }

    func page(id: String) -> Int? { byID[id] }

    /// Every anchor on a page: stages, touchpoints and headings. Made when asked, for "did you mean"
    /// hints: a set per page would be most of the work of indexing, for the few pages links miss.
    func anchors(of page: Int) -> Set<String> { pages[page].anchors }

    /// Whether `anchor` is on the page, read in place.
    func hasAnchor(_ anchor: String, on page: Int) -> Bool {
        let headings = pages[page].facts.headings
        if headings.indices.contains(where: { headings[$0].anchor == anchor }) { return true }
        if anchor.hasPrefix("^"), pages[page].facts.blockAnchors.contains(anchor) { return true }
        guard case .journey(let j) = pages[page].entity else { return false }
        for s in j.stages.indices {
            if j.stages[s].anchor == anchor { return true }
            for t in j.stages[s].touchpoints.indices where j.stages[s].touchpoints[t].anchor == anchor { return true }
        }
        return false
    }

    /// A file under content/ named in a wikilink, Obsidian-style: its path, its path from the
    /// linking page's folder, or its file name when only one file has it.
    func asset(named raw: String, from page: Int) -> String? {
        let target = raw.trimmingWhitespace().removingLeadingSlashes
        guard target.contains("."), !target.isEmpty else { return nil }
        if assets.contains(target) { return target }
        let folder = pages[page].file.relativePath.slashSeparated().dropLast().joined(separator: "/")
        if !folder.isEmpty, assets.contains(folder + "/" + target) { return folder + "/" + target }
        guard !target.contains("/"), let hits = assetsByName[target.lowercased()], hits.count == 1 else { return nil }
        return hits[0]
    }

    /// Normalises what a writer typed: `/personas/sam.md/` → `personas/sam`.
    static func normalise(_ target: String) -> String {
        var t = target.trimmingWhitespace()
        // Most targets are written as ids: no `./`, no slash at either end, no `.md`, nothing to take off.
        if let first = t.utf8.first, first != UInt8(ascii: "."), first != UInt8(ascii: "/"), t.utf8.last != UInt8(ascii: "/"),
           !t.containsByte(UInt8(ascii: ".")) {
            return t
        }
        while t.hasPrefix("./") { t.removeFirst(2) }
        while t.hasPrefix("/") { t.removeFirst() }
        while t.hasSuffix("/") { t.removeLast() }
        return ContentFile.stripMarkdownExtension(t)
    }

    /// Finds a page by id, then by unique file name or path suffix, then by title; case-insensitively.
    /// `type` (when given) first tries `<type folder>/<target>` and breaks ties between candidates.
    func lookup(_ raw: String, type: PageType? = nil) -> Lookup {
        let target = SiteIndex.normalise(raw)
        if let i = byID[target] { return .found(i) }
        let lower = target.lowercased()
        if let folder = type?.folder, !lower.contains("/"), let hits = byLowerID[folder + "/" + lower], hits.count == 1 {
            return .found(hits[0])
        }
        func decide(_ hits: [Int]) -> Lookup? {
            if hits.count == 1 { return .found(hits[0]) }
            if hits.count > 1 {
                if let type {
                    let typed = hits.filter { pages[$0].type == type }
                    if typed.count == 1 { return .found(typed[0]) }
                }
                return .ambiguous(hits.sorted { pages[$0].id < pages[$1].id })
            }
            return nil
        }
        if let hits = byLowerID[lower], let r = decide(hits) { return r }
        if lower.contains("/") {
            let suffix = "/" + lower
            let hits = byLowerID.filter { $0.key.hasSuffix(suffix) }.flatMap(\.value)
            if let r = decide(hits) { return r }
        } else if let hits = byName[lower], let r = decide(hits) {
            return r
        }
        if let hits = byTitle[lower], let r = decide(hits) { return r }
        // `[[index]]`, `[[guides/index]]`, `[[guides/README]]`: the file is its folder's page (the home
        // page for the top one), whose id has no `index`.
        let parts = target.slashSeparated()
        if let last = parts.last, ContentFile.isIndexName(last) {
            let folder = parts.dropLast().joined(separator: "/")
            if let i = byID[folder] { return .found(i) }
            if !folder.isEmpty, let hits = byLowerID[folder.lowercased()], let r = decide(hits) { return r }
        }
        return .missing
    }

    /// The anchor as stored on the page: exact, or the slug of heading text (`#Next steps` → `next-steps`).
    func anchor(_ anchor: String, on page: Int) -> String? {
        if hasAnchor(anchor, on: page) { return anchor }
        let slugged = anchor.slashSeparated().map { slugify(String($0)) }.joined(separator: "/")
        if hasAnchor(slugged, on: page) { return slugged }
        // Handbooks written for GitHub link to its heading ids ("A & B" → `a--b`).
        let lowered = anchor.lowercased()
        return pages[page].facts.headings.first { githubSlug($0.text) == lowered }?.anchor
    }

    func anchorSuggestion(for anchor: String, on page: Int) -> String? {
        closestMatch(to: slugify(anchor), in: anchors(of: page).sorted())
    }
}

private extension String {
    var removingLeadingSlashes: String { String(drop(while: { $0 == "/" })) }
}
