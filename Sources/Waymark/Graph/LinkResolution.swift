import Foundation

/// Where a link, wikilink or front-matter reference leads. Pure: used by the link step for checks
/// and by the render step to write hrefs, so both always agree.
enum LinkResolution: Equatable {
    case page(Int, anchor: String?)
    /// A file under content/ copied as is.
    case asset(String)
    /// Left alone: other sites, mail links, absolute paths.
    case external
    case missing(suggestion: String?)
    case ambiguous([Int])
    case missingAnchor(page: Int, anchor: String, suggestion: String?)
}

extension SiteIndex {
    /// `[[target#anchor|label]]` from the page at `from`; an empty target means the page itself.
    func resolve(_ link: Wikilink, from: Int) -> LinkResolution {
        let lookupResult: Lookup = link.target.isEmpty ? .found(from) : lookup(link.target)
        return withAnchor(lookupResult, anchor: link.anchor, target: link.target, type: nil)
    }

    /// A front-matter reference such as `personas/sam` or `journeys/asthma#diagnosis/gp-appointment`.
    func resolve(reference raw: String, type: PageType?) -> LinkResolution {
        var target = raw.trimmingWhitespace()
        var anchor: String?
        if let hash = target.firstIndex(of: "#") {
            anchor = String(target[target.index(after: hash)...])
            target = String(target[..<hash])
        }
        return withAnchor(lookup(target, type: type), anchor: anchor, target: target, type: type)
    }

    private func withAnchor(_ result: Lookup, anchor: String?, target: String, type: PageType?) -> LinkResolution {
        switch result {
        case .missing: return .missing(suggestion: suggestion(for: target, type: type))
        case .ambiguous(let hits): return .ambiguous(hits)
        case .found(let i):
            guard let anchor, !anchor.isEmpty else { return .page(i, anchor: nil) }
            guard let resolved = self.anchor(anchor, on: i) else {
                return .missingAnchor(page: i, anchor: anchor, suggestion: anchorSuggestion(for: anchor, on: i))
            }
            return .page(i, anchor: resolved)
        }
    }

    /// A Markdown link destination written on page `from`: relative paths to .md files become page links,
    /// other relative paths must name a file under content/.
    func resolve(url raw: String, from: Int) -> LinkResolution {
        let url = raw.trimmingWhitespace()
        if url.isEmpty { return .external }
        if url.hasPrefix("//") || url.hasPrefix("/") { return .external }
        if let colon = url.firstIndex(of: ":"),
           url[..<colon].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+.-".contains($0)) }),
           url.first?.isLetter == true {
            return .external
        }
        var path = url
        var anchor: String?
        if let hash = path.firstIndex(of: "#") {
            anchor = String(path[path.index(after: hash)...]).removingPercentEncoding ?? String(path[path.index(after: hash)...])
            path = String(path[..<hash])
        }
        if let q = path.firstIndex(of: "?") { path = String(path[..<q]) }
        if path.isEmpty {
            return withAnchor(.found(from), anchor: anchor, target: pages[from].id, type: nil)
        }
        path = path.removingPercentEncoding ?? path
        // Relative to the folder holding the source file.
        var parts = pages[from].file.relativePath.split(separator: "/", omittingEmptySubsequences: false).dropLast().map(String.init)
        for piece in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch piece {
            case ".": continue
            case "..":
                if parts.isEmpty { return .missing(suggestion: nil) }
                parts.removeLast()
            default: parts.append(String(piece))
            }
        }
        let resolved = parts.joined(separator: "/")
        let lowered = resolved.lowercased()
        let isMarkdown = ContentFile.markdownExtensions.contains { lowered.hasSuffix($0) }
        let name = resolved.split(separator: "/").last.map(String.init) ?? ""
        if isMarkdown || !name.contains(".") {
            var id = ContentFile.stripMarkdownExtension(resolved)
            if let last = id.split(separator: "/").last, ContentFile.indexNames.contains(last.lowercased()) {
                id = id.split(separator: "/").dropLast().joined(separator: "/")
            }
            if let i = page(id: id) { return withAnchor(.found(i), anchor: anchor, target: id, type: nil) }
            if !isMarkdown, assets.contains(resolved) { return .asset(resolved) }
            return .missing(suggestion: suggestion(for: id))
        }
        if assets.contains(resolved) { return .asset(resolved) }
        return .missing(suggestion: nil)
    }
}
