import Foundation
import XCTest
@testable import Waymark

/// How every way of writing a link resolves, checked through whole tiny builds.
final class LinkResolutionTests: XCTestCase {
    /// A persona, a journey with stages and touchpoints, and a file, for links to point at.
    static let targets: [String: String] = [
        "content/personas/sam-parent.md": """
            ---
            title: Sam, a parent
            ---
            # Sam

            Sam looks after two children.

            ## Daily routine

            Mornings are busy.
            """,
        "content/journeys/asthma.md": """
            ---
            title: Asthma care
            personas: [personas/sam-parent]
            stages:
              - name: Diagnosis
                touchpoints:
                  - name: GP appointment
                    channel: in person
              - name: Living with asthma
            ---
            The reference journey.
            """,
        "content/files/map.pdf": "%PDF-1.4 not really a PDF\n",
    ]

    /// Builds `targets` plus `content/notes.md` with `body` (no front matter) and returns the notes page's HTML.
    private func notesHTML(_ body: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        var files = Self.targets
        files["content/notes.md"] = body
        let site = try TempSite(files)
        let report = site.build()
        assertNoDiagnostics(report, file: file, line: line)
        return try XCTUnwrap(site.html("notes/index.html"), "notes page not written", file: file, line: line)
    }

    private func check(_ files: [String: String]) throws -> BuildReport {
        var all = Self.targets
        all.merge(files) { _, new in new }
        return try TempSite(all).check()
    }

    // MARK: Wikilinks that resolve

    func testFullIdLinksToThePrettyURLWithTheTargetTitleAsLabel() throws {
        let html = try notesHTML("See [[personas/sam-parent]].\n")
        XCTAssertTrue(html.contains(#"<a href="/personas/sam-parent/" class="wikilink wikilink-persona">Sam, a parent</a>"#), html)
    }

    func testShortFileNameMatchesCaseInsensitively() throws {
        let html = try notesHTML("See [[Sam-Parent]] and [[ASTHMA]].\n")
        XCTAssertTrue(html.contains(#"<a href="/personas/sam-parent/""#), html)
        XCTAssertTrue(html.contains(#"<a href="/journeys/asthma/""#), html)
    }

    func testTitleMatchesCaseInsensitively() throws {
        let html = try notesHTML("See [[asthma care]].\n")
        XCTAssertTrue(html.contains(#"<a href="/journeys/asthma/" class="wikilink wikilink-journey">Asthma care</a>"#), html)
    }

    func testLabelAfterTheBarIsTheLinkText() throws {
        let html = try notesHTML("Ask [[personas/sam-parent|our parent]].\n")
        XCTAssertTrue(html.contains(#"<a href="/personas/sam-parent/" class="wikilink wikilink-persona">our parent</a>"#), html)
    }

    func testLabelIsEscaped() throws {
        let html = try notesHTML("Ask [[personas/sam-parent|Sam & \"co\" <3]].\n")
        XCTAssertTrue(html.contains(">Sam &amp; &quot;co&quot; &lt;3</a>"), html)
    }

    func testStageAnchorLinksToTheStageAndNamesIt() throws {
        let html = try notesHTML("Start at [[journeys/asthma#diagnosis]].\n")
        XCTAssertTrue(html.contains(#"<a href="/journeys/asthma/#diagnosis" class="wikilink wikilink-journey">Asthma care › Diagnosis</a>"#), html)
    }

    func testTouchpointAnchorIsStageSlashTouchpoint() throws {
        let html = try notesHTML("Book [[journeys/asthma#diagnosis/gp-appointment]].\n")
        XCTAssertTrue(html.contains(#"<a href="/journeys/asthma/#diagnosis/gp-appointment" class="wikilink wikilink-journey">Asthma care › Diagnosis › GP appointment</a>"#), html)
    }

    func testStageAnchorMayBeWrittenAsTheStageName() throws {
        let html = try notesHTML("Then [[journeys/asthma#Living with asthma]].\n")
        XCTAssertTrue(html.contains(#"href="/journeys/asthma/#living-with-asthma""#), html)
    }

    func testHeadingAnchorIsCheckedAndTheHeadingHasThatId() throws {
        var files = Self.targets
        files["content/notes.md"] = "Read [[personas/sam-parent#daily-routine]].\n"
        let site = try TempSite(files)
        assertNoDiagnostics(site.build())
        let notes = try XCTUnwrap(site.html("notes/index.html"))
        XCTAssertTrue(notes.contains(#"<a href="/personas/sam-parent/#daily-routine" class="wikilink wikilink-persona">Sam, a parent › Daily routine</a>"#), notes)
        let persona = try XCTUnwrap(site.html("personas/sam-parent/index.html"))
        XCTAssertTrue(containsHeading(persona, level: 2, id: "daily-routine", text: "Daily routine"), persona)
    }

    func testAnchorOnlyLinkStaysOnThePage() throws {
        let html = try notesHTML("# Notes\n\nJump to [[#next-steps]].\n\n## Next steps\n")
        XCTAssertTrue(html.contains(#"<a href="/notes/#next-steps" class="wikilink wikilink-page">Next steps</a>"#), html)
        XCTAssertTrue(containsHeading(html, level: 2, id: "next-steps", text: "Next steps"), html)
    }

    func testWikilinkInsideEmphasisAndHeadingsResolves() throws {
        let html = try notesHTML("Intro.\n\n## About [[personas/sam-parent|Sam]]\n\n*Ask [[asthma]] first.*\n")
        XCTAssertNotNil(html.range(of: #"<h2 id="about-sam">\s*About <a href="/personas/sam-parent/""#, options: .regularExpression), html)
        XCTAssertTrue(html.contains(#"<em>Ask <a href="/journeys/asthma/""#), html)
    }

    // MARK: Markdown links

    func testRelativeMarkdownLinksWithAndWithoutExtensionBecomePageURLs() throws {
        var files = Self.targets
        files["content/guides/start.md"] = """
            Read [Sam](../personas/sam-parent.md), [Sam again](../personas/sam-parent),
            [the routine](../personas/sam-parent.md#daily-routine) and [the notes](../notes.md).
            """
        files["content/notes.md"] = "Back to [the guide](guides/start.md).\n"
        let site = try TempSite(files)
        assertNoDiagnostics(site.build())
        let guide = try XCTUnwrap(site.html("guides/start/index.html"))
        XCTAssertTrue(guide.contains(#"<a href="/personas/sam-parent/">Sam</a>"#), guide)
        XCTAssertTrue(guide.contains(#"<a href="/personas/sam-parent/">Sam again</a>"#), guide)
        XCTAssertTrue(guide.contains(#"<a href="/personas/sam-parent/#daily-routine">the routine</a>"#), guide)
        XCTAssertTrue(guide.contains(#"<a href="/notes/">the notes</a>"#), guide)
        XCTAssertTrue(try XCTUnwrap(site.html("notes/index.html")).contains(#"<a href="/guides/start/">the guide</a>"#))
    }

    func testLinkToAFileUnderContentIsRewrittenAndTheFileIsCopied() throws {
        var files = Self.targets
        files["content/guides/start.md"] = "Print [the map](../files/map.pdf).\n"
        let site = try TempSite(files)
        assertNoDiagnostics(site.build())
        let guide = try XCTUnwrap(site.html("guides/start/index.html"))
        XCTAssertTrue(guide.contains(#"<a href="/files/map.pdf">the map</a>"#), guide)
        XCTAssertEqual(site.html("files/map.pdf"), "%PDF-1.4 not really a PDF\n")
    }

    func testExternalLinksAreLeftAlone() throws {
        let html = try notesHTML("[a](https://example.org/x.md) [b](mailto:kb@example.org) [c](//example.org/somewhere/)\n")
        XCTAssertTrue(html.contains(#"<a href="https://example.org/x.md">a</a>"#), html)
        XCTAssertTrue(html.contains(#"<a href="mailto:kb@example.org">b</a>"#), html)
        XCTAssertTrue(html.contains(#"<a href="//example.org/somewhere/">c</a>"#), html)
    }

    func testBaseURLPrefixesEveryLink() throws {
        var files = Self.targets
        files["waymark.yml"] = "baseURL: https://intranet.example/kb\n"
        files["content/notes.md"] = "See [[personas/sam-parent]] and [the map](files/map.pdf).\n"
        let site = try TempSite(files)
        assertNoDiagnostics(site.build())
        let html = try XCTUnwrap(site.html("notes/index.html"))
        XCTAssertTrue(html.contains(#"href="/kb/personas/sam-parent/""#), html)
        XCTAssertTrue(html.contains(#"href="/kb/files/map.pdf""#), html)
    }

    func testImagesUnderContentAreRewrittenButGiveNoBacklink() throws {
        var files = Self.targets
        files["content/files/sam.png"] = "not really a PNG"
        files["content/personas/sam-parent.md"] = "---\ntitle: Sam, a parent\n---\n![Sam](../files/sam.png)\n"
        let site = try TempSite(files)
        assertNoDiagnostics(site.build())
        let html = try XCTUnwrap(site.html("personas/sam-parent/index.html"))
        XCTAssertTrue(html.contains(#"<img src="/files/sam.png" alt="Sam" />"#), html)
        XCTAssertEqual(site.html("files/sam.png"), "not really a PNG")
    }

    func testNonASCIIFileNamesArePercentEncodedInURLs() throws {
        var files = Self.targets
        files["content/guides/café visit.md"] = "---\ntitle: Café visit\n---\nCoffee.\n"
        files["content/notes.md"] = "See [[café visit]].\n"
        let site = try TempSite(files)
        assertNoDiagnostics(site.build())
        XCTAssertNotNil(site.html("guides/café visit/index.html"))
        let html = try XCTUnwrap(site.html("notes/index.html"))
        XCTAssertTrue(html.contains(#"<a href="/guides/caf%C3%A9%20visit/" class="wikilink wikilink-page">Café visit</a>"#), html)
    }

    // MARK: Links that do not resolve

    func testBrokenImageIsAnError() throws {
        let report = try check(["content/notes.md": "![map](files/nowhere.png)\n"])
        XCTAssertEqual(headlines(report.diagnostics), ["content/notes.md:1:1: error: broken image `files/nowhere.png`: no such page or file"])
    }


    func testBrokenWikilinkIsAnErrorAtItsPositionWithSuggestion() throws {
        let report = try check(["content/notes.md": """
            ---
            title: Notes
            ---
            First line.
            See [[personas/sam-parnet]] here.
            """])
        XCTAssertEqual(report.diagnostics, [.error(SourceLocation(path: "content/notes.md", line: 5, column: 5),
                                                   "broken link [[personas/sam-parnet]]: no such page or file",
                                                   hint: "did you mean [[personas/sam-parent]]?")])
    }

    func testBrokenWikilinkOnALaterLineOfAParagraphHasThatLineAndColumn() throws {
        let report = try check(["content/notes.md": "First line of a paragraph\nand the second: [[nowhere]].\n"])
        XCTAssertEqual(headlines(report.diagnostics), ["content/notes.md:2:17: error: broken link [[nowhere]]: no such page or file"])
    }

    func testBrokenWikilinkInAListItemHasItsColumn() throws {
        let report = try check(["content/notes.md": "Intro.\n\n- one\n- two [[nowhere]]\n  - nested [[elsewhere]]\n"])
        XCTAssertEqual(headlines(report.diagnostics), [
            "content/notes.md:4:7: error: broken link [[nowhere]]: no such page or file",
            "content/notes.md:5:12: error: broken link [[elsewhere]]: no such page or file",
        ])
    }

    func testColumnCountsCharactersNotBytes() throws {
        let report = try check(["content/notes.md": "Café über [[nowhere]]\n"])
        XCTAssertEqual(headlines(report.diagnostics), ["content/notes.md:1:11: error: broken link [[nowhere]]: no such page or file"])
    }

    func testColumnIsRightAfterEntitiesAndEscapes() throws {
        // The source has `&amp;` and `\*`: five and two characters, though each reads as one.
        let report = try check(["content/notes.md": "Tom &amp; Jerry \\*say\\* [[nowhere]]\n"])
        XCTAssertEqual(headlines(report.diagnostics), ["content/notes.md:1:25: error: broken link [[nowhere]]: no such page or file"])
    }

    func testBrokenRelativeMarkdownLinkIsAnError() throws {
        let report = try check(["content/notes.md": "See [Sam](personas/sam.md).\n"])
        XCTAssertEqual(report.diagnostics.map(\.severity), [.error])
        XCTAssertEqual(report.diagnostics.first?.location, SourceLocation(path: "content/notes.md", line: 1, column: 5))
        XCTAssertEqual(report.diagnostics.first?.message, "broken link `personas/sam.md`: no such page or file")
    }

    func testBrokenAnchorIsAnErrorNamingTheAnchorAndThePage() throws {
        let report = try check(["content/notes.md": "See [[personas/sam-parent#routines]].\n"])
        XCTAssertEqual(headlines(report.diagnostics), [
            "content/notes.md:1:5: error: broken anchor [[personas/sam-parent#routines]]: `#routines` is not a heading, stage or touchpoint of `personas/sam-parent`",
        ])
    }

    /// A near miss is suggested the way the link was written (a Markdown link as a file path); with
    /// none, the hint lists the page's anchors, or says it has none.
    func testABrokenAnchorHintIsWrittenLikeTheLinkOrListsTheAnchors() throws {
        let report = try check([
            "content/guides/writing.md": "---\ntitle: W\n---\n## Preview while you write\n\n## Other\n",
            "content/plain.md": "---\ntitle: P\n---\nText.\n",
            "content/notes.md": "[a](guides/writing.md#othr), [b](guides/writing.md#preview), [[guides/writing#nope]], [[plain#x]].\n",
        ])
        XCTAssertEqual(report.diagnostics.map(\.hint), [
            "did you mean `guides/writing.md#other`?",
            "its anchors are #preview-while-you-write, #other",
            "its anchors are #preview-while-you-write, #other",
            "`plain` has no headings: link to the page itself, without `#…`",
        ], DiagnosticFormat.human.render(report.diagnostics))
    }

    /// A section of the same page is suggested as it was written: `[[#…]]` or `#…`, not with the page's id.
    func testABrokenAnchorOnTheSamePageIsSuggestedAsWritten() throws {
        let report = try check(["content/notes.md": "## Where it breaks\n\nSee [[#where-it-brakes]] and [x](#where-it-brakes).\n"])
        XCTAssertEqual(report.diagnostics.map(\.hint), ["did you mean [[#where-it-breaks]]?", "did you mean `#where-it-breaks`?"],
                       DiagnosticFormat.human.render(report.diagnostics))
    }

    /// A touchpoint named without its stage is suggested with it.
    func testATouchpointWithoutItsStageIsSuggestedWithIt() throws {
        let report = try check(["content/notes.md": "See [[journeys/asthma#gp-appointment]].\n"])
        XCTAssertEqual(report.diagnostics.map(\.hint), ["a touchpoint is named with its stage: did you mean [[journeys/asthma#diagnosis/gp-appointment]]?"],
                       DiagnosticFormat.human.render(report.diagnostics))
    }

    func testBrokenStageAnchorSuggestsTheClosestStage() throws {
        let report = try check(["content/notes.md": "See [[journeys/asthma#diagnosys]].\n"])
        XCTAssertEqual(report.diagnostics.count, 1)
        XCTAssertEqual(report.diagnostics.first?.hint, "did you mean [[journeys/asthma#diagnosis]]?")
    }

    func testBrokenAnchorInAMarkdownLinkIsAnError() throws {
        let report = try check(["content/notes.md": "See [Sam](personas/sam-parent.md#nowhere).\n"])
        XCTAssertEqual(report.diagnostics.map(\.severity), [.error])
        XCTAssertTrue(report.diagnostics.first?.message.contains("`#nowhere`") == true, "\(report.diagnostics)")
    }

    func testAmbiguousShortNameIsAnErrorListingBothCandidates() throws {
        let report = try check([
            "content/personas/alex.md": "---\ntitle: Alex the parent\n---\n",
            "content/departments/alex.md": "---\ntitle: Alex's team\n---\n",
            "content/notes.md": "Ask [[alex]].\n",
        ])
        XCTAssertEqual(headlines(report.diagnostics), [
            "content/notes.md:1:5: error: ambiguous link [[alex]] matches 2 pages: departments/alex, personas/alex",
        ])
        XCTAssertEqual(report.diagnostics.first?.hint, "write the full id, e.g. [[departments/alex]]")
    }

    func testBrokenLinksAreWarningsWhenTheSiteSaysSo() throws {
        var files = Self.targets
        files["waymark.yml"] = "links:\n  broken: warning\n"
        files["content/notes.md"] = "See [[nowhere]] and [[personas/sam-parent#nothing]] and [x](missing.md).\n"
        let site = try TempSite(files)
        let report = site.build()
        XCTAssertEqual(report.diagnostics.count, 3, DiagnosticFormat.human.render(report.diagnostics))
        XCTAssertEqual(Set(report.diagnostics.map(\.severity)), [.warning])
        XCTAssertTrue(report.wrote)
        // The unresolved wikilink stays readable as text.
        XCTAssertTrue(site.html("notes/index.html")?.contains("[[nowhere]]") == true)
    }

    func testBrokenLinksAsWarningsMayAlsoBeWrittenWithADottedKey() throws {
        var files = Self.targets
        files["waymark.yml"] = "links.broken: warning\n"
        files["content/notes.md"] = "See [[nowhere]].\n"
        let report = try TempSite(files).check()
        XCTAssertEqual(report.diagnostics.map(\.severity), [.warning])
    }

    // MARK: Not links

    func testWikilinksInCodeAreNotLinks() throws {
        let html = try notesHTML("""
            Write `[[personas/nowhere]]` to link.

            ```
            [[journeys/nowhere]]
            ```

                [[indented/nowhere]]
            """)
        XCTAssertTrue(html.contains("<code>[[personas/nowhere]]</code>"), html)
        XCTAssertTrue(html.contains("<pre><code>[[journeys/nowhere]]\n</code></pre>"), html)
        XCTAssertTrue(html.contains("<pre><code>[[indented/nowhere]]\n</code></pre>"), html)
    }

    func testWikilinkInsideAMarkdownLinkTextIsNotResolved() throws {
        let html = try notesHTML("[see [[nowhere]] here](https://example.org)\n")
        XCTAssertTrue(html.contains("[[nowhere]]"), html)
    }

    // MARK: Raw HTML

    func testRawHTMLIsEscapedByDefaultWithAWarning() throws {
        var files = Self.targets
        files["content/notes.md"] = "Intro.\n\n<script>alert(1)</script>\n\nSome <b>bold</b> words.\n"
        let site = try TempSite(files)
        let report = site.build()
        XCTAssertEqual(headlines(report.diagnostics), ["content/notes.md:3:1: warning: raw HTML is shown as text, here and on line 5"])
        let html = try XCTUnwrap(site.html("notes/index.html"))
        XCTAssertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), html)
        XCTAssertTrue(html.contains("&lt;b&gt;bold&lt;/b&gt;"), html)
        XCTAssertFalse(html.contains("<script"), html)
        XCTAssertFalse(html.contains("<b>"), html)
    }

    /// A comment on its own is a writer's note: left out of the page, not shown as text, no warning.
    /// A comment with text after it on its line is raw HTML like any other.
    func testHTMLCommentsAreLeftOutWithoutAWarning() throws {
        var files = Self.targets
        files["content/notes.md"] = "Intro <!-- inline note --> text.\n\n<!-- TODO: add photo\nsecond line -->\n\n<!-- a --> visible\n"
        let site = try TempSite(files)
        XCTAssertEqual(headlines(site.build().diagnostics), ["content/notes.md:6:1: warning: raw HTML is shown as text"])
        let html = try XCTUnwrap(site.html("notes/index.html"))
        XCTAssertFalse(html.contains("inline note") || html.contains("TODO") || html.contains("second line"), html)
        XCTAssertTrue(html.contains("<p>Intro  text.</p>"), html)
        XCTAssertTrue(html.contains("&lt;!-- a --&gt; visible"), html)
    }

    func testRawHTMLPassesThroughWhenTheSiteOptsIn() throws {
        var files = Self.targets
        files["waymark.yml"] = "markdown: {unsafe: true}\n"
        files["content/notes.md"] = "Intro.\n\n<script>alert(1)</script>\n\nSome <b>bold</b> words.\n"
        let site = try TempSite(files)
        assertNoDiagnostics(site.build())
        let html = try XCTUnwrap(site.html("notes/index.html"))
        XCTAssertTrue(html.contains("<script>alert(1)</script>"), html)
        XCTAssertTrue(html.contains("<b>bold</b>"), html)
    }

    /// The link is emptied, and the writer is told why it goes nowhere.
    func testJavascriptURLsAreNotEmittedAndTheWriterIsTold() throws {
        var files = Self.targets
        files["content/notes.md"] = "Open [the tracker](javascript:openTracker()) or ![chart](file:///c/chart.png).\n"
        let site = try TempSite(files)
        let report = site.build()
        XCTAssertEqual(headlines(report.diagnostics), [
            "content/notes.md:1:6: warning: link `javascript:openTracker()` is left out: `javascript:` addresses are not published",
            "content/notes.md:1:49: warning: image `file:///c/chart.png` is left out: `file:` addresses are not published",
        ])
        XCTAssertEqual(report.diagnostics.first?.hint, "link a page with [[…]] or a web address (https://…) instead")
        let html = try XCTUnwrap(site.html("notes/index.html"))
        XCTAssertFalse(html.contains("javascript:"), html)
        XCTAssertFalse(html.contains("file:"), html)
    }

    /// A short name that is nothing like any page must not suggest the home page (`[[]]`).
    func testNoSuggestionOfTheHomePageOrOfUnrelatedNames() throws {
        let site = try TempSite([
            "content/index.md": "---\ntitle: Home\n---\nWelcome.\n",
            "content/guides/notes.md": "---\ntitle: Notes\n---\nSee [[sam]] and [[note]].\n",
        ])
        let report = site.check()
        let hints = report.diagnostics.filter { $0.message.contains("[[sam]]") }.map { $0.hint ?? "" }
        XCTAssertEqual(hints.count, 1, DiagnosticFormat.human.render(report.diagnostics))
        XCTAssertFalse(hints.joined().contains("[[]]"), hints.joined())
        let near = report.diagnostics.first { $0.message.contains("[[note]]") }
        XCTAssertEqual(near?.hint, "did you mean [[guides/notes]]?")
    }

    /// A link by the first words of a title (`[[Priya]]` for "Priya, practice nurse") is no typo, but
    /// the page is plain to see: it is the suggestion when it is the only one, in the folder if one is named.
    func testALinkByATitlesFirstWordsSuggestsTheOnlyPageItBegins() throws {
        let site = try TempSite([
            "content/personas/priya-practice-nurse.md": "---\ntitle: Priya, practice nurse\n---\n",
            "content/personas/sam-parent.md": "---\ntitle: Sam, parent\n---\n",
            "content/personas/sam-teacher.md": "---\ntitle: Sam, teacher\n---\n",
            "content/guides/sam-notes.md": "---\ntitle: Notes\n---\n",
            "content/guides/notes.md": """
                ---
                title: Notes
                ---
                [[Priya]], [[personas/priya]], [[Priya practice]], [[guides/priya]], [[Sam]], [[personas/sam]], [[Pr]].
                """,
        ])
        let hints = site.check().diagnostics.map { "\($0.message): \($0.hint ?? "")" }
        XCTAssertEqual(hints, [
            "broken link [[Priya]]: no such page or file: did you mean [[personas/priya-practice-nurse]]?",
            "broken link [[personas/priya]]: no such page or file: did you mean [[personas/priya-practice-nurse]]?",
            "broken link [[Priya practice]]: no such page or file: did you mean [[personas/priya-practice-nurse]]?",
            // Not in the folder the link names.
            "broken link [[guides/priya]]: no such page or file: check the spelling, or create the page",
            // Three pages begin with "Sam": no guess (sam-notes is a file name beginning with it).
            "broken link [[Sam]]: no such page or file: check the spelling, or create the page",
            "broken link [[personas/sam]]: no such page or file: check the spelling, or create the page",
            // Too short to mean one page.
            "broken link [[Pr]]: no such page or file: check the spelling, or create the page",
        ])
    }

    /// A Markdown link's suggestion is a Markdown link, relative to the file it is in; a wikilink's a wikilink.
    func testASuggestionIsWrittenTheWayTheLinkWas() throws {
        let site = try TempSite([
            "content/personas/jordan-teen.md": "---\ntitle: Jordan\n---\n",
            "content/guides/notes.md": "See [Jordan](../personas/jordan-tean.md) and [[jordan-tean]].\n",
            "content/index.md": "See [Jordan](personas/jordan-tean.md).\n",
        ])
        XCTAssertEqual(site.check().diagnostics.map { $0.hint ?? "" }, [
            "did you mean `../personas/jordan-teen.md`?", "did you mean [[personas/jordan-teen]]?", "did you mean `personas/jordan-teen.md`?",
        ])
        // The right name in the wrong folder (written as if from content/): the file, relative to this one.
        let folder = try TempSite([
            "content/personas/sam-moving-house.md": "---\ntitle: Sam\n---\n",
            "content/notes/sub.md": "See [Sam](personas/sam-moving-house.md).\n",
        ])
        XCTAssertEqual(folder.check().diagnostics.map { $0.hint ?? "" }, ["did you mean `../personas/sam-moving-house.md`?"])
        XCTAssertEqual(ReferenceChecker.relativeFile("personas/sam.md", from: "guides/deep/notes.md"), "../../personas/sam.md")
        XCTAssertEqual(ReferenceChecker.relativeFile("guides/sam.md", from: "guides/notes.md"), "sam.md")
        XCTAssertEqual(ReferenceChecker.relativeFile("sam/index.md", from: "sam.md"), "sam/index.md")
    }

    /// A new name in a folder is no typo of another page in it: the shared folder does not make them close.
    func testANewNameInAFolderIsNotTakenForATypoOfItsNeighbour() throws {
        let site = try TempSite([
            "content/departments/service.md": "---\ntitle: Service\n---\n",
            "content/glossary/activation.md": "---\nterm: Activation\ndefinition: First use.\n---\n",
            "content/glossary/churn.md": "---\nterm: Churn\ndefinition: Leaving.\nowner: departments/finance\n"
                + "related: [glossary/conversion, glossary/activaton]\n---\n",
        ])
        let hints = Dictionary(site.check().diagnostics.map { ($0.message, $0.hint ?? "") }) { a, _ in a }
        XCTAssertEqual(hints["unknown department `departments/finance`"], "create content/departments/finance.md or fix the id")
        XCTAssertEqual(hints["unknown glossary term `glossary/conversion`"], "create content/glossary/conversion.md or fix the id")
        XCTAssertEqual(hints["unknown glossary term `glossary/activaton`"], "did you mean `glossary/activation`?")
    }

    // MARK: Links that still lead somewhere (from a writer's review)

    /// With `links.broken: warning`, a link to a page whose heading was renamed was written as the raw
    /// `target.md#old` address (a 404) or the wikilink as literal text: it now goes to the page.
    func testAStaleAnchorUnderBrokenWarningStillLinksThePage() throws {
        let site = try TempSite([
            "waymark.yml": "links: {broken: warning}\n",
            "content/target.md": "---\ntitle: Target\n---\n## Real heading\n",
            "content/src.md": "---\ntitle: Src\n---\n[renamed](target.md#old-heading) [[target#old-heading|see target]] [[target#old-heading]]\n",
        ])
        let report = site.build()
        XCTAssertEqual(report.diagnostics.errorCount, 0)
        XCTAssertEqual(report.diagnostics.filter { $0.message.hasPrefix("broken anchor") }.count, 3, DiagnosticFormat.human.render(report.diagnostics))
        let html = try XCTUnwrap(site.html("src/index.html"))
        XCTAssertTrue(html.contains(#"<a href="/target/#old-heading">renamed</a>"#), html)
        XCTAssertTrue(html.contains(#"href="/target/#old-heading" class="wikilink wikilink-page">see target</a>"#), html)
        XCTAssertTrue(html.contains(#"href="/target/#old-heading" class="wikilink wikilink-page">Target</a>"#), html)
        XCTAssertFalse(html.contains("[["), html)
    }

    /// A file's `#page=3` or `?v=2` is for the reader's viewer: it stays on the link, and
    /// `[[report.pdf#page=3]]` is the file (it was "no such page or file").
    func testAFilesFragmentAndQueryStayOnItsLink() throws {
        let site = try TempSite([
            "content/report.pdf": "%PDF",
            "content/pdf.md": "---\ntitle: Pdf\n---\n[p3](report.pdf#page=3) [q](report.pdf?v=2) [[report.pdf#page=3]] [[report.pdf#page=4|page 4]]\n",
        ])
        let report = site.build()
        assertNoDiagnostics(report)
        let html = try XCTUnwrap(site.html("pdf/index.html"))
        for href in [#"href="/report.pdf#page=3">p3"#, #"href="/report.pdf?v=2">q"#, #"href="/report.pdf#page=3" class="wikilink wikilink-file">report.pdf"#,
                     #"href="/report.pdf#page=4" class="wikilink wikilink-file">page 4"#] {
            XCTAssertTrue(html.contains(href), href + "\n" + html)
        }
    }

    /// A link from the site's root (`/target/`, `/target.md`) was left as written: not checked, and
    /// outside the site under a base URL. A page or file of the site is now linked as any other; the
    /// site's own files (search, feed) get the base URL; anything else is a warning, left as written.
    func testALinkFromTheSitesRootIsResolvedCheckedAndGivenTheBaseURL() throws {
        let site = try TempSite([
            "waymark.yml": "baseURL: /kb/\n",
            "content/index.md": "---\ntitle: Home\n---\nWelcome.\n",
            "content/target.md": "---\ntitle: Target\n---\n## Real heading\n",
            "content/images/map.png": "PNG",
            "content/guides/abs.md": """
                ---
                title: Abs
                ---
                [a](/target.md) [b](/target/#real-heading) [h](/) [s](/search/?q=churn) [f](/research/feed.xml)

                ![m](/images/map.png) [c](/no-such-page/) ![d](/missing.png) [w](//example.com/x)
                """,
        ])
        let report = site.build()
        XCTAssertEqual(report.diagnostics.errorCount, 0)
        XCTAssertEqual(headlines(report.diagnostics.filter { $0.severity == .warning }), [
            "content/guides/abs.md:6:23: warning: link `/no-such-page/` is not a page or file of this site: it is left as written",
            "content/guides/abs.md:6:43: warning: image `/missing.png` is not a page or file of this site: it is left as written",
        ])
        let html = try XCTUnwrap(site.html("guides/abs/index.html"))
        for expected in [#"<a href="/kb/target/">a</a>"#, #"<a href="/kb/target/#real-heading">b</a>"#, #"<a href="/kb/">h</a>"#,
                         #"<a href="/kb/search/?q=churn">s</a>"#, #"<a href="/kb/research/feed.xml">f</a>"#,
                         #"<img src="/kb/images/map.png" alt="m""#, #"<a href="/no-such-page/">c</a>"#, #"<a href="//example.com/x">w</a>"#] {
            XCTAssertTrue(html.contains(expected), expected + "\n" + html)
        }
        // A Markdown file's path from the root can only be a page of this site: broken, with a hint;
        // one to a draft says so.
        try site.write("content/guides/d.md", "---\ntitle: D\ndraft: true\n---\nD.\n")
        try site.write("content/guides/more.md", "---\ntitle: More\n---\n[x](/guides/aa.md) [y](/guides/d/)\n")
        XCTAssertEqual(headlines(site.build().diagnostics.filter { $0.location.path.hasSuffix("more.md") }), [
            "content/guides/more.md:4:1: error: broken link `/guides/aa.md`: no such page or file",
            "content/guides/more.md:4:20: error: link `/guides/d/` points to a draft, which this build leaves out",
        ])
        try site.remove("content/guides/more.md")
        XCTAssertEqual(site.build().diagnostics.errorCount, 0)
        // The root-relative link is a backlink like any other.
        XCTAssertTrue(try XCTUnwrap(site.html("target/index.html")).contains(#"href="/kb/guides/abs/""#))
    }


    /// `#top` is the top of any page in a browser: not a broken anchor.
    func testTopIsTheTopOfAnyPage() throws {
        let site = try TempSite([
            "content/target.md": "---\ntitle: Target\n---\n## Real heading\n",
            "content/src.md": "---\ntitle: Src\n---\n[up](#top) [[#top|up again]] [[target#top]] [there](target.md#top)\n",
        ])
        assertNoDiagnostics(site.build())
        let html = try XCTUnwrap(site.html("src/index.html"))
        for expected in [#"<a href="/src/#top">up</a>"#, #"href="/src/#top" class="wikilink wikilink-page">up again</a>"#,
                         #"href="/target/#top" class="wikilink wikilink-page">Target</a>"#, #"<a href="/target/#top">there</a>"#] {
            XCTAssertTrue(html.contains(expected), expected + "\n" + html)
        }
    }


    /// A touchpoint's anchor written with its stage's old name: the hint names the touchpoint under
    /// its stage's new name (it listed the stages, which never match a touchpoint's anchor).
    func testATouchpointUnderARenamedStageIsSuggestedByItsOwnName() throws {
        let report = try TempSite([
            "content/personas/sam.md": "---\ntitle: Sam\n---\n",
            "content/journeys/asthma.md": "---\ntitle: Asthma\npersonas: [sam]\nstages:\n  - name: Diagnosis and tests\n    touchpoints:\n"
                + "      - {name: GP appointment, channel: in person}\n---\nSee [[asthma#diagnosis/gp-appointment]].\n",
            "content/research/f.md": "---\ntitle: F\nmethod: survey\ndate: 2026-01-01\nsupports: [journeys/asthma#diagnosis/gp-appointment]\n---\n",
        ]).check()
        XCTAssertEqual(report.diagnostics.map { $0.hint ?? "" }, [
            "its stage has another name now: did you mean [[journeys/asthma#diagnosis-and-tests/gp-appointment]]?",
            "its stage has another name now: did you mean `journeys/asthma#diagnosis-and-tests/gp-appointment`?",
        ])
    }


    /// `[[index]]`, `[[guides/index]]` and `[[guides/README]]` name the folder's page (the home page
    /// at the top), as a folder's `index.md` or `README.md` is its page.
    func testAWikilinkToAnIndexFileIsItsFoldersPage() throws {
        let site = try TempSite([
            "content/index.md": "---\ntitle: Home\n---\nWelcome.\n",
            "content/guides/index.md": "---\ntitle: Guides\n---\nAll guides.\n",
            "content/guides/notes.md": "---\ntitle: Notes\n---\n[[index]], [[guides/index]] and [[guides/README]].\n",
        ])
        assertNoDiagnostics(site.build())
        let html = try XCTUnwrap(site.html("guides/notes/index.html"))
        XCTAssertTrue(html.contains(#"href="/" class="wikilink wikilink-home">Home</a>"#), html)
        XCTAssertEqual(html.components(separatedBy: #"href="/guides/" class="wikilink wikilink-page">Guides</a>"#).count - 1, 2, html)
    }


    /// `[review process]()` only reloads the page: a warning at the link (it passed silently).
    func testALinkWithNoAddressIsAWarning() throws {
        let report = try TempSite(["content/a.md": "# A\n\nSee [review process]() and ![x]().\n"]).check()
        XCTAssertEqual(headlines(report.diagnostics), ["content/a.md:3:5: warning: link has no address",
                                                       "content/a.md:3:28: warning: image has no address"])
    }


    /// `[[]]` and `[[|label]]` name nothing and stay as text: a warning at each (they passed silently);
    /// in code they are left alone.
    func testAnEmptyWikilinkIsAWarningAtItsPlace() throws {
        let report = try TempSite(["content/a.md": "# A\n\nSee [[]] and [[|x]] and [[a]] and `[[]]`.\n"]).check()
        XCTAssertEqual(headlines(report.diagnostics), ["content/a.md:3:5: warning: empty wikilink `[[]]` links nowhere: it is shown as written",
                                                       "content/a.md:3:14: warning: empty wikilink `[[|x]]` links nowhere: it is shown as written"])
    }

}
