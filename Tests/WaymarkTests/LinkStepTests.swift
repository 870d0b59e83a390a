import Foundation
import XCTest
@testable import Waymark

/// The structures the discover and link steps use to stay fast: file-name tests without
/// lowercasing and the folder walk. Each must give what the plain, slower way gives.
final class LinkStepTests: XCTestCase {
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
}
