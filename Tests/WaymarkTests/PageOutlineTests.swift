import Foundation
import XCTest
@testable import Waymark

/// A page's lead (the writer's introduction, before the body's first heading) and "On this page",
/// which lists the whole page: the generated sections around the body, its headings and "Linked from".
final class PageOutlineTests: XCTestCase {
    private func lead(_ markdown: String, unsafe: Bool = false) -> (lead: String, rest: String) {
        var options = MarkdownBody.RenderOptions()
        options.markLead = true
        options.unsafe = unsafe
        options.pageTitle = "Title"
        var html = MarkdownBody(text: markdown, path: "content/x.md", firstLine: 1).htmlBytes(options)
        let n = MarkdownBody.splitLead(&html)
        return (String(decoding: html[..<n], as: UTF8.self), String(decoding: html[n...], as: UTF8.self))
    }

    func testTheLeadEndsAtTheFirstHeadingOutsideQuotesAndLists() {
        let split = lead("# Title\n\nIntro.\n\n> ## Quoted heading\n\n- item\n\n  ### In a list\n\n## First section\n\nText.\n\n## Second\n")
        XCTAssertTrue(split.lead.contains("<p>Intro.</p>"), split.lead)
        XCTAssertTrue(split.lead.contains("Quoted heading"), split.lead)
        XCTAssertTrue(split.lead.contains("In a list"), split.lead)
        XCTAssertFalse(split.lead.contains("First section"), split.lead)
        XCTAssertTrue(split.rest.hasPrefix("<h2 id=\"first-section\">"), split.rest)
        XCTAssertTrue(split.rest.contains("<h2 id=\"second\">"), split.rest)
        XCTAssertFalse((split.lead + split.rest).contains("waymark:lead"))
    }

    func testABodyWithoutHeadingsIsAllLeadAndOneStartingWithAHeadingHasNone() {
        let noHeading = lead("One.\n\nTwo.\n")
        XCTAssertEqual(noHeading.lead, "<p>One.</p>\n<p>Two.</p>\n")
        XCTAssertEqual(noHeading.rest, "")
        let headingFirst = lead("## Start\n\nText.\n")
        XCTAssertEqual(headingFirst.lead, "")
        XCTAssertTrue(headingFirst.rest.hasPrefix("<h2 id=\"start\">"), headingFirst.rest)
        // The title's own heading, dropped, does not end the lead.
        let titled = lead("# Title\n\nIntro.\n")
        XCTAssertTrue(titled.lead.contains("<p>Intro.</p>"), titled.lead)
        XCTAssertEqual(titled.rest, "")
    }

    func testAMarkerWrittenInThePageIsANoteUnlessRawHTMLIsAllowed() {
        // Without raw HTML a comment is a writer's note, left out: the lead still ends at the heading.
        let safe = lead("Before <!--waymark:lead--> after.\n\n## Section\n")
        XCTAssertEqual(safe.lead, "<p>Before  after.</p>\n")
        XCTAssertTrue(safe.rest.hasPrefix("<h2"), safe.rest)
        // With raw HTML allowed, the writer's marker ends the lead where they put it: nothing is lost.
        let unsafe = lead("Intro.\n\n<!--waymark:lead-->\n\nMore.\n\n## Section\n", unsafe: true)
        XCTAssertEqual(unsafe.lead, "<p>Intro.</p>\n")
        XCTAssertTrue(unsafe.rest.contains("<p>More.</p>") && unsafe.rest.contains("<h2 id=\"section\">"), unsafe.rest)
    }

    /// Every entry of every page's "On this page" in the example names a heading of that page by its
    /// id and says what the heading says, and every section heading of the page is listed, in order.
    func testOnThisPageListsEverySectionOfThePageInOrder() throws {
        let scratch = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        var o = BuildOptions(root: ExampleSiteTests.repositoryRoot)
        o.output = scratch.appendingPathComponent("public").path
        XCTAssertEqual(BuildPipeline.run(o).diagnostics.errorCount, 0)
        let files = snapshot(scratch.appendingPathComponent("public"))
        var pagesWithToc = 0
        for (path, data) in files where path.hasSuffix(".html") {
            let html = String(decoding: data, as: UTF8.self)
            guard let nav = html.range(of: ##"<nav class="toc[^"]*"[^>]*>[\s\S]*?</nav>"##, options: .regularExpression) else { continue }
            pagesWithToc += 1
            let toc = String(html[nav])
            let entries = Self.matches(##"<li><a href="#([^"]+)">([^<]*)</a>"##, in: toc)
            // The page's h2 sections with ids, outside "On this page" itself, in order.
            let rest = String(html[..<nav.lowerBound]) + String(html[nav.upperBound...])
            let headings = Self.matches(##"<h2 id="([^"]+)"[^>]*>\s*([\s\S]*?)\s*</h2>"##, in: rest)
                .map { ($0.0, Self.text(ofHTML: $0.1)) }
            let topLevel = Self.matches(##"<li><a href="#([^"]+)">([^<]*)</a>"##, in: Self.topLevelItems(toc))
            XCTAssertEqual(topLevel.map(\.0), headings.map(\.0), "\(path): On this page does not list the page's sections in order")
            let textByID = Dictionary(Self.matches(##"<h[23] id="([^"]+)"[^>]*>\s*([\s\S]*?)\s*</h[23]>"##, in: rest)
                .map { ($0.0, Self.text(ofHTML: $0.1)) }, uniquingKeysWith: { a, _ in a })
            for (anchor, title) in entries {
                XCTAssertEqual(textByID[anchor], ExampleSiteTests.decodeEntities(title), "\(path): #\(anchor)")
            }
        }
        XCTAssertGreaterThan(pagesWithToc, 10)
    }

    /// On a journey the writer's introduction comes first, then "On this page" and the fields, then
    /// the journey map, then the rest of the body; nothing of the body is shown twice or lost.
    func testAJourneyShowsItsIntroductionBeforeTheMapAndTheRestAfter() throws {
        let site = try TempSite([
            "content/departments/sales.md": "---\ntype: department\ntitle: Sales\n---\nSells.\n",
            "content/personas/sam.md": "---\ntype: persona\ntitle: Sam\n---\nA customer.\n",
            "content/journeys/j.md": """
                ---
                type: journey
                title: Renewal
                owner: departments/sales
                personas: [personas/sam]
                stages:
                  - name: Reminder
                    touchpoints:
                      - name: Email
                        channel: email
                ---
                The introduction, in the writer's words.

                ## Details

                Later text.

                ## More

                ## Even more
                """,
        ], templates: nil)
        let report = site.build()
        XCTAssertEqual(report.diagnostics.errorCount, 0, DiagnosticFormat.human.render(report.diagnostics))
        let html = try XCTUnwrap(site.html("journeys/j/index.html"))
        let order = ["The introduction, in the writer", "class=\"toc toc--top\"", "class=\"fields", "id=\"wm-map-title\"",
                     "id=\"details\"", "Later text."]
        let positions = order.map { html.range(of: $0)?.lowerBound }
        XCTAssertFalse(positions.contains(nil), "missing: \(zip(order, positions).filter { $0.1 == nil }.map(\.0))")
        XCTAssertEqual(positions.compactMap { $0 }, positions.compactMap { $0 }.sorted(), "out of order")
        XCTAssertEqual(html.components(separatedBy: "The introduction, in the writer").count, 2)
        XCTAssertEqual(html.components(separatedBy: "Later text.").count, 2)
        let toc = Self.matches(##"<li><a href="#([^"]+)">"##, in: html).map(\.0)
        XCTAssertEqual(Array(toc.prefix(4)), ["wm-map-title", "details", "more", "even-more"])
    }

    /// A page with fewer than three sections in all has no "On this page"; the body's own list stays
    /// in `page.bodyToc` for themes that want it alone.
    func testShortPagesHaveNoOutlineAndBodyTocKeepsTheBodysHeadings() throws {
        let site = try TempSite([
            "content/a.md": "---\ntitle: A\n---\nIntro.\n\n## One\n\n## Two\n",
            "content/b.md": "---\ntitle: B\n---\n## X\n\n## Y\n\n## Z\n",
        ], templates: ["page.mustache": "{{#page.hasToc}}TOC{{#page.toc}} {{anchor}}{{/page.toc}}{{/page.hasToc}}|{{#page.hasBodyToc}}BODY{{#page.bodyToc}} {{anchor}}{{/page.bodyToc}}{{/page.hasBodyToc}}|{{{page.lead}}}|{{{page.afterLead}}}"])
        XCTAssertEqual(site.build().diagnostics.errorCount, 0)
        XCTAssertEqual(site.html("a/index.html").map { String($0.prefix(2)) }, "||")
        let b = try XCTUnwrap(site.html("b/index.html"))
        XCTAssertTrue(b.hasPrefix("TOC x y z|BODY x y z||<h2 id=\"x\">"), b)
        let a = try XCTUnwrap(site.html("a/index.html"))
        XCTAssertTrue(a.contains("|<p>Intro.</p>\n|<h2 id=\"one\">"), a)
    }

    /// Several short values (channels, departments) share a line; long ones (KPIs) and a single value
    /// stand one a line.
    func testSeveralShortFieldValuesShareALine() throws {
        XCTAssertTrue(FieldList.inline(["web", "email", "phone"]))
        XCTAssertFalse(FieldList.inline(["web"]))
        XCTAssertFalse(FieldList.inline(["web", "Time from first contact to go-live (days)"]))
        let site = try TempSite([
            "content/personas/sam.md": "---\ntype: persona\ntitle: Sam\ngoals: [Pay less, Keep the same number]\n"
                + "needs: [A plain-language plan she can share in one tap, Someone to call]\n---\n",
        ], templates: nil)
        XCTAssertEqual(site.build().diagnostics.errorCount, 0)
        let html = try XCTUnwrap(site.html("personas/sam/index.html"))
        XCTAssertTrue(html.contains("<div class=\"field field--inline\">\n    <dt>Goals</dt>"), html)
        XCTAssertTrue(html.contains("<div class=\"field\">\n    <dt>Needs</dt>"), html)
    }

    // MARK: - Helpers

    private static func matches(_ pattern: String, in text: String) -> [(String, String)] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        let ns = text as NSString
        return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { m in
            (ns.substring(with: m.range(at: 1)), m.numberOfRanges > 2 ? ns.substring(with: m.range(at: 2)) : "")
        }
    }

    /// The outer list's items of a table of contents, without the nested lists.
    private static func topLevelItems(_ toc: String) -> String {
        toc.replacingOccurrences(of: ##"<ol>(?:(?!<ol>)[\s\S])*?</ol>"##, with: "", options: .regularExpression)
            .replacingOccurrences(of: ##"<ol class="toc__list">"##, with: "")
    }

    private static func text(ofHTML html: String) -> String {
        // A body heading's link to itself (`#`) is no part of its title.
        let html = html.replacingOccurrences(of: #"<a class="heading-anchor"[^>]*>#</a>"#, with: "", options: .regularExpression)
        return ExampleSiteTests.decodeEntities(html.replacingOccurrences(of: "<[^>]+>", with: "", options: .regularExpression))
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A table that scrolls sideways is a tab stop, so a keyboard can scroll it; one that fits is not
    /// (Tab stopped on every table of a page for nothing), and becomes one when the window narrows.
    /// In jsdom, whose layout is stubbed: it lays nothing out.
    func testARegionThatDoesNotScrollIsNoTabStopAndOneThatScrollsIs() throws {
        guard FileManager.default.fileExists(atPath: "/usr/share/nodejs/jsdom") else {
            throw XCTSkip("jsdom is not installed (apt-get install node-jsdom; scripts/test installs it)")
        }
        let s = try TempSite(["content/notes.md": "---\ntitle: Notes\n---\n| task | time |\n|---|---|\n| sign in | 2 min |\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"],
                             templates: nil)
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        let html = try XCTUnwrap(s.html("notes/index.html"))
        XCTAssertTrue(html.contains(#"<script src="/assets/scroll-regions.js" defer></script>"#), html)
        XCTAssertEqual(html.components(separatedBy: #"role="region" tabindex="0""#).count, 3, "without script both tables are tab stops")
        let script = """
            const { JSDOM } = require("/usr/share/nodejs/jsdom");
            const fs = require("fs");
            const [page, regions] = process.argv.slice(1).map(f => fs.readFileSync(f, "utf8"));
            const dom = new JSDOM(page, { url: "http://localhost/notes/", runScripts: "outside-only" });
            const w = dom.window, d = w.document;
            const [wide, narrow] = d.querySelectorAll(".table-wrap");
            let width = { wide: 900, narrow: 300 }, view = 600;
            for (const [el, name] of [[wide, "wide"], [narrow, "narrow"]]) {
              Object.defineProperty(el, "scrollWidth", { get: () => width[name] });
              Object.defineProperty(el, "clientWidth", { get: () => Math.min(width[name], view) });
            }
            w.eval(regions);
            const stops = () => [wide, narrow].map(el => el.getAttribute("tabindex"));
            const out = [];
            setTimeout(() => {  // the page has loaded
              out.push(stops());
              view = 200;  // the window narrows: now both scroll
              w.dispatchEvent(new w.Event("resize"));
              setTimeout(() => {
                out.push(stops());
                view = 1000;  // wide again, with the focus in the first: it keeps its stop
                wide.focus();
                w.WaymarkScrollRegions.update();
                out.push(stops());
                console.log(JSON.stringify(out));
              }, 50);
            }, 50);
            """
        let output = try node(script, [s.output.appendingPathComponent("notes/index.html").path,
                                       s.output.appendingPathComponent("assets/scroll-regions.js").path])
        XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines), #"[["0",null],["0","0"],["0",null]]"#)
    }

    /// Every page ends with a way back to its top: `#top`, the body's id (link checkers want the id
    /// there, though browsers take `#top` as the top without one), and a heading named "Top" gets another.
    func testEveryPageEndsWithBackToTopAndNoHeadingTakesItsAnchor() throws {
        let s = try TempSite(["content/notes.md": "---\ntitle: Notes\n---\n## Top\n\nThe top tasks.\n"], templates: nil)
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        let html = try XCTUnwrap(s.html("notes/index.html"))
        XCTAssertTrue(html.contains(##"<a class="back-to-top" href="#top">Back to top <span aria-hidden="true">↑</span></a>"##), html)
        XCTAssertEqual(html.components(separatedBy: #"id="top""#).count, 2, html)
        XCTAssertTrue(html.contains(#"<body id="top" class="page-type-page">"#), html)
        XCTAssertTrue(html.contains(#"<h2 id="top-1">"#), html)
    }
}
