import Foundation

/// What GitHub, Obsidian and Hugo add to CommonMark and writers expect to work: task list items
/// (`- [ ] Ask the GP practices`), strikethrough (`~~old name~~`), Obsidian's highlights
/// (`==key finding==`) and web addresses written bare (`https://…`, `www.…`) as links. Core cmark has none of them; like pipe tables they are
/// rewrites of its tree, made with nodes of its own, so nothing passes as raw HTML. `waymark
/// render` leaves them out: it stays CommonMark, for the spec's tests.
enum MarkdownExtensions {
    /// Which additions a page's source can hold at all, read once from its bytes: most pages have no
    /// `~~`, no address and no `[^`, and their paragraphs are then not walked for them (walking every
    /// paragraph for each was nearly 2 % of a build's instructions).
    struct Uses {
        var tasks = false, strikethrough = false, highlights = false, addresses = false, footnotes = false

        init() {}

        init(_ text: String) {
            var text = text
            text.withUTF8 { bytes in
                guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
                // memchr to each candidate first byte, then the rest compared (glibc's memmem is not exported to Swift).
                func has(_ needle: StaticString) -> Bool {
                    let n = needle.utf8CodeUnitCount
                    var k = 0
                    while k + n <= bytes.count, let hit = memchr(base + k, Int32(needle.utf8Start[0]), bytes.count - k - n + 1) {
                        let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                        if memcmp(base + at, needle.utf8Start, n) == 0 { return true }
                        k = at + 1
                    }
                    return false
                }
                tasks = has("[ ]") || has("[x]") || has("[X]")
                strikethrough = has("~~")
                highlights = has("==")
                addresses = mayHoldAddress(bytes)
                footnotes = has("[^")
            }
        }
    }

    /// Each run of adjacent text nodes directly in `container` (cmark splits text at brackets and
    /// marks) with its bytes, when `wanted` holds for a node of it; each emphasis or strong in
    /// `container` is handed to `nested`. Walked by sibling pointers, so `body` may replace the run.
    static func forEachTextRun(in container: MarkdownNode, nested: (MarkdownNode) -> Void,
                               wanted: (MarkdownNode) -> Bool, _ body: ([MarkdownNode], [UInt8]) -> Void) {
        var next = container.firstChild
        while let child = next {
            next = child.next
            if child.kind == .emphasis || child.kind == .strong {
                nested(child)
                continue
            }
            guard child.kind == .text else { continue }
            var run = [child]
            while let following = next, following.kind == .text {
                run.append(following)
                next = following.next
            }
            guard run.contains(where: wanted) else { continue }
            var bytes: [UInt8] = []
            for n in run { n.withLiteralBytes { bytes.append(contentsOf: $0) } }
            body(run, bytes)
        }
    }

    /// A paragraph's or sentence's text as listings, the feed and backlink cards show it: without
    /// footnote references (`[^source]`), the marks of strikethrough and highlights (`~~`, `==`) and
    /// a task's `[ ]` or `[x]`, which are markup on the page but would be read as text there.
    static func summaryText(_ text: String) -> String {
        let task = text.hasPrefix("[ ] ") || text.hasPrefix("[x] ") || text.hasPrefix("[X] ")
        guard task || text.containsUTF8("[^") || text.containsUTF8("~~") || text.containsUTF8("==") else { return text }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var k = task ? 4 : 0
        while k < bytes.count {
            if bytes[k] == UInt8(ascii: "["), let (_, end) = Footnotes.label(in: bytes, at: k) {
                k = end + 1
                continue
            }
            // Two marks exactly, touching a word on one side (`a == b` is no mark).
            if (bytes[k] == UInt8(ascii: "~") || bytes[k] == UInt8(ascii: "=")), k + 1 < bytes.count, bytes[k + 1] == bytes[k],
               k + 2 >= bytes.count || bytes[k + 2] != bytes[k], k == 0 || bytes[k - 1] != bytes[k],
               !((k == 0 || bytes[k - 1] == 0x20) && (k + 2 >= bytes.count || bytes[k + 2] == 0x20)) {
                k += 2
                continue
            }
            out.append(bytes[k])
            k += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: Task lists

    /// The markup of a task's box: a drawing, not a form control (the page is read, not edited; an
    /// unlabelled checkbox is a form field without a name to a screen reader), which says "Done:" or
    /// "To do:" to a screen reader before the task.
    static let openTaskBox = #"<span class="task-box" aria-hidden="true"></span><span class="visually-hidden">To do: </span>"#
    static let doneTaskBox = #"<span class="task-box task-box--done" aria-hidden="true"></span><span class="visually-hidden">Done: </span>"#

    /// `[ ] ` or `[x] ` at the start of a list item's first paragraph becomes a box, empty or ticked,
    /// as on GitHub and in Obsidian. Returns whether it did.
    @discardableResult
    static func rewriteTaskItem(_ paragraph: MarkdownNode, tree: MarkdownTree) -> Bool {
        guard paragraph.previous == nil, paragraph.parent?.kind == .item,
              let first = paragraph.firstChild, first.kind == .text,
              first.withLiteralBytes({ $0.first == UInt8(ascii: "[") }) else { return false }
        // cmark leaves `[`, ` ` and `] …` as text nodes of their own: the run at the start is read as one.
        var run: [MarkdownNode] = []
        var bytes: [UInt8] = []
        var node: MarkdownNode? = first
        while let n = node, n.kind == .text, bytes.count < 4 {
            run.append(n)
            n.withLiteralBytes { bytes.append(contentsOf: $0) }
            node = n.next
        }
        let mark = bytes.count > 1 ? bytes[1] : 0
        guard bytes.count >= 4, bytes[0] == UInt8(ascii: "["), bytes[2] == UInt8(ascii: "]"),
              mark == 0x20 || mark == UInt8(ascii: "x") || mark == UInt8(ascii: "X"),
              bytes[3] == 0x20 || bytes[3] == 0x09 else { return false }
        var rest = 4
        while rest < bytes.count, bytes[rest] == 0x20 || bytes[rest] == 0x09 { rest += 1 }
        // `- [ ]` with nothing after it is not a task, as on GitHub.
        guard rest < bytes.count || (node.map { $0.kind != .softBreak && $0.kind != .lineBreak } ?? false) else { return false }
        first.insertBefore(tree.makeCustomInline(open: mark == 0x20 ? openTaskBox : doneTaskBox, close: ""))
        if rest < bytes.count { first.insertBefore(tree.makeText(String(decoding: bytes[rest...], as: UTF8.self))) }
        for n in run { tree.delete(n) }
        return true
    }

    // MARK: Strikethrough and highlights

    /// Words between two marks: `~~struck~~` (`<del>`, GitHub) and `==highlighted==` (`<mark>`,
    /// Obsidian).
    struct Pair: Sendable {
        /// The mark's byte, written exactly twice (`~` alone is "about", `~~~` a fence).
        let byte: UInt8
        let element: String
        /// Whether the pair must also start and end at a word's edge: `x==y and z==w` is no highlight.
        let wordEdges: Bool
    }

    static let strikethrough = Pair(byte: UInt8(ascii: "~"), element: "del", wordEdges: false)
    static let highlight = Pair(byte: UInt8(ascii: "="), element: "mark", wordEdges: true)

    /// The `pair`'s marked words in the text of `container` (a paragraph, or emphasis inside one)
    /// wrapped in its element: the opening marks before something other than white space and the
    /// closing ones after it, both in the same container. In a pipe table a pair never spans a `|`,
    /// which separates cells.
    static func rewritePairs(_ pair: Pair, in container: MarkdownNode, tree: MarkdownTree, table: Bool, depth: Int = 0) {
        guard depth <= MarkdownBody.maxInlineDepth else { return }
        var delimiters: Set<MarkdownNode> = []
        forEachTextRun(in: container, nested: { rewritePairs(pair, in: $0, tree: tree, table: table, depth: depth + 1) },
                       wanted: { $0.literalContains(pair.byte) }) { run, bytes in
            // The text cut at each run of exactly two marks.
            var pieces: [(range: Range<Int>, delimiter: Bool)] = []
            var i = 0, start = 0
            while i < bytes.count {
                guard bytes[i] == pair.byte else { i += 1; continue }
                var j = i
                while j < bytes.count, bytes[j] == pair.byte { j += 1 }
                if j - i == 2 {
                    if i > start { pieces.append((start..<i, false)) }
                    pieces.append((i..<j, true))
                    start = j
                }
                i = j
            }
            guard pieces.contains(where: \.delimiter) else { return }
            if start < bytes.count { pieces.append((start..<bytes.count, false)) }
            for piece in pieces {
                let node = tree.makeText(String(decoding: bytes[piece.range], as: UTF8.self))
                run[0].insertBefore(node)
                if piece.delimiter { delimiters.insert(node) }
            }
            for n in run { tree.delete(n) }
        }
        guard !delimiters.isEmpty else { return }
        // Paired left to right, a closing pair with the nearest open one: nested pairs close first.
        var open: [MarkdownNode] = []
        var pairs: [(MarkdownNode, MarkdownNode)] = []
        var child = container.firstChild
        while let c = child {
            child = c.next
            guard delimiters.contains(c) else {
                if table, c.kind == .text, c.literalContains(UInt8(ascii: "|")) { open.removeAll() }
                continue
            }
            let canClose = !(c.previous.map(endsWithSpace) ?? true) && !(pair.wordEdges && (c.next.map(startsWithWordCharacter) ?? false))
            let canOpen = !(c.next.map(startsWithSpace) ?? true) && !(pair.wordEdges && (c.previous.map(endsWithWordCharacter) ?? false))
            if canClose, let opener = open.popLast() {
                pairs.append((opener, c))
            } else if canOpen {
                open.append(c)
            }
        }
        for (opener, closer) in pairs {
            let element = tree.makeCustomInline(open: "<\(pair.element)>", close: "</\(pair.element)>")
            opener.insertBefore(element)
            var node = opener.next
            while let n = node, n != closer {
                node = n.next
                element.adopt(n)
            }
            tree.delete(opener)
            tree.delete(closer)
        }
    }

    private static func endsWithWordCharacter(_ node: MarkdownNode) -> Bool {
        guard node.kind == .text, let last = node.lastLiteralScalar else { return false }
        return last.properties.isAlphabetic || last.properties.numericType != nil
    }

    private static func startsWithWordCharacter(_ node: MarkdownNode) -> Bool {
        guard node.kind == .text else { return false }
        return node.withLiteralBytes { bytes -> Bool in
            guard let first = bytes.first else { return false }
            if first < 0x80 { return (first | 0x20 >= UInt8(ascii: "a") && first | 0x20 <= UInt8(ascii: "z")) || (first >= 0x30 && first <= 0x39) }
            let scalar = String(decoding: UnsafeBufferPointer(rebasing: bytes.prefix(4)), as: UTF8.self).unicodeScalars.first
            return scalar.map { $0.properties.isAlphabetic || $0.properties.numericType != nil } ?? false
        }
    }

    private static func endsWithSpace(_ node: MarkdownNode) -> Bool {
        switch node.kind {
        case .softBreak, .lineBreak: return true
        case .text: return node.lastLiteralScalar.map { $0.properties.isWhitespace } ?? true
        default: return false
        }
    }

    private static func startsWithSpace(_ node: MarkdownNode) -> Bool {
        switch node.kind {
        case .softBreak, .lineBreak: return true
        case .text: return node.withLiteralBytes { $0.first.map { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0xC2 } ?? true }
        default: return false
        }
    }

    // MARK: Bare web addresses

    /// A web address written bare in the text of `container` (`https://…`, `http://…`, `www.…`)
    /// becomes a link, by GitHub's rules: it starts a line, follows white space or one of `*_~(`,
    /// has a domain with a dot, and ends at white space or `<`, without trailing punctuation
    /// (`.,:;!?'"*_~`) and without a `)` that closes nothing opened in it. `www.` addresses lead to
    /// `http://www.…`, as on GitHub. Never inside links, code or raw HTML; in a pipe table a `|` ends
    /// an address too.
    static func linkify(in container: MarkdownNode, tree: MarkdownTree, table: Bool, depth: Int = 0) {
        guard depth <= MarkdownBody.maxInlineDepth else { return }
        // Most text has no `://` and no `www.`: settled on cmark's bytes in place before anything is copied.
        forEachTextRun(in: container, nested: { linkify(in: $0, tree: tree, table: table, depth: depth + 1) },
                       wanted: { $0.withLiteralBytes(mayHoldAddress) }) { run, bytes in
            let found = addresses(in: bytes, table: table)
            guard !found.isEmpty else { return }
            var cursor = 0
            for address in found {
                if address.lowerBound > cursor {
                    run[0].insertBefore(tree.makeText(String(decoding: bytes[cursor..<address.lowerBound], as: UTF8.self)))
                }
                let text = String(decoding: bytes[address], as: UTF8.self)
                let url = bytes[address.lowerBound] == UInt8(ascii: "w") || bytes[address.lowerBound] == UInt8(ascii: "W") ? "http://" + text : text
                run[0].insertBefore(tree.makeLink(url: url, text: text))
                cursor = address.upperBound
            }
            if cursor < bytes.count { run[0].insertBefore(tree.makeText(String(decoding: bytes[cursor...], as: UTF8.self))) }
            for n in run { tree.delete(n) }
        }
    }

    /// Whether `bytes` has `://` or `www.` (any case): where an address can start.
    static func mayHoldAddress(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress, bytes.count >= 4 else { return false }
        var k = 0
        while k < bytes.count, let hit = memchr(base + k, Int32(UInt8(ascii: ".")), bytes.count - k) {
            let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            // `www.`: the dot after three w's.
            if at >= 3, bytes[at - 1] | 0x20 == UInt8(ascii: "w"), bytes[at - 2] | 0x20 == UInt8(ascii: "w"), bytes[at - 3] | 0x20 == UInt8(ascii: "w") {
                return true
            }
            k = at + 1
        }
        k = 0
        while k < bytes.count, let hit = memchr(base + k, Int32(UInt8(ascii: ":")), bytes.count - k) {
            let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if at + 2 < bytes.count, bytes[at + 1] == UInt8(ascii: "/"), bytes[at + 2] == UInt8(ascii: "/") { return true }
            k = at + 1
        }
        return false
    }

    /// Byte ranges of the bare web addresses in `text` (see `linkify(in:tree:table:)`).
    static func addresses(in text: [UInt8], table: Bool = false) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var i = 0
        while i < text.count {
            let c = text[i]
            // A start: `h` or `w` at a boundary.
            guard c | 0x20 == UInt8(ascii: "h") || c | 0x20 == UInt8(ascii: "w"),
                  i == 0 || isBoundary(text, before: i) else { i += 1; continue }
            guard let domainStart = prefixEnd(text, at: i), let domainEnd = domainEnd(text, from: domainStart) else { i += 1; continue }
            var end = domainEnd
            while end < text.count, !endsAddress(text, at: end, table: table) { end += 1 }
            end = trimmed(text, start: i, end: end)
            guard end > domainStart else { i += 1; continue }
            result.append(i..<end)
            i = end
        }
        return result
    }

    /// Where the domain starts after `https://`, `http://` or (the domain's own start) `www.`, any case.
    private static func prefixEnd(_ t: [UInt8], at i: Int) -> Int? {
        func matches(_ word: String, at k: Int) -> Bool {
            let w = Array(word.utf8)
            guard k + w.count <= t.count else { return false }
            for j in w.indices where t[k + j] | (w[j] >= UInt8(ascii: "a") ? 0x20 : 0) != w[j] { return false }
            return true
        }
        if matches("https://", at: i) { return i + 8 }
        if matches("http://", at: i) { return i + 7 }
        if matches("www.", at: i) { return i }
        return nil
    }

    /// The end of a valid domain from `start`: letters, digits, `_` and `-` in segments joined by
    /// dots, at least one dot, and no `_` in the last two segments.
    private static func domainEnd(_ t: [UInt8], from start: Int) -> Int? {
        var k = start
        var segments: [Range<Int>] = []
        var segmentStart = k
        while k < t.count {
            let b = t[k]
            if isDomainByte(b) {
                k += 1
            } else if b == UInt8(ascii: "."), k > segmentStart, k + 1 < t.count, isDomainByte(t[k + 1]) {
                segments.append(segmentStart..<k)
                k += 1
                segmentStart = k
            } else {
                break
            }
        }
        guard k > segmentStart else { return nil }
        segments.append(segmentStart..<k)
        guard segments.count >= 2 else { return nil }
        for segment in segments.suffix(2) where t[segment].contains(UInt8(ascii: "_")) { return nil }
        return k
    }

    private static func isDomainByte(_ b: UInt8) -> Bool {
        (b | 0x20 >= UInt8(ascii: "a") && b | 0x20 <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
            || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b >= 0x80
    }

    /// Before an address: white space, a line's start, or `*`, `_`, `~`, `(` (GitHub's rule), and
    /// an opening quote (`"`, `'`, `“`, `‘`: "the form at “https://…”" is common in notes).
    private static func isBoundary(_ t: [UInt8], before i: Int) -> Bool {
        let b = t[i - 1]
        if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == UInt8(ascii: "*") || b == UInt8(ascii: "_")
            || b == UInt8(ascii: "~") || b == UInt8(ascii: "(") || b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") { return true }
        // A no-break space (C2 A0), “ (E2 80 9C) or ‘ (E2 80 98).
        if b == 0xA0 { return i >= 2 && t[i - 2] == 0xC2 }
        return (b == 0x9C || b == 0x98) && i >= 3 && t[i - 2] == 0x80 && t[i - 3] == 0xE2
    }

    /// An address ends at white space (a no-break space too), `<`, or in a table `|`.
    private static func endsAddress(_ t: [UInt8], at k: Int, table: Bool) -> Bool {
        let b = t[k]
        if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == UInt8(ascii: "<") { return true }
        if table && b == UInt8(ascii: "|") { return true }
        return b == 0xC2 && k + 1 < t.count && t[k + 1] == 0xA0
    }

    /// `end` moved back over what ends a sentence rather than the address: trailing punctuation, a
    /// `)` that closes nothing opened in the address, and an entity-like `&name;`.
    private static func trimmed(_ t: [UInt8], start: Int, end: Int) -> Int {
        var end = end
        while end > start {
            let last = t[end - 1]
            if "?!.,:*_~'\"".utf8.contains(last) {
                end -= 1
            } else if end - start >= 3, t[end - 3] == 0xE2, t[end - 2] == 0x80, last == 0x9D || last == 0x99 {
                end -= 3  // a closing ” or ’
            } else if last == UInt8(ascii: ")") {
                let opened = t[start..<end].filter { $0 == UInt8(ascii: "(") }.count
                let closed = t[start..<end].filter { $0 == UInt8(ascii: ")") }.count
                guard closed > opened else { break }
                end -= 1
            } else if last == UInt8(ascii: ";") {
                var k = end - 2
                while k > start, isAlphanumeric(t[k]) { k -= 1 }
                guard k > start, t[k] == UInt8(ascii: "&"), k < end - 2 else { break }
                end = k
            } else {
                break
            }
        }
        return end
    }

    private static func isAlphanumeric(_ b: UInt8) -> Bool {
        (b | 0x20 >= UInt8(ascii: "a") && b | 0x20 <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
    }
}
