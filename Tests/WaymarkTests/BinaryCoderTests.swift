import Foundation
import XCTest
@testable import Waymark

/// The build cache's binary coder: every Codable shape the cache stores comes back equal, and damaged
/// bytes throw rather than trap or come back as other values.
final class BinaryCoderTests: XCTestCase {
    private func roundTrip<T: Codable & Equatable>(_ value: T, file: StaticString = #filePath, line: UInt = #line) throws {
        let bytes = try BinaryEncoder().encode(value)
        XCTAssertEqual(try BinaryDecoder().decode(T.self, from: bytes), value, file: file, line: line)
    }

    // MARK: Shapes

    struct Address: Codable, Equatable {
        var street: String
        var number: Int
        var flat: String?
    }

    struct Person: Codable, Equatable {
        var name: String
        var age: Int
        var home: Address
        var previous: [Address]
        var nickname: String?
        var manager: Address?
        var scores: [Double]
        var flags: [Bool]
    }

    indirect enum Shape: Codable, Equatable {
        case circle(radius: Double)
        case rectangle(Double, Double)
        case labelled(String, Shape?)
        case nothing
    }

    enum Kind: String, Codable { case journey, persona }

    func testNestedStructs() throws {
        let home = Address(street: "Rue de la Paix", number: 12, flat: nil)
        let person = Person(name: "Maya", age: 41, home: home, previous: [Address(street: "Main", number: 1, flat: "2B"), home],
                            nickname: nil, manager: Address(street: "", number: -3, flat: ""), scores: [1.5, -0.25], flags: [true, false])
        try roundTrip(person)
        try roundTrip([person, person])
    }

    func testEnumsWithAssociatedValues() throws {
        try roundTrip([Shape.circle(radius: 2), .rectangle(3, 4), .labelled("a", .labelled("b", .nothing)), .labelled("", nil), .nothing])
        try roundTrip([Kind.journey, .persona])
    }

    func testOptionalsNilAndPresent() throws {
        try roundTrip([1, nil, 3] as [Int?])
        try roundTrip(["", nil, "x"] as [String?])
        try roundTrip(nil as String?)
        try roundTrip("" as String?)
        try roundTrip(Address(street: "a", number: 0, flat: ""))
        try roundTrip([Address?.none, Address(street: "b", number: 1, flat: nil)])
        // An empty string is a value, not nil.
        let decoded = try BinaryDecoder().decode(Address.self, from: BinaryEncoder().encode(Address(street: "", number: 0, flat: "")))
        XCTAssertEqual(decoded.flat, "")
    }

    struct Point: Codable, Hashable {
        var x: Int
        var y: Int
    }

    func testDictionaries() throws {
        try roundTrip(["a": 1, "": 2, "ünï": 3])
        try roundTrip([1: "one", -7: "minus seven", Int.max: "max"])
        try roundTrip([Point(x: 1, y: 2): "p", Point(x: -1, y: 0): "q"])
        try roundTrip([2.5: [1, 2], -0.5: []] as [Double: [Int]])
        try roundTrip([String: [String: Int]]())
        try roundTrip(["outer": ["inner": 1, "other": 2], "empty": [:]])
    }

    func testArraysOfArrays() throws {
        try roundTrip([[1, 2], [], [3]])
        try roundTrip([[["deep"]], [[]], []])
        try roundTrip([[Shape.nothing], [.circle(radius: 1)]])
        try roundTrip(Set(["a", "b", "c"]))
    }

    func testStrings() throws {
        try roundTrip("")
        try roundTrip(["", "plain", "Ünïcødé", "日本語のテキスト", "emoji 🚀👩‍👩‍👧", "e\u{301} combining", "nul \0 inside", String(repeating: "long ", count: 10_000)])
    }

    func testIntegerLimits() throws {
        try roundTrip([Int.min, Int.min + 1, -129, -128, -1, 0, 1, 127, 128, 255, 256, Int.max - 1, Int.max])
        try roundTrip([UInt64.min, 1, 127, 128, UInt64(UInt32.max), UInt64.max - 1, UInt64.max])
        try roundTrip([Int8.min, -1, 0, Int8.max])
        try roundTrip([Int16.min, Int16.max])
        try roundTrip([Int32.min, Int32.max])
        try roundTrip([Int64.min, Int64.max])
        try roundTrip([UInt8.max, UInt8.min])
        try roundTrip([UInt16.max])
        try roundTrip([UInt32.max])
        try roundTrip([UInt.max, 0])
        try roundTrip(Int.min)
        try roundTrip(UInt64.max)
    }

    func testDoubleAndFloatEdges() throws {
        let doubles: [Double] = [0, -0.0, 1, -1, .pi, .infinity, -.infinity, .leastNonzeroMagnitude, .leastNormalMagnitude,
                                 .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .ulpOfOne]
        try roundTrip(doubles)
        let back = try BinaryDecoder().decode([Double].self, from: BinaryEncoder().encode(doubles))
        XCTAssertEqual(back.map(\.bitPattern), doubles.map(\.bitPattern), "-0.0 keeps its sign")
        let nan = try BinaryDecoder().decode(Double.self, from: BinaryEncoder().encode(Double.nan))
        XCTAssertTrue(nan.isNaN)
        try roundTrip([Float(0), -0.0, .infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 3.25])
        XCTAssertTrue(try BinaryDecoder().decode(Float.self, from: BinaryEncoder().encode(Float.nan)).isNaN)
    }

    func testRangesURLsAndTopLevelPlainValues() throws {
        try roundTrip(3..<17)
        try roundTrip(URL(fileURLWithPath: "/tmp/a b/ü.md"))
        try roundTrip(true)
        try roundTrip(-42)
        try roundTrip("top")
    }

    /// Bytes are one value (header, then the bytes), not a list of numbers: how compact forms travel.
    func testBytesAreOneValue() throws {
        try roundTrip([UInt8]())
        try roundTrip([UInt8](0...255))
        try roundTrip([[UInt8]([1, 2]), [], [0xFF]])
        try roundTrip([UInt8]?.none)
        struct Blob: Codable, Equatable { var name: String; var raw: [UInt8]; var more: [UInt8]? }
        try roundTrip(Blob(name: "b", raw: [0, 1, 2], more: nil))
        try roundTrip(Blob(name: "", raw: [], more: []))
        // Version, a two-byte header, the bytes, an empty key table, the checksum.
        XCTAssertEqual(try BinaryEncoder().encode([UInt8](repeating: 7, count: 1000)).count, 1 + 2 + 1000 + 1 + 8)
        XCTAssertThrowsError(try BinaryDecoder().decode([UInt8].self, from: BinaryEncoder().encode([UInt8]?.none)))
    }

    // MARK: Keys

    /// Written in one order with an extra key, read in another with `decodeIfPresent` and `contains`.
    struct Written: Encodable {
        enum CodingKeys: String, CodingKey { case a, b, c, extra }
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(1, forKey: .a)
            try c.encode("two", forKey: .b)
            try c.encode([3], forKey: .c)
            try c.encodeNil(forKey: .extra)
        }
    }

    struct Read: Decodable {
        enum CodingKeys: String, CodingKey { case a, b, c, extra, missing }
        var a: Int, b: String, c: [Int], missing: Int?, extraIsNil: Bool, hasMissing: Bool, hasExtra: Bool
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.c = try c.decode([Int].self, forKey: .c)
            missing = try c.decodeIfPresent(Int.self, forKey: .missing)
            a = try c.decode(Int.self, forKey: .a)
            extraIsNil = try c.decodeNil(forKey: .extra)
            b = try c.decode(String.self, forKey: .b)
            hasMissing = c.contains(.missing)
            hasExtra = c.contains(.extra)
        }
    }

    func testKeysAreFoundInAnyOrder() throws {
        let read = try BinaryDecoder().decode(Read.self, from: BinaryEncoder().encode(Written()))
        XCTAssertEqual(read.a, 1)
        XCTAssertEqual(read.b, "two")
        XCTAssertEqual(read.c, [3])
        XCTAssertNil(read.missing)
        XCTAssertTrue(read.extraIsNil)
        XCTAssertFalse(read.hasMissing)
        XCTAssertTrue(read.hasExtra)
    }

    func testAMissingKeyThrows() throws {
        struct Other: Decodable { var other: Int }
        XCTAssertThrowsError(try BinaryDecoder().decode(Other.self, from: BinaryEncoder().encode(Written()))) { error in
            guard case DecodingError.keyNotFound(let key, _)? = error as? DecodingError else { return XCTFail("\(error)") }
            XCTAssertEqual(key.stringValue, "other")
        }
    }

    /// Nested containers, `superEncoder` and `userInfo`, as a hand-written Codable might use them.
    struct Handwritten: Codable, Equatable {
        var id: String
        var inner: [Int]
        var base: Int
        var context: String

        static let contextKey = CodingUserInfoKey(rawValue: "test.context")!
        enum CodingKeys: String, CodingKey { case id, nested, list }
        enum NestedKeys: String, CodingKey { case value }

        init(id: String, inner: [Int], base: Int, context: String) {
            (self.id, self.inner, self.base, self.context) = (id, inner, base, context)
        }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            var nested = c.nestedContainer(keyedBy: NestedKeys.self, forKey: .nested)
            try nested.encode(id, forKey: .value)
            var list = c.nestedUnkeyedContainer(forKey: .list)
            for n in inner { try list.encode(n) }
            var deeper = list.nestedUnkeyedContainer()
            try deeper.encode("deep")
            try base.encode(to: c.superEncoder())
        }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            base = try Int(from: c.superDecoder())
            var list = try c.nestedUnkeyedContainer(forKey: .list)
            // The numbers, then the deeper list.
            guard let count = list.count else { throw DecodingError.dataCorruptedError(in: list, debugDescription: "no count") }
            var inner: [Int] = []
            for _ in 0..<(count - 1) { inner.append(try list.decode(Int.self)) }
            var deeper = try list.nestedUnkeyedContainer()
            XCTAssertEqual(try deeper.decode(String.self), "deep")
            XCTAssertTrue(list.isAtEnd)
            self.inner = inner
            id = try c.nestedContainer(keyedBy: NestedKeys.self, forKey: .nested).decode(String.self, forKey: .value)
            context = decoder.userInfo[Self.contextKey] as? String ?? "none"
        }
    }

    func testNestedContainersSuperEncoderAndUserInfo() throws {
        let value = Handwritten(id: "h", inner: [1, 2, 3], base: 99, context: "given")
        var decoder = BinaryDecoder()
        decoder.userInfo[Handwritten.contextKey] = "given"
        XCTAssertEqual(try decoder.decode(Handwritten.self, from: BinaryEncoder().encode(value)), value)
    }

    /// Codable has no call that closes a container; writing to one after its parent moved on is refused, not garbled.
    func testAContainerWrittenOutOfTurnThrows() {
        struct OutOfTurn: Encodable {
            enum CodingKeys: String, CodingKey { case a, b }
            func encode(to encoder: Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                var first = c.nestedUnkeyedContainer(forKey: .a)
                try first.encode(1)
                try c.encode(2, forKey: .b)
                try first.encode(3)
            }
        }
        XCTAssertThrowsError(try BinaryEncoder().encode(OutOfTurn()))
    }

    // MARK: Real pages

    /// Every page of the example site: what the build cache stores decodes to what re-encodes to the same bytes.
    func testExampleSitePagesRoundTrip() throws {
        let content = ExampleSiteTests.repositoryRoot.appendingPathComponent("content")
        let (files, _) = ContentDiscovery(root: content, ignore: []).discover()
        let markdown = files.filter { $0.kind == .markdown }
        XCTAssertGreaterThan(markdown.count, 20)
        var journeys = 0
        for file in markdown {
            let (loaded, diagnostics) = PageLoader.load(file)
            var page = try XCTUnwrap(loaded, file.relativePath)
            if case .journey = page.entity { journeys += 1 }
            var encoder = BinaryEncoder()
            encoder.userInfo[SourceLocation.pathKey] = file.displayPath
            var decoder = BinaryDecoder()
            decoder.userInfo[SourceLocation.pathKey] = file.displayPath
            let bytes = try encoder.encode(page)
            var back = try decoder.decode(LoadedPage.self, from: bytes)
            XCTAssertEqual(back.id, page.id)
            XCTAssertEqual(back.title, page.title)
            XCTAssertEqual(back.facts.links.count, page.facts.links.count)
            XCTAssertEqual(back.facts.headings.map(\.location), page.facts.headings.map(\.location), "locations get their path from userInfo")
            // A set's order is its own; compared as sets, then left out of the bytes.
            XCTAssertEqual(back.body.reservedAnchors, page.body.reservedAnchors)
            back.body.reservedAnchors = []
            page.body.reservedAnchors = []
            XCTAssertEqual(try encoder.encode(back), try encoder.encode(page), file.relativePath)

            let back2 = try decoder.decode([Diagnostic].self, from: encoder.encode(diagnostics))
            XCTAssertEqual(back2, diagnostics)
        }
        XCTAssertGreaterThan(journeys, 0, "journeys (stages, touchpoints) are among them")
    }

    // MARK: Damage

    private func samplePerson() -> Person {
        let home = Address(street: "Ünïcødé lane", number: 300, flat: "4")
        return Person(name: "Sam", age: 29, home: home, previous: [home, Address(street: "x", number: -1, flat: nil)],
                      nickname: "S", manager: nil, scores: [0.5, .infinity], flags: [true])
    }

    func testTruncatedDocumentsThrow() throws {
        let bytes = try BinaryEncoder().encode(samplePerson())
        for length in 0..<bytes.count {
            XCTAssertThrowsError(try BinaryDecoder().decode(Person.self, from: Array(bytes[0..<length])), "cut to \(length) bytes")
        }
        XCTAssertThrowsError(try BinaryDecoder().decode(Person.self, from: bytes + [0]), "a byte too many")
    }

    func testEveryFlippedBitThrows() throws {
        let bytes = try BinaryEncoder().encode(samplePerson())
        for bit in 0..<(bytes.count * 8) {
            var damaged = bytes
            damaged[bit / 8] ^= 1 << UInt8(bit % 8)
            XCTAssertThrowsError(try BinaryDecoder().decode(Person.self, from: damaged), "bit \(bit) flipped")
        }
    }

    /// The checksum written again over damaged bytes, as if the damage were deliberate.
    private func resealed(_ bytes: [UInt8]) -> [UInt8] {
        var body = Array(bytes.dropLast(8))
        var hasher = StableHasher()
        body.withUnsafeBytes { hasher.combine(bytes: $0) }
        for i in 0..<8 { body.append(UInt8(truncatingIfNeeded: hasher.value >> (8 * UInt64(i)))) }
        return body
    }

    /// Past the checksum, every read is still checked: any byte changed to any value throws or decodes, never traps.
    func testDamagePastTheChecksumNeverTraps() throws {
        let bytes = try BinaryEncoder().encode(samplePerson())
        XCTAssertEqual(resealed(bytes), bytes)
        for offset in 0..<(bytes.count - 8) {
            for value in [0, 1, 2, 0x7F, 0x80, 0xFF] as [UInt8] where value != bytes[offset] {
                var damaged = bytes
                damaged[offset] = value
                _ = try? BinaryDecoder().decode(Person.self, from: resealed(damaged))
            }
            _ = try? BinaryDecoder().decode(Person.self, from: resealed(Array(bytes[0..<offset]) + [0, 0, 0, 0, 0, 0, 0, 0]))
        }
    }

    func testAnAbsurdLengthThrowsWithoutAllocatingIt() throws {
        // Version, then a root value claiming 2^62 bytes.
        let huge: [UInt8] = [BinaryEncoder.version, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 0] + Array(repeating: 0, count: 8)
        XCTAssertThrowsError(try BinaryDecoder().decode([String].self, from: resealed(huge)))
        // A key table claiming 2^62 keys.
        let keys: [UInt8] = [BinaryEncoder.version, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40] + Array(repeating: 0, count: 8)
        XCTAssertThrowsError(try BinaryDecoder().decode([String].self, from: resealed(keys)))
        // A varint longer than 64 bits.
        let long: [UInt8] = [BinaryEncoder.version] + Array(repeating: 0xFF, count: 11) + [1, 0] + Array(repeating: 0, count: 8)
        XCTAssertThrowsError(try BinaryDecoder().decode([String].self, from: resealed(long)))
    }

    func testAValueOfTheWrongTypeThrows() throws {
        XCTAssertThrowsError(try BinaryDecoder().decode(Int8.self, from: BinaryEncoder().encode(300)), "300 is no Int8")
        XCTAssertThrowsError(try BinaryDecoder().decode(UInt8.self, from: BinaryEncoder().encode(1000)), "1000 is no UInt8")
        XCTAssertThrowsError(try BinaryDecoder().decode(Bool.self, from: BinaryEncoder().encode(7)))
        XCTAssertThrowsError(try BinaryDecoder().decode(Double.self, from: BinaryEncoder().encode(Float(1))))
        XCTAssertThrowsError(try BinaryDecoder().decode(Int.self, from: BinaryEncoder().encode(nil as Int?)))
        XCTAssertThrowsError(try BinaryDecoder().decode(Address.self, from: BinaryEncoder().encode([1, 2])))
    }

    /// The fuzz target's view of the cache: any bytes, sealed with a valid checksum, are decoded as a
    /// cached load result or rejected; none traps.
    func testSealedRandomBytesAreRejectedOrDecodedAsACachedPage() {
        var random = SeededRandom(seed: 11)
        for length in 0..<400 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            _ = FuzzEntry.cacheRecord(sealing: bytes)
        }
        XCTAssertNil(FuzzEntry.cacheRecord(sealing: []))
    }
}
