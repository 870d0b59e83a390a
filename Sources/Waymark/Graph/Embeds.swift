/// `![[page]]` and `![[page#heading]]` across the site: which page or section each embed shows,
/// embeds that end up showing themselves (A embeds B embeds A, or a page embedding itself), and
/// chains nested deeper than `maxDepth`. One depth-first walk over the sections that embeds name,
/// each visited once, so the check stays linear in the number of embeds.
struct EmbedGraph {
    /// Embeds inside embedded content are shown down to this many levels.
    static let maxDepth = 8

    /// What one embed shows: a whole page (`anchor` nil) or the section under one of its headings.
    struct Key: Hashable, Comparable {
        var page: Int
        var anchor: String?

        static func < (a: Key, b: Key) -> Bool { (a.page, a.anchor ?? "") < (b.page, b.anchor ?? "") }
    }

    struct Occurrence {
        var line: Int
        var location: SourceLocation
        var target: Key
    }

    let index: SiteIndex
    /// Per page, its embeds of pages and sections that exist, in the order written.
    private var occurrences: [Int: [Occurrence]] = [:]

    init(index: SiteIndex) {
        self.index = index
        // Every page's links are read, and few are embeds: the pages are read on all cores.
        let found = parallelMap(Array(index.pages.indices)) { i -> [Occurrence] in
            var embeds: [Occurrence] = []
            for link in index.pages[i].facts.links {
                guard case .wiki(let w) = link.target, w.embed, !w.targetIsImage,
                      case .page(let t, let anchor) = index.resolve(w, from: i) else { continue }
                // An anchor that is no heading (a journey stage) is reported by the reference check.
                if let anchor, !index.pages[t].facts.embeddable(anchor: anchor) { continue }
                embeds.append(Occurrence(line: link.location.line, location: link.location, target: Key(page: t, anchor: anchor)))
            }
            return embeds
        }
        for (i, embeds) in found.enumerated() where !embeds.isEmpty { occurrences[i] = embeds }
    }

    /// The embeds inside what `key` shows: the whole page, or the lines of its section.
    func children(of key: Key) -> [Occurrence] {
        guard let all = occurrences[key.page] else { return [] }
        guard let anchor = key.anchor else { return all }
        // A block (`#^id`): the embeds on its lines (a list item's nested items can hold some).
        if anchor.hasPrefix("^") {
            let facts = index.pages[key.page].facts
            guard let b = facts.blockAnchors.firstIndex(of: anchor), b < facts.blockLines.count else { return [] }
            return all.filter { facts.blockLines[b].contains($0.line) }
        }
        let headings = index.pages[key.page].facts.headings
        guard let h = headings.firstIndex(where: { $0.anchor == anchor }) else { return [] }
        let start = headings[h].location.line
        let end = headings[(h + 1)...].first(where: { $0.level <= headings[h].level })?.location.line ?? Int.max
        return all.filter { $0.line >= start && $0.line < end }
    }

    /// How an embedded page or section is named in messages: `journeys/asthma#diagnosis`.
    func name(_ key: Key) -> String {
        let id = index.pages[key.page].id.isEmpty ? "index" : index.pages[key.page].id
        return id + (key.anchor.map { "#" + $0 } ?? "")
    }

    /// Every cycle, once, at the embed that closes it on the first page (by id) that starts it; and
    /// every page whose embeds nest deeper than `maxDepth`.
    func diagnostics() -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        enum Colour { case open, done }
        var colour: [Key: Colour] = [:]
        var height: [Key: Int] = [:]
        var deepest: [Key: Occurrence] = [:]
        for page in occurrences.keys.sorted() {
            let root = Key(page: page, anchor: nil)
            guard colour[root] == nil else { continue }
            colour[root] = .open
            var stack: [(key: Key, children: [Occurrence], next: Int)] = [(root, children(of: root), 0)]
            while let top = stack.last {
                let t = stack.count - 1
                if top.next < top.children.count {
                    let occurrence = top.children[top.next]
                    stack[t].next += 1
                    switch colour[occurrence.target] {
                    case nil:
                        colour[occurrence.target] = .open
                        stack.append((occurrence.target, children(of: occurrence.target), 0))
                    case .open:
                        guard let start = stack.firstIndex(where: { $0.key == occurrence.target }) else { continue }
                        let chain = stack[start...].map { name($0.key) } + [name(occurrence.target)]
                        let at = start == t ? occurrence : stack[start].children[stack[start].next - 1]
                        let message = chain.count == 2
                            ? "`\(chain[0])` embeds itself: \(chain.joined(separator: " → "))"
                            : "embeds form a cycle: \(chain.joined(separator: " → "))"
                        diagnostics.append(.error(at.location, message,
                                                  hint: "an embed cannot show the page or section it is in; link it with [[…]] instead"))
                    case .done:
                        break
                    }
                } else {
                    var h = 0
                    for c in top.children where colour[c.target] == .done {
                        let ch = (height[c.target] ?? 0) + 1
                        if ch > h { h = ch; deepest[top.key] = c }
                    }
                    height[top.key] = h
                    colour[top.key] = .done
                    stack.removeLast()
                }
            }
        }
        for page in occurrences.keys.sorted() {
            let root = Key(page: page, anchor: nil)
            guard let h = height[root], h > Self.maxDepth, let first = deepest[root] else { continue }
            var chain = [name(root)]
            var key = root
            while let next = deepest[key], chain.count <= Self.maxDepth + 1 {
                chain.append(name(next.target))
                key = next.target
            }
            diagnostics.append(.error(first.location, "embeds nest \(h) levels deep here, more than \(Self.maxDepth): \(chain.joined(separator: " → ")) → …",
                                      hint: "embed a section instead of a whole page, or link with [[…]]; deeper levels are shown as links"))
        }
        return diagnostics
    }
}
