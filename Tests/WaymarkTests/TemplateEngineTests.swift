import XCTest
@testable import Waymark

/// Waymark's Mustache renderer. Most cases are the official Mustache spec's examples
/// (github.com/mustache/spec, specs/*.yml) written as Swift; the rest pin swift-mustache's
/// behaviour that the default theme and existing site templates rely on.
final class TemplateEngineTests: XCTestCase {
    private func render(_ template: String, _ data: TemplateValue = [:], partials: [String: String] = [:],
                        file: StaticString = #filePath, line: UInt = #line) -> String {
        var library = TemplateLibrary()
        do {
            try library.register(template, named: "__test__")
            for (name, text) in partials { try library.register(text, named: name) }
        } catch {
            XCTFail("syntax error: \(error)", file: file, line: line)
            return ""
        }
        guard let result = library.render(data, template: "__test__") else { return "" }
        return String(decoding: result.bytes, as: UTF8.self)
    }

    private func syntaxError(_ template: String) -> TemplateSyntaxError? {
        var library = TemplateLibrary()
        do {
            try library.register(template, named: "t")
            return nil
        } catch {
            return error
        }
    }

    // MARK: - Interpolation (spec: interpolation.yml)

    /// Text held as UTF-8 bytes (a page's body) renders exactly as the same text held as a String:
    /// escaped and raw, as a section, inverted, through transforms and in Swift's literal notation.
    func testBytesRenderAsText() {
        let templates = ["{{x}}|{{{x}}}|{{&x}}", "{{#x}}[{{.}}]{{/x}}", "{{^x}}none{{/x}}", "{{x.nothing}}",
                         "{{uppercased(x)}} {{empty(x)}} {{reversed(x)}}", "{{#list}}{{.}};{{/list}}", "{{% CONTENT_TYPE: TEXT}}{{x}}"]
        for text in ["", "plain", "<b>Zoë</b> & \"quotes\" 'too' 🧭"] {
            for template in templates {
                let asString = render(template, ["x": .text(text), "list": .list([.text(text), .int(1)])])
                let asBytes = render(template, ["x": .utf8(Array(text.utf8)), "list": .list([.utf8(Array(text.utf8)), .int(1)])])
                XCTAssertEqual(asBytes, asString, "\(template) with \(text.debugDescription)")
            }
            XCTAssertEqual(TemplateValue.utf8(Array(text.utf8)).string, text)
            XCTAssertEqual(TemplateValue.list([.utf8(Array(text.utf8))]).interpolated, TemplateValue.list([.text(text)]).interpolated)
        }
    }

    /// Markup Waymark made (a sentence with its term links) is written as it is, escaped or not;
    /// sections see it as a value, and transforms read its text without the links.
    func testMarkupIsWrittenAsItIsAndTransformedAsItsText() {
        let x = TemplateValue.markup(Array("Fish &amp; <a href=\"/t/\">chips</a>".utf8), plain: "Fish & chips")
        XCTAssertEqual(render("{{x}}|{{{x}}}|{{#x}}[{{.}}]{{/x}}{{^x}}none{{/x}}", ["x": x]),
                       "Fish &amp; <a href=\"/t/\">chips</a>|Fish &amp; <a href=\"/t/\">chips</a>|[Fish &amp; <a href=\"/t/\">chips</a>]")
        XCTAssertEqual(render("{{uppercased(x)}} {{empty(x)}}", ["x": x]), "FISH &amp; CHIPS false")
        XCTAssertEqual(x.string, "Fish & chips")
    }

    func testInterpolation() {
        XCTAssertEqual(render("Hello from {Mustache}!\n"), "Hello from {Mustache}!\n")
        XCTAssertEqual(render("Hello, {{subject}}!\n", ["subject": "world"]), "Hello, world!\n")
        XCTAssertEqual(render("{{mph}} miles an hour!", ["mph": 85]), "85 miles an hour!")
        XCTAssertEqual(render("I ({{cannot}}) be seen!", [:]), "I () be seen!")
        XCTAssertEqual(render("I ({{cannot}}) be seen!", ["cannot": nil]), "I () be seen!")
        XCTAssertEqual(render("| {{string}} |", ["string": "---"]), "| --- |")
        XCTAssertEqual(render("  {{string}}\n", ["string": "---"]), "  ---\n")
        XCTAssertEqual(render("|{{ string }}|", ["string": "---"]), "|---|")
        XCTAssertEqual(render("|{{& string }}|", ["string": "---"]), "|---|")
    }

    func testEscaping() {
        let data: TemplateValue = ["forbidden": "& \" < > '"]
        XCTAssertEqual(render("These characters should be HTML escaped: {{forbidden}}\n", data),
                       "These characters should be HTML escaped: &amp; &quot; &lt; &gt; &#39;\n")
        XCTAssertEqual(render("These characters should not be HTML escaped: {{{forbidden}}}\n", data),
                       "These characters should not be HTML escaped: & \" < > '\n")
        XCTAssertEqual(render("These characters should not be HTML escaped: {{&forbidden}}\n", data),
                       "These characters should not be HTML escaped: & \" < > '\n")
        // Multi-byte characters pass through; a combining mark after "<" does not hide it.
        XCTAssertEqual(render("{{x}}", ["x": "Zoë › <\u{0338}b>"]), "Zoë › &lt;\u{0338}b&gt;")
        XCTAssertEqual(HTMLEscaper.escape("a&b"), "a&amp;b")
    }

    func testDottedNames() {
        let data: TemplateValue = ["person": ["name": "Joe"]]
        XCTAssertEqual(render("\"{{person.name}}\" == \"{{#person}}{{name}}{{/person}}\"", data), "\"Joe\" == \"Joe\"")
        XCTAssertEqual(render("\"{{{person.name}}}\" == \"{{#person}}{{{name}}}{{/person}}\"", data), "\"Joe\" == \"Joe\"")
        XCTAssertEqual(render("\"{{a.b.c.d.e.name}}\" == \"Phil\"", ["a": ["b": ["c": ["d": ["e": ["name": "Phil"]]]]]]), "\"Phil\" == \"Phil\"")
        XCTAssertEqual(render("\"{{a.b.c}}\" == \"\"", ["a": [:]]), "\"\" == \"\"")
        // Broken chain resolution: once "a" is found, the rest must resolve from it.
        XCTAssertEqual(render("\"{{a.b.c.name}}\" == \"\"", ["a": ["b": [:]], "c": ["name": "Jim"]]), "\"\" == \"\"")
        XCTAssertEqual(render("\"{{#a}}{{b.c.d.e.name}}{{/a}}\" == \"Phil\"",
                              ["a": ["b": ["c": ["d": ["e": ["name": "Phil"]]]]], "b": ["c": ["d": ["e": ["name": "Wrong"]]]]]),
                       "\"Phil\" == \"Phil\"")
        // Context precedence: the innermost "b" wins even without "c".
        XCTAssertEqual(render("{{#a}}{{b.c}}{{/a}}", ["a": ["b": [:]], "b": ["c": "ERROR"]]), "")
        XCTAssertEqual(render("{{#list}}({{.}}){{/list}}", ["list": ["a", "b", "c"]]), "(a)(b)(c)")
    }

    /// `.name` looks only at the current object, as the theme's field and journey loops rely on.
    func testLocalNameDoesNotClimbTheStack() {
        let data: TemplateValue = ["text": "outer", "rows": [["label": "A"], ["label": "B", "text": "inner"]]]
        XCTAssertEqual(render("{{#rows}}{{label}}={{#.text}}{{.}}{{/.text}};{{/rows}}", data), "A=;B=inner;")
        XCTAssertEqual(render("{{#rows}}{{label}}={{text}};{{/rows}}", data), "A=outer;B=inner;")
    }

    // MARK: - Sections (spec: sections.yml, inverted.yml)

    func testSections() {
        XCTAssertEqual(render("\"{{#boolean}}This should be rendered.{{/boolean}}\"", ["boolean": true]), "\"This should be rendered.\"")
        XCTAssertEqual(render("\"{{#boolean}}This should not be rendered.{{/boolean}}\"", ["boolean": false]), "\"\"")
        XCTAssertEqual(render("\"{{#null}}This should not be rendered.{{/null}}\"", ["null": nil]), "\"\"")
        XCTAssertEqual(render("\"{{#missing}}Found key 'missing'!{{/missing}}\"", [:]), "\"\"")
        XCTAssertEqual(render("\"{{#context}}Hi {{name}}.{{/context}}\"", ["context": ["name": "Joe"]]), "\"Hi Joe.\"")
        XCTAssertEqual(render("\"{{#list}}{{item}}{{/list}}\"", ["list": [["item": 1], ["item": 2], ["item": 3]]]), "\"123\"")
        XCTAssertEqual(render("\"{{#list}}Yay lists!{{/list}}\"", ["list": []]), "\"\"")
        XCTAssertEqual(render("{{#bool}}\n* first\n{{/bool}}\n* {{two}}\n{{#bool}}\n* third\n{{/bool}}\n", ["bool": true, "two": "second"]),
                       "* first\n* second\n* third\n")
        XCTAssertEqual(render("| A {{#bool}}B {{#bool}}C{{/bool}} D{{/bool}} E |", ["bool": true]), "| A B C D E |")
        XCTAssertEqual(render("| A {{#bool}}B {{#bool}}C{{/bool}} D{{/bool}} E |", ["bool": false]), "| A  E |")
        XCTAssertEqual(render("\"{{#list}}({{.}}){{/list}}\"", ["list": [1, 2, 3, 4, 5]]), "\"(1)(2)(3)(4)(5)\"")
        XCTAssertEqual(render("\"{{#a.b.c}}Here{{/a.b.c}}\" == \"Here\"", ["a": ["b": ["c": true]]]), "\"Here\" == \"Here\"")
        XCTAssertEqual(render("\"{{#a.b.c}}Here{{/a.b.c}}\" == \"\"", ["a": [:]]), "\"\" == \"\"")
        XCTAssertEqual(render("{{#list}}{{#.}}{{.}}{{/.}}{{/list}}", ["list": [["a", "b"], ["c"]]]), "abc")
    }

    /// swift-mustache's truthiness, which templates written for it rely on: empty text and 0 are
    /// truthy (hence `{{#page.summary}}{{^empty(.)}}`), an empty object too.
    func testTruthinessMatchesSwiftMustache() {
        XCTAssertEqual(render("[{{#s}}yes:{{.}}{{/s}}]", ["s": ""]), "[yes:]")
        XCTAssertEqual(render("[{{#n}}yes:{{.}}{{/n}}]", ["n": 0]), "[yes:0]")
        XCTAssertEqual(render("[{{#o}}yes{{/o}}]", ["o": [:]]), "[yes]")
        XCTAssertEqual(render("[{{^s}}no{{/s}}]", ["s": ""]), "[]")
        XCTAssertEqual(render("[{{b}}]", ["b": true]), "[true]")
        // A true section keeps the enclosing context: "." is still the list element.
        XCTAssertEqual(render("{{#l}}{{#flag}}{{.}}{{/flag}}{{/l}}", ["l": ["x", "y"], "flag": true]), "xy")
    }

    func testInvertedSections() {
        XCTAssertEqual(render("\"{{^boolean}}This should be rendered.{{/boolean}}\"", ["boolean": false]), "\"This should be rendered.\"")
        XCTAssertEqual(render("\"{{^boolean}}This should not be rendered.{{/boolean}}\"", ["boolean": true]), "\"\"")
        XCTAssertEqual(render("\"{{^null}}This should be rendered.{{/null}}\"", ["null": nil]), "\"This should be rendered.\"")
        XCTAssertEqual(render("\"{{^context}}Hi {{name}}.{{/context}}\"", ["context": ["name": "Joe"]]), "\"\"")
        XCTAssertEqual(render("\"{{^list}}{{n}}{{/list}}\"", ["list": [["n": 1], ["n": 2]]]), "\"\"")
        XCTAssertEqual(render("\"{{^list}}Yay lists!{{/list}}\"", ["list": []]), "\"Yay lists!\"")
        XCTAssertEqual(render("\"{{^missing}}Found key 'missing'!{{/missing}}\"", [:]), "\"Found key 'missing'!\"")
        XCTAssertEqual(render("{{^bool}}\n* first\n{{/bool}}\n* {{two}}\n{{^bool}}\n* third\n{{/bool}}\n", ["bool": false, "two": "second"]),
                       "* first\n* second\n* third\n")
        XCTAssertEqual(render("\"{{^a.b.c}}Not Here{{/a.b.c}}\" == \"Not Here\"", ["a": [:]]), "\"Not Here\" == \"Not Here\"")
    }

    // MARK: - Whitespace (spec: the "standalone" cases of sections, inverted, comments)

    func testStandaloneLines() {
        let yes: TemplateValue = ["boolean": true]
        XCTAssertEqual(render(" | {{#boolean}}\t|\t{{/boolean}} | \n", yes), " | \t|\t | \n")
        XCTAssertEqual(render(" | {{#boolean}} {{! Important Whitespace }}\n {{/boolean}} | \n", yes), " |  \n  | \n")
        XCTAssertEqual(render(" {{#boolean}}YES{{/boolean}}\n {{#boolean}}GOOD{{/boolean}}\n", yes), " YES\n GOOD\n")
        XCTAssertEqual(render("| This Is\n{{#boolean}}\n|\n{{/boolean}}\n| A Line\n", yes), "| This Is\n|\n| A Line\n")
        XCTAssertEqual(render("| This Is\n  {{#boolean}}\n|\n  {{/boolean}}\n| A Line\n", yes), "| This Is\n|\n| A Line\n")
        XCTAssertEqual(render("|\r\n{{#boolean}}\r\n{{/boolean}}\r\n|", yes), "|\r\n|")
        XCTAssertEqual(render("  {{#boolean}}\n#{{/boolean}}\n/", yes), "#\n/")
        XCTAssertEqual(render("#{{#boolean}}\n/\n  {{/boolean}}", yes), "#\n/\n")
        XCTAssertEqual(render("| This Is\n  {{^boolean}}\n|\n  {{/boolean}}\n| A Line\n", ["boolean": false]), "| This Is\n|\n| A Line\n")
        XCTAssertEqual(render("|{{# boolean }}={{/ boolean }}|", yes), "|=|")
    }

    func testComments() {
        XCTAssertEqual(render("12345{{! Comment Block! }}67890"), "1234567890")
        XCTAssertEqual(render("12345{{!\n  This is a\n  multi-line comment...\n}}67890\n"), "1234567890\n")
        XCTAssertEqual(render("Begin.\n{{! Comment Block! }}\nEnd.\n"), "Begin.\nEnd.\n")
        XCTAssertEqual(render("Begin.\n  {{! Indented Comment Block! }}\nEnd.\n"), "Begin.\nEnd.\n")
        XCTAssertEqual(render("|\r\n{{! Standalone Comment }}\r\n|"), "|\r\n|")
        XCTAssertEqual(render("  {{! I'm Still Standalone }}\n!"), "!")
        XCTAssertEqual(render("!\n  {{! I'm Still Standalone }}"), "!\n")
        XCTAssertEqual(render("Begin.\n{{!\nSomething's going on here...\n}}\nEnd.\n"), "Begin.\nEnd.\n")
        XCTAssertEqual(render("  12 {{! 34 }}\n"), "  12 \n")
        XCTAssertEqual(render("12345 {{! Comment Block! }} 67890"), "12345  67890")
    }

    // MARK: - Partials (spec: partials.yml)

    func testPartials() {
        XCTAssertEqual(render("\"{{>text}}\"", partials: ["text": "from partial"]), "\"from partial\"")
        XCTAssertEqual(render("\"{{>text}}\""), "\"\"")
        XCTAssertEqual(render("\"{{>partial}}\"", ["text": "content"], partials: ["partial": "*{{text}}*"]), "\"*content*\"")
        XCTAssertEqual(render("{{>node}}", ["content": "X", "nodes": [["content": "Y", "nodes": []]]],
                              partials: ["node": "{{content}}<{{#nodes}}{{>node}}{{/nodes}}>"]), "X<Y<>>")
        XCTAssertEqual(render("| {{>partial}} |", partials: ["partial": "\t|\t"]), "| \t|\t |")
        XCTAssertEqual(render("  {{data}}  {{> partial}}\n", ["data": "|"], partials: ["partial": ">\n>"]), "  |  >\n>\n")
        XCTAssertEqual(render("|\r\n{{>partial}}\r\n|", partials: ["partial": ">"]), "|\r\n>|")
        XCTAssertEqual(render("|{{> partial }}|", ["boolean": true], partials: ["partial": "[]"]), "|[]|")
    }

    func testPartialIndentation() {
        XCTAssertEqual(render("  {{>partial}}\n>", partials: ["partial": ">\n>"]), "  >\n  >>")
        XCTAssertEqual(render(">\n  {{>partial}}", partials: ["partial": ">\n>"]), ">\n  >\n  >")
        // Each line of the partial is indented; interpolated data is not.
        XCTAssertEqual(render("\\\n {{>partial}}\n/\n", ["content": "<\n->"], partials: ["partial": "|\n{{{content}}}\n|\n"]),
                       "\\\n |\n <\n->\n |\n/\n")
        // Indentation adds up through nested partials and reaches every iteration of a section.
        XCTAssertEqual(render("  {{>outer}}\n", ["list": ["a", "b"]],
                              partials: ["outer": "o\n  {{>inner}}\n", "inner": "{{#list}}\n- {{.}}\n{{/list}}\n"]),
                       "  o\n    - a\n    - b\n")
    }

    /// A partial that includes itself forever stops at a depth limit and says so, instead of crashing.
    func testRecursivePartialStops() {
        var library = TemplateLibrary()
        XCTAssertNoThrow(try library.register("x{{>loop}}", named: "loop"))
        let result = library.render([:], template: "loop")
        XCTAssertEqual(result?.bytes.count, TemplateRenderer.partialDepthLimit + 1)
        XCTAssertNotNil(result?.problem)
        XCTAssertTrue(result?.problem?.contains("loop") == true)
    }

    // MARK: - Set delimiters (spec: delimiters.yml)

    func testDelimiters() {
        XCTAssertEqual(render("{{=<% %>=}}(<%text%>)", ["text": "Hey!"]), "(Hey!)")
        XCTAssertEqual(render("({{=[ ]=}}[text])", ["text": "It worked!"]), "(It worked!)")
        XCTAssertEqual(render("[\n{{#section}}\n  {{data}}\n  |data|\n{{/section}}\n\n{{= | | =}}\n|#section|\n  {{data}}\n  |data|\n|/section|\n]\n",
                              ["section": true, "data": "I got interpolated."]),
                       "[\n  I got interpolated.\n  |data|\n\n  {{data}}\n  I got interpolated.\n]\n")
        XCTAssertEqual(render("[\n{{^section}}\n  {{data}}\n  |data|\n{{/section}}\n\n{{= | | =}}\n|^section|\n  {{data}}\n  |data|\n|/section|\n]\n",
                              ["section": false, "data": "I got interpolated."]),
                       "[\n  I got interpolated.\n  |data|\n\n  {{data}}\n  I got interpolated.\n]\n")
        XCTAssertEqual(render("[ {{>include}} ]\n{{= | | =}}\n[ |>include| ]\n", ["value": "yes"], partials: ["include": ".{{value}}."]),
                       "[ .yes. ]\n[ .yes. ]\n")
        XCTAssertEqual(render("[ {{>include}} ]\n[ .{{value}}.  .|value|. ]\n", ["value": "yes"],
                              partials: ["include": ".{{value}}. {{= | | =}} .|value|."]),
                       "[ .yes.  .yes. ]\n[ .yes.  .|value|. ]\n")
        XCTAssertEqual(render("| {{=@ @=}} |"), "|  |")
        XCTAssertEqual(render(" | {{=@ @=}}\n"), " | \n")
        XCTAssertEqual(render("Begin.\n{{=@ @=}}\nEnd.\n"), "Begin.\nEnd.\n")
        XCTAssertEqual(render("Begin.\n  {{=@ @=}}\nEnd.\n"), "Begin.\nEnd.\n")
        XCTAssertEqual(render("|\r\n{{= @ @ =}}\r\n|"), "|\r\n|")
        XCTAssertEqual(render("  {{=@ @=}}\n="), "=")
        XCTAssertEqual(render("=\n  {{=@ @=}}"), "=\n")
        XCTAssertEqual(render("|{{= @   @ =}}|"), "||")
    }

    // MARK: - Inheritance (spec: ~inheritance.yml)

    func testInheritance() {
        XCTAssertEqual(render("{{$title}}Default title{{/title}}\n"), "Default title\n")
        XCTAssertEqual(render("{{$foo}}default {{bar}} content{{/foo}}\n", ["bar": "baz"]), "default baz content\n")
        XCTAssertEqual(render("{{$foo}}default {{{bar}}} content{{/foo}}\n", ["bar": "<baz>"]), "default <baz> content\n")
        XCTAssertEqual(render("{{$foo}}default {{#bar}}{{baz}}{{/bar}} content{{/foo}}\n", ["bar": ["baz": "qux"]]), "default qux content\n")
        XCTAssertEqual(render("{{$foo}}default {{^bar}}{{baz}}{{/bar}} content{{/foo}}\n", ["baz": "three"]), "default three content\n")
        XCTAssertEqual(render("{{$foo}}default {{#bar}}{{baz}}{{/bar}} content{{/foo}}\n", ["bar": ["baz": "{{qux}}"]]), "default {{qux}} content\n")
        XCTAssertEqual(render("{{<include}}{{/include}}\n", partials: ["include": "{{$foo}}default content{{/foo}}"]), "default content")
        XCTAssertEqual(render("{{<super}}{{$title}}sub template title{{/title}}{{/super}}",
                              partials: ["super": "...{{$title}}Default title{{/title}}..."]), "...sub template title...")
        XCTAssertEqual(render("{{<include}}{{$var}}var in template{{/var}}{{/include}}", ["var": "var in data"],
                              partials: ["include": "{{$var}}var in include{{/var}}"]), "var in template")
        XCTAssertEqual(render("{{<include}}{{/include}}", ["var": "var in data"], partials: ["include": "{{$var}}var in include{{/var}}"]),
                       "var in include")
        XCTAssertEqual(render("test {{<parent}}{{$stuff}}override{{/stuff}}{{/parent}}", partials: ["parent": "{{$stuff}}...{{/stuff}}"]),
                       "test override")
        XCTAssertEqual(render("test {{<parent}}{{$stuff}}override1{{/stuff}}{{/parent}} {{<parent}}{{$stuff}}override2{{/stuff}}{{/parent}}\n",
                              partials: ["parent": "|{{$stuff}}...{{/stuff}}{{$default}} default{{/default}}|"]),
                       "test |override1 default| |override2 default|\n")
        XCTAssertEqual(render("{{<parent}}{{$ballmer}}\npeaked\n\n:(\n{{/ballmer}}{{/parent}}", partials: ["parent": "{{$ballmer}}peaking{{/ballmer}}"]),
                       "peaked\n\n:(\n")
        XCTAssertEqual(render("{{<parent}}{{$nineties}}hammer time{{/nineties}}{{/parent}}",
                              partials: ["parent": "stop:\n  {{$nineties}}collaborate and listen{{/nineties}}\n"]), "stop:\n  hammer time\n")
        XCTAssertEqual(render("{{<parent}}{{$stuff2}}override two{{/stuff2}}{{/parent}}",
                              partials: ["parent": "{{$stuff}}new default one{{/stuff}}, {{$stuff2}}new default two{{/stuff2}}"]),
                       "new default one, override two")
        XCTAssertEqual(render("{{>parent}}|{{<parent}}{{/parent}}", partials: ["parent": "{{$foo}}default content{{/foo}}"]),
                       "default content|default content")
        XCTAssertEqual(render("{{<parent}}{{$foo}}override{{/foo}}{{/parent}}",
                              partials: ["parent": "{{$foo}}default content{{/foo}} {{$bar}}{{<parent2}}{{/parent2}}{{/bar}}",
                                         "parent2": "{{$foo}}parent2 default content{{/foo}} {{<parent}}{{$bar}}don't recurse{{/bar}}{{/parent}}"]),
                       "override override override don't recurse")
    }

    func testNestedInheritance() {
        let levels = ["parent": "{{<older}}{{$a}}p{{/a}}{{/older}}", "older": "{{<grandParent}}{{$a}}o{{/a}}{{/grandParent}}",
                      "grandParent": "{{$a}}g{{/a}}"]
        XCTAssertEqual(render("{{<parent}}{{$a}}c{{/a}}{{/parent}}", partials: levels), "c")
        XCTAssertEqual(render("{{<parent}}{{/parent}}", partials: levels), "p")
        XCTAssertEqual(render("{{<parent}} asdfasd {{$foo}}hmm{{/foo}} asdfasdfasdf {{/parent}}", partials: ["parent": "{{$foo}}default content{{/foo}}"]),
                       "hmm")
        XCTAssertEqual(render("{{<parent}} asdfasd asdfasdfasdf {{/parent}}", partials: ["parent": "{{$foo}}default content{{/foo}}"]),
                       "default content")
        XCTAssertEqual(render("{{<parent}}{{$block}}I say {{fruit}}.{{/block}}{{/parent}}", ["fruit": "apples", "nested": ["fruit": "bananas"]],
                              partials: ["parent": "{{#nested}}{{$block}}You say {{fruit}}.{{/block}}{{/nested}}"]), "I say bananas.")
        // Blocks inside blocks: an override of the inner one reaches into the parent's default for the outer.
        XCTAssertEqual(render("{{<layout}}{{$inner}}X{{/inner}}{{/layout}}",
                              partials: ["layout": "[{{$outer}}<{{$inner}}i{{/inner}}>{{/outer}}]"]), "[<X>]")
    }

    func testInheritanceWhitespace() {
        XCTAssertEqual(render("Hi,\n  {{<parent}}{{/parent}}\n", partials: ["parent": "one\ntwo\n"]), "Hi,\n  one\n  two\n")
        XCTAssertEqual(render("{{<parent}}{{$block}}\none\ntwo{{/block}}\n{{/parent}}\n", partials: ["parent": "Hi,\n  {{$block}}{{/block}}\n"]),
                       "Hi,\n  one\n  two\n")
        XCTAssertEqual(render("{{<parent}}{{$block}}\n    one\n    two\n{{/block}}{{/parent}}\n", partials: ["parent": "Hi,\n  {{$block}}\n  {{/block}}\n"]),
                       "Hi,\n  one\n  two\n")
        // Not supported, as in swift-mustache: the spec's newer "Intrinsic indentation" (a standalone
        // block takes the indentation of its default content). The override keeps its own.
        XCTAssertEqual(render("{{<parent}}{{$block}}\none\ntwo\n{{/block}}{{/parent}}\n", partials: ["parent": "Hi,\n{{$block}}\n  default\n{{/block}}\n"]),
                       "Hi,\none\ntwo\n")
    }

    /// The theme's shape: a page template fills the layout's main block; the layout's own lines keep
    /// their whitespace and the block's default applies where a page does not override it.
    func testLayoutShape() {
        let layout = "<title>{{$title}}{{page.title}}{{/title}}</title>\n<main>\n{{$main}}{{/main}}\n</main>\n"
        let page = "{{<layout}}\n{{$main}}\n<h1>{{page.title}}</h1>\n{{/main}}\n{{/layout}}\n"
        XCTAssertEqual(render(page, ["page": ["title": "A & B"]], partials: ["layout": layout]),
                       "<title>A &amp; B</title>\n<main>\n<h1>A &amp; B</h1>\n\n</main>\n")
    }

    // MARK: - Transforms (swift-mustache)

    func testSequenceTransforms() {
        let data: TemplateValue = ["l": ["a", "b", "c"]]
        XCTAssertEqual(render("{{#l}}{{#first()}}<{{/first()}}{{.}}{{^last()}},{{/last()}}{{#last()}}>{{/last()}}{{/l}}", data), "<a,b,c>")
        XCTAssertEqual(render("{{#l}}{{index()}}{{/l}}", data), "012")
        XCTAssertEqual(render("{{#l}}{{#even()}}{{.}}{{/even()}}{{/l}}", data), "ac")
        XCTAssertEqual(render("{{#l}}{{plusone(index())}}{{/l}}", data), "123")
        // first() is about the nearest list being iterated; an object pushed inside clears it.
        XCTAssertEqual(render("{{#l}}{{#o}}[{{#first()}}F{{/first()}}]{{/o}}{{/l}}", ["l": ["a"], "o": ["k": 1]]), "[]")
        XCTAssertEqual(render("{{#first()}}F{{/first()}}{{^first()}}none{{/first()}}", data), "none")
    }

    func testValueTransforms() {
        XCTAssertEqual(render("{{#s}}{{^empty(.)}}<{{.}}>{{/empty(.)}}{{/s}}", ["s": ""]), "")
        XCTAssertEqual(render("{{#s}}{{^empty(.)}}<{{.}}>{{/empty(.)}}{{/s}}", ["s": "x"]), "<x>")
        XCTAssertEqual(render("{{#empty(l)}}none{{/empty(l)}}", ["l": []]), "none")
        XCTAssertEqual(render("{{count(l)}} {{first(l)}} {{last(l)}}", ["l": ["a", "b"]]), "2 a b")
        XCTAssertEqual(render("{{#reversed(l)}}{{.}}{{/reversed(l)}}", ["l": ["a", "b", "c"]]), "cba")
        XCTAssertEqual(render("{{uppercased(s)}} {{lowercased(s)}} {{capitalized(s)}}", ["s": "hello World"]), "HELLO WORLD hello world Hello World")
        XCTAssertEqual(render("{{#sorted(l)}}{{.}}{{/sorted(l)}}", ["l": ["b", "c", "a"]]), "abc")
        XCTAssertEqual(render("{{count(o)}}", ["o": ["a": 1, "b": 2]]), "2")
        XCTAssertEqual(render("{{#equalzero(n)}}zero{{/equalzero(n)}}{{minusone(n)}}", ["n": 0]), "zero-1")
        // A transform that does not apply makes the value missing.
        XCTAssertEqual(render("[{{count(s)}}]{{^count(s)}}missing{{/count(s)}}", ["s": "abc"]), "[]missing")
        XCTAssertEqual(render("[{{nosuch(s)}}]", ["s": "abc"]), "[]")
    }

    func testPragmaAndDynamicPartials() {
        XCTAssertEqual(render("{{x}}{{% CONTENT_TYPE: TEXT}}{{x}}", ["x": "<b>"]), "&lt;b&gt;<b>")
        XCTAssertEqual(render("[{{>*name}}]", ["name": "p", "v": 1], partials: ["p": "v={{v}}"]), "[v=1]")
    }

    // MARK: - Syntax errors

    func testSyntaxErrorsSayWhere() {
        let unclosed = syntaxError("line one\n  {{#items}}\n{{name}}\n")
        XCTAssertEqual(unclosed?.line, 2)
        XCTAssertEqual(unclosed?.column, 3)
        XCTAssertTrue(unclosed?.message.contains("items") == true)
        XCTAssertTrue(unclosed?.hint.contains("{{/items}}") == true)

        let mismatched = syntaxError("{{#a}}\n{{#b}}\nx{{/a}}\n")
        XCTAssertEqual(mismatched?.line, 3)
        XCTAssertEqual(mismatched?.column, 5)

        let stray = syntaxError("ok\n{{/nothing}}")
        XCTAssertEqual(stray?.line, 2)

        let badName = syntaxError("é {{na me}}")
        XCTAssertEqual(badName?.line, 1)
        XCTAssertEqual(badName?.column, 8)

        XCTAssertNotNil(syntaxError("{{! never closed"))
        XCTAssertNotNil(syntaxError("{{{x}}"))
        XCTAssertNotNil(syntaxError("{{=<% %>}}"))
        XCTAssertNotNil(syntaxError("{{<parent}}{{x}}{{/parent}}"))
        XCTAssertNotNil(syntaxError("{{$a(b)}}{{/a(b)}}"))
        XCTAssertNotNil(syntaxError("{{first(}}"))
        XCTAssertNotNil(syntaxError("{{a)}}"))
        XCTAssertNotNil(syntaxError("{{% PRAGMA: X}}"))
        XCTAssertNotNil(syntaxError("text {{"))
        XCTAssertNotNil(syntaxError(String(repeating: "{{#a}}", count: 500)))
    }

    /// Through a whole build: a site's partial that includes itself is an error on the page, not a crash.
    func testSelfIncludingPartialInABuildIsAnError() throws {
        var templates = TempSite.minimalTemplates
        templates["page.mustache"] = "<main>{{> loop}}</main>\n"
        templates["loop.mustache"] = "<div>{{> loop}}</div>"
        let site = try TempSite(["content/index.md": "# Home\n"], templates: templates)
        let report = site.check()
        let error = try XCTUnwrap(report.diagnostics.first { $0.message.contains("partials nest") })
        XCTAssertEqual(error.severity, .error)
        XCTAssertEqual(error.location.path, "content/index.md")
    }

    /// Theme.load turns a syntax error into a diagnostic at the template's path, line and column.
    func testSyntaxErrorIsADiagnostic() throws {
        var templates = TempSite.minimalTemplates
        templates["broken.mustache"] = "<p>\n  {{#open}}\n</p>\n"
        let site = try TempSite(["content/index.md": "# Home\n"], templates: templates)
        let (_, diagnostics) = Theme.load(siteRoot: site.root)
        let error = try XCTUnwrap(diagnostics.first { $0.location.path.hasSuffix("templates/broken.mustache") })
        XCTAssertEqual(error.location.line, 2)
        XCTAssertEqual(error.location.column, 3)
        XCTAssertTrue(error.message.contains("never closed"))
        XCTAssertNotNil(error.hint)
    }

    /// A site's template with a misspelt name (`{{page.tilte}}`) would leave an empty place on every
    /// page: a warning at the name, with the default theme's name it looks like. A name of the site's
    /// own, like nothing the default theme uses, is fine.
    func testAMisspeltNameInASiteTemplateIsAWarning() throws {
        var templates = TempSite.minimalTemplates
        templates["persona.mustache"] = "<main>\n  <h1>{{page.tilte}}</h1>{{#page.title}}x{{/page.title}}{{team.slackChannel}}\n</main>\n"
        let site = try TempSite(["content/index.md": "# Home\n"], templates: templates)
        let (_, diagnostics) = Theme.load(siteRoot: site.root)
        XCTAssertEqual(diagnostics.map { "\($0.location.path):\($0.location.line):\($0.location.column): \($0.message)" },
                       ["templates/persona.mustache:2:9: `page.tilte` is no name the default theme uses: did you mean `page.title`?"])
    }

    // MARK: - Template objects

    func testTemplateObjectKeepsOrderReplacesAndRemoves() {
        var o: TemplateObject = ["b": 1, "a": 2]
        o["c"] = 3
        o["b"] = "two"
        XCTAssertEqual(o.keys, ["b", "a", "c"], "keys stay in the order first set")
        XCTAssertEqual(o["b"]?.string, "two")
        XCTAssertNil(o["B"], "keys are case-sensitive")
        XCTAssertNil(o["ab"], "a key of another length is never compared")
        o["a"] = nil
        XCTAssertEqual(o.keys, ["b", "c"])
        XCTAssertEqual(o.removeValue(forKey: "c")?.interpolated, "3")
        XCTAssertNil(o.removeValue(forKey: "c"))
        XCTAssertEqual(o.count, 1)
        var other: TemplateObject = ["b": "kept?", "d": 4]
        other.merge(o) { mine, _ in mine }
        XCTAssertEqual(other.keys, ["b", "d"])
        XCTAssertEqual(other["b"]?.string, "kept?")
    }

    func testTemplateObjectFromPairsKeepsEachKeyOnceAtAnySize() {
        for size in [3, 16, 17, 5_000] {
            // Every key twice: the object keeps the first place and, here, the last value.
            let pairs = (0..<size).map { ("key\($0)", TemplateValue.int($0)) } + (0..<size).map { ("key\($0)", TemplateValue.int(-$0)) }
            let o = TemplateObject(pairs, uniquingKeysWith: { _, last in last })
            XCTAssertEqual(o.count, size)
            XCTAssertEqual(o.keys.first, "key0")
            XCTAssertEqual(o["key\(size - 1)"]?.interpolated, "\(-(size - 1))")
        }
        XCTAssertEqual(render("{{#o}}{{x}}{{/o}}", ["o": .object(TemplateObject([("x", "first"), ("x", "second")], uniquingKeysWith: { a, _ in a }))]), "first")
    }
}
