/// Named compiled templates (a theme) that render a context into UTF-8 bytes.
struct TemplateLibrary: Sendable {
    private(set) var templates: [String: [TemplateNode]] = [:]

    /// Compiles `text` and registers it as `name`, the name partials and parents refer to.
    mutating func register(_ text: String, named name: String) throws(TemplateSyntaxError) {
        templates[name] = try TemplateParser.parse(text)
    }

    func contains(_ name: String) -> Bool { templates[name] != nil }

    /// Renders the template `name`; nil when there is none. `problem` is set when rendering stopped
    /// early (a partial that includes itself without end).
    func render(_ context: TemplateValue, template name: String, capacity: Int = 16_384) -> (bytes: [UInt8], problem: String?)? {
        guard let nodes = templates[name] else { return nil }
        return withUnsafePointer(to: context) { root in
            var renderer = TemplateRenderer(library: self, root: root, capacity: capacity)
            renderer.render(nodes)
            return (renderer.output, renderer.problem)
        }
    }
}

/// One render: a single output buffer, the context stack, and where a partial's indentation applies.
struct TemplateRenderer {
    /// Partials and parents nested deeper than this are a loop (a partial that includes itself).
    static let partialDepthLimit = 64

    private let library: TemplateLibrary
    private(set) var output: [UInt8] = []
    private(set) var problem: String?
    /// The context stack: pointers to values that outlive their frame (the root, a list's items, a
    /// section's value), not copies, since each copy retains and releases what the value holds.
    private var stack: [UnsafePointer<TemplateValue>]
    private var position: SequencePosition?
    private var indentation: [UInt8] = []
    /// Output before this offset belongs to the enclosing template, whose lines the indentation does not touch.
    private var indentationStart = 0
    private var overrides: [String: [TemplateNode]] = [:]
    private var escapes = true
    private var depth = 0

    /// `root` must stay valid while the renderer renders.
    init(library: TemplateLibrary, root: UnsafePointer<TemplateValue>, capacity: Int) {
        self.library = library
        stack = [root]
        stack.reserveCapacity(16)
        output.reserveCapacity(capacity)
    }

    mutating func render(_ nodes: [TemplateNode]) {
        let savedEscapes = escapes
        defer { escapes = savedEscapes }
        if indentation.isEmpty {
            // By index through the buffer: `for node in nodes` copies each node (a retain and a release).
            nodes.withUnsafeBufferPointer { nodes in
                for k in nodes.indices { render(nodes[k]) }
            }
            return
        }
        // Inside an indented partial: a line's first output gets the indentation, but only if there
        // is output (a section that renders nothing leaves no indented blank).
        for node in nodes {
            let before = output.count
            if before > indentationStart, output[before - 1] == UInt8(ascii: "\n") {
                output.append(contentsOf: indentation)
                render(node)
                if output.count == before + indentation.count { output.removeLast(indentation.count) }
            } else {
                render(node)
            }
        }
    }

    private mutating func render(_ node: TemplateNode) {
        switch node {
        case .text(let bytes):
            output.append(contentsOf: bytes)

        case .variable(let name, let escaped):
            guard let value = lookup(name) else { return }
            switch value {
            case .text(let s): append(s, escaped: escaped && escapes)
            case .utf8(let bytes):
                bytes.withUnsafeBufferPointer { utf8 in
                    if escaped && escapes { HTMLEscaper.append(utf8, to: &output) } else { output.append(contentsOf: utf8) }
                }
            case .markup(let bytes, _): output.append(contentsOf: bytes)
            case .null: break
            default: append(value.interpolated, escaped: escaped && escapes)
            }

        case .section(let name, let body, let inverted):
            let value = lookup(name)
            if inverted { renderInverted(value, body) } else { renderSection(value, body) }

        case .block(let name, let defaultBody, let blockIndentation):
            let savedIndentation = indentation, savedStart = indentationStart, savedPosition = position
            indentation += blockIndentation
            if !blockIndentation.isEmpty { indentationStart = output.count }
            position = nil
            render(overrides[name] ?? defaultBody)
            indentation = savedIndentation
            indentationStart = savedStart
            position = savedPosition

        case .partial(let partial, let partialIndentation, let partialOverrides):
            let name: String
            switch partial {
            case .fixed(let fixed): name = fixed
            case .dynamic(let reference):
                guard let dynamic = lookup(reference)?.string else { return }
                name = dynamic
            }
            guard let nodes = library.templates[name] else { return }
            guard depth < Self.partialDepthLimit else {
                if problem == nil {
                    problem = "partials nest more than \(Self.partialDepthLimit) deep at {{> \(name)}}; rendering stopped there"
                }
                return
            }
            let savedIndentation = indentation, savedStart = indentationStart, savedPosition = position
            let savedOverrides = overrides, savedEscapes = escapes
            if let partialIndentation, !partialIndentation.isEmpty {
                indentation += partialIndentation
                indentationStart = output.count
            }
            if let partialOverrides {
                // The outermost child's override wins: it was applied first.
                overrides.merge(partialOverrides) { existing, _ in existing }
            }
            position = nil
            escapes = true
            depth += 1
            render(nodes)
            depth -= 1
            indentation = savedIndentation
            indentationStart = savedStart
            position = savedPosition
            overrides = savedOverrides
            escapes = savedEscapes

        case .blockDefinition:
            break  // only inside a parent, where the parser collects it

        case .escaping(let on):
            escapes = on
        }
    }

    /// Lists repeat the body per element; `true` renders it in the same context; any other value
    /// except `false` and null (including empty text and 0) renders it with the value on top.
    private mutating func renderSection(_ value: TemplateValue?, _ body: [TemplateNode]) {
        guard let value else { return }
        let savedPosition = position
        switch value {
        case .null: return
        case .bool(let b):
            if b { render(body) }
            return
        case .list(let items):
            guard !items.isEmpty else { return }
            var p = SequencePosition(first: true, last: false, index: 0)
            items.withUnsafeBufferPointer { items in
                guard let base = items.baseAddress else { return }
                for i in items.indices {
                    p.first = i == 0
                    p.last = i == items.count - 1
                    p.index = i
                    position = p
                    stack.append(base + i)
                    render(body)
                    stack.removeLast()
                }
            }
        default:
            position = nil
            withUnsafePointer(to: value) { value in
                stack.append(value)
                render(body)
                stack.removeLast()
            }
        }
        position = savedPosition
    }

    private mutating func renderInverted(_ value: TemplateValue?, _ body: [TemplateNode]) {
        switch value {
        case nil, .null?, .bool(false)?:
            render(body)
        case .list(let items)? where items.isEmpty:
            let savedPosition = position
            position = nil
            withUnsafePointer(to: TemplateValue.list(items)) { list in
                stack.append(list)
                render(body)
                stack.removeLast()
            }
            position = savedPosition
        default:
            break
        }
    }

    // MARK: - Lookup

    private func lookup(_ name: TemplateName) -> TemplateValue? {
        var value: TemplateValue
        switch name.origin {
        case .current:
            guard let top = stack.last else { return nil }
            value = top.pointee
        case .sequence:
            guard let position, let first = name.transforms.first, let result = position.transformed(first) else { return nil }
            return applyTransforms(name.transforms.dropFirst(), to: result)
        case .local:
            guard let top = stack.last, let found = Self.resolve(name.path[...], in: top.pointee) else { return nil }
            value = found
        case .stack:
            guard let key = name.path.first else { return nil }
            // Frames read in place, innermost first: a copy of each (as `for frame in stack.reversed()`
            // made) retains and releases what it holds.
            let child: TemplateValue? = stack.withUnsafeBufferPointer { frames in
                var k = frames.count
                while k > 0 {
                    k &-= 1
                    if let child = frames[k].pointee[key] { return child }
                }
                return nil
            }
            guard let child, let found = name.path.count == 1 ? child : Self.resolve(name.path.dropFirst(), in: child) else { return nil }
            value = found
        }
        if name.transforms.isEmpty { return value }
        return applyTransforms(name.transforms[...], to: value)
    }

    private func applyTransforms(_ transforms: ArraySlice<TemplateTransform>, to start: TemplateValue) -> TemplateValue? {
        var value = start
        for t in transforms {
            guard let next = value.transformed(t) else { return nil }
            value = next
        }
        return value
    }

    private static func resolve(_ path: ArraySlice<String>, in start: TemplateValue) -> TemplateValue? {
        var value = start
        for key in path {
            guard case .object(let object) = value, let child = object[key] else { return nil }
            value = child
        }
        return value
    }

    // MARK: - Output

    private mutating func append(_ s: String, escaped: Bool) {
        // Read in place: a native string's bytes are contiguous (a copy to call `withUTF8` retained it).
        let done: Void? = s.utf8.withContiguousStorageIfAvailable { utf8 in
            if escaped { HTMLEscaper.append(utf8, to: &output) } else { output.append(contentsOf: utf8) }
        }
        if done != nil { return }
        var s = s
        s.withUTF8 { utf8 in
            if escaped { HTMLEscaper.append(utf8, to: &output) } else { output.append(contentsOf: utf8) }
        }
    }
}

/// Escapes `& < > " '` for HTML text and attribute values, byte by byte on UTF-8, and writes a space
/// for a control character HTML and XML do not allow (every other byte, including those of
/// multi-byte characters, is copied as is).
enum HTMLEscaper {
    private static let needsEscape: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for b in "&<>\"'".utf8 { table[Int(b)] = true }
        for b in 0...255 where isForbiddenControl(UInt8(b)) { table[b] = true }
        return table
    }()

    static func append(_ utf8: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        var runStart = 0
        for i in 0..<utf8.count {
            let b = utf8[i]
            guard needsEscape[Int(b)] else { continue }
            if runStart < i { output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
            switch b {
            case UInt8(ascii: "&"): output.append(contentsOf: [0x26, 0x61, 0x6D, 0x70, 0x3B])  // &amp;
            case UInt8(ascii: "<"): output.append(contentsOf: [0x26, 0x6C, 0x74, 0x3B])  // &lt;
            case UInt8(ascii: ">"): output.append(contentsOf: [0x26, 0x67, 0x74, 0x3B])  // &gt;
            case UInt8(ascii: "\""): output.append(contentsOf: [0x26, 0x71, 0x75, 0x6F, 0x74, 0x3B])  // &quot;
            case UInt8(ascii: "'"): output.append(contentsOf: [0x26, 0x23, 0x33, 0x39, 0x3B])  // &#39;
            default: output.append(0x20)  // a control character (see `isForbiddenControl`): a space
            }
            runStart = i + 1
        }
        if runStart < utf8.count { output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
    }

    /// The escaped text, for callers outside a render.
    static func escape(_ s: String) -> String {
        var copy = s
        var out: [UInt8] = []
        out.reserveCapacity(copy.utf8.count)
        copy.withUTF8 { append($0, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }
}
