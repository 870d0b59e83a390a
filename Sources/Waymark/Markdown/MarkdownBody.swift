import Foundation

/// What a link in a page body points at, as written.
enum BodyLinkTarget: Sendable, Equatable {
    case wiki(Wikilink)
    /// A Markdown link destination (`[text](url)`).
    case url(String)
    /// An image source (`![alt](src)`).
    case image(String)
}

struct BodyLink: Sendable {
    var target: BodyLinkTarget
    var location: SourceLocation
    /// The sentence the link appears in, as plain text, for backlinks.
    var sentence: String

    /// `![[…]]`: the linked page or section is shown in place.
    var isEmbed: Bool {
        if case .wiki(let w) = target { return w.embed }
        return false
    }
}

struct BodyHeading: Sendable {
    var text: String
    var level: Int
    var anchor: String
    var location: SourceLocation
}

/// Facts the link step needs from a body, gathered in one walk; the cmark tree is freed afterwards.
struct BodyFacts: Sendable {
    var headings: [BodyHeading] = []
    var links: [BodyLink] = []
    /// Raw HTML, reported in one warning per page when the site has not opted in: where it starts on
    /// each line that has some (the first ten), and on how many lines in all.
    var rawHTML: [SourceLocation] = []
    var rawHTMLLines = 0
    /// First paragraph as plain text (for summaries).
    var firstParagraph: String?
    /// Paragraph text where glossary words may be auto-linked (not code, links, headings or HTML), one run a line.
    var glossaryText = ""
    /// Inline `#tags` as written (without `#`), in order; never from code, links, URLs or headings.
    var tags: [String] = []
    /// Obsidian block ids (`^key-finding` at the end of a paragraph), with their `^`: link targets
    /// (`[[page#^key-finding]]`) like headings.
    var blockAnchors: [String] = []
    /// The file lines each block shows when embedded (its paragraph, or the list item it starts with
    /// the items nested in it), by `blockAnchors`' order: the embeds inside it are embedded with it.
    var blockLines: [ClosedRange<Int>] = []
    /// Limits the body ran into, for the load step to report.
    var problems: [Diagnostic] = []

    /// Whether `![[page#anchor]]` can show something of this body: the section under a heading, or a
    /// block with an Obsidian id (`#^key-finding`).
    func embeddable(anchor: String) -> Bool {
        if anchor.hasPrefix("^") { return blockAnchors.contains(anchor) }
        return headings.contains { $0.anchor == anchor }
    }
}

/// How a wikilink or URL is written into the output, decided by the link step.
struct RenderedLink: Sendable {
    var href: String
    var label: String
    var cssClass: String
    /// Shown on hover (the target page's title or description).
    var title: String?
}

/// Parses and rewrites Markdown bodies: wikilinks and heading ids via cmark custom nodes, never raw HTML.
struct MarkdownBody {
    var text: String
    var path: String
    /// File line of the body's first line (after front matter).
    var firstLine: Int
    /// Anchors already taken on the page (stage and touchpoint anchors), so headings never collide with them.
    var reservedAnchors: Set<String>
    /// true for a body restored from the build cache: its facts are known, its text was not kept.
    var textOmitted = false

    /// Brackets around an unlabelled wikilink's target in backlink sentences, replaced by its title when linked.
    static let titleMarkStart = "\u{E000}", titleMarkEnd = "\u{E001}"

    /// The Obsidian block id ending `paragraph` (`… text ^key-finding`), with its `^`, if any: letters,
    /// digits and `-` after a space at the end of its last text.
    static func blockID(of paragraph: MarkdownNode) -> String? {
        guard let last = paragraph.lastChild, last.kind == .text, last.literalContains(UInt8(ascii: "^")) else { return nil }
        let text = last.literal
        guard let caret = text.lastIndex(of: "^") else { return nil }
        let id = text[text.index(after: caret)...]
        guard !id.isEmpty, id.utf8.count <= 64, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else { return nil }
        guard caret == text.startIndex ? paragraph.firstChild != last : text[text.index(before: caret)] == " " || text[text.index(before: caret)] == "\t" else { return nil }
        return "^" + id
    }

    /// Each `[[…]]` in `text` that names nothing (`[[]]`, `[[ ]]`, `[[|label]]`, `[[#]]`), as written.
    /// On bytes: it runs over every text with a bracket, and almost all of them have none such.
    static func emptyWikilinks(in text: String) -> [String] {
        var text = text
        return text.withUTF8 { bytes -> [String] in
            let open = UInt8(ascii: "["), close = UInt8(ascii: "]"), bar = UInt8(ascii: "|"), hash = UInt8(ascii: "#")
            var found: [String] = []
            var i = 0
            while i + 3 < bytes.count, found.count < 10 {
                guard bytes[i] == open, bytes[i + 1] == open else { i += 1; continue }
                // The inner text up to `]]`, with no `[` in it (as the wikilink scanner reads it).
                var j = i + 2, end = -1
                while j + 1 < bytes.count {
                    if bytes[j] == open { break }
                    if bytes[j] == close, bytes[j + 1] == close { end = j; break }
                    j += 1
                }
                guard end >= 0 else { i += 2; continue }
                // Empty when the target (before `#` and `|`) and the anchor are blank.
                var named = false
                for k in (i + 2)..<end {
                    let b = bytes[k]
                    if b == bar { break }
                    if b != hash, b != 0x20, b != 0x09 { named = true; break }
                }
                if !named { found.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<(end + 2)]), as: UTF8.self)) }
                i = end + 2
            }
            return found
        }
    }

    /// Whether raw HTML is one comment and nothing else (`<!-- TODO: add a photo -->`), across lines or not.
    static func isHTMLComment(_ literal: String) -> Bool {
        let s = literal.trimmingWhitespace()
        guard s.hasPrefix("<!--"), s.hasSuffix("-->"), s.count >= 7 else { return false }
        // One comment: its first end is the text's end.
        return s.range(of: "-->")?.upperBound == s.endIndex
    }

    /// Whether text from the scan names a page by an unlabelled wikilink (`SiteIndex.readable` puts
    /// its title in).
    static func hasTitleMarks(_ text: String) -> Bool {
        // Both marks are private-use characters whose UTF-8 starts with 0xEE: most texts have neither.
        text.containsByte(0xEE) && (text.contains(titleMarkStart) || text.contains(titleMarkEnd))
    }

    /// An unlabelled wikilink marked in scanned text: its target and anchor as written.
    static func titleMark(_ link: Wikilink) -> String {
        titleMarkStart + link.target + (link.anchor.map { "#" + $0 } ?? "") + titleMarkEnd
    }

    static let templateAnchors: Set<String> = ["main", "content", "backlinks", "top", "nav", "search"]

    /// Emphasis, links and images nested deeper than this are not walked: every walk over inline
    /// content recurses, and twenty thousand `*` would overflow the stack. Real writing nests a few levels.
    static let maxInlineDepth = 100
    /// A backlink sentence's start is looked for at most this many bytes before its link, so a huge
    /// paragraph with thousands of links stays linear; the sentence shown is cut at 280 characters anyway.
    static let sentenceWindow = 1024

    init(text: String, path: String, firstLine: Int, reservedAnchors: Set<String> = []) {
        self.text = text
        self.path = path
        self.firstLine = firstLine
        self.reservedAnchors = reservedAnchors.union(Self.templateAnchors)
    }

    // MARK: Load: gather facts

    /// `glossaryText`: whether to gather the text the glossary scans for words (`BodyFacts.glossaryText`):
    /// only pages that are not auto-linked while rendering (term pages, pages with `glossary: false`) need it.
    func scan(glossaryText: Bool = true) -> BodyFacts {
        let tree = MarkdownTree(markdown: text)
        var facts = BodyFacts()
        var slugs = SlugAllocator(reserved: reservedAnchors)
        var scanner = SourceScanner(text: text, findBudget: 8 * text.utf8.count + 1_000_000)
        var tooDeep: MarkdownNode?
        var lastRawHTMLLine = 0
        var footnotes = FootnoteCheck()
        let mayHoldFootnotes = MarkdownExtensions.Uses(text).footnotes
        for node in tree.allNodes() {
            switch node.kind {
            case .heading:
                let text = plainText(node)
                facts.headings.append(BodyHeading(text: text, level: node.headingLevel, anchor: slugs.allocate(text),
                                                  location: location(node.startLine, node.startColumn, &scanner)))
                collectLinks(in: node, scanner: &scanner, into: &facts, tooDeep: &tooDeep)
            case .paragraph:
                // A table right under a line of text is a paragraph of its own, read as a table.
                let table = PipeTable.splitOffTable(node, in: tree)
                if facts.firstParagraph == nil, node.parent?.kind == .document, Self.embedsAlone(in: node) == nil {
                    facts.firstParagraph = MarkdownExtensions.summaryText(plainText(node, markTitles: true))
                }
                if let id = Self.blockID(of: node) {
                    facts.blockAnchors.append(id)
                    // What `keepBlock` keeps: a list item the paragraph starts, or the paragraph.
                    let item = node.parent.flatMap { $0.kind == .item && $0.firstChild == node ? $0 : nil }
                    let kept = item ?? node
                    facts.blockLines.append((firstLine + kept.startLine - 1)...(firstLine + max(kept.startLine, kept.endLine) - 1))
                }
                if mayHoldFootnotes, FootnoteCheck.mayHold(node) {
                    footnotes.read(node, scanner: &scanner) { self.location($0, $1, &$2) }
                }
                for block in [node] + (table.map { [$0] } ?? []) {
                    if PipeTable.isOversized(block) {
                        facts.problems.append(.warning(location(node.startLine, node.startColumn, &scanner),
                                                       "pipe table has more than \(PipeTable.maxCells) cells; it is shown as text",
                                                       hint: "split the table, or link to a CSV file under content/"))
                    }
                    collectLinks(in: block, scanner: &scanner, into: &facts, paragraph: true, glossaryText: glossaryText, tooDeep: &tooDeep)
                }
            case .htmlBlock, .htmlInline:
                // A comment is a writer's note, left out of the page: nothing to warn about.
                if Self.isHTMLComment(node.literal) { continue }
                let at = location(node.startLine, node.startColumn, &scanner)
                if facts.rawHTMLLines == 0 || lastRawHTMLLine != at.line {
                    facts.rawHTMLLines += 1
                    lastRawHTMLLine = at.line
                    if facts.rawHTML.count < 10 { facts.rawHTML.append(at) }
                }
            default:
                break
            }
        }
        facts.problems += footnotes.problems()
        if let tooDeep {
            facts.problems.append(.error(location(tooDeep.startLine, tooDeep.startColumn, &scanner),
                                         "Markdown nests more than \(Self.maxInlineDepth) levels deep here (emphasis, links or images inside each other)",
                                         hint: "flatten the markup; nothing deeper than \(Self.maxInlineDepth) levels is checked or linked"))
        }
        return facts
    }

    /// Links inside one leaf block, each with the sentence around it.
    private func collectLinks(in block: MarkdownNode, scanner: inout SourceScanner, into facts: inout BodyFacts,
                              paragraph: Bool = false, glossaryText keepText: Bool = false, tooDeep: inout MarkdownNode?) {
        // Inline tags are read in paragraphs; the glossary's text, when wanted, too.
        let glossaryEligible = paragraph && keepText
        // In a table each row is its own "sentence"; cells read as "a · b".
        let isTable = block.kind == .paragraph && PipeTable.isTable(block)
        var blockText = ""
        var found: [(BodyLinkTarget, SourceLocation, Int)] = []
        var searchFrom: (Int, Int)?
        func walk(_ node: MarkdownNode, insideLink: Bool, depth: Int) {
            guard depth <= Self.maxInlineDepth else {
                if tooDeep == nil { tooDeep = node }
                return
            }
            var next = node.firstChild
            while let child = next {
                next = child.next
                switch child.kind {
                case .text where !insideLink:
                    // A run of adjacent text nodes is scanned as one string: cmark may split at brackets.
                    var run = [child]
                    while let c = next, c.kind == .text { run.append(c); next = c.next }
                    let runText = run.count == 1 ? child.literal : run.map(\.literal).joined()
                    let tagBytes = paragraph && runText.containsByte(UInt8(ascii: "#")) ? Array(runText.utf8) : []
                    // Most runs hold no wikilink: no bracket, nothing to scan.
                    let links = runText.containsByte(UInt8(ascii: "[")) ? Wikilink.scan(runText) : []
                    var cursor = runText.utf8.startIndex
                    for link in links {
                        let start = runText.utf8.index(runText.utf8.startIndex, offsetBy: link.range.lowerBound)
                        if !tagBytes.isEmpty {
                            let from = runText.utf8.distance(from: runText.utf8.startIndex, to: cursor)
                            collectTags(String(decoding: tagBytes[from..<link.range.lowerBound], as: UTF8.self), after: blockText, into: &facts)
                        }
                        let before = runText.utf8[cursor..<start]
                        blockText += String(decoding: before, as: UTF8.self)
                        if glossaryEligible { facts.glossaryText += String(decoding: before, as: UTF8.self) + "\n" }
                        let offset = blockText.utf8.count
                        // An unlabelled wikilink shows its target's title, known only after the link step: mark it.
                        blockText += link.label ?? Self.titleMark(link)
                        cursor = runText.utf8.index(runText.utf8.startIndex, offsetBy: link.range.upperBound)
                        // Entities and escapes make decoded text shorter than the source: find the link in the source.
                        let needle = Array(("[[" + (link.target.isEmpty ? "#" : link.target)).utf8)
                        let at = scanner.find(needle, from: searchFrom ?? (run[0].startLine, run[0].startColumn))
                        if let at { searchFrom = (at.line, at.column + needle.count) }
                        var (line, column) = at ?? (run[0].startLine, run[0].startColumn + link.range.lowerBound)
                        // An embed is reported at its `!`.
                        if link.embed, at != nil, column > 1 { column -= 1 }
                        found.append((.wiki(link), location(line, column, &scanner), offset))
                    }
                    // `[[]]` or `[[|label]]` names nothing: shown as written, so the writer hears of it.
                    if runText.containsByte(UInt8(ascii: "[")) {
                        var from = (run[0].startLine, run[0].startColumn)
                        for empty in Self.emptyWikilinks(in: runText) {
                            let needle = Array(empty.utf8)
                            let at = scanner.find(needle, from: from)
                            if let at { from = (at.line, at.column + needle.count) }
                            let (line, column) = at ?? (run[0].startLine, run[0].startColumn)
                            facts.problems.append(.warning(location(line, column, &scanner), "empty wikilink `\(empty)` links nowhere: it is shown as written",
                                                           hint: "name the page inside the brackets, e.g. [[personas/maya-parent]], or remove them"))
                        }
                    }
                    if !tagBytes.isEmpty {
                        let from = runText.utf8.distance(from: runText.utf8.startIndex, to: cursor)
                        collectTags(String(decoding: tagBytes[from...], as: UTF8.self), after: blockText, into: &facts)
                    }
                    if links.isEmpty {
                        blockText += runText
                        if glossaryEligible { facts.glossaryText += runText; facts.glossaryText += "\n" }
                    } else {
                        let rest = String(decoding: runText.utf8[cursor...], as: UTF8.self)
                        blockText += rest
                        if glossaryEligible { facts.glossaryText += rest + "\n" }
                    }
                case .text, .code:
                    blockText += child.literal
                case .softBreak, .lineBreak:
                    blockText += isTable ? "\n" : " "
                    // The lines of a hard-wrapped paragraph are one text for the glossary, as rendering
                    // reads them (`autolinkTerms`): "annual⏎asthma review" is one phrase.
                    if glossaryEligible, child.kind == .softBreak, facts.glossaryText.hasSuffix("\n"),
                       let before = child.previous, before.kind == .text, !Self.hasPipe(before),
                       let after = child.next, after.kind == .text, !Self.hasPipe(after) {
                        facts.glossaryText.removeLast()
                        facts.glossaryText += " "
                    }
                case .link, .image:
                    let target: BodyLinkTarget = child.kind == .link ? .url(child.url) : .image(child.url)
                    found.append((target, location(child.startLine, child.startColumn, &scanner), blockText.utf8.count))
                    walk(child, insideLink: true, depth: depth + 1)
                default:
                    walk(child, insideLink: insideLink, depth: depth + 1)
                }
            }
        }
        walk(block, insideLink: false, depth: 0)
        // A page embed among other words is rendered as a link, so it is checked as one.
        let inSentence = found.indices.filter { if case .wiki(let w) = found[$0].0 { return w.embed && !w.targetIsImage }; return false }
        if let first = inSentence.first, block.kind != .paragraph || Self.embedsAlone(in: block) == nil {
            facts.problems.append(.warning(found[first].1, "an embed inside a sentence is shown as a link",
                                           hint: "put `![[…]]` on a line of its own to show the page or section in place"))
            for k in inSentence { if case .wiki(var w) = found[k].0 { w.embed = false; found[k].0 = .wiki(w) } }
        }
        let blockBytes = found.isEmpty ? [] : Array(blockText.utf8)
        for (target, loc, offset) in found {
            let sentence = isTable ? Self.tableRow(in: blockBytes, around: offset) : Self.sentence(in: blockBytes, around: offset)
            facts.links.append(BodyLink(target: target, location: loc, sentence: MarkdownExtensions.summaryText(sentence)))
        }
    }

    /// Inline tags in a piece of paragraph text that follows `before` in its block.
    private func collectTags(_ piece: String, after before: String, into facts: inout BodyFacts) {
        let boundary = before.unicodeScalars.last.map { $0.properties.isWhitespace } ?? true
        for tag in InlineTag.scan(piece, boundaryBefore: boundary) { facts.tags.append(tag.name) }
    }

    /// The embeds of a paragraph that holds nothing else: one or more `![[…]]`, each on its own line.
    /// Such a paragraph is replaced by what it embeds; an embed among other words is a link.
    static func embedsAlone(in paragraph: MarkdownNode) -> [Wikilink]? {
        // Most paragraphs have no "!" at all: they are answered without building their text.
        guard paragraph.children.contains(where: { $0.kind == .text && $0.literalContains(UInt8(ascii: "!")) }) else { return nil }
        var text = ""
        for child in paragraph.children {
            switch child.kind {
            case .text: text += child.literal
            case .softBreak, .lineBreak: text += "\n"
            default: return nil
            }
            if text.utf8.count > 100_000 { return nil }
        }
        guard text.utf8.count >= 3, firstIndex(of: Array("![[".utf8), in: Array(text.utf8), from: 0) != nil else { return nil }
        let links = Wikilink.scan(text)
        guard !links.isEmpty, links.allSatisfy(\.embed) else { return nil }
        let bytes = Array(text.utf8)
        func blank(_ range: Range<Int>) -> Bool { bytes[range].allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A } }
        var cursor = 0
        for link in links {
            guard blank(cursor..<link.range.lowerBound) else { return nil }
            cursor = link.range.upperBound
        }
        return blank(cursor..<bytes.count) ? links : nil
    }

    /// The sentence of `text` containing the byte `offset`, trimmed to a readable length.
    static func sentence(in text: String, around offset: Int) -> String {
        sentence(in: Array(text.utf8), around: offset)
    }

    /// The same on the block's bytes, converted once for all its links; looks no further than `sentenceWindow`.
    static func sentence(in bytes: [UInt8], around offset: Int) -> String {
        let at = min(max(offset, 0), bytes.count)
        func isEnd(_ i: Int) -> Bool {
            guard i >= 0, i + 1 < bytes.count else { return false }
            return (bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: "!") || bytes[i] == UInt8(ascii: "?"))
                && bytes[i + 1] == UInt8(ascii: " ")
        }
        var start = at
        let floor = max(0, at - sentenceWindow)
        while start > floor && !isEnd(start - 2) && !(start >= 1 && isEnd(start - 1)) { start -= 1 }
        // Only the first 277 characters (at most 4 bytes each) are shown.
        let ceiling = min(bytes.count, max(at, start + 1200))
        var end = at
        while end < ceiling && !isEnd(end) { end += 1 }
        let cut = end == ceiling && end < bytes.count && !isEnd(end)
        if end < bytes.count && isEnd(end) { end += 1 }
        // A window edge may fall inside a character: move it to the character's boundary.
        while start < end && bytes[start] & 0xC0 == 0x80 { start += 1 }
        while end > start && end < bytes.count && bytes[end] & 0xC0 == 0x80 { end -= 1 }
        var s = String(decoding: bytes[start..<end], as: UTF8.self).trimmingWhitespace()
        if s.count > 280 || cut { s = String(s.prefix(277)) + "…" }
        return s
    }

    /// The first (line, byte column) at or after `start` where `needle` occurs, within a few lines.
    static func find(_ needle: [UInt8], in lines: [[UInt8]], from start: (Int, Int)) -> (line: Int, column: Int)? {
        var scanner = SourceScanner(text: lines.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n"), findBudget: Int.max)
        return scanner.find(needle, from: start)
    }

    /// The table row of `text` containing the byte `offset`, its cells joined by " · ".
    static func tableRow(in text: String, around offset: Int) -> String {
        tableRow(in: Array(text.utf8), around: offset)
    }

    static func tableRow(in bytes: [UInt8], around offset: Int) -> String {
        let at = min(max(offset, 0), bytes.count)
        let floor = max(0, at - sentenceWindow), ceiling = min(bytes.count, at + sentenceWindow)
        var start = bytes[floor..<at].lastIndex(of: 0x0A).map { $0 + 1 } ?? floor
        var end = bytes[at..<ceiling].firstIndex(of: 0x0A) ?? ceiling
        while start < end && bytes[start] & 0xC0 == 0x80 { start += 1 }
        while end > start && end < bytes.count && bytes[end] & 0xC0 == 0x80 { end -= 1 }
        let row = String(decoding: bytes[start..<end], as: UTF8.self)
        var s = row.split(separator: "|").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }.joined(separator: " · ")
        if s.count > 280 { s = String(s.prefix(277)) + "…" }
        return s
    }

    /// Plain text of a node's inline content (for heading slugs and summaries). Wikilinks read as their
    /// labels; one without a label as its target, or with `markTitles` marked (`titleMark`) for
    /// `SiteIndex.readable` to show its target's title once the site is linked.
    func plainText(_ node: MarkdownNode, markTitles: Bool = false) -> String {
        var s = ""
        func walk(_ n: MarkdownNode, depth: Int) {
            guard depth <= Self.maxInlineDepth else { return }
            for c in n.children {
                switch c.kind {
                case .text, .code: s += c.literal
                case .softBreak, .lineBreak: s += " "
                default: walk(c, depth: depth + 1)
                }
            }
        }
        walk(node, depth: 0)
        guard s.containsByte(UInt8(ascii: "[")) else { return s.trimmingWhitespace() }
        // Wikilinks read as their label in headings and summaries.
        var result = ""
        var cursor = s.utf8.startIndex
        for link in Wikilink.scan(s) {
            let start = s.utf8.index(s.utf8.startIndex, offsetBy: link.range.lowerBound)
            result += String(s[cursor..<start]) + (link.label ?? (markTitles ? Self.titleMark(link) : link.target))
            cursor = s.utf8.index(s.utf8.startIndex, offsetBy: link.range.upperBound)
        }
        result += String(s[cursor...])
        return result.trimmingWhitespace()
    }

    /// File position for a cmark (body-relative line, byte column) pair, with the column counted in characters.
    private func location(_ line: Int, _ byteColumn: Int, _ scanner: inout SourceScanner) -> SourceLocation {
        guard line >= 1 else { return SourceLocation(path: path, line: firstLine, column: 1) }
        return SourceLocation(path: path, line: firstLine + line - 1, column: scanner.column(line: line, byteColumn: byteColumn))
    }

    /// The body's source lines, read while scanning with work that stays linear on hostile input:
    /// character columns are counted on from the previous answer on the same line, and searches share a budget.
    /// The bytes are held once, with the offset where each line starts.
    struct SourceScanner {
        let bytes: [UInt8]
        /// Offset of each line's first byte; as many lines as splitting at every `\n` gives.
        let lineStarts: [Int]
        var findBudget: Int
        private var counted = (line: 0, byte: 0, column: 1)

        init(text: String, findBudget: Int) {
            bytes = Array(text.utf8)
            var starts = [0]
            bytes.withUnsafeBufferPointer { b in
                var i = 0
                while i < b.count, let hit = SourceText.firstIndex(of: 0x0A, in: UnsafeBufferPointer(rebasing: b[i...])) {
                    i += hit + 1
                    starts.append(i)
                }
            }
            lineStarts = starts
            self.findBudget = findBudget
        }

        /// Byte range of a 1-based line, without its `\n`.
        private func range(ofLine line: Int) -> Range<Int> {
            lineStarts[line - 1]..<(line < lineStarts.count ? lineStarts[line] - 1 : bytes.count)
        }

        /// The 1-based character column of a 1-based byte column.
        mutating func column(line: Int, byteColumn: Int) -> Int {
            guard line >= 1, line - 1 < lineStarts.count else { return byteColumn }
            let range = range(ofLine: line)
            let target = min(max(0, byteColumn - 1), range.count)
            if counted.line != line || target < counted.byte { counted = (line, 0, 1) }
            let from = range.lowerBound + counted.byte, to = range.lowerBound + target
            // ASCII is one character a byte (no CR is left to pair with LF): only other text needs counting.
            if bytes[from..<to].allSatisfy({ $0 < 0x80 }) {
                counted.column += to - from
            } else {
                counted.column += String(decoding: bytes[from..<to], as: UTF8.self).count
            }
            counted.byte = target
            return counted.column
        }

        /// The first (line, byte column) at or after `start` where `needle` occurs, within 20 lines, spending at most
        /// `findBudget` byte comparisons: a link written with entities (`&#91;&#91;x]]`) is never found in the source,
        /// and looking for thousands of them on one long line must not be quadratic.
        mutating func find(_ needle: [UInt8], from start: (Int, Int)) -> (line: Int, column: Int)? {
            guard !needle.isEmpty, start.0 >= 1, start.0 <= lineStarts.count else { return nil }
            for line in start.0...min(lineStarts.count, start.0 + 20) {
                let range = range(ofLine: line)
                let from = line == start.0 ? max(0, start.1 - 1) : 0
                guard range.count >= needle.count, from <= range.count - needle.count else { continue }
                for i in (range.lowerBound + from)...(range.upperBound - needle.count) {
                    findBudget -= 1
                    if findBudget < 0 { return nil }
                    guard bytes[i] == needle[0] else { continue }
                    findBudget -= needle.count
                    if bytes[i..<(i + needle.count)].elementsEqual(needle) { return (line, i - range.lowerBound + 1) }
                }
            }
            return nil
        }
    }

    // MARK: Render: rewrite and emit HTML

    /// Glossary auto-linking for one render.
    struct Autolink {
        /// For a text node's literal (UTF-8), replaces `hits` with the byte ranges to wrap, left to
        /// right, each with the index of its opening tag in `open`.
        var find: (UnsafeBufferPointer<UInt8>, inout [(range: Range<Int>, tag: Int)]) -> Void
        /// Opening tags (UTF-8 markup); every wrapped word ends with `close`.
        var open: MarkupTable
        var close: [UInt8]
    }

    /// Pieces of markup by index, in one buffer: a thousand separate arrays, each read for a few
    /// words of a page, missed the processor's cache on nearly every auto-link.
    struct MarkupTable: Sendable {
        private var bytes: [UInt8] = []
        private var ends: [Int] = []

        init(_ pieces: [[UInt8]]) {
            for piece in pieces {
                bytes += piece
                ends.append(bytes.count)
            }
        }

        subscript(k: Int) -> ArraySlice<UInt8> { bytes[(k == 0 ? 0 : ends[k - 1])..<ends[k]] }

        /// Appends piece `k` to `out`.
        func append(_ k: Int, to out: inout [UInt8]) {
            let start = k == 0 ? 0 : ends[k &- 1], end = ends[k]
            bytes.withUnsafeBufferPointer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[start..<end])) }
        }
    }

    struct RenderOptions {
        /// Let raw HTML through (`markdown.unsafe: true`); otherwise it is shown as text.
        var unsafe = false
        /// Give headings `id` attributes.
        var headingAnchors = true
        /// Decides where a wikilink goes; nil keeps the text as written.
        var resolveWikilink: (Wikilink) -> RenderedLink? = { _ in nil }
        /// The page title shown above the body: a first `# Heading` saying the same is dropped, not shown twice.
        var pageTitle: String?
        /// Glossary auto-linking: which words of a text node to wrap, and in what.
        var autolink: Autolink?
        /// Rewrites a Markdown link or image destination (e.g. `../sam.md` → `/personas/sam/`).
        var rewriteURL: (String) -> String? = { _ in nil }
        /// The URL of a tag's page (`#onboarding` → `/tags/onboarding/`); nil leaves tags as text.
        var resolveTag: ((String) -> String?)?
        /// The markup shown for `![[…]]` on a line of its own (a framed page or section, an image),
        /// given the level of the heading it sits under (0 before any); nil shows it as a link instead.
        var renderEmbed: ((Wikilink, Int) -> String?)?
        /// The level an embedded page's or section's first heading takes (the host's heading above it,
        /// plus one): its headings move down by as much, so they sit under the host's and the page
        /// keeps one outline (an embedded h2 under an h2 was its peer). 0 leaves them as written.
        var headingFloor = 0
        /// The markup shown for `![[…]]` inside a sentence (an image); nil shows it as a link.
        var inlineEmbed: ((Wikilink) -> String?)?
        /// Render only the section under the heading with this anchor (for `![[page#heading]]`).
        var section: String?
        /// Mark where the lead ends (before the first heading outside lists and quotes) with
        /// `leadMarker`, for `splitLead(_:)`: themes show a page's introduction before its generated views.
        var markLead = false
        /// GitHub's and Obsidian's additions to CommonMark (`MarkdownExtensions`, `Footnotes`): task
        /// lists, strikethrough, highlights, footnotes and bare web addresses as links. Off for
        /// `waymark render`, which stays CommonMark.
        var extensions = true
    }

    /// Where the lead ends, in the HTML of a body rendered with `markLead`. An HTML comment: text
    /// from the page cannot produce one unless raw HTML is allowed, and then it is harmless.
    static let leadMarker = "<!--waymark:lead-->"

    /// Takes the lead's marker (and the line break after it) out of `html` and returns where it
    /// was: the length of the lead. Without a marker (no heading) the whole body is the lead.
    static func splitLead(_ html: inout [UInt8]) -> Int {
        let marker = Array(leadMarker.utf8)
        // From one `<` to the next with memchr: a body has a tag every few dozen bytes.
        let found = html.withUnsafeBytes { h -> Int? in
            guard let base = h.baseAddress else { return nil }
            var at = 0
            while at + marker.count <= h.count, let hit = memchr(base + at, Int32(UInt8(ascii: "<")), h.count - at - marker.count + 1) {
                at = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(base + at, marker, marker.count) == 0 { return at }
                at += 1
            }
            return nil
        }
        guard let at = found else { return html.count }
        var end = at + marker.count
        if end < html.count, html[end] == UInt8(ascii: "\n") { end += 1 }
        html.removeSubrange(at..<end)
        return at
    }

    func html(_ options: RenderOptions) -> String {
        String(decoding: htmlBytes(options), as: UTF8.self)
    }

    /// `html(_:)` as UTF-8 bytes, for a page's body, which goes into its output as it is.
    func htmlBytes(_ options: RenderOptions) -> [UInt8] {
        let tree = MarkdownTree(markdown: text)
        // Footnotes are taken out before a section is cut out of the page, so an embedded section
        // still finds the notes its references name (they are written at the page's end).
        let uses = options.extensions ? MarkdownExtensions.Uses(text) : MarkdownExtensions.Uses()
        var footnotes = uses.footnotes ? Footnotes(taking: tree) : Footnotes()
        if let section = options.section {
            guard section.hasPrefix("^") ? keepBlock(section, in: tree) : keepSection(section, in: tree) else { return [] }
        }
        footnotes.putBack(into: tree)
        var slugs = SlugAllocator(reserved: reservedAnchors)
        if let title = options.pageTitle, let first = tree.document.firstChild, first.kind == .heading, first.headingLevel == 1,
           plainText(first).lowercased() == title.lowercased() {
            // Its anchor stays a link target (and later heading ids stay identical to the scan's).
            let anchor = slugs.allocate(plainText(first))
            if options.headingAnchors {
                first.insertBefore(tree.makeCustomBlock(open: "<span id=\"\(escapeHTML(anchor))\"></span>", close: ""))
            }
            tree.delete(first)
        }
        rewriteCallouts(in: tree, resolveTag: options.resolveTag, resolveWikilink: options.resolveWikilink)
        // Kinds are read before any mutation: text nodes deleted below are never touched again.
        let rewritable: [MarkdownNodeKind] = [.heading, .paragraph, .link, .image, .htmlBlock, .htmlInline]
        let nodes = tree.allNodes().map { ($0, $0.kind) }.filter { rewritable.contains($0.1) }
        var autolinkScratch = AutolinkScratch()
        // Taken out once, not per paragraph: each copy retains and releases what the closures hold.
        let (resolveTag, autolink) = (options.resolveTag, options.autolink)
        var leadMarked = !options.markLead
        // The level of the last heading of the document's own (not in a quote or list), for embeds under it.
        var sectionLevel = 0
        var headingShift: Int?
        for (node, kind) in nodes {
            switch kind {
            case .heading:
                if options.headingFloor > 0 {
                    let shift = headingShift ?? max(0, options.headingFloor - node.headingLevel)
                    headingShift = shift
                    if shift > 0 { node.setHeadingLevel(node.headingLevel + shift) }
                }
                if node.parent?.kind == .document { sectionLevel = node.headingLevel }
                if !leadMarked, node.parent?.kind == .document {
                    node.insertBefore(tree.makeCustomBlock(open: Self.leadMarker, close: ""))
                    leadMarked = true
                }
                rewriteWikilinks(in: node, tree: tree, options)
                if options.headingAnchors {
                    let level = min(max(node.headingLevel, 1), 6)
                    let anchor = slugs.allocate(plainText(node))
                    // A link to the section for a reader to copy or share, shown on hover: hidden from screen
                    // readers and the Tab order, which have "On this page" (it would be read as part of the heading).
                    let link = " <a class=\"heading-anchor\" href=\"#\(escapeHTML(urlFragment(anchor)))\" aria-hidden=\"true\" tabindex=\"-1\">#</a>"
                    let block = tree.makeCustomBlock(open: "<h\(level) id=\"\(escapeHTML(anchor))\">", close: link + "</h\(level)>")
                    for child in node.children { block.adopt(child) }
                    node.insertBefore(block)
                    tree.delete(node)
                }
            case .paragraph:
                if let render = options.renderEmbed, let embeds = Self.embedsAlone(in: node) {
                    let blocks = embeds.compactMap { render($0, sectionLevel) }
                    if blocks.count == embeds.count {
                        for markup in blocks { node.insertBefore(tree.makeCustomBlock(open: markup, close: "")) }
                        tree.detach(node)
                        continue
                    }
                }
                // An Obsidian block id: the marker leaves the text, an anchor with its id starts the paragraph.
                if let id = Self.blockID(of: node), let last = node.lastChild, last.kind == .text {
                    var text = last.literal
                    text.removeLast(id.utf8.count)
                    while text.last == " " || text.last == "\t" { text.removeLast() }
                    last.setLiteral(text)
                    if options.headingAnchors, let first = node.firstChild {
                        first.insertBefore(tree.makeCustomInline(open: "<span id=\"\(escapeHTML(id))\"></span>", close: ""))
                    }
                }
                // A table right under a line of text is a paragraph of its own, rendered as a table.
                let table = PipeTable.splitOffTable(node, in: tree)
                if uses.tasks { MarkdownExtensions.rewriteTaskItem(node, tree: tree) }
                for block in [node] + (table.map { [$0] } ?? []) {
                    rewriteWikilinks(in: block, tree: tree, options)
                    if !footnotes.isEmpty { footnotes.rewriteReferences(in: block, tree: tree, ids: options.headingAnchors) }
                    if uses.addresses || uses.strikethrough || uses.highlights {
                        let isTable = PipeTable.isTable(block)
                        if uses.addresses { MarkdownExtensions.linkify(in: block, tree: tree, table: isTable) }
                        if uses.strikethrough { MarkdownExtensions.rewritePairs(MarkdownExtensions.strikethrough, in: block, tree: tree, table: isTable) }
                        if uses.highlights { MarkdownExtensions.rewritePairs(MarkdownExtensions.highlight, in: block, tree: tree, table: isTable) }
                    }
                    if let resolveTag { rewriteTags(in: block, tree: tree, boundary: true, depth: 0, resolveTag) }
                    if let autolink { autolinkTerms(in: block, tree: tree, autolink, scratch: &autolinkScratch) }
                    if PipeTable.isTable(block) { PipeTable.rewrite(block, in: tree) }
                }
            case .link, .image:
                if Self.blockedScheme(node.url, image: kind == .image) != nil {
                    node.setURL("")
                } else if let url = options.rewriteURL(node.url) {
                    node.setURL(url)
                }
            case .htmlBlock where !options.unsafe && Self.isHTMLComment(node.literal),
                 .htmlInline where !options.unsafe && Self.isHTMLComment(node.literal):
                // A writer's note (`<!-- TODO … -->`) is left out, not shown as text. (With raw HTML
                // allowed it stays in the page's source, as a comment.)
                tree.delete(node)
            case .htmlBlock where !options.unsafe:
                tree.replace(node, with: tree.makeCodeBlock(node.literal, info: "html"))
            case .htmlInline where !options.unsafe:
                tree.replace(node, with: tree.makeText(node.literal))
            default:
                break
            }
        }
        if !footnotes.isEmpty { footnotes.makeList(in: tree, ids: options.headingAnchors) }
        return tree.htmlBytes(unsafe: options.unsafe)
    }

    /// Buffers `autolinkTerms` reuses from one text to the next.
    struct AutolinkScratch {
        var hits: [(range: Range<Int>, tag: Int)] = []
        /// The text of a run of lines, a space for each soft break, and where the breaks are.
        var text: [UInt8] = []
        var breaks: [Int] = []
        var html: [UInt8] = []
    }

    /// Wraps glossary words in the text of one paragraph; never inside links, code or raw HTML.
    private func autolinkTerms(in block: MarkdownNode, tree: MarkdownTree, depth: Int = 0, _ autolink: Autolink,
                               scratch: inout AutolinkScratch) {
        guard depth <= Self.maxInlineDepth else { return }
        // Walked by sibling pointers, not a list of the children: the next one is taken before this one is replaced.
        var next = block.firstChild
        while let child = next {
            next = child.next
            switch child.kind {
            case .text:
                // The lines of a hard-wrapped paragraph are text nodes with soft breaks between them: read
                // as one text, a space for each break, so that "annual⏎asthma review" is one phrase. A
                // line with a `|` (a pipe table to be) is read on its own (`scan` joins lines the same way).
                if next?.kind != .softBreak || next?.next?.kind != .text {
                    // One line (most texts): read in place, as before lines were joined.
                    var table = false
                    child.withLiteralBytes { literal in
                        autolink.find(literal, &scratch.hits)
                        guard !scratch.hits.isEmpty else { return }
                        if let base = literal.baseAddress, memchr(base, 0x7C, literal.count) != nil { table = true; return }
                        scratch.html.removeAll(keepingCapacity: true)
                        Self.appendLinked(literal, hits: scratch.hits, breaks: [], autolink: autolink, to: &scratch.html)
                    }
                    guard !scratch.hits.isEmpty else { continue }
                    if table { autolinkTableText(child, tree: tree, autolink, hits: scratch.hits); continue }
                    child.insertBefore(tree.makeCustomInline(markup: &scratch.html))
                    tree.delete(child)
                    continue
                }
                scratch.text.removeAll(keepingCapacity: true)
                scratch.breaks.removeAll(keepingCapacity: true)
                child.withLiteralBytes { scratch.text.append(contentsOf: $0) }
                if Self.hasPipe(scratch.text[...]) {
                    scratch.text.withUnsafeBufferPointer { autolink.find($0, &scratch.hits) }
                    if !scratch.hits.isEmpty { autolinkTableText(child, tree: tree, autolink, hits: scratch.hits) }
                    continue
                }
                var last = child
                while let br = next, br.kind == .softBreak, let after = br.next, after.kind == .text {
                    let end = scratch.text.count
                    scratch.text.append(0x20)
                    after.withLiteralBytes { scratch.text.append(contentsOf: $0) }
                    if Self.hasPipe(scratch.text[(end + 1)...]) {
                        scratch.text.removeSubrange(end...)
                        break
                    }
                    scratch.breaks.append(end)
                    last = after
                    next = after.next
                }
                scratch.text.withUnsafeBufferPointer { autolink.find($0, &scratch.hits) }
                guard !scratch.hits.isEmpty else { continue }
                // One node of ready markup for the whole text, escaped as cmark escapes text.
                scratch.html.removeAll(keepingCapacity: true)
                scratch.text.withUnsafeBufferPointer {
                    Self.appendLinked($0, hits: scratch.hits, breaks: scratch.breaks, autolink: autolink, to: &scratch.html)
                }
                child.insertBefore(tree.makeCustomInline(markup: &scratch.html))
                var node: MarkdownNode? = child
                while let current = node {
                    node = current.next
                    tree.delete(current)
                    if current == last { break }
                }
            case .emphasis, .strong:
                autolinkTerms(in: child, tree: tree, depth: depth + 1, autolink, scratch: &scratch)
            default:
                break
            }
        }
    }

    /// `text` as cmark writes a text node, with `hits` wrapped in links and a line break (as cmark
    /// writes a soft break) at each of `breaks`, where the text has a space.
    /// A plain text (a sentence from front matter) as escaped HTML, with `hits` wrapped as `autolink` says.
    static func linkedMarkup(_ text: String, hits: [(range: Range<Int>, tag: Int)], autolink: Autolink) -> [UInt8] {
        var html: [UInt8] = []
        var text = text
        text.withUTF8 { appendLinked($0, hits: hits, breaks: [], autolink: autolink, to: &html) }
        return html
    }

    private static func appendLinked(_ text: UnsafeBufferPointer<UInt8>, hits: [(range: Range<Int>, tag: Int)], breaks: [Int],
                                     autolink: Autolink, to html: inout [UInt8]) {
        // Most texts have nothing to escape: one pass eight bytes at a time says so, and their pieces
        // are then copied as they are.
        let plain = !hasByteToEscapeOrPipe(text)
        var nextBreak = 0
        func append(_ range: Range<Int>) {
            var start = range.lowerBound
            while nextBreak < breaks.count, breaks[nextBreak] < range.upperBound {
                let piece = UnsafeBufferPointer(rebasing: text[start..<breaks[nextBreak]])
                if plain { html.append(contentsOf: piece) } else { appendEscapedText(piece, to: &html) }
                html.append(0x0A)
                start = breaks[nextBreak] + 1
                nextBreak += 1
            }
            let piece = UnsafeBufferPointer(rebasing: text[start..<range.upperBound])
            if plain { html.append(contentsOf: piece) } else { appendEscapedText(piece, to: &html) }
        }
        var cursor = 0
        for hit in hits {
            append(cursor..<hit.range.lowerBound)
            autolink.open.append(hit.tag, to: &html)
            append(hit.range)
            html += autolink.close
            cursor = hit.range.upperBound
        }
        append(cursor..<text.count)
    }

    /// Whether a text node holds a `|`.
    static func hasPipe(_ node: MarkdownNode) -> Bool {
        node.withLiteralBytes { bytes in bytes.baseAddress.map { memchr($0, 0x7C, bytes.count) != nil } ?? false }
    }

    /// Whether bytes hold a `|`.
    static func hasPipe(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBufferPointer { b in b.baseAddress.map { memchr($0, 0x7C, b.count) != nil } ?? false }
    }

    /// Auto-links (`hits`, found in its text) in a text that holds a `|`: the words are wrapped in their
    /// own nodes, the rest stays text, so that a pipe table can still be built from the text nodes.
    private func autolinkTableText(_ child: MarkdownNode, tree: MarkdownTree, _ autolink: Autolink,
                                   hits: [(range: Range<Int>, tag: Int)]) {
        let bytes = child.withLiteralBytes { Array($0) }
        let close = String(decoding: autolink.close, as: UTF8.self)
        var cursor = 0
        for hit in hits {
            if hit.range.lowerBound > cursor {
                child.insertBefore(tree.makeText(String(decoding: bytes[cursor..<hit.range.lowerBound], as: UTF8.self)))
            }
            let wrapper = tree.makeCustomInline(open: String(decoding: autolink.open[hit.tag], as: UTF8.self), close: close)
            wrapper.appendChild(tree.makeText(String(decoding: bytes[hit.range], as: UTF8.self)))
            child.insertBefore(wrapper)
            cursor = hit.range.upperBound
        }
        if cursor < bytes.count { child.insertBefore(tree.makeText(String(decoding: bytes[cursor...], as: UTF8.self))) }
        tree.delete(child)
    }

    /// A string's UTF-8 bytes appended in one copy (a native string's bytes are contiguous).
    @inline(__always)
    static func appendUTF8(_ s: String, to bytes: inout [UInt8]) {
        if s.utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) == nil { bytes += s.utf8 }
    }

    /// Whether `text` has a byte cmark escapes in text (`&`, `<`, `>`, `"`) or a `|`. Eight bytes at a
    /// time: a byte equal to one of them is zero after XOR, and a zero byte keeps its high bit after
    /// subtracting one while its own high bit is clear (a borrow marks bytes only above a marked one).
    static func hasByteToEscapeOrPipe(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func zero(_ x: UInt64) -> UInt64 { (x &- ones) & ~x }
        @inline(__always) func marked(_ w: UInt64) -> Bool {
            (zero(w ^ (ones &* 0x26)) | zero(w ^ (ones &* 0x3C)) | zero(w ^ (ones &* 0x3E))
                | zero(w ^ (ones &* 0x22)) | zero(w ^ (ones &* 0x7C))) & high != 0
        }
        guard let base = text.baseAddress else { return false }
        var k = 0
        while text.count - k >= 8 {
            if marked(UnsafeRawPointer(base + k).loadUnaligned(as: UInt64.self)) { return true }
            k += 8
        }
        while k < text.count {
            switch base[k] {
            case 0x26, 0x3C, 0x3E, 0x22, 0x7C: return true
            default: k += 1
            }
        }
        return false
    }

    /// Text as cmark writes a text node: `&`, `<`, `>` and `"` escaped, nothing else.
    static func appendEscapedText(_ text: UnsafeBufferPointer<UInt8>, to html: inout [UInt8]) {
        var run = 0
        for i in 0..<text.count {
            let entity: StaticString
            switch text[i] {
            case UInt8(ascii: "&"): entity = "&amp;"
            case UInt8(ascii: "<"): entity = "&lt;"
            case UInt8(ascii: ">"): entity = "&gt;"
            case UInt8(ascii: "\""): entity = "&quot;"
            default: continue
            }
            html += UnsafeBufferPointer(rebasing: text[run..<i])
            entity.withUTF8Buffer { html += $0 }
            run = i + 1
        }
        html += UnsafeBufferPointer(rebasing: text[run...])
    }

    /// Leaves only the section under the heading whose anchor is `anchor`, down to the next heading of
    /// the same or a higher level. Anchors are handed out in the same order as the load step's scan.
    func keepSection(_ anchor: String, in tree: MarkdownTree) -> Bool {
        var slugs = SlugAllocator(reserved: reservedAnchors)
        var found: MarkdownNode?
        for node in tree.allNodes() where node.kind == .heading {
            if slugs.allocate(plainText(node)) == anchor { found = node; break }
        }
        guard let heading = found else { return false }
        // A heading inside a block quote or list takes that block with it.
        var top = heading
        while let parent = top.parent, parent.kind != .document { top = parent }
        var state = 0  // 0 before the section, 1 inside it, 2 after it
        for child in tree.document.children {
            if child == top {
                state = 1
                if top != heading { state = 2 }
                continue
            }
            if state == 1, child.kind == .heading, child.headingLevel <= heading.headingLevel { state = 2 }
            if state != 1 { tree.detach(child) }
        }
        return true
    }

    /// Leaves only the block whose Obsidian id is `id` (`^key-finding`): its paragraph, or the list item
    /// the paragraph starts (with what is nested in it), inside the lists and quotes that hold it.
    func keepBlock(_ id: String, in tree: MarkdownTree) -> Bool {
        guard let paragraph = tree.allNodes().first(where: { $0.kind == .paragraph && Self.blockID(of: $0) == id }) else { return false }
        var kept = paragraph
        if let item = paragraph.parent, item.kind == .item, item.firstChild == paragraph {
            kept = item
            // Step 3 of a numbered list keeps its number.
            if let list = item.parent, let start = list.orderedListStart, let position = list.children.firstIndex(of: item) {
                list.setListStart(start + position)
            }
        }
        // Up to the document, each level keeps only the node on the way to the block.
        var node = kept
        while let parent = node.parent {
            for sibling in parent.children where sibling != node { tree.detach(sibling) }
            node = parent
        }
        return true
    }

    /// Turns `#tags` in the text of one paragraph into links to their tag pages; never inside links,
    /// code or raw HTML. `boundary` says whether the text so far ends in white space, as the scan decides.
    @discardableResult
    private func rewriteTags(in node: MarkdownNode, tree: MarkdownTree, boundary: Bool, depth: Int,
                             _ resolve: (String) -> String?) -> Bool {
        guard depth <= Self.maxInlineDepth else { return false }
        var boundary = boundary
        // Walked by sibling pointers; the sibling after a run of text is taken before the run is replaced.
        var next = node.firstChild
        while let child = next {
            next = child.next
            switch child.kind {
            case .text:
                // A run of adjacent text nodes is scanned as one string, as the load step scans it.
                var run = [child]
                while let following = next, following.kind == .text {
                    run.append(following)
                    next = following.next
                }
                let before = boundary
                // The last scalar of the run, from the last node that has one; tested for white space only
                // beyond ASCII (the standard library's property lookup).
                if let last = run.lazy.reversed().compactMap(\.lastLiteralScalar).first {
                    boundary = last.isASCII ? (last == " " || last == "\t" || last == "\n" || last == "\r" || last == "\u{0B}" || last == "\u{0C}")
                                            : last.properties.isWhitespace
                }
                // Most text has no tag: asked of cmark's bytes in place before any string is made.
                guard run.contains(where: { $0.literalContains(UInt8(ascii: "#")) }) else { continue }
                let literal = run.map(\.literal).joined()
                let tags = InlineTag.scan(literal, boundaryBefore: before)
                guard !tags.isEmpty else { continue }
                let bytes = Array(literal.utf8)
                var cursor = 0
                var replaced = false
                for tag in tags {
                    guard let href = resolve(tag.name) else { continue }
                    if tag.range.lowerBound > cursor {
                        child.insertBefore(tree.makeText(String(decoding: bytes[cursor..<tag.range.lowerBound], as: UTF8.self)))
                    }
                    let link = tree.makeCustomInline(open: "<a href=\"\(escapeHTML(href))\" class=\"tag\" rel=\"tag\">", close: "</a>")
                    link.appendChild(tree.makeText("#" + tag.name))
                    child.insertBefore(link)
                    cursor = tag.range.upperBound
                    replaced = true
                }
                guard replaced else { continue }
                if cursor < bytes.count { child.insertBefore(tree.makeText(String(decoding: bytes[cursor...], as: UTF8.self))) }
                for n in run { tree.delete(n) }
            case .softBreak, .lineBreak:
                boundary = true
            case .emphasis, .strong:
                boundary = rewriteTags(in: child, tree: tree, boundary: boundary, depth: depth + 1, resolve)
            default:
                boundary = false
            }
        }
        return boundary
    }

    /// Replaces `[[…]]` in the text runs of one block by custom link nodes. Text inside links is left alone.
    private func rewriteWikilinks(in block: MarkdownNode, tree: MarkdownTree, _ options: RenderOptions) {
        func walk(_ node: MarkdownNode, depth: Int) {
            guard depth <= Self.maxInlineDepth else { return }
            // Walked by sibling pointers; the sibling after a run of text is taken before the run is replaced.
            var next = node.firstChild
            while let child = next {
                next = child.next
                if child.kind == .text {
                    var run = [child]
                    while let following = next, following.kind == .text {
                        run.append(following)
                        next = following.next
                    }
                    // Most text has no wikilink: asked of cmark's bytes in place before any string is made.
                    guard run.contains(where: { $0.literalContains(UInt8(ascii: "[")) }) else { continue }
                    let runText = run.map(\.literal).joined()
                    let links = Wikilink.scan(runText)
                    guard !links.isEmpty else { continue }
                    let bytes = Array(runText.utf8)
                    func emitText(_ range: Range<Int>) {
                        run[0].insertBefore(tree.makeText(String(decoding: bytes[range], as: UTF8.self)))
                    }
                    var cursor = 0
                    for link in links {
                        let replacement: MarkdownNode
                        if link.embed, let markup = options.inlineEmbed?(link) {
                            replacement = tree.makeCustomInline(open: markup, close: "")
                        } else if let rendered = options.resolveWikilink(link) {
                            var open = "<a href=\"\(escapeHTML(rendered.href))\" class=\"\(escapeHTML(rendered.cssClass))\""
                            if let title = rendered.title { open += " title=\"\(escapeHTML(title))\"" }
                            replacement = tree.makeCustomInline(open: open + ">", close: "</a>")
                            replacement.appendChild(tree.makeText(rendered.label))
                        } else {
                            continue
                        }
                        if link.range.lowerBound > cursor { emitText(cursor..<link.range.lowerBound) }
                        run[0].insertBefore(replacement)
                        cursor = link.range.upperBound
                    }
                    if cursor > 0 {
                        if cursor < bytes.count { emitText(cursor..<bytes.count) }
                        for node in run { tree.delete(node) }
                    }
                    continue
                }
                if child.kind != .link && child.kind != .image && child.kind != .code {
                    walk(child, depth: depth + 1)
                }
            }
        }
        walk(block, depth: 0)
    }
}

extension MarkdownBody {
    /// Schemes that run script or reach outside the site when followed: `javascript:`, `vbscript:`,
    /// `file:` and `data:`. Images keep `data:image/png`, `gif`, `jpeg` and `webp`, which cannot
    /// run script; cmark's own safe mode allows those too, but lets every other rule here slip when a
    /// site turns on raw HTML, so Waymark decides itself, in every mode.
    static func blockedScheme(_ url: String, image: Bool) -> String? {
        // Without a colon there is no scheme (most links are relative paths): settled on bytes.
        guard url.containsByte(UInt8(ascii: ":")) else { return nil }
        // Browsers ignore control characters and spaces around and inside a scheme (`java\tscript:`).
        var scheme = ""
        var length = 0
        for scalar in url.unicodeScalars {
            if scalar == ":" { break }
            if scalar.value <= 0x20 { continue }
            if length > 10 { return nil }
            scheme.unicodeScalars.append(scalar)
            length += 1
        }
        guard url.contains(":") else { return nil }
        let lowered = scheme.lowercased()
        switch lowered {
        case "javascript", "vbscript", "file":
            return lowered
        case "data":
            if image {
                let rest = url.drop(while: { $0 != ":" }).dropFirst().lowercased().filter { !$0.isWhitespace }
                if ["image/png", "image/gif", "image/jpeg", "image/webp"].contains(where: { rest.hasPrefix($0) }) { return nil }
            }
            return lowered
        default:
            return nil
        }
    }
}

/// Escapes text for HTML element content and double-quoted attributes.
/// Control characters other than tab, line feed and carriage return (Word's soft return, U+000B,
/// arrives in pasted text) are not allowed in XML and are errors in HTML: they become spaces.
public func escapeHTML(_ s: String) -> String {
    // Most values need no escaping: returned as they are, without copying.
    guard s.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 || isForbiddenControl($0) }) else { return s }
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for c in s.unicodeScalars {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        case _ where c.value < 0x80 && isForbiddenControl(UInt8(c.value)): out += " "
        default: out.unicodeScalars.append(c)
        }
    }
    return out
}

/// A C0 control character or DEL, other than tab, line feed and carriage return: not allowed in XML 1.0
/// (DEL is, but HTML forbids it), so never written out.
@inline(__always)
func isForbiddenControl(_ byte: UInt8) -> Bool {
    (byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D) || byte == 0x7F
}
