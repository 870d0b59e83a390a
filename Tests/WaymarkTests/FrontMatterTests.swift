import Foundation
import XCTest
@testable import Waymark

/// Reading a content file: encoding checks, line endings, and where front matter ends.
final class FrontMatterTests: XCTestCase {
    private func split(_ text: String) throws -> FrontMatterSplit {
        try FrontMatterSplit.split(text, path: "content/a.md").get()
    }

    private func decode(_ bytes: [UInt8]) -> Result<SourceText, Diagnostic> {
        SourceText.decode(Data(bytes), path: "content/a.md")
    }

    // MARK: Splitting

    func testFileWithoutFrontMatterIsAllBody() throws {
        let s = try split("# Sam\n\nA parent.\n")
        XCTAssertNil(s.yaml)
        XCTAssertEqual(s.body, "# Sam\n\nA parent.\n")
        XCTAssertEqual(s.bodyFirstLine, 1)
    }

    func testDashFencesEncloseTheYAMLAndTheBodyStartsAfterTheClosingFence() throws {
        let s = try split("---\ntitle: Sam\ntype: primary\n---\n# Sam\n")
        XCTAssertEqual(s.yaml, "title: Sam\ntype: primary")
        XCTAssertEqual(s.yamlFirstLine, 2)
        XCTAssertEqual(s.body, "# Sam\n")
        XCTAssertEqual(s.bodyFirstLine, 5)
    }

    func testThreeDotsAlsoCloseFrontMatter() throws {
        let s = try split("---\ntitle: Sam\n...\nBody\n")
        XCTAssertEqual(s.yaml, "title: Sam")
        XCTAssertEqual(s.body, "Body\n")
        XCTAssertEqual(s.bodyFirstLine, 4)
    }

    func testEmptyFrontMatterIsEmptyYAML() throws {
        let s = try split("---\n---\nBody\n")
        XCTAssertEqual(s.yaml, "")
        XCTAssertEqual(s.body, "Body\n")
        XCTAssertEqual(s.bodyFirstLine, 3)
    }

    func testAThematicBreakInTheBodyDoesNotCloseAnythingAfterFrontMatter() throws {
        let s = try split("---\ntitle: A\n---\nIntro\n\n---\n\nMore\n")
        XCTAssertEqual(s.yaml, "title: A")
        XCTAssertEqual(s.body, "Intro\n\n---\n\nMore\n")
    }

    func testFourDashesAreAThematicBreakNotAFence() throws {
        let text = "----\ntitle: no\n---\nBody\n"
        let s = try split(text)
        XCTAssertNil(s.yaml)
        XCTAssertEqual(s.body, text)
        XCTAssertEqual(s.bodyFirstLine, 1)
    }

    func testDashesFollowedByTextAreNotAFence() throws {
        let s = try split("--- not yaml\nBody\n")
        XCTAssertNil(s.yaml)
    }

    func testUnterminatedFrontMatterIsAnErrorAtTheOpeningFenceWithAHint() {
        let result = FrontMatterSplit.split("---\ntitle: Sam\n\n# Sam\n", path: "content/personas/sam.md")
        guard case .failure(let d) = result else { return XCTFail("expected an error, got \(result)") }
        XCTAssertEqual(d.severity, .error)
        XCTAssertEqual(d.location, SourceLocation(path: "content/personas/sam.md", line: 1, column: 1))
        XCTAssertEqual(d.message, "front matter is not closed")
        XCTAssertTrue(d.hint?.contains("`---`") == true, "hint: \(d.hint ?? "none")")
    }

    func testFencesMayCarryUnicodeWhiteSpaceAroundThem() throws {
        let s = try split("---\u{00A0}\ntitle: A\n \t...\u{3000}\nBody\n")
        XCTAssertEqual(s.yaml, "title: A")
        XCTAssertEqual(s.body, "Body\n")
        XCTAssertEqual(s.bodyFirstLine, 4)
        // A combining mark is not white space: this line is prose, not a fence.
        XCTAssertNil(try split("---\u{301}\ntitle: A\n---\n").yaml)
    }

    func testAClosingFenceOnTheLastLineLeavesAnEmptyBody() throws {
        let s = try split("---\ntitle: A\n---")
        XCTAssertEqual(s.yaml, "title: A")
        XCTAssertEqual(s.body, "")
        XCTAssertEqual(s.bodyFirstLine, 4)
        XCTAssertThrowsError(try split("---"))
        XCTAssertThrowsError(try split("---\n"))
    }

    func testTheByteLevelWhiteSpaceTestIsUnicodeWhiteSpace() {
        var mismatches: [String] = []
        for v in 0...0x10FFFF {
            guard let scalar = Unicode.Scalar(v) else { continue }
            let bytes = Array(String(scalar).utf8)
            let found = bytes.withUnsafeBufferPointer { FrontMatterSplit.whitespaceLength($0, at: 0, end: $0.count) }
            if (found != nil) != scalar.properties.isWhitespace || (found != nil && found != bytes.count) {
                mismatches.append(String(v, radix: 16))
            }
        }
        XCTAssertEqual(mismatches, [])
    }

    // MARK: Decoding

    func testByteOrderMarkIsDroppedSoTheFenceIsStillFound() throws {
        let text = try decode([0xEF, 0xBB, 0xBF] + Array("---\ntitle: Sam\n---\nBody\n".utf8)).get().text
        XCTAssertEqual(text, "---\ntitle: Sam\n---\nBody\n")
        XCTAssertEqual(try split(text).yaml, "title: Sam")
    }

    func testCRLFAndLoneCRBecomeLF() throws {
        let text = try decode(Array("---\r\ntitle: Sam\r\n---\r\nLine one\rLine two\r\n".utf8)).get().text
        XCTAssertEqual(text, "---\ntitle: Sam\n---\nLine one\nLine two\n")
        let s = try split(text)
        XCTAssertEqual(s.yaml, "title: Sam")
        XCTAssertEqual(s.body, "Line one\nLine two\n")
        XCTAssertEqual(s.bodyFirstLine, 4)
    }

    func testPlainUTF8IsReadAsIs() throws {
        XCTAssertEqual(try decode(Array("Crème brûlée – ✓\n".utf8)).get().text, "Crème brûlée – ✓\n")
    }

    func testInvalidUTF8IsAnErrorAtTheLineAndCharacterColumnOfTheBadByte() {
        // Line 2 is "é" (two bytes, one character), "x", then a Latin-1 "é" (0xE9) that is not UTF-8.
        let bytes = Array("title\n".utf8) + Array("éx".utf8) + [0xE9] + Array(" more\n".utf8)
        guard case .failure(let d) = decode(bytes) else { return XCTFail("expected an error") }
        XCTAssertEqual(d.location, SourceLocation(path: "content/a.md", line: 2, column: 3))
        XCTAssertEqual(d.message, "invalid UTF-8 byte sequence")
        XCTAssertNotNil(d.hint)
    }

    func testTruncatedMultiByteSequenceAtTheEndIsFound() {
        guard case .failure(let d) = decode(Array("ab".utf8) + [0xE2, 0x82]) else { return XCTFail("expected an error") }
        XCTAssertEqual(d.location, SourceLocation(path: "content/a.md", line: 1, column: 3))
    }

    func testUTF16IsRefusedWithAHintToResave() {
        let littleEndian: [UInt8] = [0xFF, 0xFE] + Array("hi".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let bigEndian: [UInt8] = [0xFE, 0xFF] + Array("hi".utf16).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        for bytes in [littleEndian, bigEndian] {
            guard case .failure(let d) = decode(bytes) else { return XCTFail("expected an error for \(bytes)") }
            XCTAssertEqual(d.location, SourceLocation(path: "content/a.md", line: 1, column: 1))
            XCTAssertTrue(d.message.contains("UTF-16"), d.message)
            XCTAssertTrue(d.hint?.contains("UTF-8") == true)
        }
    }

    func testBOMAndCRLFTogetherAndAMultiByteCharacterBeforeACR() throws {
        let text = try decode([0xEF, 0xBB, 0xBF] + Array("é\r\nü\rx".utf8)).get().text
        XCTAssertEqual(text, "é\nü\nx")
    }

    func testNULByteIsRefusedAtItsPosition() {
        guard case .failure(let d) = decode(Array("ok\nab".utf8) + [0] + Array("c\n".utf8)) else { return XCTFail("expected an error") }
        XCTAssertEqual(d.location, SourceLocation(path: "content/a.md", line: 2, column: 3))
        XCTAssertTrue(d.message.contains("NUL"), d.message)
    }

    // MARK: Through a build

    func testUnterminatedFrontMatterFailsTheBuildAtTheFile() throws {
        let site = try TempSite(["content/notes.md": "---\ntitle: Notes\n\nNo closing fence.\n"])
        let report = site.check()
        XCTAssertEqual(headlines(report.diagnostics), ["content/notes.md:1:1: error: front matter is not closed"])
    }

    func testWindowsLineEndingsGiveTheSameLineNumbersAsUnix() throws {
        let site = try TempSite()
        try site.write("content/notes.md", data: Data("---\r\ntitle: Notes\r\n---\r\n\r\nSee [[nowhere]].\r\n".utf8))
        let report = site.check()
        XCTAssertEqual(headlines(report.diagnostics), ["content/notes.md:5:5: error: broken link [[nowhere]]: no such page or file"])
    }

    func testABOMDoesNotShiftColumnsOnTheFirstLine() throws {
        let site = try TempSite()
        try site.write("content/notes.md", data: Data([0xEF, 0xBB, 0xBF] + Array("See [[nowhere]].\n".utf8)))
        let report = site.check()
        XCTAssertEqual(headlines(report.diagnostics), ["content/notes.md:1:5: error: broken link [[nowhere]]: no such page or file"])
    }

    func testInvalidUTF8InAContentFileFailsTheBuildAtThePosition() throws {
        let site = try TempSite()
        try site.write("content/notes.md", data: Data(Array("# Notes\n\nCaf".utf8) + [0xE9] + Array("\n".utf8)))
        let report = site.check()
        XCTAssertEqual(headlines(report.diagnostics), ["content/notes.md:3:4: error: invalid UTF-8 byte sequence"])
    }
}
