import Foundation
import XCTest
@testable import Waymark

/// The structures the discover and link steps use to stay fast: page orders, reordering in place,
/// the folders of ids, file-name tests without lowercasing, the folder walk, and how backlinks are
/// chosen and ordered. Each must give what the plain, slower way gives.
final class LinkStepTests: XCTestCase {
    // MARK: Page orders

    func testPlacesInvertAnOrder() {
        XCTAssertEqual(PageOrder.places(inOrder: [2, 0, 1]), [1, 2, 0])
        XCTAssertEqual(PageOrder.places(inOrder: []), [])
    }

    func testPageOrderSortsByLowercasedTitleThenId() {
        let pages = [("d", "beta"), ("c", "Alpha"), ("b", "alpha"), ("a", "Beta")]
            .map { LoadedPage(generated: $0.0, type: .page, title: $0.1) }
        let order = PageOrder(pages: pages)
        // Lowercased, ties broken by id: alpha (b), alpha (c), beta (a), beta (d).
        XCTAssertEqual(order.byListingTitle, [3, 1, 0, 2])
    }

    func testReorderPutsEachElementWhereTheOrderSays() {
        var letters = ["a", "b", "c", "d", "e"]
        letters.reorder([4, 2, 0, 1, 3])
        XCTAssertEqual(letters, ["e", "c", "a", "b", "d"])
        var random = SeededRandom(seed: 7)
        for n in 0..<60 {
            let order = Array(0..<n).shuffled(using: &random)
            var items = (0..<n).map { "item \($0) " + String(repeating: "x", count: $0) }
            let expected = order.map { items[$0] }
            items.reorder(order)
            XCTAssertEqual(items, expected, "n = \(n)")
        }
    }

    // MARK: Folders of ids

    /// The folders holding `id`, split part by part on `/` bytes, as the file system splits a path.
    private func foldersBySplitting(_ id: String) -> Set<String> {
        var result: Set<String> = []
        var parts = id.utf8.split(separator: UInt8(ascii: "/")).map { String(Substring($0)) }
        while parts.count > 1 {
            parts.removeLast()
            result.insert(parts.joined(separator: "/"))
        }
        return result
    }

    /// A `/` byte splits an id even where a combining mark follows it (one character, but two
    /// folders on disk).
    func testFoldersOfIdsAreTheFoldersSplittingFinds() {
        let ids = ["", "a", "a/b", "a/b/c", "a/b/d", "a/e/f/g", "a//b/x", "/top/y", "tail/", "x/y/z/w", "café/crème/page", "x/y", "a/\u{301}b/c", "a/\u{301}b/d/e"]
        var all: Set<String> = [""]
        var expected: Set<String> = [""]
        for id in ids {
            var alone: Set<String> = [""]
            Linker.insertFolders(of: id, into: &alone)
            XCTAssertEqual(alone, foldersBySplitting(id).union([""]), id)
            Linker.insertFolders(of: id, into: &all)
            expected.formUnion(foldersBySplitting(id))
        }
        XCTAssertEqual(all, expected)
    }

    func testParentFolderIsTheIdWithoutItsLastPart() {
        for id in ["a", "a/b", "a/b/c", "a//b", "/a", "a/", "café/crème", "a/\u{301}b/c"] {
            XCTAssertEqual(Linker.parentFolder(of: id), id.split(separator: "/").dropLast().joined(separator: "/"), id)
        }
    }

    func testAnIdHasAnEmptyPartWhenASlashEndsItOrDoubles() {
        for id in ["", "a", "a/b", "café/crème"] { XCTAssertFalse(Linker.hasEmptyPart(id), id) }
        for id in ["/", "/a", "a/", "a//b", "a/b//"] { XCTAssertTrue(Linker.hasEmptyPart(id), id) }
    }

    func testPathSegmentsKeepUnreservedBytesAndEncodeTheRest() {
        XCTAssertEqual(percentEncodePathSegment("plain-name_1.0~x"), "plain-name_1.0~x")
        XCTAssertEqual(percentEncodePathSegment("café crème"), "caf%C3%A9%20cr%C3%A8me")
        XCTAssertEqual(percentEncodePathSegment("a/b?#%"), "a%2Fb%3F%23%25")
    }

    // MARK: File names

    func testMarkdownExtensionsAreFoundInAnyCaseWithoutLowercasing() {
        XCTAssertEqual(ContentFile.stripMarkdownExtension("notes.md"), "notes")
        XCTAssertEqual(ContentFile.stripMarkdownExtension("Notes.MD"), "Notes")
        XCTAssertEqual(ContentFile.stripMarkdownExtension("a.Markdown"), "a")
        XCTAssertEqual(ContentFile.stripMarkdownExtension("a.md.txt"), "a.md.txt")
        XCTAssertEqual(ContentFile.stripMarkdownExtension("md"), "md")
        XCTAssertEqual(ContentFile.stripMarkdownExtension(".md"), "")
        XCTAssertEqual(ContentFile.stripMarkdownExtension("café crème.md"), "café crème")
        // Beyond ASCII, lowercasing decides, as it always did: the Kelvin sign lowercases to `k`.
        XCTAssertEqual(ContentFile.stripMarkdownExtension("notes.mar\u{212A}down"), "notes")
        XCTAssertEqual(ContentFile.markdownExtensionLength("map.png"), 0)
        XCTAssertEqual(ContentFile.markdownExtensionLength("x.MarkDown"), 9)
    }

    func testIndexNamesAreFoundInAnyCase() {
        for name in ["index", "INDEX", "README", "readme", "_index", "_Index"] { XCTAssertTrue(ContentFile.isIndexName(name), name) }
        for name in ["indexes", "ndex", "read me", "", "índex", "index.md"] { XCTAssertFalse(ContentFile.isIndexName(name), name) }
        XCTAssertTrue(ContentFile.isIndexName("a/README".split(separator: "/").last!))
        XCTAssertEqual(ContentFile(relativePath: "guides/ReadMe.MD", url: URL(fileURLWithPath: "/dev/null"), kind: .markdown).pageID, "guides")
    }

    // MARK: The walk over content/

    func testDiscoveryListsFilesInPathOrderAndReportsWhatItSkips() throws {
        let root = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let content = root.appendingPathComponent("content")
        let fm = FileManager.default
        for path in ["a.md", "a-b.md", "a/x.md", "A.md", "café.md", "img.png", ".hidden.md", ".git/config", "skip.md", "drafts/one.md", "deep/er/page.markdown"] {
            let url = content.appendingPathComponent(path)
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("# x\n".utf8).write(to: url)
        }
        try fm.createSymbolicLink(atPath: content.appendingPathComponent("link.md").path, withDestinationPath: "a.md")
        XCTAssertEqual(mkfifo(content.appendingPathComponent("pipe").path, 0o600), 0)

        let (files, diagnostics) = ContentDiscovery(root: content, ignore: ["skip.md", "drafts"]).discover()
        XCTAssertEqual(files.map(\.relativePath), ["A.md", "a-b.md", "a.md", "a/x.md", "café.md", "deep/er/page.markdown", "img.png"])
        XCTAssertEqual(files.map(\.kind), [.markdown, .markdown, .markdown, .markdown, .markdown, .markdown, .asset])
        for file in files {
            XCTAssertEqual(file.url, content.appendingPathComponent(file.relativePath), file.relativePath)
            XCTAssertEqual(file.url.path, content.path + "/" + file.relativePath)
        }
        XCTAssertEqual(headlines(diagnostics), [
            "content/link.md: warning: symbolic link is not followed",
            "content/pipe: warning: not a regular file; skipped",
        ])
    }

    func testAnEntryOfUnknownTypeIsLookedUpWithoutFollowingLinks() throws {
        let root = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        try Data().write(to: root.appendingPathComponent("file.md"))
        try FileManager.default.createDirectory(at: root.appendingPathComponent("folder"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("link").path, withDestinationPath: "folder")
        XCTAssertEqual(ContentDiscovery.type(ofItemAt: root.appendingPathComponent("file.md").path), .regular)
        XCTAssertEqual(ContentDiscovery.type(ofItemAt: root.appendingPathComponent("folder").path), .directory)
        XCTAssertEqual(ContentDiscovery.type(ofItemAt: root.appendingPathComponent("link").path), .symbolicLink)
        XCTAssertEqual(ContentDiscovery.type(ofItemAt: root.appendingPathComponent("gone").path), .unreadable)
        let listed = try XCTUnwrap(ContentDiscovery.list(root.path))
        XCTAssertEqual(listed.map(\.name).sorted(), ["file.md", "folder", "link"])
        XCTAssertNil(ContentDiscovery.list(root.appendingPathComponent("gone").path))
    }

    // MARK: The index

    private func loaded(_ relativePath: String, _ text: String = "# Page\n\n## Next steps\n") throws -> LoadedPage {
        let file = ContentFile(relativePath: relativePath, url: URL(fileURLWithPath: "/dev/null"), kind: .markdown)
        return try XCTUnwrap(PageLoader.load(file, data: Data(text.utf8)).0, relativePath)
    }

    func testTheIndexHoldsEveryAnchorAPageHas() throws {
        let journey = try loaded("journeys/asthma.md", """
            ---
            title: Asthma care
            stages:
              - name: Diagnosis
                touchpoints:
                  - name: GP appointment
                    channel: in person
              - name: Living with it
            ---
            ## Notes

            ## Notes
            """)
        let index = SiteIndex(pages: [journey, try loaded("notes.md")], assets: [])
        XCTAssertTrue(journey.anchors.contains("diagnosis/gp-appointment"), "\(journey.anchors)")
        XCTAssertEqual(index.anchors(of: 1), ["page", "next-steps"])
        for page in 0..<2 {
            for anchor in index.anchors(of: page) { XCTAssertTrue(index.hasAnchor(anchor, on: page), anchor) }
            for anchor in ["", "Diagnosis", "gp-appointment", "notes-2", "nowhere"] { XCTAssertFalse(index.hasAnchor(anchor, on: page), anchor) }
        }
    }

    /// Every kind of relative link, from a page in `guides/`: the ASCII paths take the quick way,
    /// the others the general one, and both must agree with what links have always resolved to.
    func testRelativeLinksResolveTheSameWhicheverWayTheyTake() throws {
        let pages = try [
            loaded("index.md"), loaded("guides/README.md"), loaded("guides/setup.md"), loaded("guides/deep/page.markdown"),
            loaded("notes.md"), loaded("café/crème.md"),
        ].sorted { $0.id < $1.id }
        let index = SiteIndex(pages: pages, assets: ["guides/map.pdf", "img/x.png", "guides/deep"])
        func page(_ id: String) -> Int { index.page(id: id)! }
        let setup = page("guides/setup")
        let cases: [(String, LinkResolution)] = [
            ("other.md", .missing(near: "guides/other", type: nil)),
            ("../notes.md", .page(page("notes"), anchor: nil)),
            ("./deep/page.markdown", .page(page("guides/deep/page"), anchor: nil)),
            ("deep/page.MARKDOWN#next-steps", .page(page("guides/deep/page"), anchor: "next-steps")),
            ("deep/page.md#Next steps", .page(page("guides/deep/page"), anchor: "next-steps")),
            ("deep/page.md#nowhere", .missingAnchor(page: page("guides/deep/page"), anchor: "nowhere")),
            ("README.md", .page(page("guides"), anchor: nil)),
            ("readme.MD", .page(page("guides"), anchor: nil)),
            ("_Index", .page(page("guides"), anchor: nil)),
            ("../index.md", .page(page(""), anchor: nil)),
            ("../INDEX.md", .page(page(""), anchor: nil)),
            ("map.pdf", .asset("guides/map.pdf")),
            ("../img/x.png", .asset("img/x.png")),
            ("../img/y.png", .missing(near: nil, type: nil)),
            ("../../x.md", .missing(near: nil, type: nil)),
            ("deep", .asset("guides/deep")),
            ("deep/", .asset("guides/deep")),
            ("setup", .page(setup, anchor: nil)),
            ("setup.md?x=1#", .page(setup, anchor: nil)),
            ("unknown.txt", .missing(near: nil, type: nil)),
            (".md", .missing(near: "guides/", type: nil)),
            ("a/.md", .missing(near: "guides/a/", type: nil)),
            ("Café.md", .missing(near: "guides/Café", type: nil)),
            ("../café/crème.md", .page(page("café/crème"), anchor: nil)),
            ("%2E%2E/notes.md", .page(page("notes"), anchor: nil)),
            ("..//notes.md", .page(page("notes"), anchor: nil)),
            (".", .page(page("guides"), anchor: nil)),
            ("..", .page(page(""), anchor: nil)),
        ]
        for (url, expected) in cases { XCTAssertEqual(index.resolve(url: url, from: setup), expected, url) }
        // The quick way, where it answers, answers as the general one.
        var quick = 0
        for from in index.pages.indices {
            for (url, _) in cases {
                let path = url.removingPercentEncoding.map { String($0.prefix { $0 != "#" && $0 != "?" }) } ?? url
                guard !path.isEmpty, let answer = index.resolveASCII(path: path, anchor: "next-steps", from: from) else { continue }
                quick += 1
                XCTAssertEqual(answer, index.resolve(path: path, anchor: "next-steps", from: from), "\(url) from \(index.pages[from].id)")
            }
        }
        XCTAssertGreaterThan(quick, 100)
        // From a folder that is not ASCII, the general way is taken.
        let creme = page("café/crème")
        XCTAssertEqual(index.resolve(url: "../notes.md", from: creme), .page(page("notes"), anchor: nil))
        XCTAssertEqual(index.resolve(url: "crème.md", from: creme), .page(creme, anchor: nil))
        // From the home page (no folder), `..` leaves the knowledge base.
        XCTAssertEqual(index.resolve(url: "../notes.md", from: page("")), .missing(near: nil, type: nil))
        XCTAssertEqual(index.resolve(url: "guides/", from: page("")), .page(page("guides"), anchor: nil))
    }

    // MARK: Backlinks

    func testABacklinkIsShownOncePerSourceWithItsFirstSentenceAndSourcesByTitleAsAReaderSortsThem() throws {
        let site = try TempSite([
            "content/target.md": "---\ntitle: Target\n---\nThe page everyone links to.\n",
            "content/b.md": "---\ntitle: Zed\n---\nZ comes last, see [[target|here]].\n\nAnd again, see [[target|there]].\n",
            "content/c.md": "---\ntitle: Alpha\n---\nAlpha links [[target|it]].\n",
            "content/d.md": "---\ntitle: alpha\n---\nLowercase alpha links [[target|it]] too.\n",
        ])
        let report = site.build()
        assertNoDiagnostics(report)
        let html = try XCTUnwrap(site.html("target/index.html"))
        let backlinks = html.components(separatedBy: "\n").filter { $0.hasPrefix("<p class=\"backlink\">") }
        XCTAssertEqual(backlinks, [
            "<p class=\"backlink\"><a href=\"/c/\">Alpha</a> — Alpha links it.</p>",
            "<p class=\"backlink\"><a href=\"/d/\">alpha</a> — Lowercase alpha links it too.</p>",
            "<p class=\"backlink\"><a href=\"/b/\">Zed</a> — And again, see there.</p>",
        ], html)
    }
}

/// A small deterministic generator, so shuffled cases repeat from run to run.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
