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
            var summary = page.description ?? page.facts.firstParagraph ?? ""
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
        return OutputFile(path: "research/feed.xml", content: .bytes(Data(xml.utf8)))
    }

    /// `graph.json`: every page, stage and touchpoint as a node; typed edges between them.
    func knowledgeGraph(_ site: Site) -> OutputFile {
        struct Node { var id, type, title, url: String }
        struct Edge: Hashable { var source, target, type: String }
        var nodes: [Node] = []
        var edges: Set<Edge> = []
        for (i, page) in site.pages.enumerated() {
            nodes.append(Node(id: page.id, type: page.type.rawValue, title: page.title, url: site.url(of: i)))
            guard case .journey(let j) = page.entity else { continue }
            for stage in j.stages {
                let sid = page.id + "#" + stage.anchor
                nodes.append(Node(id: sid, type: "stage", title: stage.name, url: site.url(of: i) + "#" + stage.anchor))
                edges.insert(Edge(source: page.id, target: sid, type: "has_stage"))
                if let o = stage.owner, case .page(let d, _) = site.index.resolve(reference: o.value, type: .department) {
                    edges.insert(Edge(source: sid, target: site.pages[d].id, type: "owned_by"))
                }
                for tp in stage.touchpoints {
                    let tid = page.id + "#" + tp.anchor
                    nodes.append(Node(id: tid, type: "touchpoint", title: tp.name, url: site.url(of: i) + "#" + tp.anchor))
                    edges.insert(Edge(source: sid, target: tid, type: "has_touchpoint"))
                    if let o = tp.owner, case .page(let d, _) = site.index.resolve(reference: o.value, type: .department) {
                        edges.insert(Edge(source: tid, target: site.pages[d].id, type: "owned_by"))
                    }
                }
            }
        }
        for (target, links) in site.backlinks.enumerated() {
            for b in links {
                let type: String
                switch b.relation {
                case .walkedJourneys: type = "persona"
                case .supportingEvidence, .contradictingEvidence, .citedAt: continue  // anchored edges below
                case .researchAbout: type = "about_persona"
                case .childJourneys: type = "parent"
                case .owned: type = "owned_by"
                case .vocabulary: type = "synonyms_of"
                case .relatedTerms: type = "related"
                case .notToConfuse: type = "not_to_confuse"
                case .mentions: type = "links_to"
                }
                edges.insert(Edge(source: site.pages[b.source].id, target: site.pages[target].id, type: type))
            }
        }
        for (j, anchors) in site.journeys.evidenceByJourney {
            for (anchor, list) in anchors {
                let target = site.pages[j].id + (anchor.isEmpty ? "" : "#" + anchor)
                for e in list {
                    let (source, dest) = e.kind == .cited ? (target, site.pages[e.finding].id) : (site.pages[e.finding].id, target)
                    edges.insert(Edge(source: source, target: dest, type: e.kind.rawValue))
                }
            }
        }
        for (e, users) in site.termUsage.enumerated() {
            for u in users where u != site.glossary.entries[e].page {
                edges.insert(Edge(source: site.pages[u].id, target: site.pages[site.glossary.entries[e].page].id, type: "uses_term"))
            }
        }
        // Sorted as by comparing the strings, but each distinct string is ranked once: comparing Swift
        // strings is slow, and there are several edges per node.
        var distinct = Set<String>()
        for n in nodes { distinct.insert(n.id); distinct.insert(n.type) }
        for e in edges { distinct.insert(e.source); distinct.insert(e.target); distinct.insert(e.type) }
        var rank: [String: Int] = [:]
        rank.reserveCapacity(distinct.count)
        for (r, string) in distinct.sorted().enumerated() { rank[string] = r }
        let sortedNodes = nodes.map { (key: (rank[$0.id] ?? 0, rank[$0.type] ?? 0), node: $0) }
            .sorted { $0.key < $1.key }.map(\.node)
        let sortedEdges = edges.map { (key: (rank[$0.source] ?? 0, rank[$0.target] ?? 0, rank[$0.type] ?? 0), edge: $0) }
            .sorted { $0.key < $1.key }.map(\.edge)
        // Written by hand, byte for byte what JSONEncoder([.sortedKeys, .withoutEscapingSlashes]) wrote,
        // in a fraction of the time: keys in sorted order, no whitespace.
        var json = JSONText()
        json.append("{\"edges\":[")
        for (k, e) in sortedEdges.enumerated() {
            if k > 0 { json.append(",") }
            json.append("{\"source\":"); json.string(e.source)
            json.append(",\"target\":"); json.string(e.target)
            json.append(",\"type\":"); json.string(e.type)
            json.append("}")
        }
        json.append("],\"nodes\":[")
        for (k, n) in sortedNodes.enumerated() {
            if k > 0 { json.append(",") }
            json.append("{\"id\":"); json.string(n.id)
            json.append(",\"title\":"); json.string(n.title)
            json.append(",\"type\":"); json.string(n.type)
            json.append(",\"url\":"); json.string(n.url)
            json.append("}")
        }
        json.append("]}\n")
        return OutputFile(path: "graph.json", content: .bytes(Data(json.bytes)))
    }
}

/// A JSON document being written as UTF-8, with strings escaped as JSONEncoder escapes them.
struct JSONText {
    private(set) var bytes: [UInt8] = []

    mutating func append(_ literal: StaticString) {
        literal.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// A quoted JSON string: `"` and `\\` escaped, control characters as \\n, \\t… or \\u00XX; `/` and
    /// everything else (non-ASCII included) as is.
    mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x08: bytes.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
