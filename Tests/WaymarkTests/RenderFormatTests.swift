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
    }
}
