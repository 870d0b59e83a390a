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
            _ = FuzzEntry.cacheRecord(compact: bytes)
            _ = FuzzEntry.cacheRecord(unsealed: bytes)
        }
        XCTAssertNil(FuzzEntry.cacheRecord(unsealed: []))
        XCTAssertNil(FuzzEntry.cacheRecord(compact: []))
        // A real load result's compact form gets through: the fuzz target reaches the compact reader.
        var writer = CompactWriter(path: "fuzz.md")
        writer.write(Optional(fullPage(.page)))
        writer.write([Diagnostic]())
        XCTAssertEqual(FuzzEntry.cacheRecord(compact: writer.bytes)?.title, fullPage(.page).title)
    }

    // MARK: Compact forms

    private static let storedPath = "content/journeys/onboarding.md"

    private func here(_ line: Int, _ column: Int) -> SourceLocation { SourceLocation(path: Self.storedPath, line: line, column: column) }

    private func located(_ value: String, _ line: Int) -> Located<String> { Located(value: value, location: here(line, 3)) }

    /// Every field set, strings beyond ASCII, empty ones, and locations in other files.
    private func fullFacts() -> BodyFacts {
        var facts = BodyFacts()
        facts.headings = [BodyHeading(text: "Überblick — 概要 🚀", level: 2, anchor: "uberblick", location: here(3, 1)),
                          BodyHeading(text: "", level: 6, anchor: "", location: here(0, 0))]
        facts.links = [
            BodyLink(target: .wiki(Wikilink(target: "personas/zoë", anchor: "goals", label: "Zoë's goals", range: 4..<31, embed: true)),
                     location: here(10, 200_000), sentence: "She reads \u{E000}personas/zoë\u{E001} first."),
            BodyLink(target: .wiki(Wikilink(target: "", anchor: nil, label: nil, range: 0..<0)),
                     location: SourceLocation(path: "content/other.md", line: -1, column: Int.max), sentence: ""),
            BodyLink(target: .url("https://example.com/ü?q=1"), location: here(11, 1), sentence: "A link."),
            BodyLink(target: .image("data:image/png;base64,AAAA"), location: here(12, Int.min), sentence: "An image."),
        ]
        facts.rawHTML = [here(20, 4), here(22, 1)]
        facts.rawHTMLLines = 12
        facts.firstParagraph = "Erste Zeile: naïve café"
        facts.glossaryText = "one run\nanother — run\n"
        facts.blockAnchors = ["^key-finding", "^a1"]
        facts.blockLines = [12...12, 15...18]
        facts.tags = ["research", "ünï", ""]
        facts.problems = [.warning(here(5, 5), "an embed inside a sentence is shown as a link", hint: "put it on a line of its own"),
                          .error(SourceLocation(path: "waymark.yml"), "no hint")]
        return facts
    }

    private func fullJourney() -> Journey {
        let touchpoint = Touchpoint(name: "Sign-up form — Anmeldung", anchor: "discover/sign-up", channel: "web", mode: "self-service",
                                    owner: located("growth", 30), actors: ["customer", "ü-bot"], moment: "truth", emotion: -2,
                                    kpis: ["conversion"],
                                    findings: [located("research/interviews", 31),
                                               Located(value: "x", location: SourceLocation(path: "content/other.md", line: 1, column: 1))],
                                    location: here(29, 5))
        let bare = Touchpoint(name: "", anchor: "", channel: "", mode: nil, owner: nil, actors: [], moment: nil, emotion: nil,
                              kpis: [], findings: [], location: here(0, 0))
        let stage = Stage(name: "Discover", anchor: "discover", goal: "Find us", emotion: 2, owner: located("marketing", 28),
                          touchpoints: [touchpoint, bare], location: here(27, 3))
        let empty = Stage(name: "Empty", anchor: "empty", goal: nil, emotion: nil, owner: nil, touchpoints: [], location: here(40, 3))
        return Journey(personas: [located("personas/sam", 2)], owner: located("cx", 3), departments: [located("support", 4), located("sales", 5)],
                       begins: "need", ends: "renewal", basis: "research", status: "draft", channels: ["web", "phone"], kpis: ["nps"],
                       lastReviewed: "2024-05-01", parent: located("journeys/root", 6),
                       rankings: [Ranking(list: located("customer", 7), items: [located("discover", 8)]),
                                  Ranking(list: located("support", 9), items: [])],
                       stages: [stage, empty])
    }

    private func emptyJourney() -> Journey {
        Journey(personas: [], owner: nil, departments: [], begins: nil, ends: nil, basis: nil, status: nil, channels: [], kpis: [],
                lastReviewed: nil, parent: nil, rankings: [], stages: [])
    }

    /// As the build cache restores a page: the body's text is not kept. Its anchors are one, to keep their order fixed.
    private func fullPage(_ entity: Entity) -> LoadedPage {
        let file = ContentFile(relativePath: "journeys/onboarding.md", url: URL(fileURLWithPath: "/tmp/site ü/content/journeys/onboarding.md"), kind: .markdown)
        let list = YAMLValue.sequence([.scalar("1", .int, here(9, 10)), .scalar("", .null, here(9, 13)), .scalar("2.5", .float, here(9, 15)),
                                       .scalar("yes", .bool, here(9, 20)), .scalar("2024-01-01", .timestamp, here(9, 25)),
                                       .scalar("text ü", .string, here(9, 30)), .sequence([], here(9, 40)), .mapping([], here(9, 43))], here(9, 9))
        let params = [YAMLEntry(key: "extra", keyLocation: here(8, 1), value: .mapping([YAMLEntry(key: "list", keyLocation: here(9, 3), value: list)], here(8, 8)))]
        var body = MarkdownBody(text: "", path: Self.storedPath, firstLine: 12)
        body.reservedAnchors = ["discover"]
        body.textOmitted = true
        return LoadedPage(file: file, id: "journeys/onboarding", type: .journey, title: "Onboarding — 入門", description: "How we start", draft: true,
                          tags: ["a", "ü"], glossary: false, isGenerated: true, entity: entity, params: params, body: body, facts: fullFacts(),
                          sourceHash: .max, frontMatterHash: 0x0123_4567_89AB_CDEF)
    }

    private func allEntities() -> [Entity] {
        let term = GlossaryTerm(term: "Churn — Abwanderung", termLocation: here(2, 7), definition: "Customers who leave.",
                                synonyms: [.init(department: located("sales", 4), words: ["attrition", "Kündigung"]), .init(department: located("cx", 5), words: [])],
                                related: [located("retention", 6)], notToConfuse: [], status: "approved", owner: located("finance", 7),
                                noAutolink: [located("attrition", 8)])
        return [.journey(fullJourney()), .journey(emptyJourney()),
                .persona(Persona(kind: "primary", segment: "SMB", quote: "„Schnell!“", goals: ["g"], needs: [], pains: ["p1", "p2"], gains: ["ü"])),
                .persona(Persona(kind: nil, segment: nil, quote: nil, goals: [], needs: [], pains: [], gains: [])),
                .finding(Finding(method: "interviews", date: "2024-03", participants: 12, confidence: "high", supports: [located("journeys/a#b", 3)],
                                 contradicts: [located("x", 4)], personas: [], impact: -3)),
                .finding(Finding(method: "", date: "", participants: nil, confidence: nil, supports: [], contradicts: [], personas: [], impact: nil)),
                .term(term),
                .term(GlossaryTerm(term: "", termLocation: here(1, 1), definition: "", synonyms: [], related: [], notToConfuse: [], status: nil, owner: nil)),
                .department(Department(lead: "Ana", contact: "ana@example.com")), .department(Department(lead: nil, contact: nil)),
                .page]
    }

    /// Encoded and decoded as the build cache does it: locations in the stored file go without their path.
    private func cacheRoundTrip<T: CompactCodable>(_ value: T) throws -> T {
        var encoder = BinaryEncoder()
        encoder.userInfo[SourceLocation.pathKey] = Self.storedPath
        var decoder = BinaryDecoder()
        decoder.userInfo[SourceLocation.pathKey] = Self.storedPath
        return try decoder.decode(T.self, from: encoder.encode(value))
    }

    /// Every stored field, as the compiler prints it (these types are not Equatable).
    private func shown(_ value: Any) -> String { String(reflecting: value) }

    func testCompactFormsRoundTripEveryField() throws {
        XCTAssertEqual(shown(try cacheRoundTrip(fullFacts())), shown(fullFacts()))
        XCTAssertEqual(shown(try cacheRoundTrip(BodyFacts())), shown(BodyFacts()))
        XCTAssertEqual(shown(try cacheRoundTrip(fullJourney())), shown(fullJourney()))
        XCTAssertEqual(shown(try cacheRoundTrip(emptyJourney())), shown(emptyJourney()))
        for entity in allEntities() {
            let page = fullPage(entity)
            XCTAssertEqual(shown(try cacheRoundTrip(page)), shown(page))
        }
        var plain = fullPage(.page)
        plain.description = nil
        plain.params = []
        plain.facts = BodyFacts()
        plain.body.reservedAnchors = []
        XCTAssertEqual(shown(try cacheRoundTrip(plain)), shown(plain))
    }

    func testCompactNumbersKeepTheirValue() throws {
        for n in [Int.min, Int.min + 1, -65, -64, -1, 0, 1, 63, 64, 1 << 40, Int.max - 1, Int.max] {
            XCTAssertEqual(try readCompact(Int.self, compactBytes(n)), n)
        }
        XCTAssertEqual(compactBytes(-1).count, 1, "small numbers of either sign take one byte")
        for n in [UInt64.min, 1, UInt64.max] { XCTAssertEqual(try readCompact(UInt64.self, compactBytes(n)), n) }
    }

    /// Locations in the stored file take its path from the decoder, as the Codable form of `SourceLocation` does.
    func testCompactLocationsTakeTheStoredFilesPath() throws {
        var encoder = BinaryEncoder()
        encoder.userInfo[SourceLocation.pathKey] = Self.storedPath
        let bytes = try encoder.encode(fullFacts())
        var decoder = BinaryDecoder()
        decoder.userInfo[SourceLocation.pathKey] = "content/renamed.md"
        let back = try decoder.decode(BodyFacts.self, from: bytes)
        XCTAssertEqual(back.headings.map(\.location.path), ["content/renamed.md", "content/renamed.md"])
        XCTAssertEqual(back.links.map(\.location.path), ["content/renamed.md", "content/other.md", "content/renamed.md", "content/renamed.md"])
        XCTAssertThrowsError(try BinaryDecoder().decode(BodyFacts.self, from: bytes), "a location without a path, and no path given")
        // Written without a stored path, every location keeps its own.
        XCTAssertEqual(shown(try BinaryDecoder().decode(BodyFacts.self, from: BinaryEncoder().encode(fullFacts()))), shown(fullFacts()))
    }

    private func compactBytes<T: CompactForm>(_ value: T) -> [UInt8] {
        var writer = CompactWriter(path: Self.storedPath)
        writer.write(value)
        return writer.bytes
    }

    private func readCompact<T: CompactForm>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
        try bytes.withUnsafeBytes { raw in
            var reader = CompactReader(raw, path: Self.storedPath)
            let value = try T(reading: &reader)
            try reader.finish()
            return value
        }
    }

    /// A compact form's bytes, and two ways to read them: straight, and as the one value the binary coder carries.
    private func compactSamples() -> [(name: String, bytes: [UInt8], read: ([UInt8]) throws -> Void)] {
        func sample<T: CompactCodable>(_ name: String, _ value: T) -> (name: String, bytes: [UInt8], read: ([UInt8]) throws -> Void) {
            (name, compactBytes(value), { bytes in
                _ = try self.readCompact(T.self, bytes)
                var decoder = BinaryDecoder()
                decoder.userInfo[SourceLocation.pathKey] = Self.storedPath
                _ = try decoder.decode(T.self, from: BinaryEncoder().encode(bytes))
            })
        }
        return [sample("BodyFacts", fullFacts()), sample("Journey", fullJourney()), sample("LoadedPage", fullPage(.journey(fullJourney()))),
                sample("term page", fullPage(allEntities()[6]))]
    }

    func testEveryTruncatedCompactFormThrows() throws {
        for (name, bytes, read) in compactSamples() {
            XCTAssertNoThrow(try read(bytes), name)
            for length in 0..<bytes.count {
                XCTAssertThrowsError(try read(Array(bytes[0..<length])), "\(name) cut to \(length) bytes")
            }
            XCTAssertThrowsError(try read(bytes + [0]), "\(name) with a byte too many")
        }
    }

    /// Any byte changed to any value, several at once, or random bytes: each throws or decodes, none traps.
    func testDamagedCompactFormsNeverTrap() throws {
        var random = SeededRandom(seed: 29)
        for (_, bytes, read) in compactSamples() {
            for offset in bytes.indices {
                for value in [0, 1, 2, 0x7F, 0x80, 0xFF, UInt8.random(in: 0...255, using: &random)] where value != bytes[offset] {
                    var damaged = bytes
                    damaged[offset] = value
                    _ = try? read(damaged)
                }
            }
            for _ in 0..<1000 {
                var damaged = bytes
                for _ in 0..<Int.random(in: 2...6, using: &random) {
                    damaged[Int.random(in: 0..<damaged.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
                _ = try? read(damaged)
            }
        }
        for length in 0..<300 {
            _ = try? readCompact(LoadedPage.self, (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) })
        }
    }

    func testCompactReadsAreChecked() throws {
        // A count far beyond the bytes left throws before anything is allocated for it.
        var huge = CompactWriter()
        huge.writeVarint(1 << 62)
        XCTAssertThrowsError(try readCompact([String].self, huge.bytes + [0, 0]))
        XCTAssertThrowsError(try readCompact(String.self, huge.bytes + [0x41]))
        XCTAssertThrowsError(try readCompact([BodyLink].self, [3, 0, 0]), "three links in two bytes")
        // Invalid UTF-8: a stray continuation byte, a cut four-byte sequence, an overlong form.
        XCTAssertThrowsError(try readCompact(String.self, [2, 0xC3, 0x28]))
        XCTAssertThrowsError(try readCompact(String.self, [3, 0xF0, 0x9F, 0x98]))
        XCTAssertThrowsError(try readCompact(String.self, [2, 0xC0, 0xAF]))
        XCTAssertEqual(try readCompact(String.self, [2, 0xC3, 0xBC]), "ü")
        // Markers and tags out of range, a number longer than 64 bits.
        XCTAssertThrowsError(try readCompact(Bool.self, [2]))
        XCTAssertThrowsError(try readCompact(String?.self, [2, 0]))
        XCTAssertThrowsError(try readCompact(Entity.self, [6]))
        XCTAssertThrowsError(try readCompact(Int.self, Array(repeating: 0xFF, count: 9) + [2]))
        XCTAssertThrowsError(try readCompact(UInt64.self, [1, 2, 3]))
        // A range ending before it starts would trap if it were built.
        var link = CompactWriter()
        link.write("target"); link.write(String?.none); link.write(String?.none); link.write(5); link.write(4); link.write(false)
        XCTAssertThrowsError(try readCompact(Wikilink.self, link.bytes))
    }

    /// The cache header (renders, output hashes, site files, term ids, git's history) in its compact form: every field
    /// comes back, every truncation throws, and a dictionary key written twice is damage.
    func testCompactCacheHeader() throws {
        let header = BuildCache.Header(
            tool: "waymark test", output: "/site/public",
            renders: ["a/index.html": .init(fingerprint: 7, mentions: [0, 2], searchText: "Straße – café"),
                      "index.html": .init(fingerprint: nil, mentions: [], searchText: "")],
            outputs: ["a/index.html": 1, "graph.json": .max], siteKey: 42,
            linkDiagnostics: [.warning(SourceLocation(path: "content/a.md", line: 3, column: 1), "broken", hint: "fix it")],
            notes: ["a note"], pageCount: 2,
            siteFiles: .init(key: 9, paths: ["graph.json", "search/index.js"], diagnostics: []), termIDs: ["glossary/x", "glossary/y"],
            history: GitHistory(changes: ["content/a.md": .init(date: "2026-12-06T12:00:00+01:00", author: "Zoë")], head: "abc123"))
        var writer = CompactWriter()
        header.write(to: &writer)
        let bytes = writer.bytes
        let back = try readCompact(BuildCache.Header.self, bytes)
        XCTAssertEqual(back.renders.mapValues { "\($0.fingerprint as Any) \($0.mentions) \($0.searchText)" },
                       header.renders.mapValues { "\($0.fingerprint as Any) \($0.mentions) \($0.searchText)" })
        XCTAssertEqual(back.outputs, header.outputs)
        XCTAssertEqual(back.siteKey, 42)
        XCTAssertEqual(back.linkDiagnostics, header.linkDiagnostics)
        XCTAssertEqual(back.notes, ["a note"])
        XCTAssertEqual(back.siteFiles?.paths, ["graph.json", "search/index.js"])
        XCTAssertEqual(back.termIDs, ["glossary/x", "glossary/y"])
        XCTAssertEqual(back.history.changes, header.history.changes)
        XCTAssertEqual(back.history.head, "abc123")
        XCTAssertEqual(back.format, BuildCache.format)
        for length in 0..<bytes.count {
            XCTAssertThrowsError(try readCompact(BuildCache.Header.self, Array(bytes[0..<length])), "cut to \(length) bytes")
        }
        var twice = CompactWriter()
        twice.writeVarint(2)
        for _ in 0..<2 { twice.write("same"); twice.write(UInt64(1)) }
        XCTAssertThrowsError(try readCompact([String: UInt64].self, twice.bytes))
    }

    /// Front matter nests up to libyaml's limit; deeper nesting in damaged bytes throws before it can exhaust the stack.
    func testCompactNestingIsLimited() throws {
        func nested(_ depth: Int) -> YAMLValue {
            var value = YAMLValue.scalar("leaf", .string, here(1, 1))
            for _ in 1..<depth { value = .sequence([value], here(1, 1)) }
            return value
        }
        XCTAssertEqual(shown(try readCompact(YAMLValue.self, compactBytes(nested(1_000)))), shown(nested(1_000)))
        XCTAssertNoThrow(try readCompact(YAMLValue.self, compactBytes(nested(CompactReader.maxDepth))))
        XCTAssertThrowsError(try readCompact(YAMLValue.self, compactBytes(nested(CompactReader.maxDepth + 1))))
        // Only the opening of a million nested lists: refused at the limit, not read to the end of the stack.
        XCTAssertThrowsError(try readCompact(YAMLValue.self, Array(Array(repeating: [1, 1] as [UInt8], count: 500_000).joined())))
    }

    /// The compact forms name their fields by hand: a field added to one of these types must be added to
    /// its form in PageCompactForms.swift, and then to this list.
    func testCompactFormsCoverEveryField() {
        func fields(_ value: Any) -> [String] { Mirror(reflecting: value).children.compactMap(\.label) }
        let page = fullPage(.page), journey = fullJourney(), stage = journey.stages[0], facts = fullFacts()
        XCTAssertEqual(fields(page), ["file", "id", "type", "title", "description", "draft", "tags", "glossary", "isGenerated", "entity",
                                      "params", "body", "facts", "sourceHash", "frontMatterHash", "frontMatterUnreadable"])
        XCTAssertEqual(fields(page.file), ["relativePath", "path", "kind"])
        // The text is not stored (textOmitted says so when it is read back).
        XCTAssertEqual(fields(page.body), ["text", "path", "firstLine", "reservedAnchors", "textOmitted"])
        XCTAssertEqual(fields(page.params[0]), ["key", "keyLocation", "value"])
        XCTAssertEqual(fields(journey), ["personas", "owner", "departments", "begins", "ends", "basis", "status", "channels", "kpis",
                                         "lastReviewed", "parent", "rankings", "stages"])
        XCTAssertEqual(fields(journey.rankings[0]), ["list", "items"])
        XCTAssertEqual(fields(journey.personas[0]), ["value", "location"])
        XCTAssertEqual(fields(stage), ["name", "anchor", "goal", "emotion", "owner", "touchpoints", "location"])
        XCTAssertEqual(fields(stage.touchpoints[0]), ["name", "anchor", "channel", "mode", "owner", "actors", "moment", "emotion", "kpis",
                                                      "findings", "location"])
        let entities = allEntities()
        for entity in entities {
            switch entity {
            case .persona(let p): XCTAssertEqual(fields(p), ["kind", "segment", "quote", "goals", "needs", "pains", "gains"])
            case .finding(let f):
                XCTAssertEqual(fields(f), ["method", "date", "participants", "confidence", "supports", "contradicts", "personas", "impact"])
            case .term(let t):
                XCTAssertEqual(fields(t), ["term", "termLocation", "definition", "synonyms", "related", "notToConfuse", "status", "owner", "noAutolink", "homonyms"])
                if let synonyms = t.synonyms.first { XCTAssertEqual(fields(synonyms), ["department", "words", "wordLocations"]) }
            case .department(let d): XCTAssertEqual(fields(d), ["lead", "contact"])
            case .journey, .page: break
            }
        }
        XCTAssertEqual(fields(facts), ["headings", "links", "rawHTML", "rawHTMLLines", "firstParagraph", "glossaryText", "tags", "blockAnchors", "blockLines", "problems"])
        XCTAssertEqual(fields(facts.headings[0]), ["text", "level", "anchor", "location"])
        XCTAssertEqual(fields(facts.links[0]), ["target", "location", "sentence"])
        if case .wiki(let link) = facts.links[0].target { XCTAssertEqual(fields(link), ["target", "anchor", "label", "range", "embed"]) }
        XCTAssertEqual(fields(facts.problems[0]), ["severity", "location", "message", "hint"])
        XCTAssertEqual(fields(facts.problems[0].location), ["path", "line", "column"])
    }
}
