import Foundation

/// Whole-site outputs beside the pages: the Atom feed of research findings and the knowledge graph.
extension SiteRenderer {
    /// `research/feed.xml`: findings newest first. Deterministic: the feed's date is its newest finding's.
    func findingsFeed(_ site: Site) -> OutputFile? {
        let findings = site.pages.indices.compactMap { i -> (Int, Finding)? in
            if case .finding(let f) = site.pages[i].entity { return (i, f) }
            return nil
        }.sorted { ($0.1.date, site.pages[$0.0].id) > ($1.1.date, site.pages[$1.0].id) }
        guard let newest = findings.first else { return nil }
        let base = site.config.baseURL
        let host = base.range(of: "://").flatMap { scheme in base[scheme.upperBound...].firstIndex(of: "/").map { String(base[..<$0]) } }
        func absolute(_ path: String) -> String { (host ?? "") + path }
        // Atom ids must be absolute IRIs; without a host in baseURL, stable tag URIs stand in.
        func identifier(_ path: String) -> String {
            host.map { $0 + path } ?? "tag:waymark,2026:" + slugify(site.config.title) + path
        }
        func stamp(_ date: String) -> String { date.isEmpty ? "1970-01-01T00:00:00Z" : date + "T00:00:00Z" }
        let feedURL = absolute(site.config.basePath + "research/feed.xml")
        var xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom">
              <title>\(escapeHTML(site.config.title)): research findings</title>
              <id>\(escapeHTML(identifier(site.config.basePath + "research/feed.xml")))</id>
              <link rel="self" href="\(escapeHTML(feedURL))"/>
              <link href="\(escapeHTML(absolute(site.config.basePath)))"/>
              <updated>\(stamp(newest.1.date))</updated>
              <author><name>\(escapeHTML(site.config.title))</name></author>

            """
        for (i, f) in findings {
            let page = site.pages[i]
            let url = absolute(site.url(of: i))
            var summary = page.description ?? site.firstParagraph(of: i) ?? ""
            if summary.isEmpty { summary = "\(f.method), \(f.date)" }
            xml += """
                  <entry>
                    <title>\(escapeHTML(page.title))</title>
                    <id>\(escapeHTML(identifier(site.url(of: i))))</id>
                    <link href="\(escapeHTML(url))"/>
                    <updated>\(stamp(f.date))</updated>
                    <summary>\(escapeHTML(summary))</summary>
                    <category term="\(escapeHTML(f.method))"/>
                  </entry>

                """
        }
        xml += "</feed>\n"
        return OutputFile(path: "research/feed.xml", content: .bytes(Array(xml.utf8)))
    }

    /// `graph.json`: every page, stage and touchpoint as a node; typed edges between them.
    func knowledgeGraph(_ site: Site) -> OutputFile {
        OutputFile(path: Self.graphPath, content: .bytes(graphDocument(site).bytes()))
    }

    /// graph.json made, not yet laid out as bytes: whole in memory, or in pieces into a file.
    func graphDocument(_ site: Site) -> GraphDocument {
        // Every id and type is interned once: edges are three integers, cheap to hash and to sort.
        var keys: [String: Int] = [:]
        var strings: [String] = []
        keys.reserveCapacity(site.pages.count * 4)
        strings.reserveCapacity(site.pages.count * 4)
        func key(_ s: String) -> Int {
            if let k = keys[s] { return k }
            keys[s] = strings.count
            strings.append(s)
            return strings.count - 1
        }
        struct Node { var id, type: Int; var title, url: String }
        typealias Edge = GraphDocument.Edge
        let pageKeys = site.pages.map { key($0.id) }
        let (stageType, touchpointType, hasStage, hasTouchpoint, ownedBy) =
            (key("stage"), key("touchpoint"), key("has_stage"), key("has_touchpoint"), key("owned_by"))
        var nodes: [Node] = []
        var edges: [Edge] = []  // duplicates are dropped after sorting
        edges.reserveCapacity(site.backlinks.reduce(site.pages.count * 4) { $0 + $1.count } + site.termUsage.reduce(0) { $0 + $1.count })
        // Pages, stages and touchpoints read in place: a copy of one retains every field of it.
        site.pages.withUnsafeBufferPointer { pages in
            for i in pages.indices {
                let url = site.url(of: i)
                nodes.append(Node(id: pageKeys[i], type: key(pages[i].type.rawValue), title: pages[i].title, url: url))
                guard case .journey(let j) = pages[i].entity else { continue }
                let pageID = pages[i].id
                j.stages.withUnsafeBufferPointer { stages in
                    for stage in stages.indices {
                        let sid = key(pageID + "#" + stages[stage].anchor)
                        nodes.append(Node(id: sid, type: stageType, title: stages[stage].name, url: url + "#" + stages[stage].anchor))
                        edges.append(Edge(source: pageKeys[i], target: sid, type: hasStage))
                        if let o = stages[stage].owner, case .page(let d, _) = site.index.resolve(reference: o.value, type: .department) {
                            edges.append(Edge(source: sid, target: pageKeys[d], type: ownedBy))
                        }
                        stages[stage].touchpoints.withUnsafeBufferPointer { touchpoints in
                            for t in touchpoints.indices {
                                let tid = key(pageID + "#" + touchpoints[t].anchor)
                                nodes.append(Node(id: tid, type: touchpointType, title: touchpoints[t].name, url: url + "#" + touchpoints[t].anchor))
                                edges.append(Edge(source: sid, target: tid, type: hasTouchpoint))
                                if let o = touchpoints[t].owner, case .page(let d, _) = site.index.resolve(reference: o.value, type: .department) {
                                    edges.append(Edge(source: tid, target: pageKeys[d], type: ownedBy))
                                }
                            }
                        }
                    }
                }
            }
        }
        var relationTypes = [Int?](repeating: nil, count: Backlink.Relation.allCases.count)  // by raw value
        for target in site.backlinks.indices {
            // Read in place: a backlink carries its sentence, which a copy would retain.
            for k in site.backlinks[target].indices {
                let relation = site.backlinks[target][k].relation, source = site.backlinks[target][k].source
                if let type = relationTypes[relation.rawValue] {
                    edges.append(Edge(source: pageKeys[source], target: pageKeys[target], type: type))
                    continue
                }
                let type: String
                switch relation {
                case .walkedJourneys: type = "persona"
                case .supportingEvidence, .contradictingEvidence, .citedAt: continue  // anchored edges below
                case .researchAbout: type = "about_persona"
                case .childJourneys: type = "parent"
                case .owned: type = "owned_by"
                case .takesPart: type = "takes_part"
                case .vocabulary: type = "synonyms_of"
                case .relatedTerms: type = "related"
                case .notToConfuse: type = "not_to_confuse"
                case .mentions: type = "links_to"
                case .embeddedIn: type = "embeds"
                }
                relationTypes[relation.rawValue] = key(type)
                edges.append(Edge(source: pageKeys[source], target: pageKeys[target], type: key(type)))
            }
        }
        for (j, anchors) in site.journeys.evidenceByJourney {
            for (anchor, list) in anchors {
                let target = anchor.isEmpty ? pageKeys[j] : key(site.pages[j].id + "#" + anchor)
                for e in list {
                    let finding = pageKeys[e.finding]
                    let (source, dest) = e.kind == .cited ? (target, finding) : (finding, target)
                    edges.append(Edge(source: source, target: dest, type: key(e.kind.rawValue)))
                }
            }
        }
        let usesTerm = key("uses_term")
        for (e, users) in site.termUsage.enumerated() {
            let termPage = site.glossary.entries[e].page
            for u in users where u != termPage {
                edges.append(Edge(source: pageKeys[u], target: pageKeys[termPage], type: usesTerm))
            }
        }
        // Sorted as by comparing the strings, but each distinct string is compared once: ranks.
        var rank = [Int](repeating: 0, count: strings.count)
        for (r, k) in strings.indices.sorted(by: { strings[$0] < strings[$1] }).enumerated() { rank[k] = r }
        // Positions are sorted, not nodes: moving a node retains and releases its title and address.
        let nodeOrder = nodes.indices.sorted { (rank[nodes[$0].id], rank[nodes[$0].type]) < (rank[nodes[$1].id], rank[nodes[$1].type]) }
        var sortedEdges: [Edge] = []
        sortedEdges.reserveCapacity(edges.count)
        var byRank = [Int](repeating: 0, count: strings.count)
        for (k, r) in rank.enumerated() { byRank[r] = k }
        if strings.count < 1 << 21 {
            // Each edge as one integer (three 21-bit ranks), sorted and deduplicated as integers.
            var packed = edges.map { UInt64(rank[$0.source]) << 42 | UInt64(rank[$0.target]) << 21 | UInt64(rank[$0.type]) }
            packed.radixSort()
            let mask: UInt64 = (1 << 21) - 1
            for (k, p) in packed.enumerated() where k == 0 || p != packed[k - 1] {
                sortedEdges.append(Edge(source: byRank[Int(p >> 42)], target: byRank[Int(p >> 21 & mask)], type: byRank[Int(p & mask)]))
            }
        } else {
            var ranked = edges.map { Edge(source: rank[$0.source], target: rank[$0.target], type: rank[$0.type]) }
            ranked.sort { ($0.source, $0.target, $0.type) < ($1.source, $1.target, $1.type) }
            for (k, e) in ranked.enumerated()
            where k == 0 || (e.source, e.target, e.type) != (ranked[k - 1].source, ranked[k - 1].target, ranked[k - 1].type) {
                sortedEdges.append(Edge(source: byRank[e.source], target: byRank[e.target], type: byRank[e.type]))
            }
        }
        // Each distinct string is quoted once, into one buffer; an edge is then three copies of bytes.
        var quoted = JSONText()
        var quotedRange: [Range<Int>] = []
        quotedRange.reserveCapacity(strings.count)
        for s in strings {
            let start = quoted.bytes.count
            quoted.string(s)
            quotedRange.append(start..<quoted.bytes.count)
        }
        var nodesJSON = JSONText()
        nodesJSON.reserveCapacity(nodes.count * 160)
        nodesJSON.append("],\"nodes\":[")
        for (k, n) in nodeOrder.enumerated() {
            if k > 0 { nodesJSON.append(",") }
            nodesJSON.append("{\"id\":"); nodesJSON.string(strings[nodes[n].id])
            nodesJSON.append(",\"title\":"); nodesJSON.string(nodes[n].title)
            nodesJSON.append(",\"type\":"); nodesJSON.string(strings[nodes[n].type])
            nodesJSON.append(",\"url\":"); nodesJSON.string(nodes[n].url)
            nodesJSON.append("}")
        }
        nodesJSON.append("]}\n")
        return GraphDocument(edges: sortedEdges, quoted: quoted.bytes, ranges: quotedRange, nodes: nodesJSON.bytes)
    }
}

/// graph.json before it is laid out as bytes: its edges, sorted, as indices of strings quoted once
/// each, then its nodes' JSON. At 10,000 pages with auto-links the document is about 100 MB.
struct GraphDocument: Sendable {
    struct Edge: Sendable { var source, target, type: Int }
    let edges: [Edge]
    /// Every distinct string, quoted, one after another; `ranges` says where each is.
    let quoted: [UInt8]
    let ranges: [Range<Int>]
    /// From the end of the edges to the end of the document (`],"nodes":[…]}` and a line break).
    let nodes: [UInt8]
    /// The document's size in bytes.
    let size: Int

    static let head: StaticString = "{\"edges\":["

    init(edges: [Edge], quoted: [UInt8], ranges: [Range<Int>], nodes: [UInt8]) {
        (self.edges, self.quoted, self.ranges, self.nodes) = (edges, quoted, ranges, nodes)
        var size = Self.head.utf8CodeUnitCount + nodes.count
        for e in edges { size += GraphEdgeWriter.fixedBytes + ranges[e.source].count + ranges[e.target].count + ranges[e.type].count }
        if !edges.isEmpty { size -= 1 }  // no `,` after the last edge
        self.size = size
    }

    /// The whole document in one array of its exact size, its edges written in a few runs on all
    /// cores, each into its own part: no growing buffer, no copy at the end.
    func bytes() -> [UInt8] {
        let (edgeList, ranges, size) = (edges, self.ranges, self.size)
        let edgeRuns = runs(of: edgeList.count)
        let runSizes = parallelMap(edgeRuns) { run in
            run.reduce(0) { size, k in
                let e = edgeList[k]
                return size + GraphEdgeWriter.fixedBytes + ranges[e.source].count + ranges[e.target].count + ranges[e.type].count
            }
        }
        var starts: [Int] = []
        var at = Self.head.utf8CodeUnitCount
        for runSize in runSizes {
            starts.append(at)
            at += runSize
        }
        let nodesStart = size - nodes.count
        let boundaries = starts + [nodesStart]
        return [UInt8](unsafeUninitializedCapacity: size) { out, count in
            guard let base = UnsafeMutableRawPointer(out.baseAddress) else { return }
            let whole = UnsafeMutableRawBufferPointer(start: base, count: size)
            var start = GraphEdgeWriter(out: whole, at: 0)
            start.put(Self.head)
            var tail = GraphEdgeWriter(out: whole, at: nodesStart)
            nodes.withUnsafeBytes { tail.put($0) }
            let pieces = UnsafeSendableBuffer(whole)
            quoted.withUnsafeBytes { q in
                let quotedBytes = UnsafeSendableBuffer(UnsafeMutableRawBufferPointer(mutating: q))
                DispatchQueue.concurrentPerform(iterations: edgeRuns.count) { r in
                    var writer = GraphEdgeWriter(out: pieces.buffer, at: boundaries[r])
                    let q = UnsafeRawBufferPointer(quotedBytes.buffer)
                    for k in edgeRuns[r] {
                        let e = edgeList[k]
                        writer.edge(source: q[ranges[e.source]], target: q[ranges[e.target]], type: q[ranges[e.type]],
                                    last: k == edgeList.count - 1)
                    }
                    assert(writer.at == boundaries[r + 1], "graph.json size miscounted")
                }
            }
            count = size
        }
    }

    /// The document in order, in pieces of at most `pieceSize` bytes, each handed to `emit`: written
    /// into a file this way it is never whole in memory (at 10,000 pages, 100 MB of fresh pages).
    func write(pieceSize: Int = 256 << 10, _ emit: (UnsafeRawBufferPointer) -> Void) {
        withoutActuallyEscaping(emit) { emit in write(into: PieceWriter(capacity: pieceSize, emit: emit)) }
    }

    private func write(into writer: consuming PieceWriter) {
        var out = writer
        defer { out.buffer.deallocate() }
        out.put(Self.head)
        quoted.withUnsafeBytes { Self.putEdges(edges, quoted: $0, ranges: ranges, into: &out) }
        nodes.withUnsafeBytes { out.put($0) }
        out.flush()
    }

    private static func putEdges(_ edges: [Edge], quoted q: UnsafeRawBufferPointer, ranges: [Range<Int>], into out: inout PieceWriter) {
        for (k, e) in edges.enumerated() {
            out.put(GraphEdgeWriter.source); out.put(UnsafeRawBufferPointer(rebasing: q[ranges[e.source]]))
            out.put(GraphEdgeWriter.target); out.put(UnsafeRawBufferPointer(rebasing: q[ranges[e.target]]))
            out.put(GraphEdgeWriter.type); out.put(UnsafeRawBufferPointer(rebasing: q[ranges[e.type]]))
            out.put(k == edges.count - 1 ? "}" : "},")
        }
    }

    /// Bytes gathered into pieces of a fixed size, each handed on when full. A struct, not a nested
    /// function over captured variables: those were checked for exclusive access on every call, seven
    /// times an edge (about a quarter of writing graph.json).
    private struct PieceWriter {
        let buffer: UnsafeMutableRawBufferPointer
        var used = 0
        let emit: (UnsafeRawBufferPointer) -> Void

        init(capacity: Int, emit: @escaping (UnsafeRawBufferPointer) -> Void) {
            buffer = .allocate(byteCount: max(capacity, 64), alignment: 8)
            self.emit = emit
        }

        mutating func put(_ bytes: UnsafeRawBufferPointer) {
            if used + bytes.count > buffer.count { flush() }
            if bytes.count > buffer.count {
                emit(bytes)
            } else if let from = bytes.baseAddress, let to = buffer.baseAddress {
                (to + used).copyMemory(from: from, byteCount: bytes.count)
                used += bytes.count
            }
        }

        mutating func put(_ literal: StaticString) { put(UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)) }

        mutating func flush() {
            if used > 0 { emit(UnsafeRawBufferPointer(rebasing: buffer[..<used])) }
            used = 0
        }
    }
}

/// Writes graph.json's edges into a part of the document already sized for them. A struct, not a
/// closure over a captured offset: that would be checked for exclusive access on every byte run.
struct GraphEdgeWriter {
    let out: UnsafeMutableRawBufferPointer
    var at: Int
    static let source: StaticString = "{\"source\":", target: StaticString = ",\"target\":", type: StaticString = ",\"type\":"
    /// Bytes of an edge besides its three quoted strings: the keys, `}` and `,`.
    static let fixedBytes = source.utf8CodeUnitCount + target.utf8CodeUnitCount + type.utf8CodeUnitCount + 2

    mutating func put(_ bytes: UnsafeRawBufferPointer) {
        guard let from = bytes.baseAddress, let base = out.baseAddress, at + bytes.count <= out.count else { return }
        (base + at).copyMemory(from: from, byteCount: bytes.count)
        at += bytes.count
    }

    mutating func put(_ bytes: Slice<UnsafeRawBufferPointer>) { put(UnsafeRawBufferPointer(rebasing: bytes)) }

    mutating func put(_ literal: StaticString) {
        put(UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    mutating func edge(source: Slice<UnsafeRawBufferPointer>, target: Slice<UnsafeRawBufferPointer>, type: Slice<UnsafeRawBufferPointer>, last: Bool) {
        put(Self.source); put(source)
        put(Self.target); put(target)
        put(Self.type); put(type)
        put(last ? "}" : "},")
    }
}

/// A buffer handed to the iterations of `concurrentPerform`, each writing its own part of it.
struct UnsafeSendableBuffer: @unchecked Sendable {
    let buffer: UnsafeMutableRawBufferPointer
    init(_ buffer: UnsafeMutableRawBufferPointer) { self.buffer = buffer }
}

/// A JSON document being written as UTF-8, with strings escaped as JSONEncoder escapes them.
struct JSONText {
    private(set) var bytes: [UInt8] = []

    mutating func append(_ literal: StaticString) {
        literal.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// JSON text already written, such as a string quoted earlier.
    mutating func append(_ json: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: json)
    }

    mutating func reserveCapacity(_ count: Int) {
        bytes.reserveCapacity(count)
    }

    /// An integer in decimal.
    mutating func integer(_ n: Int) {
        MarkdownBody.appendUTF8(String(n), to: &bytes)
    }

    /// A number that is not negative, in decimal, without making a string (the search shards write
    /// millions, nearly all of one or two digits).
    mutating func decimal(_ n: Int) {
        guard n >= 0 else { return integer(n) }
        if n < 10 {
            bytes.append(UInt8(truncatingIfNeeded: 0x30 + n))
        } else if n < 100 {
            bytes.append(UInt8(truncatingIfNeeded: 0x30 + n / 10))
            bytes.append(UInt8(truncatingIfNeeded: 0x30 + n % 10))
        } else {
            decimal(n / 10)
            bytes.append(UInt8(truncatingIfNeeded: 0x30 + n % 10))
        }
    }

    /// A quoted JSON string: `"` and `\\` escaped, control characters as \\n, \\t… or \\u00XX; `/` and
    /// everything else (non-ASCII included) as is.
    mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { utf8 in
            // Nearly every string needs no escaping: checked eight bytes at a time, then copied whole.
            if !Self.needsEscaping(utf8) {
                bytes.append(contentsOf: utf8)
                return
            }
            // Runs that need no escaping are copied whole.
            var run = 0
            for (i, b) in utf8.enumerated() where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<i]))
                run = i + 1
                switch b {
                case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
                case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
                case 0x08: bytes.append(contentsOf: [0x5C, UInt8(ascii: "b")])
                case 0x0C: bytes.append(contentsOf: [0x5C, UInt8(ascii: "f")])
                case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(b >> 4)], hex[Int(b & 0xF)]])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Whether `utf8` has a byte JSON escapes: a control character (below 0x20), `"` or `\\`. Eight
    /// bytes at a time: a byte below 0x20, or one equal to a quote or backslash (which XOR makes zero),
    /// leaves its high bit set after the subtraction while its own high bit is clear. A borrow can
    /// mark a byte above a marked one, never a word with none.
    static func needsEscaping(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        func marked(_ w: UInt64) -> Bool {
            let quote = w ^ (ones &* 0x22), backslash = w ^ (ones &* 0x5C)
            let control = (w &- ones &* 0x20) & ~w
            let zeroQuote = (quote &- ones) & ~quote, zeroBackslash = (backslash &- ones) & ~backslash
            return (control | zeroQuote | zeroBackslash) & high != 0
        }
        guard let base = utf8.baseAddress else { return false }
        var k = 0
        while utf8.count - k >= 8 {
            if marked(UnsafeRawPointer(base + k).loadUnaligned(as: UInt64.self)) { return true }
            k += 8
        }
        guard k < utf8.count else { return false }
        // The last bytes, padded with spaces (which need no escaping).
        var last: UInt64 = ones &* 0x20
        for j in 0..<(utf8.count - k) { last = last & ~(0xFF << UInt64(8 * j)) | UInt64(base[k + j]) << UInt64(8 * j) }
        return marked(last)
    }
}
