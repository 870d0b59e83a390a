import Foundation
import XCTest
@testable import Waymark

/// GitHub's additions to CommonMark that writers from GitHub, Obsidian and Hugo expect: task lists,
/// strikethrough and bare web addresses as links. On in a site build; `waymark render` stays CommonMark.
final class MarkdownExtensionsTests: XCTestCase {
    private func html(_ markdown: String, extensions: Bool = true) -> String {
        var options = MarkdownBody.RenderOptions()
        options.extensions = extensions
        return MarkdownBody(text: markdown, path: "notes.md", firstLine: 1).html(options)
    }

    private let open = #"<span class="task-box" aria-hidden="true"></span><span class="visually-hidden">To do: </span>"#
    private let done = #"<span class="task-box task-box--done" aria-hidden="true"></span><span class="visually-hidden">Done: </span>"#

    // MARK: Task lists

    func testTaskItemsBecomeBoxesAndOtherBracketsStayText() {
        XCTAssertEqual(html("- [ ] Ask the practices\n- [x] Draft the map\n- [X] **Bold** start\n- [ ]\n- [y] not a task\n- [ ]no space\n- plain\n"), """
            <ul>
            <li>\(open)Ask the practices</li>
            <li>\(done)Draft the map</li>
            <li>\(done)<strong>Bold</strong> start</li>
            <li>[ ]</li>
            <li>[y] not a task</li>
            <li>[ ]no space</li>
            <li>plain</li>
            </ul>

            """)
    }

    func testTaskItemsInLooseAndNumberedListsAndOnlyAtTheItemsStart() {
        XCTAssertEqual(html("1. [ ] First\n\n   [ ] not at the start of the item\n2. [x] Second [ ] inside\n"), """
            <ol>
            <li>
            <p>\(open)First</p>
            <p>[ ] not at the start of the item</p>
            </li>
            <li>
            <p>\(done)Second [ ] inside</p>
            </li>
            </ol>

            """)
        XCTAssertEqual(html("[ ] a paragraph, not a list\n"), "<p>[ ] a paragraph, not a list</p>\n")
    }

    // MARK: Strikethrough

    func testTwoTildesStrikeThroughWithinOneParagraph() {
        XCTAssertEqual(html("It was ~~target group~~ segment, ~~*very* wrong~~, about ~5 %, ~~~ three, a ~~ lone pair and ~~open.\n"),
                       "<p>It was <del>target group</del> segment, <del><em>very</em> wrong</del>, about ~5 %, ~~~ three, a ~~ lone pair and ~~open.</p>\n")
        XCTAssertEqual(html("**~~inside strong~~** and ~~a `code ~~ span` b~~\n"),
                       "<p><strong><del>inside strong</del></strong> and <del>a <code>code ~~ span</code> b</del></p>\n")
        // Not when white space is on the inner side.
        XCTAssertEqual(html("~~ spaced ~~ and ~~x~~y\n"), "<p>~~ spaced ~~ and <del>x</del>y</p>\n")
    }

    /// Obsidian's highlight: `==words==`, at a word's edges only, so code-like prose stays as written.
    func testTwoEqualsSignsHighlightAtWordEdges() {
        XCTAssertEqual(html("The ==key finding== is *==this==*, and ==**bold**== too.\n"),
                       "<p>The <mark>key finding</mark> is <em><mark>this</mark></em>, and <mark><strong>bold</strong></mark> too.</p>\n")
        XCTAssertEqual(html("x==y and z==w, a == b, ===three===, and ==open.\n"), "<p>x==y and z==w, a == b, ===three===, and ==open.</p>\n")
        XCTAssertEqual(html("Both ~~old~~ and ==new==.\n"), "<p>Both <del>old</del> and <mark>new</mark>.</p>\n")
    }

    func testInAPipeTableStrikethroughNeverSpansACell() {
        let out = html("| a | b |\n|---|---|\n| ~~old~~ new | x |\n| ~~c | d~~ |\n")
        XCTAssertTrue(out.contains("<td>\n<del>old</del> new\n</td>"), out)
        XCTAssertTrue(out.contains("<td>\n~~c\n</td>\n<td>\nd~~\n</td>"), out)
    }

    // MARK: Bare web addresses

    func testBareAddressesBecomeLinksWithoutTrailingPunctuation() {
        XCTAssertEqual(html("See https://example.com/x?a=1. Or (www.example.org/path_(1)) and http://localhost:8000, HTTPS://CAPS.EXAMPLE/A!\n"), """
            <p>See <a href="https://example.com/x?a=1">https://example.com/x?a=1</a>. \
            Or (<a href="http://www.example.org/path_(1)">www.example.org/path_(1)</a>) and http://localhost:8000, \
            <a href="HTTPS://CAPS.EXAMPLE/A">HTTPS://CAPS.EXAMPLE/A</a>!</p>

            """)
        XCTAssertEqual(html("End https://a.example/b). And https://a.example/?a=1&amp;b=2 too: &quot;https://b.example&quot; “https://c.example/x”.\n"), """
            <p>End <a href="https://a.example/b">https://a.example/b</a>). \
            And <a href="https://a.example/?a=1&amp;b=2">https://a.example/?a=1&amp;b=2</a> too: \
            &quot;<a href="https://b.example">https://b.example</a>&quot; “<a href="https://c.example/x">https://c.example/x</a>”.</p>

            """)
    }

    func testAddressesInsideLinksCodeAndWordsAreLeftAlone() {
        XCTAssertEqual(html("`https://code.example`, [https://x.example](https://y.example), <https://z.example>, xhttps://no.example, a.www.no.example\n"), """
            <p><code>https://code.example</code>, <a href="https://y.example">https://x.example</a>, \
            <a href="https://z.example">https://z.example</a>, xhttps://no.example, a.www.no.example</p>

            """)
        // In emphasis, after a line break, and an address's own characters escaped as cmark escapes a link.
        XCTAssertEqual(html("*see https://a.example/é\"x*\nhttps://b.example/a_b_c\n"), """
            <p><em>see <a href="https://a.example/%C3%A9%22x">https://a.example/é&quot;x</a></em>
            <a href="https://b.example/a_b_c">https://b.example/a_b_c</a></p>

            """)
        // No dot, or an underscore in the last two parts of the name: no address.
        XCTAssertEqual(html("https://intranet/x and https://a.b_c.example and https://ok_part.example.org\n"),
                       "<p>https://intranet/x and https://a.b_c.example and <a href=\"https://ok_part.example.org\">https://ok_part.example.org</a></p>\n")
    }

    func testInAPipeTableABarEndsAnAddress() {
        let out = html("| site | note |\n|---|---|\n| https://example.com/a| b |\n")
        XCTAssertTrue(out.contains("<td>\n<a href=\"https://example.com/a\">https://example.com/a</a>\n</td>\n<td>\nb\n</td>"), out)
    }

    // MARK: In a site, and not in `waymark render`

    func testWaymarkRenderStaysCommonMark() {
        let markdown = "- [ ] task\n\n~~gone~~ ==lit== https://example.com\n"
        XCTAssertEqual(StandaloneRender.html(markdown: markdown, unsafe: false, headingAnchors: false),
                       "<ul>\n<li>[ ] task</li>\n</ul>\n<p>~~gone~~ ==lit== https://example.com</p>\n")
        XCTAssertEqual(html(markdown, extensions: false), "<ul>\n<li>[ ] task</li>\n</ul>\n<p>~~gone~~ ==lit== https://example.com</p>\n")
    }

    /// A glossary word inside a bare address is part of the address: the address is linked, the word
    /// is not (a link inside a link); the same word in the sentence is.
    func testGlossaryWordsInsideAnAddressAreNotLinked() throws {
        var files = GlossaryTests.terms
        files["content/notes.md"] = "---\ntitle: Notes\n---\nSee https://example.com/target-group/ for the target group.\n"
        let s = try TempSite(files, templates: nil)
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        let page = try XCTUnwrap(s.html("notes/index.html"))
        XCTAssertTrue(page.contains(#"<p>See <a href="https://example.com/target-group/">https://example.com/target-group/</a> for the <a href="/glossary/persona/" class="term-link">target group</a>.</p>"#), page)
    }

    // MARK: Footnotes

    private func ref(_ n: Int, first: Bool = true) -> String {
        "<sup class=\"footnote-ref\"><a href=\"#wm-fn-\(n)\"" + (first ? " id=\"wm-fnref-\(n)\"" : "") + " aria-describedby=\"wm-footnotes-title\">\(n)</a></sup>"
    }

    private func back(_ n: Int) -> String {
        " <a href=\"#wm-fnref-\(n)\" class=\"footnote-back\" aria-label=\"Back to the text of note \(n)\">↩\u{FE0E}</a>"
    }

    func testFootnotesAreNumberedByFirstReferenceAndListedAtTheEnd() {
        let markdown = """
            Six of ten matched.[^Survey] The order never did[^order], as the survey says.[^survey]

            A claim with no note.[^none] `[^order]` in code.

            [^order]: Kendall's tau of **0.2**,
              on two lines.
            [^survey]: Practice nurse survey, 2025.
            [^unused]: Never referred to.

            """
        XCTAssertEqual(html(markdown), """
            <p>Six of ten matched.\(ref(1)) The order never did\(ref(2)), as the survey says.\(ref(1, first: false))</p>
            <p>A claim with no note.[^none] <code>[^order]</code> in code.</p>
            <section class="footnotes" aria-labelledby="wm-footnotes-title">
            <h2 class="visually-hidden" id="wm-footnotes-title">Footnotes</h2>
            <ol>
            <li id="wm-fn-1">
            <p>Practice nurse survey, 2025.\(back(1))</p>
            </li>
            <li id="wm-fn-2">
            <p>Kendall's tau of <strong>0.2</strong>,
            on two lines.\(back(2))</p>
            </li>
            </ol>
            </section>

            """)
        // Without references, the notes are not shown; `waymark render` leaves them as written.
        XCTAssertEqual(html("Text.\n\n[^a]: A note.\n"), "<p>Text.</p>\n")
        XCTAssertEqual(html("Text.[^a]\n\n[^a]: A note.\n", extensions: false), "<p>Text.[^a]</p>\n<p>[^a]: A note.</p>\n")
    }

    /// In an embed the host page owns the ids: the numbers are not links and the notes have no ids,
    /// and an embedded section finds its notes at the end of its page.
    func testAnEmbeddedSectionShowsItsNotesWithoutIds() {
        var options = MarkdownBody.RenderOptions()
        options.headingAnchors = false
        options.section = "method"
        let body = MarkdownBody(text: "# Intro\n\nA.[^x]\n\n## Method\n\nB.[^y]\n\n## Later\n\n[^x]: Note x.\n[^y]: Note y.\n", path: "a.md", firstLine: 1)
        XCTAssertEqual(body.html(options), """
            <h2>Method</h2>
            <p>B.<sup class="footnote-ref">1</sup></p>
            <div class="footnotes">
            <ol>
            <li>
            <p>Note y.</p>
            </li>
            </ol>
            </div>

            """)
    }

    /// A reference without a note, and a note nothing refers to, are warnings where they are written;
    /// links in a note are checked and make backlinks like any other.
    func testFootnoteProblemsAreWarningsAndLinksInNotesAreChecked() throws {
        let s = try TempSite([
            "content/a.md": "---\ntitle: A\n---\nSee the survey.[^s] And this.[^missing]\n\n[^s]: From [[b]] and [[nowhere]].\n[^spare]: Unused.\n",
            "content/b.md": "---\ntitle: B\n---\nB.\n",
        ])
        let report = s.build()
        XCTAssertEqual(headlines(report.diagnostics).sorted(), [
            "content/a.md:4:30: warning: footnote `[^missing]` has no note: it is shown as written",
            "content/a.md:6:22: error: broken link [[nowhere]]: no such page or file",
            "content/a.md:7:1: warning: footnote `[^spare]` is never referred to: its note is left out of the page",
        ])
        try s.write("content/a.md", "---\ntitle: A\n---\nSee the survey.[^s]\n\n[^s]: From [[b]].\n")
        XCTAssertEqual(s.build().diagnostics, [])
        let b = try XCTUnwrap(s.html("b/index.html"))
        XCTAssertTrue(b.contains("From B"), "the note's sentence is B's backlink: \(b)")
        let a = try XCTUnwrap(s.html("a/index.html"))
        XCTAssertTrue(a.contains(#"<p>From <a href="/b/" class="wikilink wikilink-page">B</a>."#), a)
    }

    /// Listings, the feed and cards show a page's first paragraph as text: footnote references and
    /// the marks of strikethrough and highlights are left out there (the words stay).
    func testSummariesLeaveOutFootnoteReferencesAndMarks() {
        XCTAssertEqual(MarkdownExtensions.summaryText("Eight parents[^recruited] tried ~~PDF~~ ==sharing== it; a == b, ~~~ and 50 % off."),
                       "Eight parents tried PDF sharing it; a == b, ~~~ and 50 % off.")
        XCTAssertEqual(MarkdownExtensions.summaryText("Plain text."), "Plain text.")
        XCTAssertEqual(MarkdownExtensions.summaryText("[x] Draft the map."), "Draft the map.")
        // A backlink's sentence too.
        let links = MarkdownBody(text: "- [ ] Ask ~~two~~ three schools in [[journeys/school]].\n", path: "a.md", firstLine: 1).scan().links
        XCTAssertEqual(links.map(\.sentence), ["Ask two three schools in \(MarkdownBody.titleMark(Wikilink(target: "journeys/school", anchor: nil, label: nil, range: 0..<0)))."])
        let facts = MarkdownBody(text: "Eight parents[^r] tried ~~the PDF~~.\n\n[^r]: Recruited in clinics.\n", path: "a.md", firstLine: 1).scan()
        XCTAssertEqual(facts.firstParagraph, "Eight parents tried the PDF.")
    }
}
