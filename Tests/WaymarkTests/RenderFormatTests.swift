import Foundation
import XCTest
@testable import Waymark

/// Output written by hand for speed must be byte for byte what Foundation wrote before.
final class RenderFormatTests: XCTestCase {
    /// graph.json strings, as JSONEncoder([.sortedKeys, .withoutEscapingSlashes]) escaped them.
    func testGraphStringsMatchJSONEncoder() throws {
        var samples = ["", "plain", "a/b/c", "quote \" and \\ backslash", "Zoë › “curly” 🧭", "\u{2028}\u{2029}\u{7F}"]
        samples.append(String((0..<32).map { Character(Unicode.Scalar(UInt8($0))) }))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for sample in samples {
            var json = JSONText()
            json.string(sample)
            let expected = try encoder.encode([sample])
            XCTAssertEqual(Data([UInt8(ascii: "[")] + json.bytes + [UInt8(ascii: "]")]), expected, sample.debugDescription)
        }
        // The eight-bytes-at-a-time check against a byte-by-byte one: each byte that needs escaping,
        // and its neighbours on either side, at every position of texts of every length up to 24.
        let fillers: [UInt8] = [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x80, 0xA0, 0xC3, 0xE2, 0xFF]
        let tested: [UInt8] = [0x00, 0x01, 0x0A, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x9F, 0xA2, 0xDC]
        for length in 0...24 {
            for filler in fillers {
                var text = [UInt8](repeating: filler, count: length)
                for position in 0..<max(length, 1) {
                    for byte in tested where length > 0 {
                        text[position] = byte
                        let expected = text.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }
                        XCTAssertEqual(text.withUnsafeBufferPointer { JSONText.needsEscaping($0) }, expected, "\(text)")
                        text[position] = filler
                    }
                }
                XCTAssertFalse(text.withUnsafeBufferPointer { JSONText.needsEscaping($0) })
            }
        }
    }

    /// graph.json written in pieces into the staging folder is the document made whole, byte for byte,
    /// with the hash the write step would have taken of it, for pieces of every size, also smaller
    /// than some of its parts (which are then passed on as they are). A size that does not match
    /// leaves no file.
    func testGraphInPiecesIsTheWholeDocument() throws {
        var files: [String: String] = [:]
        for i in 0..<30 {
            files["content/notes/n\(i).md"] = "# Note \(i) with a long title, long enough for a piece of sixty-four bytes\n\nSee [[notes/n\((i + 1) % 30)]] and [[notes/n\((i + 7) % 30)]].\n"
        }
        let site = try TempSite(files)
        var pages: [LoadedPage] = []
        for path in files.keys.sorted() {
            let file = ContentFile(relativePath: String(path.dropFirst("content/".count)), url: site.root.appendingPathComponent(path), kind: .markdown)
            pages.append(try XCTUnwrap(PageLoader.load(file, cached: nil).0))
        }
        let linked = Linker(config: SiteConfig(), includeDrafts: false).link(pages: pages, assets: []).0
        let renderer = SiteRenderer(site: linked, theme: try XCTUnwrap(Theme.load(siteRoot: site.root).0))
        let document = renderer.graphDocument(linked)
        let whole = document.bytes()
        XCTAssertEqual(whole.count, document.size)
        guard case .bytes(let made) = renderer.knowledgeGraph(linked).content else { return XCTFail("graph.json not made in memory") }
        XCTAssertTrue(made == whole, "knowledgeGraph is the document made whole")
        XCTAssertGreaterThan(whole.count, 4096)
        for pieceSize in [64, 100, 4096, 1 << 20] {
            var streamed: [UInt8] = []
            document.write(pieceSize: pieceSize) { piece in
                // Only what is already whole in memory (the nodes' JSON, a long string) comes larger.
                XCTAssertLessThanOrEqual(piece.count, max(pieceSize, document.nodes.count, document.quoted.count))
                streamed.append(contentsOf: piece)
            }
            XCTAssertTrue(streamed == whole, "pieces of \(pieceSize) bytes")
        }
        let staging = OutputWriter.Staging(url: site.scratch.appendingPathComponent("staging-test"))
        try FileManager.default.createDirectory(at: staging.url, withIntermediateDirectories: true)
        let written = try XCTUnwrap(staging.write(path: "graph.json", size: document.size) { document.write(pieceSize: 100, $0) })
        guard case .written(let hash, let size) = written.content else { return XCTFail("\(written.content)") }
        XCTAssertEqual(size, whole.count)
        XCTAssertEqual(hash, StableHasher.hash(bytes: whole))
        XCTAssertTrue(Array(try Data(contentsOf: staging.url.appendingPathComponent("graph.json"))) == whole, "the file written")
        XCTAssertNil(staging.write(path: "wrong.json", size: document.size + 1) { document.write($0) })
        XCTAssertFalse(FileManager.default.fileExists(atPath: staging.url.appendingPathComponent("wrong.json").path))
    }

    /// The search index as JSONEncoder([.sortedKeys, .withoutEscapingSlashes]) wrote it: nested
    /// arrays, objects whose keys need sorting (by UTF-8 bytes), integers and escaped strings.
    func testSearchIndexJSONMatchesJSONEncoder() throws {
        let strings = ["", "plain", "a/b", "quote \" and \\", "Zoë › “curly” 🧭", "\u{2028}\t\n\u{1}", "Ähnlich", "zebra"]
        var random = SystemRandomNumberGenerator()
        func value(_ depth: Int) -> JSONValue {
            switch depth > 3 ? Int.random(in: 0...1, using: &random) : Int.random(in: 0...3, using: &random) {
            case 0: return .string(strings.randomElement(using: &random) ?? "")
            case 1: return .int(Int.random(in: -1_000_000...1_000_000, using: &random))
            case 2: return .array((0..<Int.random(in: 0...4, using: &random)).map { _ in value(depth + 1) })
            default:
                let keys = Set((0..<Int.random(in: 0...5, using: &random)).map { _ in strings.randomElement(using: &random) ?? "" })
                return .object(keys.map { ($0, value(depth + 1)) })
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for _ in 0..<300 {
            let v = value(0)
            var json = JSONText()
            v.write(into: &json)
            XCTAssertEqual(String(decoding: json.bytes, as: UTF8.self), String(decoding: try encoder.encode(v), as: UTF8.self))
        }
        let index = SearchIndex(entries: [.init(title: "Asthma / “care”", url: "journeys/asthma/", type: 0,
                                                keywords: [("Diagnosis", "diagnosis"), ("inhaler", nil)], text: "Words\nhere")])
        XCTAssertTrue(String(decoding: index.script(), as: UTF8.self).hasPrefix("window.WaymarkSearchIndex = {\"pages\":[[\"Asthma / “care”\""))
        // Written in runs on all cores and joined: the same bytes as the whole index encoded at once,
        // for no page, one, and more pages than there are runs.
        for count in [0, 1, 2, 150] {
            let entries = (0..<count).map { k in
                SearchIndex.Entry(title: strings[k % strings.count] + " \(k)", url: "p/\(k)/", type: k % 6,
                                  keywords: k % 3 == 0 ? [] : [(strings[(k + 1) % strings.count], k % 2 == 0 ? "a\(k)" : nil), ("tag", nil)],
                                  text: strings[(k + 2) % strings.count])
            }
            let whole = JSONValue.object([
                ("version", .int(1)),
                ("types", .array(SearchIndex.types.map { .array([.string($0.key), .string($0.label)]) })),
                ("pages", .array(entries.map { e in
                    .array([.string(e.title), .string(e.url), .int(e.type),
                            .array(e.keywords.map { k in k.anchor.map { .array([.string(k.text), .string($0)]) } ?? .string(k.text) }),
                            .string(e.text)])
                })),
            ])
            let expected = "window.WaymarkSearchIndex = " + String(decoding: try encoder.encode(whole), as: UTF8.self) + ";\n"
            XCTAssertEqual(String(decoding: SearchIndex(entries: entries).script(), as: UTF8.self), expected, "\(count) pages")
        }
    }

    /// Journey-map coordinates and ranking metrics, as String(format:) printed them.
    func testNumbersMatchStringFormat() {
        var values: [Double] = [0, -0.0, 0.05, 0.15, 0.25, 0.35, 1.45, 2.5, -2.55, 56, 146.0, 1e6 + 0.05, 123.456, -0.004, 0.995]
        for n in 1...9 { for t in 0..<n { values.append(56 + 180 * Double(t + 1) / Double(n + 1)) } }
        for v in values {
            XCTAssertEqual(PageContext.fmt(v), String(format: "%.1f", v), "\(v)")
            XCTAssertEqual(PageContext.cFormat("%.2f", v), String(format: "%.2f", v), "\(v)")
            XCTAssertEqual(PageContext.cFormat("%+.2f", v), String(format: "%+.2f", v), "\(v)")
        }
        // The tenths worked out without printf, against printf: ties (exact in binary, and not),
        // values just either side of them, negatives rounding to zero, huge numbers and NaN.
        var random = SystemRandomNumberGenerator()
        var samples: [Double] = [0.05, 0.15, 0.25, -0.25, 0.45, 1e9 / 10 + 0.05, 1e12, -1e300, .nan, .infinity, -.infinity, -0.04, -0.05, 0.049999, 7.25]
        for k in -2000...2000 { samples.append(Double(k) / 20); samples.append(Double(k) / 20 + 1e-9); samples.append(Double(k) / 20 - 1e-12) }
        for _ in 0..<20_000 { samples.append(Double.random(in: -1e6...1e6, using: &random)) }
        for _ in 0..<20_000 { samples.append(Double.random(in: -3...3, using: &random)) }
        for v in samples {
            XCTAssertEqual(PageContext.fmt(v), String(format: "%.1f", v), "\(v)")
        }
    }
}

/// What readers see of a page's text and fields: summaries end after a whole word, numbers are
/// grouped as the text writes them, an e-mail contact is a link.
final class ReaderFormatTests: XCTestCase {
    func testALongSummaryIsCutAfterAWholeWord() {
        let text = String(repeating: "Families call the nurse line when the cap does not pair, ", count: 5)
        let summary = PageContext.summary(text)
        XCTAssertTrue(summary.hasSuffix("…"), summary)
        XCTAssertLessThanOrEqual(summary.count, 200)
        let words = Set(text.split(separator: " ").map { $0.trimmingCharacters(in: .punctuationCharacters) })
        let last = String(summary.dropLast().split(separator: " ").last ?? "")
        XCTAssertTrue(words.contains(last), "“\(last)” is no whole word: \(summary)")
        XCTAssertEqual(PageContext.summary("Short."), "Short.")
        // Cut at the end of a sentence: the ellipsis takes the full stop's place.
        let sentence = String(repeating: "x", count: 180) + " to them. " + String(repeating: "y", count: 40)
        XCTAssertTrue(PageContext.summary(sentence).hasSuffix(" to them…"), PageContext.summary(sentence))
        // One long word: cut where it must be.
        XCTAssertEqual(PageContext.summary(String(repeating: "a", count: 300)).count, 198)
        // Characters, not bytes: 150 accented letters (300 bytes) stay whole, 201 are cut, and a
        // flag of two scalars counts as one character.
        let accented = String(repeating: "é", count: 150)
        XCTAssertEqual(PageContext.summary(accented), accented)
        XCTAssertEqual(PageContext.summary(String(repeating: "é", count: 201)), String(repeating: "é", count: 197) + "…")
        let flags = String(repeating: "🇫🇷", count: 200)
        XCTAssertEqual(PageContext.summary(flags), flags)
        // Commas, colons and full stops at the cut go, however many.
        XCTAssertEqual(PageContext.summary(String(repeating: "b", count: 194) + ".,: " + String(repeating: "c", count: 60)),
                       String(repeating: "b", count: 194) + "…")
    }

    /// The theme puts a persona's quote in quotation marks: those the writer typed around it go.
    func testAQuoteLosesTheQuotationMarksTypedAroundIt() {
        XCTAssertEqual(PageContext.withoutEnclosingQuotes("“I don’t have time to sit on hold.”"), "I don’t have time to sit on hold.")
        XCTAssertEqual(PageContext.withoutEnclosingQuotes("\"Just tell me what it costs.\""), "Just tell me what it costs.")
        XCTAssertEqual(PageContext.withoutEnclosingQuotes("„Wie lange dauert das?“"), "Wie lange dauert das?")
        XCTAssertEqual(PageContext.withoutEnclosingQuotes("« Combien ça coûte ? »"), "Combien ça coûte ?")
        XCTAssertEqual(PageContext.withoutEnclosingQuotes("No marks, and “inner” ones stay."), "No marks, and “inner” ones stay.")
        XCTAssertEqual(PageContext.withoutEnclosingQuotes("“"), "“")
    }

    func testNumbersAreGroupedAndAnEmailContactIsAMailtoLink() throws {
        XCTAssertEqual(PageContext.groupedDigits(3406), "3,406")
        XCTAssertEqual(PageContext.groupedDigits(1_234_567), "1,234,567")
        XCTAssertEqual(PageContext.groupedDigits(999), "999")
        XCTAssertEqual(PageContext.groupedDigits(0), "0")
        XCTAssertTrue(PageContext.isEmailAddress("marketing@airwise.example"))
        for text in ["the marketing team", "@team", "a@b", "a@b.", "mailto:a@b.c", "a b@c.d", "<a@b.c>"] {
            XCTAssertFalse(PageContext.isEmailAddress(text), text)
        }
        let site = try TempSite([
            "content/departments/marketing.md": "---\ntitle: Marketing\ncontact: marketing@airwise.example\n---\n",
            "content/departments/it.md": "---\ntitle: IT\ncontact: the IT desk, room 4\n---\n",
            "content/research/survey.md": "---\ntitle: Survey\nmethod: survey\ndate: 2026-01-05\nparticipants: 3406\n---\n",
        ], templates: nil)
        XCTAssertEqual(site.build().diagnostics.errorCount, 0)
        XCTAssertTrue(try XCTUnwrap(site.html("departments/marketing/index.html"))
            .contains("<a href=\"mailto:marketing@airwise.example\">marketing@airwise.example</a>"))
        XCTAssertTrue(try XCTUnwrap(site.html("departments/it/index.html")).contains("<dd>the IT desk, room 4</dd>"))
        XCTAssertTrue(try XCTUnwrap(site.html("research/survey/index.html")).contains("<dd>3,406</dd>"))
    }
}
