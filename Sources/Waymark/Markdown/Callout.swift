/// Obsidian callouts: a block quote whose first line is `[!type]`, optionally followed by `-`
/// (foldable, collapsed) or `+` (foldable, open) and a title. Rendered with cmark custom blocks,
/// so no raw HTML is ever opened: `<div role="note">` with a title, or `<details>` when foldable.
struct Callout: Equatable {
    enum Fold: Equatable { case none, open, collapsed }

    /// The type as written, lower-cased (`caution`).
    var written: String
    /// The type it is styled as (`warning`); unknown types are notes.
    var kind: String
    var fold: Fold
    /// The title written after the marker, if any (plain text, escaped when emitted).
    var title: String?
    /// Whether white space separates the title from the marker (a `#tag` right after `]` is no tag).
    var titleAfterSpace = true
    /// The title as written when it holds wikilinks (`title` has their labels): they are links in the page.
    var linkedTitle: String?

    /// Obsidian's callout types and their aliases, mapped to the type that styles them.
    static let kinds: [String: String] = [
        "note": "note",
        "abstract": "abstract", "summary": "abstract", "tldr": "abstract",
        "info": "info",
        "todo": "todo",
        "tip": "tip", "hint": "tip", "important": "tip",
        "success": "success", "check": "success", "done": "success",
        "question": "question", "help": "question", "faq": "question",
        "warning": "warning", "caution": "warning", "attention": "warning",
        "failure": "failure", "fail": "failure", "missing": "failure",
        "danger": "danger", "error": "danger",
        "bug": "bug",
        "example": "example",
        "quote": "quote", "cite": "quote",
    ]

    /// The title shown when none is written: the type as written, capitalised ("Caution").
    var displayTitle: String {
        if let title, !title.isEmpty { return title }
        return written.prefix(1).uppercased() + written.dropFirst()
    }

    /// Reads the marker at the start of a block quote's first line (`[!tip]- Title`); nil when it is none.
    static func parse(firstLine: String) -> Callout? {
        var rest = Substring(firstLine)
        while rest.first == " " || rest.first == "\t" { rest = rest.dropFirst() }
        guard rest.hasPrefix("[!"), let close = rest.firstIndex(of: "]") else { return nil }
        let name = rest[rest.index(rest.startIndex, offsetBy: 2)..<close].trimmingWhitespace().lowercased()
        // Obsidian allows letters, digits, `-` and `_` in a type; anything else is ordinary text.
        guard !name.isEmpty, name.count <= 40,
              name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else { return nil }
        rest = rest[rest.index(after: close)...]
        var fold = Fold.none
        if rest.first == "-" { fold = .collapsed; rest = rest.dropFirst() } else if rest.first == "+" { fold = .open; rest = rest.dropFirst() }
        let title = rest.trimmingWhitespace()
        let afterSpace = rest.first.map { $0 == " " || $0 == "\t" } ?? true
        return Callout(written: name, kind: kinds[name] ?? "note", fold: fold, title: title.isEmpty ? nil : title, titleAfterSpace: afterSpace)
    }

    /// The markup before the callout's body; a callout with only a title has no body box.
    /// `resolveTag` links `#tags` in a written title, and `resolveWikilink` its wikilinks, as in the body.
    func openHTML(body: Bool, resolveTag: ((String) -> String?)? = nil, resolveWikilink: ((Wikilink) -> RenderedLink?)? = nil) -> String {
        let classes = "callout callout-\(escapeHTML(kind))"
        var text = ""
        if let linkedTitle, let resolveWikilink {
            var cursor = linkedTitle.utf8.startIndex
            var boundary = titleAfterSpace
            for link in Wikilink.scan(linkedTitle) {
                let start = linkedTitle.utf8.index(linkedTitle.utf8.startIndex, offsetBy: link.range.lowerBound)
                text += Self.textHTML(String(linkedTitle[cursor..<start]), boundaryBefore: boundary, resolveTag: resolveTag)
                if let r = resolveWikilink(link) {
                    text += "<a href=\"\(escapeHTML(r.href))\" class=\"\(escapeHTML(r.cssClass))\">\(escapeHTML(r.label))</a>"
                } else {
                    text += escapeHTML(link.label ?? link.target)
                }
                cursor = linkedTitle.utf8.index(linkedTitle.utf8.startIndex, offsetBy: link.range.upperBound)
                boundary = false
            }
            text += Self.textHTML(String(linkedTitle[cursor...]), boundaryBefore: boundary, resolveTag: resolveTag)
        } else if let title {
            text = Self.textHTML(title, boundaryBefore: titleAfterSpace, resolveTag: resolveTag)
        } else {
            text = escapeHTML(displayTitle)
        }
        let title = "<span class=\"callout-icon\" aria-hidden=\"true\"></span><span class=\"callout-title-text\">\(text)</span>"
        switch fold {
        case .none:
            return "<div class=\"\(classes)\" data-callout=\"\(escapeHTML(written))\" role=\"note\">\n"
                + "<p class=\"callout-title\">\(title)</p>" + (body ? "\n<div class=\"callout-content\">" : "")
        case .open, .collapsed:
            return "<details class=\"\(classes) callout-foldable\" data-callout=\"\(escapeHTML(written))\"\(fold == .open ? " open" : "")>\n"
                + "<summary class=\"callout-title\">\(title)</summary>" + (body ? "\n<div class=\"callout-content\">" : "")
        }
    }

    /// The markup after it.
    /// Title text, escaped, with its `#tags` linked when `resolveTag` is given.
    private static func textHTML(_ text: String, boundaryBefore: Bool, resolveTag: ((String) -> String?)?) -> String {
        guard let resolveTag, text.contains("#") else { return escapeHTML(text) }
        let bytes = Array(text.utf8)
        var out = ""
        var cursor = 0
        for tag in InlineTag.scan(text, boundaryBefore: boundaryBefore) {
            guard let href = resolveTag(tag.name) else { continue }
            out += escapeHTML(String(decoding: bytes[cursor..<tag.range.lowerBound], as: UTF8.self))
            out += "<a href=\"\(escapeHTML(href))\" class=\"tag\" rel=\"tag\">#\(escapeHTML(tag.name))</a>"
            cursor = tag.range.upperBound
        }
        return out + escapeHTML(String(decoding: bytes[cursor...], as: UTF8.self))
    }

    func closeHTML(body: Bool) -> String { (body ? "</div>\n" : "") + (fold == .none ? "</div>" : "</details>") }
}

extension MarkdownBody {
    /// Turns every callout block quote of `tree` into a custom block holding the quote's children.
    /// Runs before any other rewrite: nodes it takes out are detached (freed with the tree), never freed early.
    func rewriteCallouts(in tree: MarkdownTree, resolveTag: ((String) -> String?)? = nil, resolveWikilink: ((Wikilink) -> RenderedLink?)? = nil) {
        for quote in tree.allNodes() where quote.kind == .blockQuote {
            guard let (callout, firstLine) = Self.callout(of: quote) else { continue }
            // The marker line is the title: take it (and the line break ending it) out of the first paragraph.
            if let paragraph = quote.firstChild {
                for node in firstLine { tree.detach(node) }
                if paragraph.firstChild == nil { tree.detach(paragraph) }
            }
            let body = quote.firstChild != nil
            let block = tree.makeCustomBlock(open: callout.openHTML(body: body, resolveTag: resolveTag, resolveWikilink: resolveWikilink),
                                             close: callout.closeHTML(body: body))
            quote.insertBefore(block)
            for child in quote.children { block.adopt(child) }
            tree.detach(quote)
        }
    }

    /// The callout a block quote starts with, and the inline nodes of its marker line (with the break after it).
    static func callout(of quote: MarkdownNode) -> (Callout, [MarkdownNode])? {
        guard let paragraph = quote.firstChild, paragraph.kind == .paragraph,
              let first = paragraph.firstChild, first.kind == .text, first.literal.hasPrefix("[!") || first.literal.hasPrefix("[") else { return nil }
        var line: [MarkdownNode] = []
        var text = ""
        var node: MarkdownNode? = first
        while let n = node {
            line.append(n)
            if n.kind == .softBreak || n.kind == .lineBreak { break }
            text += inlineText(n, depth: 0)
            // A title longer than any sensible heading is not a callout marker worth reading further.
            if text.utf8.count > 4096 { return nil }
            node = n.next
        }
        guard var callout = Callout.parse(firstLine: text) else { return nil }
        // Wikilinks in a title read as their labels, as in headings.
        if let title = callout.title, !Wikilink.scan(title).isEmpty {
            var plain = ""
            var cursor = title.utf8.startIndex
            for link in Wikilink.scan(title) {
                let start = title.utf8.index(title.utf8.startIndex, offsetBy: link.range.lowerBound)
                plain += String(title[cursor..<start]) + (link.label ?? link.target)
                cursor = title.utf8.index(title.utf8.startIndex, offsetBy: link.range.upperBound)
            }
            callout.title = (plain + String(title[cursor...])).trimmingWhitespace()
            callout.linkedTitle = title
        }
        return (callout, line)
    }

    /// Plain text of one inline node and what it contains.
    private static func inlineText(_ node: MarkdownNode, depth: Int) -> String {
        switch node.kind {
        case .text, .code, .htmlInline: return node.literal
        case .softBreak, .lineBreak: return " "
        default:
            guard depth < maxInlineDepth else { return "" }
            return node.children.map { inlineText($0, depth: depth + 1) }.joined()
        }
    }
}
