import XCTest
@testable import Waymark

/// `[[target#anchor|label]]` as written in a body.
final class WikilinkTests: XCTestCase {
    func testPlainIdIsALink() {
        let links = Wikilink.scan("See [[personas/sam]].")
        XCTAssertEqual(links, [Wikilink(target: "personas/sam", anchor: nil, label: nil, range: 4..<20)])
    }

    func testBarSeparatesTheLabel() {
        let link = Wikilink.scan("[[personas/sam|our parent]]").first
        XCTAssertEqual(link?.target, "personas/sam")
        XCTAssertEqual(link?.label, "our parent")
        XCTAssertNil(link?.anchor)
    }

    func testHashSeparatesTheAnchor() {
        let link = Wikilink.scan("[[journeys/asthma#diagnosis/gp-appointment]]").first
        XCTAssertEqual(link?.target, "journeys/asthma")
        XCTAssertEqual(link?.anchor, "diagnosis/gp-appointment")
        XCTAssertNil(link?.label)
    }

    func testAnchorAndLabelTogether() {
        let link = Wikilink.scan("[[journeys/asthma#diagnosis|the diagnosis stage]]").first
        XCTAssertEqual(link?.target, "journeys/asthma")
        XCTAssertEqual(link?.anchor, "diagnosis")
        XCTAssertEqual(link?.label, "the diagnosis stage")
    }

    func testAnchorOnlyLinksWithinThePage() {
        let link = Wikilink.scan("Back to [[#next-steps]].").first
        XCTAssertEqual(link?.target, "")
        XCTAssertEqual(link?.anchor, "next-steps")
    }

    func testSpacesAroundPartsAreTrimmed() {
        let link = Wikilink.scan("[[ personas/sam # goals | Sam ]]").first
        XCTAssertEqual(link?.target, "personas/sam")
        XCTAssertEqual(link?.anchor, "goals")
        XCTAssertEqual(link?.label, "Sam")
    }

    func testTripleBracketsAreNotALink() {
        XCTAssertEqual(Wikilink.scan("[[[x]]]"), [])
        XCTAssertEqual(Wikilink.scan("a [[[x]]] b"), [])
    }

    func testEmptyBracketsAreNotALink() {
        XCTAssertEqual(Wikilink.scan("[[]]"), [])
        XCTAssertEqual(Wikilink.scan("[[ ]]"), [])
        XCTAssertEqual(Wikilink.scan("[[|label]]"), [])
        XCTAssertEqual(Wikilink.scan("[[#]]"), [])
    }

    func testALinkDoesNotSpanLines() {
        XCTAssertEqual(Wikilink.scan("[[personas\n/sam]]"), [])
    }

    func testUnclosedBracketsAreText() {
        XCTAssertEqual(Wikilink.scan("[[personas/sam"), [])
        XCTAssertEqual(Wikilink.scan("[[personas/sam]"), [])
    }

    func testSeveralLinksOnOneLineAreFoundLeftToRight() {
        let links = Wikilink.scan("[[a]] and [[b|B]], then [[c#d]]")
        XCTAssertEqual(links.map(\.target), ["a", "b", "c"])
        XCTAssertEqual(links.map(\.label), [nil, "B", nil])
        XCTAssertEqual(links.map(\.anchor), [nil, nil, "d"])
        XCTAssertEqual(links.map(\.range), [0..<5, 10..<17, 24..<31])
    }

    func testRangesAreUTF8ByteOffsets() {
        // "é" is two bytes.
        XCTAssertEqual(Wikilink.scan("é [[x]]").first?.range, 3..<8)
    }

    func testAStrayBracketPairDoesNotHideTheNextLink() {
        let links = Wikilink.scan("[[a [b]] then [[c]]")
        XCTAssertEqual(links.map(\.target), ["c"])
    }

    /// The byte search that guards the empty-wikilink and Foam-definition checks.
    func testContainsUTF8FindsBytesAnywhere() {
        XCTAssertTrue("ab[[c".containsUTF8("[["))
        XCTAssertTrue("é]:".containsUTF8("]:"))
        XCTAssertTrue("[[".containsUTF8("[["))
        XCTAssertFalse("[ [ ]".containsUTF8("[["))
        XCTAssertFalse("[".containsUTF8("[["))
        XCTAssertFalse("".containsUTF8("]:"))
        XCTAssertEqual(MarkdownBody.emptyWikilinks(in: "a [[]] b [[x]] [[ #|y]] [[#z]] [[q"), ["[[]]", "[[ #|y]]"])
    }

}

/// Anchors and URL segments.
final class SlugTests: XCTestCase {
    func testWordsAreLowercasedAndJoinedWithDashes() {
        XCTAssertEqual(slugify("GP appointment"), "gp-appointment")
        XCTAssertEqual(slugify("Living with asthma"), "living-with-asthma")
    }

    func testApostrophesAreDropped() {
        XCTAssertEqual(slugify("Parent's call"), "parents-call")
        XCTAssertEqual(slugify("Parent\u{2019}s call"), "parents-call")
    }

    func testEveryOtherRunOfPunctuationBecomesOneDash() {
        XCTAssertEqual(slugify("A&E visit"), "a-e-visit")
        XCTAssertEqual(slugify("Step 1 — book (online)"), "step-1-book-online")
    }

    func testNoDashesAtTheEnds() {
        XCTAssertEqual(slugify("  (Notes)!  "), "notes")
        XCTAssertEqual(slugify("?!"), "")
    }

    func testUnicodeLettersAndDigitsAreKept() {
        XCTAssertEqual(slugify("Ärztliche Beratung"), "ärztliche-beratung")
        XCTAssertEqual(slugify("Café crème"), "café-crème")
        XCTAssertEqual(slugify("診察 予約"), "診察-予約")
        XCTAssertEqual(slugify("Stage ２"), "stage-２")
    }

    func testDuplicatesAreNumbered() {
        var slugs = SlugAllocator()
        XCTAssertEqual(slugs.allocate("Notes"), "notes")
        XCTAssertEqual(slugs.allocate("Notes"), "notes-1")
        XCTAssertEqual(slugs.allocate("notes!"), "notes-2")
        XCTAssertEqual(slugs.allocate("Other"), "other")
    }

    func testManyHeadingsStayUniqueBeyondTheShortList() {
        // Past the first 32 slugs the allocator keeps them in a set: the same answers either way.
        var slugs = SlugAllocator(reserved: ["notes-40"])
        var seen: Set<String> = ["notes-40"]
        for k in 0..<100 {
            let slug = slugs.allocate(k % 2 == 0 ? "Notes" : "Step \(k / 10)")
            XCTAssertTrue(seen.insert(slug).inserted, "\(slug) handed out twice")
        }
        XCTAssertTrue(seen.contains("notes-49") && seen.contains("notes-50") && seen.contains("step-9-4"), "\(seen.sorted())")
        XCTAssertEqual(slugs.allocate("Notes"), "notes-51")
    }

    func testReservedAnchorsAreNeverHandedOut() {
        var slugs = SlugAllocator(reserved: ["main", "diagnosis"])
        XCTAssertEqual(slugs.allocate("Main"), "main-1")
        XCTAssertEqual(slugs.allocate("Diagnosis"), "diagnosis-1")
    }

    func testTextWithoutLettersGetsAPlaceholder() {
        var slugs = SlugAllocator()
        XCTAssertEqual(slugs.allocate("!!!"), "section")
        XCTAssertEqual(slugs.allocate("—"), "section-1")
    }
}

/// `waymark render`: one document through the same cmark pipeline, without a site.
final class StandaloneRenderTests: XCTestCase {
    func testWikilinksStayAsWrittenWithoutASite() {
        XCTAssertEqual(StandaloneRender.html(markdown: "See [[personas/sam]].\n", unsafe: false, headingAnchors: false),
                       "<p>See [[personas/sam]].</p>\n")
    }

    func testHeadingsGetIdsOnlyWhenAsked() {
        XCTAssertEqual(StandaloneRender.html(markdown: "## Next steps\n", unsafe: false, headingAnchors: false), "<h2>Next steps</h2>\n")
        let anchored = StandaloneRender.html(markdown: "## Next steps\n## Next steps\n", unsafe: false, headingAnchors: true)
        XCTAssertTrue(containsHeading(anchored, level: 2, id: "next-steps", text: "Next steps"), anchored)
        XCTAssertTrue(containsHeading(anchored, level: 2, id: "next-steps-1", text: "Next steps"), anchored)
    }

    func testRawHTMLIsTextUnlessUnsafe() {
        XCTAssertEqual(StandaloneRender.html(markdown: "a <i>b</i>\n", unsafe: false, headingAnchors: false), "<p>a &lt;i&gt;b&lt;/i&gt;</p>\n")
        XCTAssertEqual(StandaloneRender.html(markdown: "a <i>b</i>\n", unsafe: true, headingAnchors: false), "<p>a <i>b</i></p>\n")
    }
}
