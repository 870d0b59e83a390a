/// Pipe tables (the GitHub habit every handbook uses), which core cmark leaves as paragraphs.
/// A paragraph whose second line is a delimiter row (`|---|:--:|`) becomes a table built from
/// custom block nodes, so cell content keeps its inline Markdown and nothing passes as raw HTML.
enum PipeTable {
    enum Alignment { case none, left, center, right }

    /// The lines of a paragraph: its inline children split at line breaks.
    static func lines(of paragraph: MarkdownNode) -> [[MarkdownNode]] {
        var lines: [[MarkdownNode]] = [[]]
        for child in paragraph.children {
            if child.kind == .softBreak || child.kind == .lineBreak { lines.append([]) } else { lines[lines.count - 1].append(child) }
        }
        return lines
    }

    /// Column alignments if `line` is a delimiter row, else nil.
    static func delimiterRow(_ line: [MarkdownNode]) -> [Alignment]? {
        guard !line.isEmpty, line.allSatisfy({ $0.kind == .text }) else { return nil }
        var text = line.map(\.literal).joined().trimmingWhitespace()
        guard text.contains("-") else { return nil }
        if text.hasPrefix("|") { text.removeFirst() }
        if text.hasSuffix("|") { text.removeLast() }
        var result: [Alignment] = []
        for cell in text.split(separator: "|", omittingEmptySubsequences: false) {
            let c = cell.trimmingWhitespace()
            var dashes = Substring(c)
            if dashes.first == ":" { dashes.removeFirst() }
            if dashes.last == ":" { dashes.removeLast() }
            guard !dashes.isEmpty, dashes.allSatisfy({ $0 == "-" }) else { return nil }
            switch (c.hasPrefix(":"), c.hasSuffix(":")) {
            case (true, true): result.append(.center)
            case (false, true): result.append(.right)
            case (true, false): result.append(.left)
            default: result.append(.none)
            }
        }
        return result
    }

    /// Rows are padded to the header's width, so a 3,000-column header over 3,000 short lines would
    /// make nine million cells from 18 KB. Larger tables stay paragraphs (with a warning from the scan).
    static let maxCells = 100_000

    /// True when `paragraph` is written as a pipe table of at most `maxCells` cells.
    static func isTable(_ paragraph: MarkdownNode) -> Bool {
        guard let cells = cellCount(paragraph) else { return false }
        return cells <= maxCells
    }

    /// True when `paragraph` is written as a pipe table but has too many cells to build.
    static func isOversized(_ paragraph: MarkdownNode) -> Bool {
        guard let cells = cellCount(paragraph) else { return false }
        return cells > maxCells
    }

    /// Columns × rows (header and body) when `paragraph` is written as a pipe table, else nil.
    private static func cellCount(_ paragraph: MarkdownNode) -> Int? {
        // Most paragraphs are not tables: a first line without `|`, or no second line, settles it cheaply.
        var child = paragraph.firstChild, pipe = false
        while let c = child, c.kind != .softBreak && c.kind != .lineBreak {
            if !pipe, c.kind == .text, c.literalContains(UInt8(ascii: "|")) { pipe = true }
            child = c.next
        }
        guard pipe, child != nil else { return nil }
        let ls = lines(of: paragraph)
        guard ls.count >= 2, let columns = delimiterRow(ls[1]) else { return nil }
        guard ls[0].contains(where: { $0.kind == .text && $0.literal.contains("|") }), cellTexts(ls[0]).count == columns.count else { return nil }
        let rows = 1 + ls.dropFirst(2).filter { !$0.isEmpty }.count
        return columns.count.multipliedReportingOverflow(by: rows).overflow ? Int.max : columns.count * rows
    }

    /// "Table: Stage, Owner, KPI" from the header line (control marks of inline markup left out), cut
    /// at about 80 characters; "Table" when the header is empty.
    static func regionName(_ header: [MarkdownNode]) -> String {
        let columns = cellTexts(header).map { $0.replacingOccurrences(of: "\u{1}", with: "").trimmingWhitespace() }.filter { !$0.isEmpty }
        guard !columns.isEmpty else { return "Table" }
        var name = "Table: " + columns.joined(separator: ", ")
        if name.count > 80 { name = String(name.prefix(79)).trimmingWhitespace() + "…" }
        return name
    }

    /// Plain text of each cell of a line (for sentences in backlinks).
    static func cellTexts(_ line: [MarkdownNode]) -> [String] {
        var text = ""
        for n in line { text += (n.kind == .text || n.kind == .code) ? n.literal : "\u{1}" }
        var cells = text.trimmingWhitespace().split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
        if text.trimmingWhitespace().hasPrefix("|"), !cells.isEmpty { cells.removeFirst() }
        if text.trimmingWhitespace().hasSuffix("|"), !cells.isEmpty { cells.removeLast() }
        return cells
    }

    /// A table written right under a line of text (`**Scores**`, then `| a | b |` and `|---|---|`),
    /// which GitHub shows as a table: the lines from its header on are moved into a new paragraph
    /// after `paragraph`, returned (then a table by `isTable`). Nil when no line after the first starts one.
    static func splitOffTable(_ paragraph: MarkdownNode, in tree: MarkdownTree) -> MarkdownNode? {
        // Cheap first: a line after the first that starts with text holding a `|`.
        var child = paragraph.firstChild, candidate = false, breaks = 0
        while let c = child {
            if c.kind == .softBreak || c.kind == .lineBreak {
                breaks += 1
                if let n = c.next, n.kind == .text, n.literalContains(UInt8(ascii: "|")) { candidate = true }
            }
            child = c.next
        }
        guard candidate, breaks >= 2 else { return nil }
        let ls = lines(of: paragraph)
        guard ls.count >= 3 else { return nil }
        for k in 1..<(ls.count - 1) {
            guard ls[k].contains(where: { $0.kind == .text && $0.literalContains(UInt8(ascii: "|")) }),
                  let columns = delimiterRow(ls[k + 1]), cellTexts(ls[k]).count == columns.count,
                  let first = ls[k].first, let lineBreak = first.previous else { continue }
            let table = tree.makeParagraph()
            paragraph.insertAfter(table)
            var node: MarkdownNode? = first
            while let n = node {
                node = n.next
                table.adopt(n)
            }
            tree.delete(lineBreak)
            return table
        }
        return nil
    }

    /// Replaces `paragraph` by a table. Call only when `isTable(paragraph)`.
    static func rewrite(_ paragraph: MarkdownNode, in tree: MarkdownTree) {
        let ls = lines(of: paragraph)
        guard let alignments = delimiterRow(ls[1]) else { return }
        // A wide table scrolls inside its wrapper, so the wrapper is a named, keyboard-reachable region,
        // named by its columns ("Table: Stage, Owner, KPI"), so that a list of regions tells them apart.
        let table = tree.makeCustomBlock(open: "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"\(HTMLEscaper.escape(regionName(ls[0])))\"><table>",
                                         close: "</table></div>")
        paragraph.insertBefore(table)
        let head = tree.makeCustomBlock(open: "<thead>", close: "</thead>")
        table.appendChild(head)
        head.appendChild(row(ls[0], cell: "th", alignments: alignments, tree: tree))
        if ls.count > 2 {
            let body = tree.makeCustomBlock(open: "<tbody>", close: "</tbody>")
            table.appendChild(body)
            for line in ls[2...] where !line.isEmpty { body.appendChild(row(line, cell: "td", alignments: alignments, tree: tree)) }
        }
        // Cells beyond the header's width are dropped (as GitHub does), but their links and raw HTML
        // are still on the render step's list: detach them instead of freeing them (found by fuzzing).
        for child in paragraph.children where ![.text, .softBreak, .lineBreak].contains(child.kind) { tree.detach(child) }
        tree.delete(paragraph)
    }

    /// One `<tr>`: inline nodes are moved into cells; text is split at `|`.
    private static func row(_ line: [MarkdownNode], cell tag: String, alignments: [Alignment], tree: MarkdownTree) -> MarkdownNode {
        let tr = tree.makeCustomBlock(open: "<tr>", close: "</tr>")
        // Pieces: existing inline nodes, and new text nodes for text split at pipes.
        var pieces: [[Either]] = [[]]
        enum Either { case node(MarkdownNode), text(String) }
        for node in line {
            if node.kind == .text {
                let parts = node.literal.split(separator: "|", omittingEmptySubsequences: false)
                for (k, part) in parts.enumerated() {
                    if k > 0 { pieces.append([]) }
                    if !part.isEmpty { pieces[pieces.count - 1].append(.text(String(part))) }
                }
            } else {
                pieces[pieces.count - 1].append(.node(node))
            }
        }
        func isBlank(_ p: [Either]) -> Bool {
            p.allSatisfy { if case .text(let t) = $0 { return t.trimmingWhitespace().isEmpty }; return false }
        }
        if let first = pieces.first, isBlank(first), pieces.count > 1 { pieces.removeFirst() }
        if let last = pieces.last, isBlank(last), pieces.count > 1 { pieces.removeLast() }
        for column in 0..<alignments.count {
            let align: String
            switch alignments[column] {
            case .none: align = ""
            case .left: align = " class=\"align-left\""
            case .center: align = " class=\"align-center\""
            case .right: align = " class=\"align-right\""
            }
            let cell = tree.makeCustomBlock(open: "<\(tag)\(align)>", close: "</\(tag)>")
            tr.appendChild(cell)
            guard column < pieces.count else { continue }
            let content = pieces[column]
            for (k, piece) in content.enumerated() {
                switch piece {
                case .node(let n): cell.adopt(n)
                case .text(var t):
                    if k == 0 { t = String(t.drop(while: { $0 == " " || $0 == "\t" })) }
                    if k == content.count - 1 { while t.last == " " || t.last == "\t" { t.removeLast() } }
                    if !t.isEmpty { cell.appendChild(tree.makeText(t)) }
                }
            }
        }
        return tr
    }
}
