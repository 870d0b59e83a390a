import Foundation
import XCTest
@testable import Waymark

/// graph.json is written by hand; its strings must be exactly what JSONEncoder wrote before.
final class GraphJSONTests: XCTestCase {
    func testStringsMatchJSONEncoder() throws {
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
}
