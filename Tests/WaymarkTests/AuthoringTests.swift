import Foundation
import XCTest
@testable import Waymark
@testable import WaymarkServe

/// Writing like in Obsidian: callouts, embeds, tags and drafts.
final class AuthoringTests: XCTestCase {
    /// One Markdown body through the render step with no site around it.
    private func render(_ markdown: String) -> String {
        MarkdownBody(text: markdown, path: "content/x.md", firstLine: 1).html(.init())
    }

    /// The minimal theme plus tag templates that list what the tag pages know.
    static let templates: [String: String] = {
        var t = TempSite.minimalTemplates
        t["tags.mustache"] = """
            {{<layout}}{{$main}}<h1>{{page.title}}</h1>
            <ul class="tags">{{#tags.items}}<li><a href="{{url}}">{{title}}</a> {{count}}</li>
            {{/tags.items}}</ul>{{/main}}{{/layout}}

            """
        t["tag.mustache"] = """
            {{<layout}}{{$main}}<h1>{{page.title}}</h1>
            <ul class="tagged">{{#tag.items}}<li><a href="{{url}}">{{title}}</a></li>
            {{/tag.items}}</ul>{{/main}}{{/layout}}

            """
        return t
    }()

    // MARK: Callouts

    func testCalloutWithTheTypeAsTitle() {
        let html = render("> [!note]\n> Keep the *asthma plan* to hand.\n")
        XCTAssertTrue(html.contains("<div class=\"callout callout-note\" data-callout=\"note\" role=\"note\">"), html)
        XCTAssertTrue(html.contains("<p class=\"callout-title\"><span class=\"callout-icon\" aria-hidden=\"true\"></span><span class=\"callout-title-text\">Note</span></p>"), html)
        XCTAssertTrue(html.contains("<div class=\"callout-content\">\n<p>Keep the <em>asthma plan</em> to hand.</p>\n</div>"), html)
        XCTAssertFalse(html.contains("<blockquote>"), html)
        XCTAssertFalse(html.contains("[!note]"), html)
    }

    func testCalloutWithACustomTitle() {
        let html = render("> [!tip] Ask about the **spacer**\n> Most parents never get shown.\n")
        XCTAssertTrue(html.contains("callout callout-tip"), html)
        XCTAssertTrue(html.contains("<span class=\"callout-title-text\">Ask about the spacer</span>"), html)
        XCTAssertTrue(html.contains("<p>Most parents never get shown.</p>"), html)
    }

    func testFoldableCalloutsAreDetailsCollapsedOrOpen() {
        let collapsed = render("> [!warning]- Side effects\n> Hidden until opened.\n")
        XCTAssertTrue(collapsed.contains("<details class=\"callout callout-warning callout-foldable\" data-callout=\"warning\">"), collapsed)
        XCTAssertTrue(collapsed.contains("<summary class=\"callout-title\"><span class=\"callout-icon\" aria-hidden=\"true\"></span><span class=\"callout-title-text\">Side effects</span></summary>"), collapsed)
        XCTAssertTrue(collapsed.contains("</div>\n</details>"), collapsed)
        let open = render("> [!tip]+\n> Shown until closed.\n")
        XCTAssertTrue(open.contains("<details class=\"callout callout-tip callout-foldable\" data-callout=\"tip\" open>"), open)
        XCTAssertTrue(open.contains("<span class=\"callout-title-text\">Tip</span></summary>"), open)
    }

    func testObsidianTypesAndAliasesAndUnknownTypes() {
        let cases: [(String, String, String)] = [
            ("note", "note", "Note"), ("abstract", "abstract", "Abstract"), ("summary", "abstract", "Summary"), ("tldr", "abstract", "Tldr"),
            ("info", "info", "Info"), ("todo", "todo", "Todo"), ("tip", "tip", "Tip"), ("hint", "tip", "Hint"),
            ("important", "tip", "Important"), ("success", "success", "Success"), ("check", "success", "Check"), ("done", "success", "Done"),
            ("question", "question", "Question"), ("help", "question", "Help"), ("faq", "question", "Faq"),
            ("warning", "warning", "Warning"), ("caution", "warning", "Caution"), ("attention", "warning", "Attention"),
            ("failure", "failure", "Failure"), ("fail", "failure", "Fail"), ("missing", "failure", "Missing"),
            ("danger", "danger", "Danger"), ("error", "danger", "Error"), ("bug", "bug", "Bug"), ("example", "example", "Example"),
            ("quote", "quote", "Quote"), ("cite", "quote", "Cite"), ("WARNING", "warning", "Warning"),
            ("journey-note", "note", "Journey-note"),
        ]
        for (written, kind, title) in cases {
            let html = render("> [!\(written)]\n> Body.\n")
            XCTAssertTrue(html.contains("class=\"callout callout-\(kind)\" data-callout=\"\(written.lowercased())\""), "\(written): \(html)")
            XCTAssertTrue(html.contains("<span class=\"callout-title-text\">\(title)</span>"), "\(written): \(html)")
        }
    }

    func testNestedCalloutsListsAndLinksKeepWorking() throws {
        let site = try TempSite([
            "content/a.md": """
                ---
                title: A
                ---
                > [!example] Outer
                > - one [[b]]
                > - two [B](b.md)
                >
                > > [!danger]- Inner
                > > Still *Markdown* with [[b|a label]].
                > >
                > > > [!quote]
                > > > Deepest.

                """,
            "content/b.md": "---\ntitle: B\n---\nB.\n",
        ])
        assertNoDiagnostics(site.build())
        let html = try XCTUnwrap(site.html("a/index.html"))
        XCTAssertTrue(html.contains("<div class=\"callout callout-example\" data-callout=\"example\" role=\"note\">"), html)
        XCTAssertTrue(html.contains("<li>one <a href=\"/b/\" class=\"wikilink wikilink-page\">B</a></li>"), html)
        XCTAssertTrue(html.contains("<li>two <a href=\"/b/\">B</a></li>"), html)
        XCTAssertTrue(html.contains("<details class=\"callout callout-danger callout-foldable\" data-callout=\"danger\">"), html)
        XCTAssertTrue(html.contains("<p>Still <em>Markdown</em> with <a href=\"/b/\" class=\"wikilink wikilink-page\">a label</a>.</p>"), html)
        XCTAssertTrue(html.contains("<div class=\"callout callout-quote\" data-callout=\"quote\" role=\"note\">"), html)
        // Inner callouts sit inside the outer ones.
        let outer = try XCTUnwrap(html.range(of: "callout-example"))
        let inner = try XCTUnwrap(html.range(of: "callout-danger"))
        let deepest = try XCTUnwrap(html.range(of: "callout-quote"))
        XCTAssertTrue(outer.lowerBound < inner.lowerBound && inner.lowerBound < deepest.lowerBound)
        XCTAssertEqual(html.components(separatedBy: "</details>").count - 1, 1)
        XCTAssertFalse(html.contains("<blockquote>"), html)
    }

    /// A wikilink in a callout's title is a link, as in the body (it read as the bare id, unlinked);
    /// a tag beside it is still a tag.
    func testWikilinksInACalloutTitleAreLinks() throws {
        let site = try TempSite([
            "content/a.md": "---\ntitle: A\n---\n> [!note] See [[b]] and [[b|the B page]] #plans 1 < 2\n> Body.\n",
            "content/b.md": "---\ntitle: B\n---\nB.\n",
        ])
        assertNoDiagnostics(site.build())
        let html = try XCTUnwrap(site.html("a/index.html"))
        XCTAssertTrue(html.contains(#"<span class="callout-title-text">See <a href="/b/" class="wikilink wikilink-page">B</a> and "#
                                    + #"<a href="/b/" class="wikilink wikilink-page">the B page</a> <a href="/tags/plans/" class="tag" rel="tag">#plans</a> 1 &lt; 2</span>"#), html)
        XCTAssertTrue(try XCTUnwrap(site.html("b/index.html")).contains(#"href="/a/""#), "the title's link is a backlink")
    }

    /// Foam writes a link reference definition under a note for each of its wikilinks, for other
    /// Markdown tools; cmark made `[beta]` a link, and the page showed `[beta]` in brackets with the
    /// id as its text. Those definitions are left out; a definition no wikilink names stays.
    func testFoamsDefinitionsForItsWikilinksAreLeftOut() throws {
        let site = try TempSite([
            "content/notes/alpha.md": "# Alpha\n\nSee [[beta]], [[beta|the beta note]] and [the spec][spec].\n\n"
                + "[beta]: beta.md \"Beta\"\n[beta|the beta note]: beta.md \"Beta\"\n[spec]: https://example.org/spec\n",
            "content/notes/beta.md": "# Beta\n\nBody.\n",
        ])
        assertNoDiagnostics(site.build())
        let html = try XCTUnwrap(site.html("notes/alpha/index.html"))
        XCTAssertTrue(html.contains(#"<p>See <a href="/notes/beta/" class="wikilink wikilink-page">Beta</a>, "#
                                    + #"<a href="/notes/beta/" class="wikilink wikilink-page">the beta note</a> and <a href="https://example.org/spec">the spec</a>.</p>"#), html)
        XCTAssertEqual(SourceText.withoutWikilinkDefinitions("a [[x]]\n\n[x]: x.md\nlast\n"), "a [[x]]\n\n\nlast\n", "lines keep their numbers")
    }

    /// Obsidian block ids: `^key-finding` ending a paragraph or a list item leaves the text and is an
    /// anchor there, which `[[note#^key-finding]]` links to (the marker was shown, the link broken).
    func testObsidianBlockIdsAreAnchorsLinksLeadTo() throws {
        let site = try TempSite([
            "content/note.md": "# Note\n\nThe key finding is here. ^key-finding\n\n- a list item ^item-1\n\nNot a block ^ id and x^y.\n",
            "content/other.md": "# Other\n\nSee [[note#^key-finding]] and [[note#^item-1|the item]], [as Markdown](note.md#^item-1).\n",
        ])
        assertNoDiagnostics(site.build())
        let note = try XCTUnwrap(site.html("note/index.html"))
        XCTAssertTrue(note.contains(#"<p><span id="^key-finding"></span>The key finding is here.</p>"#), note)
        XCTAssertTrue(note.contains(#"<li><span id="^item-1"></span>a list item</li>"#), note)
        XCTAssertTrue(note.contains("<p>Not a block ^ id and x^y.</p>"), note)
        let other = try XCTUnwrap(site.html("other/index.html"))
        XCTAssertTrue(other.contains(#"<a href="/note/#%5Ekey-finding" class="wikilink wikilink-page">Note</a>"#), other)
        XCTAssertTrue(other.contains(#"<a href="/note/#%5Eitem-1" class="wikilink wikilink-page">the item</a>"#), other)
        // `^` is no URL character: written %5E, which browsers decode to find the id.
        XCTAssertTrue(other.contains(#"<a href="/note/#%5Eitem-1">as Markdown</a>"#), other)
        try site.write("content/other.md", "# Other\n\nSee [[note#^nope]].\n")
        XCTAssertEqual(site.build().diagnostics.errorCount, 1)
    }

    func testCalloutTitlesAreEscaped() {
        let html = render("> [!tip] <script>alert(1)</script> & \"quotes\" 'too'\n> Body.\n")
        XCTAssertTrue(html.contains("<span class=\"callout-title-text\">&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot; &#39;too&#39;</span>"), html)
        XCTAssertFalse(html.contains("<script"), html)
        let type = render("> [!x\"onmouseover=alert(1)]\n> Body.\n")
        XCTAssertFalse(type.contains("callout"), type)
        XCTAssertFalse(type.contains("onmouseover=alert(1)\""), type)
    }

    func testTitleOnlyCalloutAndQuotesThatAreNotCallouts() {
        let titleOnly = render("> [!info] Just a heads-up\n")
        XCTAssertTrue(titleOnly.contains("<span class=\"callout-title-text\">Just a heads-up</span></p>\n</div>"), titleOnly)
        XCTAssertFalse(titleOnly.contains("callout-content"), titleOnly)
        for quote in ["> Plain quote.\n", "> Text first [!note]\n", "> [!not a type]\n> Body.\n", "> [!]\n> Body.\n", "> [note]\n> Body.\n"] {
            let html = render(quote)
            XCTAssertTrue(html.contains("<blockquote>"), "\(quote): \(html)")
            XCTAssertFalse(html.contains("callout"), "\(quote): \(html)")
        }
    }

    func testCalloutBodyInTheExampleThemeBuilds() throws {
        let site = try TempSite(["content/a.md": "---\ntitle: A\n---\n> [!warning]- Careful\n> Body.\n"], templates: nil)
        assertNoDiagnostics(site.build())
        let html = try XCTUnwrap(site.html("a/index.html"))
        XCTAssertTrue(html.contains("<details class=\"callout callout-warning callout-foldable\""), html)
    }

    // MARK: Comments

    /// Obsidian hides `%%…%%` when a note is read: a remark there is never published. Code keeps
    /// its `%%`; lines inside a comment are emptied, so the lines after it keep their numbers.
    func testObsidianCommentsAreLeftOutButNotInCode() {
        let text = "Visible %%hidden remark%% text. `code %%kept%%` too.\n\n%%\nA block comment\n\nwith a blank line\n%%\n\n```\n%% fence %%\n```\n\n    %% indented %%\n\nAfter [[x]]\n"
        let (out, unclosed) = SourceText.withoutComments(text)
        XCTAssertNil(unclosed)
        XCTAssertEqual(out, "Visible  text. `code %%kept%%` too.\n\n\n\n\n\n\n\n```\n%% fence %%\n```\n\n    %% indented %%\n\nAfter [[x]]\n")
        XCTAssertEqual(out.split(separator: "\n", omittingEmptySubsequences: false).count, text.split(separator: "\n", omittingEmptySubsequences: false).count)
        XCTAssertEqual(SourceText.withoutComments("No comment, 50 % off.\n").text, "No comment, 50 % off.\n")
        let open = SourceText.withoutComments("Shown.\nÉtat %%to the end\nhidden\n")
        XCTAssertEqual(open.text, "Shown.\nÉtat \n\n")
        XCTAssertEqual(open.unclosed?.line, 2)
        XCTAssertEqual(open.unclosed?.column, 6, "a column in characters, not bytes")
    }

    func testACommentIsNotPublishedAndOneNeverClosedIsAWarning() throws {
        let site = try TempSite(["content/a.md": "---\ntitle: A\n---\nShown. %%Client: ACME, do not publish%%\n\nLater %%forgot to close\n\n[[nowhere]]\n"], templates: nil)
        let report = site.build()
        // The broken link is inside the comment that never closes: hidden, so not checked.
        XCTAssertEqual(headlines(report.diagnostics), ["content/a.md:6:7: warning: this `%%` comment is never closed: the rest of the page is hidden, as in Obsidian"])
        let html = try XCTUnwrap(site.html("a/index.html"))
        XCTAssertFalse(html.contains("ACME"), html)
        XCTAssertFalse(html.contains("forgot"), html)
        XCTAssertTrue(html.contains("<p>Shown.</p>"), html)
    }

    // MARK: Embeds

    static let embedSite: [String: String] = [
        "content/guides/host.md": """
            ---
            title: Host
            ---
            Before the embeds.

            ![[guides/source]]

            ![[source#Preparing a visit]]

            After.

            """,
        "content/guides/source.md": """
            ---
            title: Source page
            ---
            # Source page

            Read [the plan](plan.md) and [[guides/plan|the plan again]].

            ## Preparing a visit

            Bring the inhaler.

            ### Questions to ask

            Ask about the spacer.

            ## After the visit

            Not in the section.

            """,
        "content/guides/plan.md": "---\ntitle: Plan\n---\nThe plan.\n",
    ]

    func testEmbedShowsThePageWithItsOwnLinksResolvedAndALinkToItsSource() throws {
        let site = try TempSite(Self.embedSite)
        assertNoDiagnostics(site.build())
        let html = try XCTUnwrap(site.html("guides/host/index.html"))
        XCTAssertTrue(html.contains("<figure class=\"embed\" data-embed=\"guides/source\">\n<figcaption class=\"embed-source\">From <a href=\"/guides/source/\">Source page</a></figcaption>"), html)
        // `plan.md` is relative to the source page's file, and the wikilink resolves from there too.
        XCTAssertTrue(html.contains("Read <a href=\"/guides/plan/\">the plan</a> and <a href=\"/guides/plan/\" class=\"wikilink wikilink-page\">the plan again</a>."), html)
        // The source's own title heading is not repeated, and embedded headings get no ids of their own.
        XCTAssertFalse(html.contains("<h1>\nSource page"), html)
        XCTAssertTrue(html.contains("<h2>Preparing a visit</h2>"), html)
        XCTAssertFalse(html.contains("id=\"preparing-a-visit\""), html)
        XCTAssertTrue(html.contains("<p>Not in the section.</p>"), html)
    }

    func testSectionEmbedStopsAtTheNextHeadingOfTheSameLevel() throws {
        let site = try TempSite(Self.embedSite)
        assertNoDiagnostics(site.build())
        let html = try XCTUnwrap(site.html("guides/host/index.html"))
        let start = try XCTUnwrap(html.range(of: "data-embed=\"guides/source#preparing-a-visit\""))
        let section = String(html[start.lowerBound...].prefix(while: { _ in true }))
        let end = try XCTUnwrap(section.range(of: "</figure>"))
        let embedded = String(section[..<end.lowerBound])
        XCTAssertTrue(embedded.contains("From <a href=\"/guides/source/#preparing-a-visit\">Source page › Preparing a visit</a>"), embedded)
        XCTAssertTrue(embedded.contains("<h2>Preparing a visit</h2>\n<p>Bring the inhaler.</p>\n<h3>Questions to ask</h3>\n<p>Ask about the spacer.</p>"), embedded)
        XCTAssertFalse(embedded.contains("After the visit"), embedded)
        XCTAssertFalse(embedded.contains("Read "), embedded)
    }

    /// An embed under a heading of the host takes its place in the host's outline: the embedded
    /// section's h2 under the host's "## Evidence" becomes an h3, its h3 an h4 (a screen reader listed
    /// them as peers of the host's sections).
    func testEmbeddedHeadingsGoBelowTheHostsHeading() throws {
        var files = Self.embedSite
        files["content/guides/host.md"] = "---\ntitle: Host\n---\n## Evidence\n\n![[source#Preparing a visit]]\n\n## Next\n\nText.\n"
        let site = try TempSite(files)
        assertNoDiagnostics(site.build())
        let html = try XCTUnwrap(site.html("guides/host/index.html"))
        XCTAssertTrue(html.contains("<h3>Preparing a visit</h3>\n<p>Bring the inhaler.</p>\n<h4>Questions to ask</h4>"), html)
        XCTAssertTrue(html.contains("<h2 id=\"next\">"), html)
    }

    func testAPageOpeningWithAnEmbedTakesItsSummaryFromItsOwnText() throws {
        let file = ContentFile(relativePath: "guides/host.md", url: URL(fileURLWithPath: "/dev/null"), kind: .markdown)
        let (page, diagnostics) = PageLoader.load(file, data: Data("---\ntitle: Host\n---\n![[guides/plan]]\n\nThe host's own words.\n".utf8))
        XCTAssertEqual(diagnostics, [])
        XCTAssertEqual(page?.facts.firstParagraph, "The host's own words.")
    }

    func testEmbeddingCountsAsALinkForBacklinks() throws {
        let site = try TempSite(Self.embedSite)
        assertNoDiagnostics(site.build())
        let html = try XCTUnwrap(site.html("guides/source/index.html"))
        XCTAssertTrue(html.contains("<section class=\"backlinks\"><h2>Embedded in</h2>"), html)
        XCTAssertTrue(html.contains("<a href=\"/guides/host/\">Host</a>"), html)
        let graph = try XCTUnwrap(site.html("graph.json"))
        XCTAssertTrue(graph.contains("\"source\":\"guides/host\",\"target\":\"guides/source\",\"type\":\"embeds\"") ||
                      graph.contains("\"source\": \"guides/host\", \"target\": \"guides/source\", \"type\": \"embeds\""), graph)
    }

    func testEmbedCycleIsAnErrorAtTheEmbedNamingTheCycle() throws {
        let site = try TempSite([
            "content/a.md": "---\ntitle: A\n---\nIntro.\n\n![[b]]\n",
            "content/b.md": "---\ntitle: B\n---\nB text.\n\n![[c]]\n",
            "content/c.md": "---\ntitle: C\n---\n  ![[a]]\n",
        ])
        let report = site.build()
        XCTAssertEqual(headlines(report.diagnostics), ["content/a.md:6:1: error: embeds form a cycle: a → b → c → a"])
        XCTAssertFalse(report.wrote)
    }

    func testSelfEmbedIsAnErrorButAnotherSectionOfTheSamePageIsFine() throws {
        let site = try TempSite(["content/a.md": "---\ntitle: A\n---\nText.\n\n![[a]]\n"])
        XCTAssertEqual(headlines(site.check().diagnostics), ["content/a.md:6:1: error: `a` embeds itself: a → a"])
        // Section Two holds an embed of the whole page, which holds section Two again (and itself).
        let viaSection = try TempSite(["content/a.md": "---\ntitle: A\n---\n## One\n\n![[#two]]\n\n## Two\n\n![[a]]\n"])
        XCTAssertEqual(headlines(viaSection.check().diagnostics), ["content/a.md:6:1: error: embeds form a cycle: a → a#two → a",
                                                                   "content/a.md:10:1: error: `a` embeds itself: a → a"])
        let inside = try TempSite(["content/a.md": "---\ntitle: A\n---\n## One\n\n![[#one]]\n"])
        XCTAssertEqual(headlines(inside.check().diagnostics), ["content/a.md:6:1: error: `a#one` embeds itself: a#one → a#one"])
        let fine = try TempSite(["content/a.md": "---\ntitle: A\n---\n## One\n\n![[#two]]\n\n## Two\n\nSecond section.\n"])
        assertNoDiagnostics(fine.build())
        let html = try XCTUnwrap(fine.html("a/index.html"))
        XCTAssertTrue(html.contains("<h3>Two</h3>\n<p>Second section.</p>"), "embedded under One, below it: \(html)")
    }

    func testEmbedsNestedTooDeepAreAnError() throws {
        var files: [String: String] = [:]
        let count = EmbedGraph.maxDepth + 2
        for n in 0..<count {
            files["content/p\(n).md"] = "---\ntitle: P\(n)\n---\nPage \(n).\n" + (n + 1 < count ? "\n![[p\(n + 1)]]\n" : "")
        }
        let site = try TempSite(files)
        let report = site.check()
        XCTAssertEqual(report.diagnostics.errorCount, 1, DiagnosticFormat.human.render(report.diagnostics))
        XCTAssertEqual(report.diagnostics.first?.location.path, "content/p0.md")
        XCTAssertTrue(report.diagnostics.first?.message.contains("more than \(EmbedGraph.maxDepth)") == true, "\(report.diagnostics)")
    }

    func testMissingEmbedTargetOrHeadingIsAnErrorWithAHint() throws {
        var files = Self.embedSite
        files["content/guides/host.md"] = "---\ntitle: Host\n---\n![[guides/sorce]]\n\n![[guides/source#Preparing a vist]]\n"
        let report = try TempSite(files).check()
        XCTAssertEqual(headlines(report.diagnostics), [
            "content/guides/host.md:4:1: error: broken embed ![[guides/sorce]]: no such page or file",
            "content/guides/host.md:6:1: error: broken embed ![[guides/source#Preparing a vist]]: `#Preparing a vist` is not a heading, stage or touchpoint of `guides/source`",
        ])
        XCTAssertEqual(report.diagnostics.map(\.hint), ["did you mean ![[guides/source]]?", "did you mean ![[guides/source#preparing-a-visit]]?"])
    }

    func testBlockEmbedShowsTheParagraphOrListItemWithThatID() throws {
        let site = try TempSite([
            "content/notes/interviews.md": """
                ---
                title: Interviews
                ---
                Parents call the nurse line first. ^first-call

                - The cap does not pair with the phone. ^pairing
                  - Seen in four of six homes.
                - Refills run out on weekends.

                Not embedded.

                """,
            "content/host.md": "---\ntitle: Host\n---\n![[notes/interviews#^first-call]]\n\n![[notes/interviews#^pairing]]\n",
        ])
        assertNoDiagnostics(site.build())
        let html = try XCTUnwrap(site.html("host/index.html"))
        XCTAssertTrue(html.contains("<figure class=\"embed\" data-embed=\"notes/interviews#^first-call\">\n"
                                    + "<figcaption class=\"embed-source\">From <a href=\"/notes/interviews/#%5Efirst-call\">Interviews</a></figcaption>\n"
                                    + "<div class=\"embed-content\">\n<p>Parents call the nurse line first.</p>\n</div>"), html)
        // A list item comes with what is nested in it, and without its neighbours.
        XCTAssertTrue(html.contains("<ul>\n<li>The cap does not pair with the phone.\n<ul>\n<li>Seen in four of six homes.</li>\n</ul>\n</li>\n</ul>"), html)
        XCTAssertFalse(html.contains("Refills"), html)
        XCTAssertFalse(html.contains("Not embedded"), html)
        XCTAssertFalse(html.contains("^pairing<"), html)
        // The embedded page lists the host, as for any embed.
        XCTAssertTrue(try XCTUnwrap(site.html("notes/interviews/index.html")).contains("Embedded in"))
    }

    /// A list item's nested lines can hold an embed: a block embedding a block that embeds it back is
    /// a cycle, reported like any other; an embed beside the block, not in it, is none.
    func testEmbedsInsideABlockAreCheckedForCycles() throws {
        let site = try TempSite([
            "content/a.md": "---\ntitle: A\n---\n- Item A ^a\n\n  ![[b#^b]]\n\n![[b#^b]]\n",
            "content/b.md": "---\ntitle: B\n---\n- Item B ^b\n\n  ![[a#^a]]\n- Item C ^c\n\n![[a#^a]]\n",
            "content/c.md": "---\ntitle: C\n---\nA paragraph. ^p\n\n![[c#^p]]\n",
        ])
        XCTAssertEqual(headlines(site.check().diagnostics), ["content/b.md:6:3: error: embeds form a cycle: b#^b → a#^a → b#^b"])
        // The item no longer embeds back: only the embeds outside the blocks remain, and they are fine.
        try site.write("content/b.md", "---\ntitle: B\n---\n- Item B ^b\n\n  [[a#^a]]\n- Item C ^c\n\n![[a#^a]]\n")
        assertNoDiagnostics(site.build())
        XCTAssertTrue(try XCTUnwrap(site.html("a/index.html")).contains("Item B"))
    }

    func testAMissingBlockIDInAnEmbedIsAnError() throws {
        let site = try TempSite([
            "content/notes.md": "---\ntitle: Notes\n---\nA finding. ^finding\n\n1. Call\n2. Wait ^wait\n",
            "content/host.md": "---\ntitle: Host\n---\n![[notes#^findng]]\n\n![[notes#^wait]]\n",
        ])
        let report = site.check()
        XCTAssertEqual(headlines(report.diagnostics), ["content/host.md:4:1: error: broken embed ![[notes#^findng]]: `#^findng` is not a block id of `notes`"])
        XCTAssertEqual(report.diagnostics.map(\.hint), ["did you mean ![[notes#^finding]]?"])
        // Fixed, the numbered step keeps its number.
        try site.write("content/host.md", "---\ntitle: Host\n---\n![[notes#^finding]]\n\n![[notes#^wait]]\n")
        assertNoDiagnostics(site.build())
        XCTAssertTrue(try XCTUnwrap(site.html("host/index.html")).contains("<ol start=\"2\">\n<li>Wait</li>\n</ol>"))
    }

    func testEmbedOfAStageIsAnError() throws {
        let site = try TempSite([
            "content/journeys/asthma.md": "---\ntitle: Asthma\npersonas: []\nstages: [{name: Diagnosis}]\n---\nText.\n",
            "content/a.md": "---\ntitle: A\n---\n![[journeys/asthma#diagnosis]]\n",
        ])
        let report = site.check()
        XCTAssertEqual(report.diagnostics.errorCount, 1, DiagnosticFormat.human.render(report.diagnostics))
        XCTAssertTrue(headlines(report.diagnostics).first?.hasPrefix("content/a.md:4:1: error: broken embed ![[journeys/asthma#diagnosis]]: `#diagnosis` is not a heading") == true,
                      "\(headlines(report.diagnostics))")
    }

    func testEmbedInsideASentenceIsALinkWithAWarning() throws {
        var files = Self.embedSite
        files["content/guides/host.md"] = "---\ntitle: Host\n---\nSee ![[guides/plan]] first.\n"
        let site = try TempSite(files)
        let report = site.build()
        XCTAssertEqual(headlines(report.diagnostics), ["content/guides/host.md:4:5: warning: an embed inside a sentence is shown as a link"])
        let html = try XCTUnwrap(site.html("guides/host/index.html"))
        XCTAssertTrue(html.contains("<p>See <a href=\"/guides/plan/\" class=\"wikilink wikilink-page\">Plan</a> first.</p>"), html)
    }

    func testImageEmbeds() throws {
        let site = try TempSite([
            "content/a.md": "---\ntitle: A\n---\n![[journey-map.png]]\n\nInline ![[files/journey-map.png|The map]] and ![[journey-map.png|320]].\n",
        ])
        try site.write("content/files/journey-map.png", data: Data([0x89, 0x50, 0x4E, 0x47]))
        assertNoDiagnostics(site.build())
        let html = try XCTUnwrap(site.html("a/index.html"))
        XCTAssertTrue(html.contains("<p class=\"embed-image\"><img src=\"/files/journey-map.png\" alt=\"journey map\" loading=\"lazy\"></p>"), html)
        XCTAssertTrue(html.contains("Inline <img src=\"/files/journey-map.png\" alt=\"The map\" loading=\"lazy\"> and <img src=\"/files/journey-map.png\" alt=\"journey map\" width=\"320\" loading=\"lazy\">."), html)
        let missing = try TempSite(["content/a.md": "---\ntitle: A\n---\n![[nowhere.png]]\n"])
        XCTAssertEqual(headlines(missing.check().diagnostics), ["content/a.md:4:1: error: broken embed ![[nowhere.png]]: no such page or file"])
    }

    func testEmbeddedContentIsEscapedLikeAnyPage() throws {
        let site = try TempSite([
            "content/a.md": "---\ntitle: A\n---\n![[b]]\n",
            "content/b.md": "---\ntitle: \"<img src=x onerror=alert(1)>\"\n---\nRaw <script>alert(1)</script> here.\n",
        ])
        let report = site.build()
        XCTAssertFalse(report.diagnostics.hasErrors, DiagnosticFormat.human.render(report.diagnostics))
        let html = try XCTUnwrap(site.html("a/index.html"))
        XCTAssertFalse(html.contains("<script>"), html)
        XCTAssertFalse(html.contains("<img src=x"), html)
        XCTAssertTrue(html.contains("From <a href=\"/b/\">&lt;img src=x onerror=alert(1)&gt;</a>"), html)
    }

    // MARK: Tags

    func testInlineTagRules() {
        func names(_ text: String, boundary: Bool = true) -> [String] { InlineTag.scan(text, boundaryBefore: boundary).map(\.name) }
        XCTAssertEqual(names("#onboarding and #follow-up, #night_cough #research/interviews."), ["onboarding", "follow-up", "night_cough", "research/interviews"])
        XCTAssertEqual(names("#2025 #1984a #y1984 #élan"), ["1984a", "y1984", "élan"])
        XCTAssertEqual(names("a#b c##d #/x #- #_x"), ["-", "_x"].filter { !TagName.slug($0).isEmpty })
        XCTAssertEqual(names("#tag", boundary: false), [])
        XCTAssertEqual(names("end #a/."), ["a"])
        XCTAssertEqual(TagName.slug("Research/Interviews"), "research/interviews")
        XCTAssertEqual(TagName.slug("Follow_up"), TagName.slug("follow-up"))
        XCTAssertEqual(TagName.clean(" #Onboarding "), "Onboarding")
    }

    static let tagSite: [String: String] = [
        "content/a.md": """
            ---
            title: Alpha
            tags: [onboarding, "#Research/Interviews"]
            ---
            Intro with #night-cough and **#bold-tag**.

            - list item #in-list

            `#in-code` and [a link #in-link](b.md) and <https://example.com/#in-autolink> and https://example.com/#in-url
            and [[b|#in-wikilink]] and #2025 and x#glued.

            ```
            #in-code-block
            ```

            ## Heading #in-heading

            # not-a-heading-tag

            """,
        "content/b.md": "---\ntitle: Beta\ntags: onboarding\n---\nAlso about #Night-Cough.\n",
        "content/c.md": "---\ntitle: Gamma\n---\nNo tags here.\n",
    ]

    func testTagsFromFrontMatterAndTextButNotFromCodeLinksURLsOrHeadings() throws {
        let site = try TempSite(Self.tagSite, templates: Self.templates)
        assertNoDiagnostics(site.build())
        let a = try XCTUnwrap(site.html("a/index.html"))
        XCTAssertTrue(a.contains("<dt>Tags</dt><dd><a href=\"/tags/onboarding/\">#onboarding</a></dd><dd><a href=\"/tags/research/interviews/\">#Research/Interviews</a></dd><dd><a href=\"/tags/night-cough/\">#Night-Cough</a></dd><dd><a href=\"/tags/bold-tag/\">#bold-tag</a></dd><dd><a href=\"/tags/in-list/\">#in-list</a></dd>"), a)
        XCTAssertTrue(a.contains("Intro with <a href=\"/tags/night-cough/\" class=\"tag\" rel=\"tag\">#night-cough</a> and <strong><a href=\"/tags/bold-tag/\" class=\"tag\" rel=\"tag\">#bold-tag</a></strong>."), a)
        XCTAssertTrue(a.contains("<li>list item <a href=\"/tags/in-list/\" class=\"tag\" rel=\"tag\">#in-list</a></li>"), a)
        for word in ["in-code", "in-link", "in-autolink", "in-url", "in-wikilink", "2025", "glued", "in-code-block", "in-heading", "not-a-heading-tag"] {
            XCTAssertNil(site.html("tags/\(word)/index.html"), "#\(word) made a tag page")
            XCTAssertFalse(a.contains("/tags/\(word)/"), "#\(word) was linked")
        }
        let expected = ["bold-tag", "in-list", "night-cough", "onboarding", "research", "research/interviews"]
        let pages = snapshot(site.output).keys.filter { $0.hasPrefix("tags/") }.sorted()
        XCTAssertEqual(pages, (["tags/index.html"] + expected.map { "tags/\($0)/index.html" }).sorted())
    }

    /// `tags: interviews, parents` is one text in YAML but two tags to a writer (and to Obsidian); so is `tags: "#a #b"`.
    func testTagsWrittenAsOneTextWithCommasOrHashesAreSeveral() throws {
        let site = try TempSite([
            "content/a.md": "---\ntitle: A\ntags: interviews, parents\n---\nA.\n",
            "content/b.md": "---\ntitle: B\ntags: \"#night-cough #school\"\n---\nB.\n",
            "content/c.md": "---\ntitle: C\ntags: [\"#triage\", customer journey]\n---\nC.\n",
        ])
        assertNoDiagnostics(site.build())
        for tag in ["interviews", "parents", "night-cough", "school", "triage", "customer-journey"] {
            XCTAssertNotNil(site.html("tags/\(tag)/index.html"), tag)
        }
        XCTAssertNil(site.html("tags/interviews-parents/index.html"))
        // Spaces split only a list of #tags; commas split words with spaces in them.
        try site.write("content/c.md", "---\ntitle: C\ntags: customer journey, #x\n---\nC.\n")
        // ` #x` is a YAML comment: the tag is lost, and the writer is told.
        XCTAssertEqual(headlines(site.build().diagnostics),
                       ["content/c.md:3:25: warning: `tags:` is only `customer journey,`: YAML reads ` #` and the rest of the line as a comment"])
        XCTAssertNotNil(site.html("tags/customer-journey/index.html"))
        XCTAssertNil(site.html("tags/customer/index.html"))
    }

    func testTagsNextToWikilinksAreFoundWhenLoadingAndRendering() throws {
        let site = try TempSite([
            "content/a.md": "---\ntitle: A\n---\nAsk in `#channel`, then [[b]] #after and [x]#glued [[b]]#glued2 #real [[b]] #second.\n",
            "content/b.md": "---\ntitle: B\n---\nB.\n",
        ], templates: Self.templates)
        assertNoDiagnostics(site.build())
        let a = try XCTUnwrap(site.html("a/index.html"))
        XCTAssertTrue(a.contains("Ask in <code>#channel</code>, then <a href=\"/b/\" class=\"wikilink wikilink-page\">B</a> <a href=\"/tags/after/\" class=\"tag\" rel=\"tag\">#after</a> and [x]#glued <a href=\"/b/\" class=\"wikilink wikilink-page\">B</a>#glued2 <a href=\"/tags/real/\" class=\"tag\" rel=\"tag\">#real</a> <a href=\"/b/\" class=\"wikilink wikilink-page\">B</a> <a href=\"/tags/second/\" class=\"tag\" rel=\"tag\">#second</a>."), a)
        let pages = snapshot(site.output).keys.filter { $0.hasPrefix("tags/") }.sorted()
        XCTAssertEqual(pages, ["tags/after/index.html", "tags/index.html", "tags/real/index.html", "tags/second/index.html"])
    }

    /// Whether a `#` starts a tag depends on what ends the text before it, also across emphasis and
    /// when that text ends in a letter beyond ASCII (the render step reads it from cmark in place).
    func testATagNeedsSpaceBeforeItAcrossEmphasisAndLettersBeyondASCII() throws {
        let site = try TempSite([
            "content/a.md": "---\ntitle: A\n---\nalpha #one *beta* #two *gamma*#three **delta**#four\n\ncafé#five é #six [x](b.md) #seven.#eight\n\nglued*#nine* spaced *#ten* café*#eleven*\n",
            "content/b.md": "---\ntitle: B\n---\nB.\n",
        ], templates: Self.templates)
        assertNoDiagnostics(site.build())
        let a = try XCTUnwrap(site.html("a/index.html"))
        let linked = a.components(separatedBy: "rel=\"tag\">#").dropFirst().map { $0.prefix { $0 != "<" } }
        XCTAssertEqual(linked, ["one", "two", "six", "seven", "ten"], a)
    }

    func testTagsInACalloutTitleAreLinkedAndListed() throws {
        let site = try TempSite(["content/a.md": "---\ntitle: A\n---\n> [!tip] Ask <first> #spacer\n> Body.\n"], templates: Self.templates)
        XCTAssertEqual(headlines(site.build().diagnostics), ["content/a.md:4:14: warning: raw HTML is shown as text"])
        let a = try XCTUnwrap(site.html("a/index.html"))
        XCTAssertTrue(a.contains("<span class=\"callout-title-text\">Ask &lt;first&gt; <a href=\"/tags/spacer/\" class=\"tag\" rel=\"tag\">#spacer</a></span>"), a)
        XCTAssertNotNil(site.html("tags/spacer/index.html"))
    }

    func testTagPagesListTheRightPagesWithCounts() throws {
        let site = try TempSite(Self.tagSite, templates: Self.templates)
        assertNoDiagnostics(site.build())
        let index = try XCTUnwrap(site.html("tags/index.html"))
        XCTAssertTrue(index.contains("<li><a href=\"/tags/onboarding/\">#onboarding</a> 2</li>"), index)
        XCTAssertTrue(index.contains("<li><a href=\"/tags/night-cough/\">#Night-Cough</a> 2</li>"), index)
        XCTAssertTrue(index.contains("<li><a href=\"/tags/research/\">#Research</a> 1</li>"), index)
        XCTAssertTrue(index.contains("<li><a href=\"/tags/research/interviews/\">#Research/Interviews</a> 1</li>"), index)
        let onboarding = try XCTUnwrap(site.html("tags/onboarding/index.html"))
        XCTAssertTrue(onboarding.contains("<h1>#onboarding</h1>"), onboarding)
        XCTAssertTrue(onboarding.contains("<ul class=\"tagged\"><li><a href=\"/a/\">Alpha</a></li>\n<li><a href=\"/b/\">Beta</a></li>\n</ul>"), onboarding)
        // A nested tag's parent lists the pages under it.
        let research = try XCTUnwrap(site.html("tags/research/index.html"))
        XCTAssertTrue(research.contains("<li><a href=\"/a/\">Alpha</a></li>"), research)
        XCTAssertFalse(try XCTUnwrap(site.html("tags/night-cough/index.html")).contains("Gamma"))
        let b = try XCTUnwrap(site.html("b/index.html"))
        XCTAssertTrue(b.contains("Also about <a href=\"/tags/night-cough/\" class=\"tag\" rel=\"tag\">#Night-Cough</a>."), b)
    }

    func testTagPagesThroughTheDefaultTheme() throws {
        let site = try TempSite(Self.tagSite, templates: nil)
        assertNoDiagnostics(site.build())
        let index = try XCTUnwrap(site.html("tags/index.html"))
        XCTAssertTrue(index.contains("<a class=\"tag\" rel=\"tag\" href=\"/tags/onboarding/\">#onboarding</a> <span class=\"tag-count\">2 pages</span>"), index)
        XCTAssertTrue(index.contains("<a href=\"/tags/\" aria-current=\"page\">Tags</a>"), index)
        let tag = try XCTUnwrap(site.html("tags/research/index.html"))
        XCTAssertTrue(tag.contains("<a class=\"tag\" rel=\"tag\" href=\"/tags/research/interviews/\">#Research/Interviews</a>"), tag)
        XCTAssertTrue(tag.contains("<a class=\"item__title\" href=\"/a/\">Alpha</a>"), tag)
        let a = try XCTUnwrap(site.html("a/index.html"))
        XCTAssertTrue(a.contains("<dd class=\"field__link\"><a href=\"/tags/onboarding/\">#onboarding</a></dd>"), a)
    }

    func testTagNamesAreEscaped() throws {
        let site = try TempSite(["content/a.md": "---\ntitle: A\ntags: [\"<script>alert(1)\", \"a&b\"]\n---\nText.\n"], templates: nil)
        assertNoDiagnostics(site.build())
        for file in ["a/index.html", "tags/index.html", "tags/script-alert-1/index.html", "tags/a-b/index.html"] {
            let html = try XCTUnwrap(site.html(file), file)
            // The theme's own scripts load by `src`; a tag's name never opens one.
            XCTAssertFalse(html.contains("<script>"), "\(file): \(html)")
            XCTAssertFalse(html.contains("<script>alert"), "\(file): \(html)")
        }
        XCTAssertTrue(try XCTUnwrap(site.html("tags/index.html")).contains("#&lt;script&gt;alert(1)"))
        XCTAssertTrue(try XCTUnwrap(site.html("tags/index.html")).contains("#a&amp;b"))
    }

    // MARK: Drafts

    static let draftSite: [String: String] = [
        "content/personas/robin.md": "---\ntitle: Robin\ndraft: true\ntags: [secret-plans]\n---\nMentions [[personas/sam]] and the #draft-only tag.\n",
        "content/personas/sam.md": "---\ntitle: Sam\ntags: [public]\n---\nSam.\n",
        "content/research/diary.md": "---\ntitle: Diary study\nmethod: diary\ndate: 2025-01-02\ndraft: true\n---\nNot ready.\n",
        "content/research/interviews.md": "---\ntitle: Interviews\nmethod: interviews\ndate: 2025-01-01\n---\nDone.\n",
    ]

    func testDraftsAreLeftOutOfListingsBacklinksTagsFeedsAndGraph() throws {
        let site = try TempSite(Self.draftSite, templates: nil)
        assertNoDiagnostics(site.build())
        XCTAssertNil(site.html("personas/robin/index.html"))
        XCTAssertNil(site.html("research/diary/index.html"))
        XCTAssertFalse(try XCTUnwrap(site.html("personas/index.html")).contains("Robin"))
        XCTAssertFalse(try XCTUnwrap(site.html("personas/sam/index.html")).contains("Robin"))
        XCTAssertNil(site.html("tags/secret-plans/index.html"))
        XCTAssertNil(site.html("tags/draft-only/index.html"))
        XCTAssertFalse(try XCTUnwrap(site.html("tags/index.html")).contains("secret"))
        XCTAssertFalse(try XCTUnwrap(site.html("research/feed.xml")).contains("Diary"))
        let graph = try XCTUnwrap(site.html("graph.json"))
        XCTAssertFalse(graph.contains("robin") || graph.contains("diary"), graph)
    }

    func testDraftsAreBuiltAndMarkedWithDrafts() throws {
        let site = try TempSite(Self.draftSite, templates: nil)
        assertNoDiagnostics(site.build(drafts: true))
        let robin = try XCTUnwrap(site.html("personas/robin/index.html"))
        XCTAssertTrue(robin.contains("<p class=\"draft-banner\" role=\"note\"><strong>Draft</strong>"), robin)
        XCTAssertFalse(try XCTUnwrap(site.html("personas/sam/index.html")).contains("draft-banner"))
        let listing = try XCTUnwrap(site.html("personas/index.html"))
        XCTAssertTrue(listing.contains("<a class=\"item__title\" href=\"/personas/robin/\">Robin</a>"), listing)
        XCTAssertTrue(listing.contains("<span class=\"badge badge--draft\">Draft</span>"), listing)
        XCTAssertNotNil(site.html("tags/secret-plans/index.html"))
        XCTAssertTrue(try XCTUnwrap(site.html("graph.json")).contains("personas/robin"))
    }

    func testLinksAndEmbedsOfADraftFromAPublishedPageAreErrors() throws {
        var files = Self.draftSite
        files["content/guides/start.md"] = "Ask [[Robin]] or see [the diary](../research/diary.md).\n\n![[personas/robin]]\n"
        let site = try TempSite(files)
        let report = site.check()
        XCTAssertEqual(headlines(report.diagnostics), [
            "content/guides/start.md:1:5: error: link [[Robin]] points to a draft, which this build leaves out",
            "content/guides/start.md:1:22: error: link `../research/diary.md` points to a draft, which this build leaves out",
            "content/guides/start.md:3:1: error: embed ![[personas/robin]] points to a draft, which this build leaves out",
        ])
        XCTAssertTrue(report.diagnostics.allSatisfy { $0.hint?.contains("--drafts") == true }, "\(report.diagnostics)")
        assertNoDiagnostics(site.check(drafts: true))
    }

    func testServePreviewsDraftsByDefault() {
        let options = PreviewServer.Options(root: URL(fileURLWithPath: "/kb"), output: URL(fileURLWithPath: "/kb/.waymark-cache/serve"))
        XCTAssertTrue(options.includeDrafts)
    }
}
