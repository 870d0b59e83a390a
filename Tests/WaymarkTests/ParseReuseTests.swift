import Foundation
import XCTest
@testable import Waymark

/// The load step's parse of a body is handed to its render: the HTML is the same as from a parse of
/// its own, the parse is used once, and a text changed after the scan is parsed again.
final class ParseReuseTests: XCTestCase {
    private let markdown = """
        # Getting connected

        The *first* call goes to [[personas/sam|Sam]] and [the guide](guides/start.md).

        | Step | Owner |
        | --- | --- |
        | Call | Service |

        > [!note] Callout
        > With **bold** text.
        """

    private func options() -> MarkdownBody.RenderOptions {
        var options = MarkdownBody.RenderOptions()
        options.resolveWikilink = { link in RenderedLink(href: "/" + link.target + "/", label: link.label ?? link.target, cssClass: "wikilink", title: nil) }
        options.rewriteURL = { "/rewritten/" + $0 }
        options.pageTitle = "Getting connected"
        return options
    }

    func testAKeptParseRendersAsAFreshOneAndIsUsedOnce() {
        let fresh = MarkdownBody(text: markdown, path: "content/x.md", firstLine: 1)
        var kept = fresh
        XCTAssertEqual(String(describing: kept.scanKeepingParse()), String(describing: fresh.scan()),
                       "keeping the parse changes nothing the scan finds")
        XCTAssertNotNil(kept.parsed)
        let expected = fresh.html(options())
        XCTAssertTrue(expected.contains("href=\"/personas/sam/\""), expected)
        XCTAssertEqual(kept.html(options()), expected)
        // The render took the tree (and changed it): nothing is left to take, and a second render parses again.
        XCTAssertNil(kept.parsed?.take(ifOf: markdown))
        XCTAssertEqual(kept.html(options()), expected)
        // Copies share the parse: one render takes it for all of them.
        var a = fresh
        _ = a.scanKeepingParse()
        let b = a
        XCTAssertEqual(b.html(options()), expected)
        XCTAssertNil(a.parsed?.take(ifOf: markdown))
    }

    func testATextChangedAfterTheScanIsParsedAgain() {
        var body = MarkdownBody(text: markdown, path: "content/x.md", firstLine: 1)
        _ = body.scanKeepingParse()
        body.text = "Something *else* entirely."
        XCTAssertEqual(body.html(options()), "<p>Something <em>else</em> entirely.</p>\n")
        // The stale parse is left alone, not handed out for another text.
        XCTAssertNotNil(body.parsed?.take(ifOf: markdown))
    }

    func testTheBudgetKeepsParsesUntilItIsSpent() {
        let budget = ParseBudget(bytes: 10)
        XCTAssertTrue(budget.claim(6))
        XCTAssertFalse(budget.claim(5), "more than is left")
        XCTAssertTrue(budget.claim(4))
        XCTAssertFalse(budget.claim(1))
        XCTAssertTrue(budget.claim(0))
    }

    /// The load step keeps parses within its budget, and a page over it renders the same.
    func testTheLoadStepKeepsParsesWithinItsBudget() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("parse-reuse-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("x.md")
        try ("---\ntitle: X\n---\n" + markdown).write(to: url, atomically: true, encoding: .utf8)
        let file = ContentFile(relativePath: "x.md", url: url, kind: .markdown)
        let budget = ParseBudget(bytes: markdown.utf8.count + 1)
        let first = try XCTUnwrap(PageLoader.load(file, keepingParses: budget).0)
        let second = try XCTUnwrap(PageLoader.load(file, keepingParses: budget).0)
        let none = try XCTUnwrap(PageLoader.load(file).0)
        XCTAssertNotNil(first.body.parsed, "within the budget")
        XCTAssertNil(second.body.parsed, "over the budget")
        XCTAssertNil(none.body.parsed, "no budget")
        XCTAssertEqual(String(describing: first.facts), String(describing: none.facts))
        XCTAssertEqual(first.body.html(options()), none.body.html(options()))
        XCTAssertEqual(second.body.html(options()), none.body.html(options()))
    }
}
