/// A compiled template: what the parser makes once per theme load and the renderer walks per page.
indirect enum TemplateNode: Sendable {
    /// Literal template text, as UTF-8.
    case text([UInt8])
    /// `{{name}}` (escaped) or `{{{name}}}` / `{{&name}}`.
    case variable(TemplateName, escaped: Bool)
    /// `{{#name}}…{{/name}}` or, inverted, `{{^name}}…{{/name}}`.
    case section(TemplateName, body: [TemplateNode], inverted: Bool)
    /// `{{$name}}default{{/name}}` outside a parent: the parent's block, replaced by a child's override.
    case block(String, defaultBody: [TemplateNode], indentation: [UInt8])
    /// `{{> name}}` (overrides nil) or `{{< name}}…{{/name}}` (the child's block overrides).
    /// `indentation` is set for a standalone tag: each line the partial renders gets it.
    case partial(PartialName, indentation: [UInt8]?, overrides: [String: [TemplateNode]]?)
    /// `{{$name}}…{{/name}}` directly inside `{{<parent}}`; only the parser sees it.
    case blockDefinition(String, body: [TemplateNode])
    /// `{{% CONTENT_TYPE: TEXT}}` turns escaping off for the rest of the template, `HTML` back on.
    case escaping(Bool)
}

extension TemplateNode {
    /// The dotted names (`page.title`) the nodes look up, in sections, blocks and overrides too; not
    /// `.` or positions.
    static func collectNames(in nodes: [TemplateNode], into names: inout Set<String>) {
        func add(_ name: TemplateName) {
            if name.origin == .stack || name.origin == .local { names.insert(name.path.joined(separator: ".")) }
        }
        for node in nodes {
            switch node {
            case .variable(let name, _): add(name)
            case .section(let name, let body, _): add(name); collectNames(in: body, into: &names)
            case .block(_, let body, _), .blockDefinition(_, let body): collectNames(in: body, into: &names)
            case .partial(let partial, _, let overrides):
                if case .dynamic(let name) = partial { add(name) }
                for body in (overrides ?? [:]).values { collectNames(in: body, into: &names) }
            case .text, .escaping: break
            }
        }
    }
}

/// A partial's name: fixed, or `{{>*name}}`, looked up in the context.
enum PartialName: Sendable {
    case fixed(String)
    case dynamic(TemplateName)
}

/// A tag's value reference, split once at parse time: `.`, `a.b.c`, `.a` (current object only),
/// `first()` (the position in the iterated list) and transforms such as `empty(.)`.
struct TemplateName: Sendable {
    enum Origin: Sendable {
        /// `.` (or an empty name): the current object.
        case current
        /// `a.b`: the first key found on the context stack, top down, then the rest from there.
        case stack
        /// `.a.b`: from the current object only, so a missing key never borrows an enclosing one.
        case local
        /// `first()`, `last()`, `index()`: the position in the list being iterated.
        case sequence
    }

    var origin: Origin
    var path: [String]
    /// In the order they apply: innermost first (`a(b(x))` applies b, then a).
    var transforms: [TemplateTransform]
    /// As written, for matching a section's closing tag.
    var source: String

    init(_ name: String, transforms names: [String]) {
        source = names.isEmpty ? name : names.joined(separator: "(") + "(" + name + String(repeating: ")", count: names.count)
        transforms = names.reversed().map(TemplateTransform.init(name:))
        path = name.split(separator: ".").map(String.init)
        if name == "." || (name.isEmpty && names.isEmpty) {
            origin = .current
        } else if name.isEmpty {
            origin = .sequence
        } else if name.first == "." {
            origin = .local
        } else {
            origin = .stack
        }
    }
}
