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
        MarkdownExtensions.forEachTextRun(in: container, nested: { rewriteReferences(in: $0, tree: tree, ids: ids, depth: depth + 1) },
                                          wanted: { $0.literalContains(UInt8(ascii: "^")) }) { run, bytes in
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
            guard replaced else { return }
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
