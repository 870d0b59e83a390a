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
    let anchors: [Set<String>]
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
        for path in assets.sorted() { assetsByName[(path.split(separator: "/").last.map(String.init) ?? path).lowercased(), default: []].append(path) }
        self.assetsByName = assetsByName
        var byID: [String: Int] = [:], byLowerID: [String: [Int]] = [:]
        var byName: [String: [Int]] = [:], byTitle: [String: [Int]] = [:]
        for (i, page) in pages.enumerated() {
            if byID[page.id] == nil { byID[page.id] = i }
            byLowerID[page.id.lowercased(), default: []].append(i)
            // Generated pages answer to their id only, so they never make a writer's short link ambiguous.
            if page.isGenerated { continue }
            if let name = page.id.split(separator: "/").last { byName[name.lowercased(), default: []].append(i) }
            byTitle[page.title.lowercased(), default: []].append(i)
        }
        self.byID = byID
        self.byLowerID = byLowerID
        self.byName = byName
        self.byTitle = byTitle
        anchors = pages.map(\.anchors)
        folders = pages.map { $0.file.relativePath.split(separator: "/", omittingEmptySubsequences: false).dropLast().map(String.init) }
    }

    func page(id: String) -> Int? { byID[id] }

    /// A file under content/ named in a wikilink, Obsidian-style: its path, its path from the
    /// linking page's folder, or its file name when only one file has it.
    func asset(named raw: String, from page: Int) -> String? {
        let target = raw.trimmingWhitespace().removingLeadingSlashes
        guard target.contains("."), !target.isEmpty else { return nil }
        if assets.contains(target) { return target }
        let folder = pages[page].file.relativePath.split(separator: "/").dropLast().joined(separator: "/")
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
        return .missing
    }

    /// The anchor as stored on the page: exact, or the slug of heading text (`#Next steps` → `next-steps`).
    func anchor(_ anchor: String, on page: Int) -> String? {
        if anchors[page].contains(anchor) { return anchor }
        let slugged = anchor.split(separator: "/").map { slugify(String($0)) }.joined(separator: "/")
        if anchors[page].contains(slugged) { return slugged }
        // Handbooks written for GitHub link to its heading ids ("A & B" → `a--b`).
        let lowered = anchor.lowercased()
        return pages[page].facts.headings.first { githubSlug($0.text) == lowered }?.anchor
    }

    /// "did you mean …" candidates for a name nobody has.
    func suggestion(for raw: String, type: PageType? = nil) -> String? {
        let target = SiteIndex.normalise(raw).lowercased()
        let candidates = pages.indices.filter { (type == nil || pages[$0].type == type) && !pages[$0].id.isEmpty }
        var best: (id: String, distance: Int)?
        for i in candidates {
            let id = pages[i].id
            let name = id.split(separator: "/").last.map(String.init) ?? id
            let d = min(editDistance(target, id), editDistance(target, name), editDistance(target, pages[i].title))
            if best.map({ d < $0.distance || (d == $0.distance && id < $0.id) }) ?? true { best = (id, d) }
        }
        guard let best, best.distance <= max(3, target.count / 3), best.distance < target.count else { return nil }
        return best.id
    }

    func anchorSuggestion(for anchor: String, on page: Int) -> String? {
        closestMatch(to: slugify(anchor), in: anchors[page].sorted())
    }
}

private extension String {
    var removingLeadingSlashes: String { String(drop(while: { $0 == "/" })) }
}
