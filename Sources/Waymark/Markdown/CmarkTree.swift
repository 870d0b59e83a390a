import CCmark
import Foundation

// The only file that talks to libcmark. It owns the tree's memory (freed in deinit) and hands
// the rest of Waymark value-like node handles that never outlive their tree.

/// Kinds of Markdown node Waymark cares about; anything else is `.other`.
enum MarkdownNodeKind: Equatable {
    case document, blockQuote, list, item, codeBlock, htmlBlock, customBlock, paragraph, heading, thematicBreak
    case text, softBreak, lineBreak, code, htmlInline, customInline, emphasis, strong, link, image
    case other
}

/// A parsed CommonMark document. Not thread-safe: one tree belongs to one task.
final class MarkdownTree {
    fileprivate let root: OpaquePointer
    /// Nodes taken out of the document but still referenced by a rewrite in progress; freed with the tree.
    private var detached: [OpaquePointer] = []

    /// Parses `markdown` with source positions recorded. A Swift string is valid UTF-8 (invalid input
    /// was replaced when the file was read), so cmark does not check it again line by line
    /// (`CMARK_OPT_VALIDATE_UTF8`), and it reads the string's own bytes: no NUL-terminated copy.
    init(markdown: String) {
        let options = CMARK_OPT_SOURCEPOS
        var text = markdown
        let empty: [CChar] = [0]
        root = text.withUTF8 { utf8 in
            utf8.withMemoryRebound(to: CChar.self) { chars in
                empty.withUnsafeBufferPointer { cmark_parse_document(chars.baseAddress ?? $0.baseAddress, chars.count, options) }
            }
        }
    }

    deinit {
        cmark_node_free(root)
        for node in detached { cmark_node_free(node) }
    }

    var document: MarkdownNode { MarkdownNode(pointer: root) }

    /// HTML for the whole tree. `unsafe` lets raw HTML through; otherwise cmark drops it.
    func html(unsafe: Bool) -> String {
        String(decoding: htmlBytes(unsafe: unsafe), as: UTF8.self)
    }

    /// The HTML as UTF-8 bytes, copied as cmark wrote them. cmark writes UTF-8 (it replaces invalid
    /// input with U+FFFD, and a site's files are checked before), so the bytes are not checked again
    /// as a `String` would: that was about 1 % of a cold build's instructions.
    func htmlBytes(unsafe: Bool) -> [UInt8] {
        let options = unsafe ? CMARK_OPT_UNSAFE : CMARK_OPT_DEFAULT
        guard let cString = cmark_render_html(root, options) else { return [] }
        defer { free(cString) }
        return cString.withMemoryRebound(to: UInt8.self, capacity: 1) { Array(UnsafeBufferPointer(start: $0, count: strlen(cString))) }
    }

    /// Every node in document order (entering events only), collected before any mutation.
    func allNodes() -> [MarkdownNode] {
        var nodes: [MarkdownNode] = []
        guard let iterator = cmark_iter_new(root) else { return nodes }
        defer { cmark_iter_free(iterator) }
        while true {
            let event = cmark_iter_next(iterator)
            if event == CMARK_EVENT_DONE { break }
            if event == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iterator) {
                nodes.append(MarkdownNode(pointer: node))
            }
        }
        return nodes
    }

    /// A new text node (not yet in the tree).
    func makeText(_ literal: String) -> MarkdownNode {
        let node = MarkdownNode(pointer: cmark_node_new(CMARK_NODE_TEXT))
        cmark_node_set_literal(node.pointer, literal)
        return node
    }

    /// A new link to `url` showing `text` (not yet in the tree); cmark escapes the address as it
    /// escapes every link's.
    func makeLink(url: String, text: String) -> MarkdownNode {
        let node = MarkdownNode(pointer: cmark_node_new(CMARK_NODE_LINK))
        cmark_node_set_url(node.pointer, url)
        node.appendChild(makeText(text))
        return node
    }

    /// A new, empty paragraph (not yet in the tree).
    func makeParagraph() -> MarkdownNode {
        MarkdownNode(pointer: cmark_node_new(CMARK_NODE_PARAGRAPH))
    }

    /// A new custom inline node that writes `markup` (UTF-8, without NUL bytes) as it is.
    func makeCustomInline(markup: inout [UInt8]) -> MarkdownNode {
        let node = MarkdownNode(pointer: cmark_node_new(CMARK_NODE_CUSTOM_INLINE))
        markup.append(0)
        markup.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { _ = cmark_node_set_on_enter(node.pointer, $0.baseAddress) }
        }
        markup.removeLast()
        return node
    }

    /// A new custom inline node whose literal output is `open` before its children and `close` after.
    func makeCustomInline(open: String, close: String) -> MarkdownNode {
        let node = MarkdownNode(pointer: cmark_node_new(CMARK_NODE_CUSTOM_INLINE))
        cmark_node_set_on_enter(node.pointer, open)
        cmark_node_set_on_exit(node.pointer, close)
        return node
    }

    /// A new custom block node, likewise.
    func makeCustomBlock(open: String, close: String) -> MarkdownNode {
        let node = MarkdownNode(pointer: cmark_node_new(CMARK_NODE_CUSTOM_BLOCK))
        cmark_node_set_on_enter(node.pointer, open)
        cmark_node_set_on_exit(node.pointer, close)
        return node
    }

    /// A new fenced code block showing `literal`, used to display raw HTML as text in safe mode.
    func makeCodeBlock(_ literal: String, info: String) -> MarkdownNode {
        let node = MarkdownNode(pointer: cmark_node_new(CMARK_NODE_CODE_BLOCK))
        cmark_node_set_literal(node.pointer, literal)
        cmark_node_set_fence_info(node.pointer, info)
        return node
    }

    /// Takes `node` (and its subtree) out of the document without freeing it: handles collected
    /// before a rewrite may still point into it. It is freed with the tree and never rendered.
    func detach(_ node: MarkdownNode) {
        cmark_node_unlink(node.pointer)
        detached.append(node.pointer)
    }

    /// Puts a node taken out with `detach(_:)` back, as the last child of `parent`: the tree no longer
    /// frees it on its own, its new parent does.
    func reattach(_ node: MarkdownNode, to parent: MarkdownNode) {
        guard let k = detached.lastIndex(of: node.pointer) else { return }
        detached.remove(at: k)
        cmark_node_append_child(parent.pointer, node.pointer)
    }

    /// Puts `replacement` where `node` is and frees `node`. A detached node has no place: it is
    /// left for the tree to free, and so is `replacement`, instead of being freed twice.
    func replace(_ node: MarkdownNode, with replacement: MarkdownNode) {
        guard cmark_node_parent(node.pointer) != nil, cmark_node_insert_before(node.pointer, replacement.pointer) == 1 else {
            cmark_node_free(replacement.pointer)
            return
        }
        delete(node)
    }

    /// Removes `node` (and its subtree) from the tree and frees it. The handle is invalid afterwards.
    func delete(_ node: MarkdownNode) {
        cmark_node_unlink(node.pointer)
        cmark_node_free(node.pointer)
    }
}

/// A handle to a node inside a `MarkdownTree`; valid only while that tree lives and the node is in it.
struct MarkdownNode: Hashable {
    fileprivate let pointer: OpaquePointer

    var kind: MarkdownNodeKind {
        // Matched on raw values: comparing the imported enum goes through a generic `==`, which
        // dominated the scan of a 400,000-line list in debug builds.
        switch cmark_node_get_type(pointer).rawValue {
        case CMARK_NODE_DOCUMENT.rawValue: return .document
        case CMARK_NODE_BLOCK_QUOTE.rawValue: return .blockQuote
        case CMARK_NODE_LIST.rawValue: return .list
        case CMARK_NODE_ITEM.rawValue: return .item
        case CMARK_NODE_CODE_BLOCK.rawValue: return .codeBlock
        case CMARK_NODE_HTML_BLOCK.rawValue: return .htmlBlock
        case CMARK_NODE_CUSTOM_BLOCK.rawValue: return .customBlock
        case CMARK_NODE_PARAGRAPH.rawValue: return .paragraph
        case CMARK_NODE_HEADING.rawValue: return .heading
        case CMARK_NODE_THEMATIC_BREAK.rawValue: return .thematicBreak
        case CMARK_NODE_TEXT.rawValue: return .text
        case CMARK_NODE_SOFTBREAK.rawValue: return .softBreak
        case CMARK_NODE_LINEBREAK.rawValue: return .lineBreak
        case CMARK_NODE_CODE.rawValue: return .code
        case CMARK_NODE_HTML_INLINE.rawValue: return .htmlInline
        case CMARK_NODE_CUSTOM_INLINE.rawValue: return .customInline
        case CMARK_NODE_EMPH.rawValue: return .emphasis
        case CMARK_NODE_STRONG.rawValue: return .strong
        case CMARK_NODE_LINK.rawValue: return .link
        case CMARK_NODE_IMAGE.rawValue: return .image
        default: return .other
        }
    }

    /// Text of a text, code, code block or HTML node.
    var literal: String {
        guard let c = cmark_node_get_literal(pointer) else { return "" }
        return String(cString: c)
    }

    /// The literal's UTF-8 bytes, read in place (no String is made); empty when there is none.
    func withLiteralBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        guard let c = cmark_node_get_literal(pointer) else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
        return c.withMemoryRebound(to: UInt8.self, capacity: 1) { body(UnsafeBufferPointer(start: $0, count: strlen(c))) }
    }

    /// The literal's last Unicode scalar, read in place; nil when the literal is empty.
    var lastLiteralScalar: Unicode.Scalar? {
        withLiteralBytes { bytes in
            guard let last = bytes.last else { return nil }
            if last < 0x80 { return Unicode.Scalar(last) }
            // Back over UTF-8 continuation bytes to the start of the last scalar.
            var start = bytes.count - 1
            while start > 0 && start > bytes.count - 4 && bytes[start] & 0xC0 == 0x80 { start -= 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start...]), as: UTF8.self).unicodeScalars.last
        }
    }

    /// Whether the literal holds `byte`, read in place (no String is made).
    func literalContains(_ byte: UInt8) -> Bool {
        guard let c = cmark_node_get_literal(pointer) else { return false }
        return strchr(c, Int32(byte)) != nil
    }

    /// Destination of a link or image.
    var url: String {
        guard let c = cmark_node_get_url(pointer) else { return "" }
        return String(cString: c)
    }

    func setURL(_ url: String) { cmark_node_set_url(pointer, url) }
    func setLiteral(_ literal: String) { cmark_node_set_literal(pointer, literal) }

    var headingLevel: Int { Int(cmark_node_get_heading_level(pointer)) }
    func setHeadingLevel(_ level: Int) { cmark_node_set_heading_level(pointer, Int32(min(max(level, 1), 6))) }
    /// An ordered list's first number; nil for a bullet list or another node.
    var orderedListStart: Int? {
        guard cmark_node_get_list_type(pointer) == CMARK_ORDERED_LIST else { return nil }
        return Int(cmark_node_get_list_start(pointer))
    }
    func setListStart(_ start: Int) { cmark_node_set_list_start(pointer, Int32(clamping: start)) }
    /// 1-based line and byte column of the node's first character in the parsed text.
    var startLine: Int { Int(cmark_node_get_start_line(pointer)) }
    var endLine: Int { Int(cmark_node_get_end_line(pointer)) }
    var startColumn: Int { Int(cmark_node_get_start_column(pointer)) }

    var parent: MarkdownNode? { cmark_node_parent(pointer).map(MarkdownNode.init) }
    var firstChild: MarkdownNode? { cmark_node_first_child(pointer).map(MarkdownNode.init) }
    var lastChild: MarkdownNode? { cmark_node_last_child(pointer).map(MarkdownNode.init) }
    var previous: MarkdownNode? { cmark_node_previous(pointer).map(MarkdownNode.init) }
    var next: MarkdownNode? { cmark_node_next(pointer).map(MarkdownNode.init) }

    var children: [MarkdownNode] {
        var result: [MarkdownNode] = []
        var child = firstChild
        while let c = child {
            result.append(c)
            child = c.next
        }
        return result
    }

    func insertBefore(_ sibling: MarkdownNode) { cmark_node_insert_before(pointer, sibling.pointer) }
    func insertAfter(_ sibling: MarkdownNode) { cmark_node_insert_after(pointer, sibling.pointer) }
    func appendChild(_ child: MarkdownNode) { cmark_node_append_child(pointer, child.pointer) }
    /// Moves `child` (unlinking it from where it was) to the end of this node's children.
    func adopt(_ child: MarkdownNode) {
        cmark_node_unlink(child.pointer)
        cmark_node_append_child(pointer, child.pointer)
    }
}
