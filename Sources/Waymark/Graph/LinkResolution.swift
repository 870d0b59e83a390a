import Foundation

/// Where a link, wikilink or front-matter reference leads. Pure: used by the link step for checks
/// and by the render step to write hrefs, so both always agree.
enum LinkResolution: Equatable {
    case page(Int, anchor: String?)
    /// A file under content/ copied as is.
    case asset(String)
    /// Left alone: other sites, mail links, absolute paths.
    case external
    /// Nothing by that name; `near` is the name a "did you mean" hint may be looked for (by the
    /// checker, on a budget: rendering resolves the same links and needs no hints).
    case missing(near: String?, type: PageType?)
    case ambiguous([Int])
    case missingAnchor(page: Int, anchor: String)

    /// Files every site has beside its pages (search, feed, sitemap…): a root-relative link to one
    /// is this site's, so it gets the base URL, though no page or file under content/ is behind it.
    static let generatedFiles: [String] = ["search", "search/", "assets/", "graph.json", "sitemap.xml", "robots.txt", "404.html",
                                           "research/feed.xml", "glossary/cards.js", "opensearch.xml"]

    /// `url`'s path (before `?` or `#`, without the leading `/`) when it is root-relative and names
    /// one of `generatedFiles`.
    static func generatedFile(_ url: String) -> String? {
        guard url.hasPrefix("/"), !url.hasPrefix("//") else { return nil }
        let path = url.dropFirst().prefix { $0 != "?" && $0 != "#" }
        return generatedFiles.contains { $0.hasSuffix("/") ? path.hasPrefix($0) : path == $0 } ? String(url.dropFirst()) : nil
    }

    /// The `?query` and `#fragment` of a link as written, for a file's address: they are for the
    /// reader's viewer (`report.pdf#page=3`), so they go with it.
    static func suffix(of url: String) -> Substring {
        url.firstIndex { $0 == "?" || $0 == "#" }.map { url[$0...] } ?? ""
    }

    /// A page or file of this site (an anchor it lacks included): what a root-relative link is taken for.
    var isSiteTarget: Bool {
        switch self {
        case .page, .asset, .missingAnchor: return true
        default: return false
        }
    }
}

extension SiteIndex {
    /// `[[target#anchor|label]]` from the page at `from`; an empty target means the page itself.
    func resolve(_ link: Wikilink, from: Int) -> LinkResolution {
        let lookupResult: Lookup = link.target.isEmpty ? .found(from) : lookup(link.target)
        // A file's `#…` is for the reader's viewer (`[[report.pdf#page=3]]`), not a heading to check.
        if case .missing = lookupResult, let path = asset(named: link.target, from: from) { return .asset(path) }
        return Self.topOfPage(withAnchor(lookupResult, anchor: link.anchor, target: link.target, type: nil))
    }

    /// `#top` names the top of any page in a browser (the HTML standard), so a link to it is not broken.
    private static func topOfPage(_ resolution: LinkResolution) -> LinkResolution {
        if case .missingAnchor(let page, let anchor) = resolution, anchor.lowercased() == "top" { return .page(page, anchor: "top") }
        return resolution
    }

    /// A front-matter reference such as `personas/sam` or `journeys/asthma#diagnosis/gp-appointment`.
    func resolve(reference raw: String, type: PageType?) -> LinkResolution {
        var target = raw.trimmingWhitespace()
        var anchor: String?
        // Without a `#` byte there is no `#` character: most references are a bare id.
        if target.containsByte(UInt8(ascii: "#")), let hash = target.firstIndex(of: "#") {
            anchor = String(target[target.index(after: hash)...])
            target = String(target[..<hash])
        }
        return withAnchor(lookup(target, type: type), anchor: anchor, target: target, type: type)
    }

    private func withAnchor(_ result: Lookup, anchor: String?, target: String, type: PageType?) -> LinkResolution {
        switch result {
        case .missing: return .missing(near: target, type: type)
        case .ambiguous(let hits): return .ambiguous(hits)
        case .found(let i):
            guard let anchor, !anchor.isEmpty else { return .page(i, anchor: nil) }
            guard let resolved = self.anchor(anchor, on: i) else {
                return .missingAnchor(page: i, anchor: anchor)
            }
            return .page(i, anchor: resolved)
        }
    }

    /// A Markdown link destination written on page `from`: relative paths to .md files become page links,
    /// other relative paths must name a file under content/.
    func resolve(url raw: String, from: Int) -> LinkResolution {
        let url = raw.trimmingWhitespace()
        if url.isEmpty { return .external }
        if url.hasPrefix("//") { return .external }
        if url.hasPrefix("/") {
            // From the site's root (`/journeys/asthma/`, `/guides/notes.md`, `/images/map.png`): a page or
            // file of the site is linked as any other, under the base URL; anything else may live
            // elsewhere on the same server, so it stays as written (the link step says so).
            let found = resolve(url: String(url.dropFirst()), from: from, fromRoot: true)
            if found.isSiteTarget { return found }
            // A Markdown file's path can only mean a page of this site: a broken link, checked as one.
            let path = url.prefix { $0 != "?" && $0 != "#" }
            if case .missing = found, ContentFile.markdownExtensionLength(String(path)) > 0 { return found }
            return .external
        }
        return resolve(url: url, from: from, fromRoot: false)
    }

    private func resolve(url: String, from: Int, fromRoot: Bool) -> LinkResolution {
        // Without a colon there is no scheme to look at (most links are relative paths).
        let hasColon = url.containsByte(UInt8(ascii: ":"))
        // Written as `java&#9;script:` it has no clean scheme, but it is no path either: rendering empties it.
        if hasColon, MarkdownBody.blockedScheme(url, image: true) != nil { return .external }
        if hasColon, let colon = url.firstIndex(of: ":"),
           url[..<colon].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+.-".contains($0)) }),
           url.first?.isLetter == true {
            return .external
        }
        // Printable ASCII is one character a byte, so its bytes are searched (in the string's own
        // buffer: through `utf8`'s indices each byte cost some thirty instructions); anything else by
        // characters, as written.
        var path = url
        var anchor: String?
        let cut: (path: String, anchor: String?)?? = path.withUTF8 { u in
            var hash: Int?, query: Int?
            for k in u.indices {
                let b = u[k]
                if b < 0x20 || b >= 0x7F { return nil }
                if b == UInt8(ascii: "#"), hash == nil { hash = k }
                if b == UInt8(ascii: "?"), query == nil, hash == nil { query = k }
            }
            let end = query ?? hash ?? u.count
            return (String(decoding: UnsafeBufferPointer(rebasing: u[..<end]), as: UTF8.self),
                    hash.map { String(decoding: UnsafeBufferPointer(rebasing: u[($0 + 1)...]), as: UTF8.self) })
        }
        if let cut = cut.flatMap({ $0 }) {
            path = cut.path
            anchor = cut.anchor.map { $0.containsByte(UInt8(ascii: "%")) ? $0.removingPercentEncoding ?? $0 : $0 }
        } else {
            // `#` and `?` found as characters are single bytes too: the text around them is cut on bytes either way.
            if let hash = path.firstIndex(of: "#") {
                let written = String(decoding: path.utf8[path.utf8.index(after: hash)...], as: UTF8.self)
                anchor = written.containsByte(UInt8(ascii: "%")) ? written.removingPercentEncoding ?? written : written
                path = String(decoding: path.utf8[..<hash], as: UTF8.self)
            }
            if let q = path.firstIndex(of: "?") {
                path = String(decoding: path.utf8[..<q], as: UTF8.self)
            }
        }
        if path.isEmpty {
            // `/` alone is the home page; `#top` and `?x` alone are this page.
            if fromRoot, let home = page(id: "") { return Self.topOfPage(withAnchor(.found(home), anchor: anchor, target: "", type: nil)) }
            return Self.topOfPage(withAnchor(.found(from), anchor: anchor, target: pages[from].id, type: nil))
        }
        if path.containsByte(UInt8(ascii: "%")) { path = path.removingPercentEncoding ?? path }
        return Self.topOfPage(resolveASCII(path: path, anchor: anchor, from: from, fromRoot: fromRoot)
            ?? resolve(path: path, anchor: anchor, from: from, fromRoot: fromRoot))
    }

    /// A relative path (decoded, without its anchor and query) written on page `from`; with `fromRoot`
    /// relative to content/ instead of the page's folder.
    func resolve(path: String, anchor: String?, from: Int, fromRoot: Bool = false) -> LinkResolution {
        let pieces: [String] = path.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F })
            ? path.utf8.split(separator: UInt8(ascii: "/")).map { String(decoding: $0, as: UTF8.self) }
            : path.slashSeparated().map(String.init)
        // Relative to the folder holding the source file.
        var parts = fromRoot ? [] : folders[from]
        for piece in pieces {
            switch piece {
            case ".": continue
            case "..":
                if parts.isEmpty { return .missing(near: nil, type: nil) }
                parts.removeLast()
            default: parts.append(String(piece))
            }
        }
        let resolved = parts.joined(separator: "/")
        let isMarkdown = ContentFile.markdownExtensionLength(resolved) > 0
        // `parts` has no empty components, so its last is the path's file name.
        let name = parts.last ?? ""
        // In ASCII a `.` byte is a `.` character; elsewhere one may start a character with a combining mark.
        let hasDot = name.utf8.allSatisfy { $0 < 0x80 } ? name.containsByte(UInt8(ascii: ".")) : name.contains(".")
        if isMarkdown || !hasDot {
            var id = ContentFile.stripMarkdownExtension(resolved)
            let stem = ContentFile.stripMarkdownExtension(name)
            if !stem.isEmpty {
                // The id's last component is the stem: a folder's index page has the folder's id.
                if ContentFile.isIndexName(stem) { id = parts.dropLast().joined(separator: "/") }
            } else if let last = id.slashSeparated().last, ContentFile.isIndexName(last) {
                id = id.slashSeparated().dropLast().joined(separator: "/")
            }
            if let i = page(id: id) { return withAnchor(.found(i), anchor: anchor, target: id, type: nil) }
            if !isMarkdown, assets.contains(resolved) { return .asset(ContentFile.nfc(resolved)) }
            return .missing(near: id, type: nil)
        }
        // Composed, as the file's place in the site is: a link typed decomposed still finds it on a server.
        if assets.contains(resolved) { return .asset(ContentFile.nfc(resolved)) }
        return .missing(near: nil, type: nil)
    }

    /// `resolve(path:anchor:from:)` for the usual link: a path in printable ASCII from a page in
    /// an ASCII folder, where a character is a byte and lowercasing changes letters only. The path
    /// is put together on bytes, and only the id looked up is made a string. nil for any other
    /// path, and for the odd names (`.md` alone) only the general way words right.
    func resolveASCII(path: String, anchor: String?, from: Int, fromRoot: Bool = false) -> LinkResolution? {
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        // The resolved path, its parts joined by `/`, and where each part starts.
        var resolved: [UInt8] = []
        resolved.reserveCapacity(path.utf8.count + 32)
        var starts: [Int] = []
        func append(_ part: some Collection<UInt8>) {
            if !starts.isEmpty { resolved.append(slash) }
            starts.append(resolved.count)
            resolved.append(contentsOf: part)
        }
        // Relative to the folder holding the source file.
        for part in fromRoot ? [] : folders[from] {
            guard ContentFile.isASCII(part.utf8) else { return nil }
            append(part.utf8)
        }
        // The path's pieces between slashes, read in the string's own buffer (`utf8.split` spent some
        // four thousand instructions on a link).
        var path = path
        let done: LinkResolution?? = path.withUTF8 { p in
            for b in p where b < 0x20 || b >= 0x7F { return .some(nil) }
            var i = 0
            while i < p.count {
                var j = i
                while j < p.count, p[j] != slash { j += 1 }
                let piece = UnsafeBufferPointer(rebasing: p[i..<j])
                i = j + 1
                if piece.isEmpty || (piece.count == 1 && piece[0] == dot) { continue }
                if piece.count == 2, piece[0] == dot, piece[1] == dot {
                    guard let start = starts.popLast() else { return .some(.missing(near: nil, type: nil)) }
                    resolved.removeSubrange(max(0, start - 1)...)
                    continue
                }
                append(piece)
            }
            return nil
        }
        if let done { return done }
        let nameStart = starts.last ?? 0
        let name = resolved[nameStart...]
        let extensionLength = ContentFile.markdownExtensionLength(ascii: resolved)
        let isMarkdown = extensionLength > 0
        if isMarkdown || !name.contains(dot) {
            // The name ends the path, so it ends with the same extension.
            let stem = name.dropLast(extensionLength)
            guard !stem.isEmpty else { return nil }
            // A folder's index page has the folder's id.
            let id = String(decoding: ContentFile.isIndexName(ascii: stem) ? resolved[..<max(0, nameStart - 1)] : resolved.dropLast(extensionLength),
                            as: UTF8.self)
            if let i = page(id: id) { return withAnchor(.found(i), anchor: anchor, target: id, type: nil) }
            let whole = String(decoding: resolved, as: UTF8.self)
            if !isMarkdown, assets.contains(whole) { return .asset(whole) }
            return .missing(near: id, type: nil)
        }
        let whole = String(decoding: resolved, as: UTF8.self)
        if assets.contains(whole) { return .asset(whole) }
        return .missing(near: nil, type: nil)
    }
}

/// "Did you mean" hints with a bound on the work: every broken link compares its name with every
/// page, so thousands of broken links with long names against long titles would stall a build.
/// Names longer than `nameLimit` get no hint, names whose length alone rules them out are not
/// compared, distances are only computed up to the hint's threshold, and once the build's
/// `budget` (in characters compared) is spent, hints stop.
struct Suggestions {
    static let nameLimit = 80
    /// Enough for about a thousand broken links against a thousand pages.
    var budget = 500_000_000

    /// The page a broken link's name most likely meant: the closest by edit distance to its id, file
    /// name or title (a typo), else the one page whose title or file name begins with the name's words
    /// (`[[Priya]]` for "Priya, practice nurse"). Nil when none is close, or when the budget is spent.
    mutating func page(for raw: String, type: PageType?, in index: SiteIndex) -> String? {
        if let close = closest(to: raw, type: type, in: index) { return close }
        return Self.onlyPageStarting(with: raw, type: type, in: index)
    }

    /// The one page (of `type`) whose title's or file name's first words are all of the name's words;
    /// nil when there are none or several. Words are compared as slugs, so "Priya" begins both
    /// "Priya, practice nurse" and `priya-practice-nurse`.
    static func onlyPageStarting(with raw: String, type: PageType?, in index: SiteIndex) -> String? {
        let normalised = SiteIndex.normalise(raw)
        let name = normalised.slashSeparated().last.map(String.init) ?? normalised
        let folder = normalised.contains("/") ? String(normalised.dropLast(name.count + 1)).lowercased() : nil
        let words = slugify(name).split(separator: "-")
        // One short word ("a", "to") begins too many titles to mean any of them.
        guard let head = words.first, words.joined().count >= 3, words.count <= 8 else { return nil }
        func begins(_ text: String) -> Bool {
            // Most titles differ from the first letters on: those are not slugified.
            guard text.prefix(head.count).lowercased() == head else { return false }
            let other = slugify(text).split(separator: "-")
            return other.count > words.count && other.starts(with: words)
        }
        var found: String?
        for page in index.pages where (type == nil || page.type == type) && !page.id.isEmpty {
            let id = page.id
            if let folder, !id.lowercased().hasPrefix(folder + "/") { continue }
            guard begins(page.title) || begins(id.slashSeparated().last.map(String.init) ?? id) else { continue }
            if found != nil { return nil }
            found = id
        }
        return found
    }

    /// The page closest by edit distance, within the hint's threshold.
    private mutating func closest(to raw: String, type: PageType?, in index: SiteIndex) -> String? {
        let normalised = SiteIndex.normalise(raw).lowercased()
        let target = Array(normalised)
        guard target.count <= Self.nameLimit, budget > 0 else { return nil }
        // Judged by the name, not the whole id: `departments/finance` is no typo of `departments/service`,
        // though their shared folder makes the ids look close.
        let length = normalised.slashSeparated().last.map(\.count) ?? target.count
        let threshold = max(2, length / 3)
        // A path in the wrong folder (`personas/sam.md` written from `notes/`) is judged by its name too.
        let targetName = normalised.contains("/") ? normalised.slashSeparated().last.map { Array($0) } : nil
        var best: (id: String, distance: Int)?
        // The home page (empty id) is never a suggestion: `[[]]` is not something to write.
        for page in index.pages where (type == nil || page.type == type) && !page.id.isEmpty {
            let id = page.id
            let name = id.slashSeparated().last.map(String.init) ?? id
            var distance = Int.max
            for candidate in [id, name, page.title] {
                if let d = compare(target, candidate, limit: threshold) { distance = min(distance, d) }
            }
            if let targetName, let d = compare(targetName, name, limit: threshold) { distance = min(distance, d) }
            if budget < 0 { return nil }
            // A candidate sharing nothing with the name (every character replaced) is no suggestion.
            if distance <= threshold, distance < length, best.map({ distance < $0.distance || (distance == $0.distance && id < $0.id) }) ?? true {
                best = (id, distance)
            }
        }
        return best?.id
    }

    /// The same answer as `SiteIndex.anchorSuggestion(for:on:)` while the budget lasts.
    mutating func anchor(for anchor: String, on page: Int, in index: SiteIndex) -> String? {
        guard anchor.count <= Self.nameLimit, budget > 0 else { return nil }
        let word = Array(slugify(anchor).lowercased())
        let limit = max(2, word.count / 3)
        var best: (String, Int)?
        for candidate in index.anchors(of: page) {
            guard let d = compare(word, candidate, limit: limit) else { continue }
            if budget < 0 { return nil }
            if best.map({ d < $0.1 || (d == $0.1 && candidate < $0.0) }) ?? true { best = (candidate, d) }
        }
        return best?.0
    }

    /// The case-insensitive edit distance when it is at most `limit`, charged to the budget.
    private mutating func compare(_ target: [Character], _ candidate: String, limit: Int) -> Int? {
        // The distance is at least the difference in length: a long title is never read in full.
        let prefix = candidate.prefix(target.count + limit + 1)
        budget -= target.count + limit + 1
        guard abs(prefix.count - target.count) <= limit else { return nil }
        let other = Array(prefix.lowercased())
        budget -= target.count * (2 * limit + 1)
        return Self.distance(target, other, limit: limit)
    }

    /// Levenshtein distance when it is at most `limit`, else nil: only the band of width
    /// 2·limit + 1 around the diagonal is filled, and a row entirely over the limit ends it.
    static func distance(_ a: [Character], _ b: [Character], limit: Int) -> Int? {
        guard abs(a.count - b.count) <= limit else { return nil }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        let over = limit + 1
        var previous = (0...b.count).map { $0 <= limit ? $0 : over }
        var current = [Int](repeating: over, count: b.count + 1)
        for i in 1...a.count {
            let lo = max(1, i - limit), hi = min(b.count, i + limit)
            current[0] = i <= limit ? i : over
            if lo > 1 { current[lo - 1] = over }
            var rowMinimum = current[0]
            if lo <= hi {
                for j in lo...hi {
                    // The row above was filled up to i - 1 + limit; beyond that it counts as over.
                    let above = j <= i - 1 + limit ? previous[j] : over
                    let value = min(previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1), above + 1, current[j - 1] + 1)
                    current[j] = min(value, over)
                    rowMinimum = min(rowMinimum, current[j])
                }
            }
            if hi < b.count { current[hi + 1] = over }
            if rowMinimum > limit { return nil }
            swap(&previous, &current)
        }
        return previous[b.count] <= limit ? previous[b.count] : nil
    }
}

extension SiteIndex {
    /// What an unlabelled link to page `t` (at `anchor`) reads as: the page's title, with the stage,
    /// touchpoint or heading it points at ("Childhood asthma › Treatment start"). Shown on `t` itself,
    /// the section's name alone.
    func linkLabel(target t: Int, anchor: String?, shownOn: Int?) -> String {
        pages.withUnsafeBufferPointer { pages in
            // Read in place: `pages[t].field` through the array copies the whole page first.
            let title = pages[t].title
            guard let anchor else { return title }
            let name: String?
            if case .journey(let j) = pages[t].entity, let n = ReferenceChecker.stageOrTouchpointName(anchor, in: j) {
                name = n
            } else {
                name = pages[t].facts.headings.first(where: { $0.anchor == anchor })?.text
            }
            guard let name else { return title }
            return t == shownOn ? name : "\(title) › \(name)"
        }
    }

    /// Text with unlabelled wikilinks marked by the body scan (a backlink's sentence, a summary) as
    /// a reader sees it: each link as `linkLabel`, resolved from page `source` as its body's links
    /// are; a link that leads nowhere as its target, written.
    func readable(_ text: String, from source: Int, shownOn: Int?) -> String {
        guard MarkdownBody.hasTitleMarks(text) else { return text }
        var out = ""
        var rest = Substring(text)
        while let start = rest.range(of: MarkdownBody.titleMarkStart) {
            out += rest[..<start.lowerBound]
            rest = rest[start.upperBound...]
            let end = rest.range(of: MarkdownBody.titleMarkEnd)
            let written = String(end.map { rest[..<$0.lowerBound] } ?? rest)
            rest = end.map { rest[$0.upperBound...] } ?? ""
            if let link = Wikilink.scan("[[" + written + "]]").first, case .page(let t, let anchor) = resolve(link, from: source) {
                out += linkLabel(target: t, anchor: anchor, shownOn: shownOn)
            } else {
                out += written
            }
        }
        out += rest
        return out.replacingOccurrences(of: MarkdownBody.titleMarkEnd, with: "")
    }
}
