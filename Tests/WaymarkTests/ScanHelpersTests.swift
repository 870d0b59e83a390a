import Foundation
import XCTest
@testable import Waymark

/// The byte-level helpers on the load path give the answers of the Unicode-aware code they replaced.
final class ScanHelpersTests: XCTestCase {
    /// The auto-linker's eight-bytes-at-a-time check for text to escape or a `|`, against a
    /// byte-by-byte one: each such byte and its neighbours, at every position of texts up to 24 bytes.
    func testEscapeOrPipeCheckMatchesByteByByte() {
        let fillers: [UInt8] = [0x20, 0x21, 0x23, 0x25, 0x27, 0x3B, 0x3D, 0x3F, 0x7B, 0x7D, 0x7F, 0x80, 0xA6, 0xBC, 0xFC, 0xFF]
        let tested: [UInt8] = [0x00, 0x21, 0x22, 0x23, 0x25, 0x26, 0x27, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F, 0x7B, 0x7C, 0x7D, 0xA2, 0xBE]
        for length in 0...24 {
            for filler in fillers {
                var text = [UInt8](repeating: filler, count: length)
                XCTAssertFalse(text.withUnsafeBufferPointer { MarkdownBody.hasByteToEscapeOrPipe($0) })
                for position in 0..<length {
                    for byte in tested {
                        text[position] = byte
                        let expected = text.contains { [0x26, 0x3C, 0x3E, 0x22, 0x7C].contains($0) }
                        XCTAssertEqual(text.withUnsafeBufferPointer { MarkdownBody.hasByteToEscapeOrPipe($0) }, expected, "\(text)")
                        text[position] = filler
                    }
                }
            }
        }
    }

    /// The trimming and slugging written before, on Unicode scalars only: the reference.
    private func referenceTrim(_ s: String) -> String {
        let scalars = s.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) ?? first
        return String(String.UnicodeScalarView(scalars[first...last]))
    }

    private func referenceSlug(_ text: String) -> String {
        var slug = ""
        var pendingDash = false
        for scalar in text.unicodeScalars {
            if scalar == "'" || scalar == "\u{2019}" { continue }
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                if pendingDash && !slug.isEmpty { slug.append("-") }
                pendingDash = false
                slug.unicodeScalars.append(contentsOf: String(scalar).lowercased().unicodeScalars)
            } else {
                pendingDash = true
            }
        }
        return slug
    }

    private var samples: [String] {
        var all = ["", " ", "a", " a ", "\u{00A0}Sam\u{3000}", " \u{301}abc", "abc \u{301}", "\tGP appointment\n", "Ünïcödé  ", "x\u{2028}",
                   "It's Sam’s journey", "A & B -- c", "Straße 12", "ǅemal", "Ⅻ chapters", "日本語 テキスト", "  🫁 breathe  ", "\u{1}x\u{7F}"]
        all += (0..<128).map { String(UnicodeScalar(UInt8($0))) + "Ab" + String(UnicodeScalar(UInt8(127 - $0))) }
        return all
    }

    func testTrimmingKeepsScalarBoundaries() {
        for s in samples {
            XCTAssertEqual(s.trimmingWhitespace(), referenceTrim(s), s.debugDescription)
            XCTAssertEqual(s[...].trimmingWhitespace(), referenceTrim(s), s.debugDescription)
        }
    }

    func testSlugsAreUnchanged() {
        for s in samples { XCTAssertEqual(slugify(s), referenceSlug(s), s.debugDescription) }
    }

    func testColumnsAndSearchesOnTheBodysBytes() {
        var scanner = MarkdownBody.SourceScanner(text: "plain line\nCafé [[x]] and ü [[y]]\n\nlast", findBudget: 10_000)
        XCTAssertEqual(scanner.column(line: 2, byteColumn: 7), 6, "é is two bytes, one character")
        XCTAssertEqual(scanner.column(line: 2, byteColumn: 20), 18, "counted on from the previous answer")
        XCTAssertEqual(scanner.column(line: 2, byteColumn: 40), 23, "clamped to the line's end")
        XCTAssertEqual(scanner.column(line: 1, byteColumn: 3), 3)
        XCTAssertEqual(scanner.column(line: 4, byteColumn: 99), 5, "clamped to the line")
        XCTAssertEqual(scanner.column(line: 9, byteColumn: 4), 4, "no such line: the byte column")
        XCTAssertEqual(scanner.find(Array("[[y".utf8), from: (1, 1))?.line, 2)
        XCTAssertEqual(scanner.find(Array("[[y".utf8), from: (1, 1))?.column, 20)
        XCTAssertNil(scanner.find(Array("[[z".utf8), from: (1, 1)))
        XCTAssertEqual(MarkdownBody.find(Array("last".utf8), in: [Array("a".utf8), [], Array("last".utf8)], from: (1, 1))?.line, 3)
    }

    func testByteSearch() {
        XCTAssertTrue("a[b".containsByte(UInt8(ascii: "[")))
        XCTAssertFalse("ab".containsByte(UInt8(ascii: "[")))
        XCTAssertFalse("".containsByte(0))
        XCTAssertTrue(String(repeating: "é", count: 40).containsByte(0xA9))
    }

    func testAContentFileIsReadWholeInOneGoAndAnythingElseIsLeftToFoundation() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("waymark-read-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bytes = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 % 251) })
        let file = dir.appendingPathComponent("a.md")
        try bytes.write(to: file)
        guard case .contents(let read)? = PageLoader.readRegularFile(file.path) else { return XCTFail("not read") }
        XCTAssertEqual(read, bytes)
        try Data().write(to: dir.appendingPathComponent("empty.md"))
        guard case .contents(let empty)? = PageLoader.readRegularFile(dir.appendingPathComponent("empty.md").path) else { return XCTFail("not read") }
        XCTAssertTrue(empty.isEmpty)
        XCTAssertNil(PageLoader.readRegularFile(dir.path), "a folder")
        XCTAssertNil(PageLoader.readRegularFile(dir.appendingPathComponent("missing.md").path))
    }

    /// The knowledge graph's edges are packed into integers and sorted by radix: the same order as
    /// the standard library's sort, for keys that differ anywhere or only in a few bits.
    func testRadixSortAgreesWithSort() {
        var state: UInt64 = 7
        func random() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        for (count, mask) in [(0, ~UInt64(0)), (5, ~UInt64(0)), (65, ~UInt64(0)), (3000, ~UInt64(0)), (3000, 0x7FF << 21),
                              (3000, 0x7F), (3000, 0), (10_000, (1 << 63) - 1)] {
            var keys = (0..<count).map { _ in random() & mask }
            keys += keys.prefix(count / 10)  // duplicates
            let expected = keys.sorted()
            keys.radixSort()
            XCTAssertEqual(keys, expected, "\(count) keys under \(String(mask, radix: 16))")
        }
    }
}
