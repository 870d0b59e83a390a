import Foundation

/// What GitHub, Obsidian and Hugo add to CommonMark and writers expect to work: task list items
/// (`- [ ] Ask the GP practices`), strikethrough (`~~old name~~`) and web addresses written bare
/// (`https://…`, `www.…`) as links. Core cmark has none of them; like pipe tables they are
/// rewrites of its tree, made with nodes of its own, so nothing passes as raw HTML. `waymark
/// render` leaves them out: it stays CommonMark, for the spec's tests.
enum MarkdownExtensions {
    // MARK: Task lists

    /// The markup of a task's box: shown, not clickable (the page is read, not edited).
    static let openTaskBox = #"<input type="checkbox" class="task-box" disabled> "#
    static let doneTaskBox = #"<input type="checkbox" class="task-box" disabled checked> "#

    /// `[ ] ` or `[x] ` at the start of a list item's first paragraph becomes a checkbox, as on
    /// GitHub and in Obsidian. Returns whether it did.
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

    // MARK: Strikethrough

    /// `~~words~~` in the text of `container` (a paragraph, or emphasis inside one) becomes `<del>`:
    /// exactly two tildes (`~` alone is "about", `~~~` a fence), the opening pair before something
    /// other than white space and the closing pair after it, both in the same container. In a pipe
    /// table a pair never spans a `|`, which separates cells.
    static func rewriteStrikethrough(in container: MarkdownNode, tree: MarkdownTree, table: Bool, depth: Int = 0) {
        guard depth <= MarkdownBody.maxInlineDepth else { return }
        var delimiters: Set<MarkdownNode> = []
        // Walked by sibling pointers; the sibling after a run of text is taken before the run is replaced.
        var next = container.firstChild
        while let child = next {
            next = child.next
            if child.kind == .emphasis || child.kind == .strong {
                rewriteStrikethrough(in: child, tree: tree, table: table, depth: depth + 1)
                continue
            }
            guard child.kind == .text else { continue }
            var run = [child]
            while let following = next, following.kind == .text {
                run.append(following)
                next = following.next
            }
            guard run.contains(where: { $0.literalContains(UInt8(ascii: "~")) }) else { continue }
            var bytes: [UInt8] = []
            for n in run { n.withLiteralBytes { bytes.append(contentsOf: $0) } }
            // The text cut at each run of exactly two tildes.
            var pieces: [(range: Range<Int>, delimiter: Bool)] = []
            var i = 0, start = 0
            while i < bytes.count {
                guard bytes[i] == UInt8(ascii: "~") else { i += 1; continue }
                var j = i
                while j < bytes.count, bytes[j] == UInt8(ascii: "~") { j += 1 }
                if j - i == 2 {
                    if i > start { pieces.append((start..<i, false)) }
                    pieces.append((i..<j, true))
                    start = j
                }
                i = j
            }
            guard pieces.contains(where: \.delimiter) else { continue }
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
            let spaceBefore = c.previous.map(endsWithSpace) ?? true
            let spaceAfter = c.next.map(startsWithSpace) ?? true
            if !spaceBefore, let opener = open.popLast() {
                pairs.append((opener, c))
            } else if !spaceAfter {
                open.append(c)
            }
        }
        for (opener, closer) in pairs {
            let del = tree.makeCustomInline(open: "<del>", close: "</del>")
            opener.insertBefore(del)
            var node = opener.next
            while let n = node, n != closer {
                node = n.next
                del.adopt(n)
            }
            tree.delete(opener)
            tree.delete(closer)
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
        var next = container.firstChild
        while let child = next {
            next = child.next
            if child.kind == .emphasis || child.kind == .strong {
                linkify(in: child, tree: tree, table: table, depth: depth + 1)
                continue
            }
            guard child.kind == .text else { continue }
            var run = [child]
            while let following = next, following.kind == .text {
                run.append(following)
                next = following.next
            }
            // Most text has no `://` and no `www.`: settled on cmark's bytes in place before anything is copied.
            guard run.contains(where: { $0.withLiteralBytes(mayHoldAddress) }) else { continue }
            var bytes: [UInt8] = []
            for n in run { n.withLiteralBytes { bytes.append(contentsOf: $0) } }
            let found = addresses(in: bytes, table: table)
            guard !found.isEmpty else { continue }
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

// MARK: - Footnotes

/// Footnotes, as GitHub, Obsidian and Hugo write them: `[^source]` in the text, and a paragraph
/// starting `[^source]: …` for the note (lines of one paragraph that each start `[^…]:` are notes
/// of their own; other lines continue the note above). Notes are numbered in the order the text
/// first refers to them and listed at the end of the body, each with a link back to its first
/// reference. A note no reference names is left out, as on GitHub; a reference to no note stays
/// as written (the scan warns of both). A note is one paragraph: an indented second paragraph
/// under it is not part of it.
struct Footnotes {
    /// Each note's paragraph by lowercased label (labels match as link labels do, whatever their case).
    private var notes: [String: MarkdownNode] = [:]
    /// Every note's paragraph, in written order (a second note with a label already used too).
    private var taken: [MarkdownNode] = []
    /// Labels in the order the text first refers to them; a note's number is its place here plus one.
    private var order: [String] = []
    private var number: [String: Int] = [:]
    private var referenced: [String: Int] = [:]

    var isEmpty: Bool { notes.isEmpty }

    init() {}

    /// Takes every note out of the document (a paragraph of its own at the top level that starts
    /// `[^label]:`), one paragraph per note, the marker taken off. `putBack(into:)` puts them at the
    /// end, so that a section cut out of the page (an embed) still finds its notes.
    init(taking tree: MarkdownTree) {
        for block in tree.document.children where block.kind == .paragraph { take(block, tree: tree) }
        for paragraph in taken { tree.detach(paragraph) }
    }

    private mutating func take(_ paragraph: MarkdownNode, tree: MarkdownTree) {
        guard let first = paragraph.firstChild, first.kind == .text, Self.definitionLabel(atLineStart: first) != nil else { return }
        var current = paragraph
        var node: MarkdownNode? = first
        var lineStart = true
        while let n = node {
            if lineStart, n.kind == .text, let (label, length) = Self.definitionLabel(atLineStart: n) {
                node = Self.dropPrefix(length, from: n, tree: tree)
                if !taken.isEmpty, taken.last.map({ $0 == current }) ?? false {
                    let next = tree.makeParagraph()
                    current.insertAfter(next)
                    current = next
                }
                taken.append(current)
                // The first note with a label counts, as the first link reference definition does.
                let key = label.lowercased()
                if notes[key] == nil { notes[key] = current }
                lineStart = false
                continue
            }
            node = n.next
            if n.kind == .softBreak || n.kind == .lineBreak {
                lineStart = true
                // The break before the next note ends this one; one inside a note stays.
                if let next = n.next, next.kind == .text, Self.definitionLabel(atLineStart: next) != nil {
                    tree.delete(n)
                    continue
                }
            } else {
                lineStart = false
            }
            if current != paragraph { current.adopt(n) }
        }
    }

    /// The notes back in the document, at its end, to be rendered with the rest (links, wikilinks,
    /// glossary words) before `makeList(in:ids:)` moves them into the list.
    func putBack(into tree: MarkdownTree) {
        for paragraph in taken { tree.reattach(paragraph, to: tree.document) }
    }

    /// Replaces `[^label]` of a note in the text of `container` (not in links or code) with its
    /// number, a link to the note. `ids`: whether marks and notes get ids (not in an embed, whose
    /// host page owns the ids).
    mutating func rewriteReferences(in container: MarkdownNode, tree: MarkdownTree, ids: Bool, depth: Int = 0) {
        guard depth <= MarkdownBody.maxInlineDepth else { return }
        var next = container.firstChild
        while let child = next {
            next = child.next
            if child.kind == .emphasis || child.kind == .strong {
                rewriteReferences(in: child, tree: tree, ids: ids, depth: depth + 1)
                continue
            }
            guard child.kind == .text else { continue }
            var run = [child]
            while let following = next, following.kind == .text {
                run.append(following)
                next = following.next
            }
            guard run.contains(where: { $0.literalContains(UInt8(ascii: "^")) }) else { continue }
            var bytes: [UInt8] = []
            for n in run { n.withLiteralBytes { bytes.append(contentsOf: $0) } }
            var cursor = 0, k = 0
            var replaced = false
            while k < bytes.count {
                guard bytes[k] == UInt8(ascii: "["), let (label, end) = Self.label(in: bytes, at: k), notes[label.lowercased()] != nil else {
                    k += 1
                    continue
                }
                if k > cursor { run[0].insertBefore(tree.makeText(String(decoding: bytes[cursor..<k], as: UTF8.self))) }
                run[0].insertBefore(tree.makeCustomInline(open: mark(label.lowercased(), ids: ids), close: ""))
                cursor = end + 1
                k = cursor
                replaced = true
            }
            guard replaced else { continue }
            if cursor < bytes.count { run[0].insertBefore(tree.makeText(String(decoding: bytes[cursor...], as: UTF8.self))) }
            for n in run { tree.delete(n) }
        }
    }

    /// The markup of a reference to note `key`, numbered on its first reference.
    private mutating func mark(_ key: String, ids: Bool) -> String {
        let n: Int
        if let known = number[key] {
            n = known
        } else {
            order.append(key)
            n = order.count
            number[key] = n
        }
        referenced[key, default: 0] += 1
        guard ids else { return "<sup class=\"footnote-ref\">\(n)</sup>" }
        // Only the first reference is the target of the note's link back: ids stay unique.
        let id = referenced[key] == 1 ? " id=\"wm-fnref-\(n)\"" : ""
        return "<sup class=\"footnote-ref\"><a href=\"#wm-fn-\(n)\"\(id) aria-describedby=\"wm-footnotes-title\">\(n)</a></sup>"
    }

    /// Moves the notes referred to into a numbered list at the end of the document, each with a link
    /// back to its first reference; the others are left out.
    func makeList(in tree: MarkdownTree, ids: Bool) {
        guard !order.isEmpty else {
            for paragraph in taken { tree.detach(paragraph) }
            return
        }
        let list = ids
            ? tree.makeCustomBlock(open: "<section class=\"footnotes\" aria-labelledby=\"wm-footnotes-title\">\n<h2 class=\"visually-hidden\" id=\"wm-footnotes-title\">Footnotes</h2>\n<ol>",
                                   close: "</ol>\n</section>")
            : tree.makeCustomBlock(open: "<div class=\"footnotes\">\n<ol>", close: "</ol>\n</div>")
        tree.document.appendChild(list)
        for (k, key) in order.enumerated() {
            guard let paragraph = notes[key] else { continue }
            let item = tree.makeCustomBlock(open: ids ? "<li id=\"wm-fn-\(k + 1)\">" : "<li>", close: "</li>")
            list.appendChild(item)
            item.adopt(paragraph)
            if ids {
                // U+FE0E: the arrow as text, not as an emoji on phones.
                paragraph.appendChild(tree.makeCustomInline(
                    open: " <a href=\"#wm-fnref-\(k + 1)\" class=\"footnote-back\" aria-label=\"Back to the text of note \(k + 1)\">↩\u{FE0E}</a>", close: ""))
            }
        }
        let listed = Set(order.compactMap { notes[$0] })
        for paragraph in taken where !listed.contains(paragraph) { tree.detach(paragraph) }
    }

    /// `[^label]:` at the start of the text run from `node` (cmark splits `[`, `^label` and `]:`):
    /// the label and how many bytes the marker takes, with the spaces after it.
    static func definitionLabel(atLineStart node: MarkdownNode) -> (String, Int)? {
        guard node.withLiteralBytes({ $0.first == UInt8(ascii: "[") }) else { return nil }
        var bytes: [UInt8] = []
        var n: MarkdownNode? = node
        while let t = n, t.kind == .text, bytes.count < 256 {
            t.withLiteralBytes { bytes.append(contentsOf: $0) }
            if bytes.contains(UInt8(ascii: ":")) { break }
            n = t.next
        }
        guard let (label, end) = label(in: bytes, at: 0), end + 1 < bytes.count, bytes[end + 1] == UInt8(ascii: ":") else { return nil }
        var length = end + 2
        while length < bytes.count, bytes[length] == 0x20 || bytes[length] == 0x09 { length += 1 }
        return (label, length)
    }

    /// `[^label]` at `start` in `bytes`: the label and where its `]` is. A label has no white space,
    /// brackets or `^`, and at most 100 bytes.
    static func label(in bytes: [UInt8], at start: Int) -> (String, Int)? {
        guard start + 3 < bytes.count, bytes[start] == UInt8(ascii: "["), bytes[start + 1] == UInt8(ascii: "^") else { return nil }
        var k = start + 2
        while k < bytes.count, k - start < 102 {
            let b = bytes[k]
            if b == UInt8(ascii: "]") { break }
            if b == 0x20 || b == 0x09 || b == 0x0A || b == UInt8(ascii: "[") || b == UInt8(ascii: "^") { return nil }
            k += 1
        }
        guard k < bytes.count, bytes[k] == UInt8(ascii: "]"), k > start + 2 else { return nil }
        return (String(decoding: bytes[(start + 2)..<k], as: UTF8.self), k)
    }

    /// Removes the first `count` bytes of the text run starting at `node`; returns the node after them.
    private static func dropPrefix(_ count: Int, from node: MarkdownNode, tree: MarkdownTree) -> MarkdownNode? {
        var left = count
        var n: MarkdownNode? = node
        while left > 0, let t = n, t.kind == .text {
            let length = t.withLiteralBytes { $0.count }
            if length <= left {
                n = t.next
                left -= length
                tree.delete(t)
            } else {
                let rest = t.withLiteralBytes { Array($0[left...]) }
                t.setLiteral(String(decoding: rest, as: UTF8.self))
                left = 0
            }
        }
        return n
    }
}

/// What the scan checks of footnotes (see `Footnotes`): a reference that names no note is shown as
/// written, and a note nothing refers to is left out; both are warnings, where they are written.
struct FootnoteCheck {
    private var notes: [String: SourceLocation] = [:]
    private var noteLabels: [(key: String, label: String, at: SourceLocation)] = []
    private var references: [(key: String, label: String, at: SourceLocation)] = []

    /// Whether a paragraph's text has a `^` at all: most have none, settled without copying.
    static func mayHold(_ paragraph: MarkdownNode, depth: Int = 0) -> Bool {
        guard depth <= MarkdownBody.maxInlineDepth else { return false }
        var child = paragraph.firstChild
        while let c = child {
            if c.kind == .text, c.literalContains(UInt8(ascii: "^")) { return true }
            if c.kind == .emphasis || c.kind == .strong, mayHold(c, depth: depth + 1) { return true }
            child = c.next
        }
        return false
    }

    /// Reads the notes (a top-level paragraph's lines that start `[^label]:`) and references of one paragraph.
    mutating func read(_ paragraph: MarkdownNode, scanner: inout MarkdownBody.SourceScanner,
                       location: (Int, Int, inout MarkdownBody.SourceScanner) -> SourceLocation) {
        let topLevel = paragraph.parent?.kind == .document
        var line = paragraph.startLine
        var lineStart = true
        func at(_ needle: String, _ scanner: inout MarkdownBody.SourceScanner) -> SourceLocation {
            let found = scanner.find(Array(needle.utf8), from: (line, 1))
            return location(found?.line ?? line, found?.column ?? paragraph.startColumn, &scanner)
        }
        func walk(_ container: MarkdownNode, depth: Int) {
            guard depth <= MarkdownBody.maxInlineDepth else { return }
            var next = container.firstChild
            while let child = next {
                next = child.next
                switch child.kind {
                case .softBreak, .lineBreak:
                    line += 1
                    lineStart = true
                    continue
                case .emphasis, .strong:
                    lineStart = false
                    walk(child, depth: depth + 1)
                    continue
                case .text:
                    break
                default:
                    lineStart = false
                    continue
                }
                var run = [child]
                while let following = next, following.kind == .text {
                    run.append(following)
                    next = following.next
                }
                var skip = 0
                if topLevel, depth == 0, lineStart, let (label, length) = Footnotes.definitionLabel(atLineStart: child) {
                    let key = label.lowercased()
                    let where_ = at("[^\(label)]:", &scanner)
                    if notes[key] == nil {
                        notes[key] = where_
                        noteLabels.append((key, label, where_))
                    }
                    skip = length
                }
                lineStart = false
                guard run.contains(where: { $0.literalContains(UInt8(ascii: "^")) }) else { continue }
                var bytes: [UInt8] = []
                for n in run { n.withLiteralBytes { bytes.append(contentsOf: $0) } }
                var k = skip
                while k < bytes.count {
                    guard bytes[k] == UInt8(ascii: "["), let (label, end) = Footnotes.label(in: bytes, at: k) else {
                        k += 1
                        continue
                    }
                    references.append((label.lowercased(), label, at("[^\(label)]", &scanner)))
                    k = end + 1
                }
            }
        }
        walk(paragraph, depth: 0)
    }

    /// The warnings, once the whole body is read.
    func problems() -> [Diagnostic] {
        var result: [Diagnostic] = []
        var reported: Set<String> = []
        for r in references where notes[r.key] == nil && reported.insert(r.key).inserted {
            result.append(.warning(r.at, "footnote `[^\(r.label)]` has no note: it is shown as written",
                                   hint: "write its note in a paragraph of its own, `[^\(r.label)]: …`, at the end of the page"))
        }
        let referred = Set(references.map(\.key))
        for note in noteLabels where !referred.contains(note.key) {
            result.append(.warning(note.at, "footnote `[^\(note.label)]` is never referred to: its note is left out of the page",
                                   hint: "put `[^\(note.label)]` in the text where the note belongs, or remove the note"))
        }
        return result
    }
}
