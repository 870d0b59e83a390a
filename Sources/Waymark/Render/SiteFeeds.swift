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
        struct Node: Encodable { var id, type, title, url: String }
        struct Edge: Encodable, Hashable { var source, target, type: String }
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
                case .embeddedIn: type = "embeds"
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
        struct Graph: Encodable { var nodes: [Node]; var edges: [Edge] }
        let graph = Graph(nodes: nodes.sorted { ($0.id, $0.type) < ($1.id, $1.type) },
                          edges: edges.sorted { ($0.source, $0.target, $0.type) < ($1.source, $1.target, $1.type) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(graph)) ?? Data("{\"nodes\":[],\"edges\":[]}".utf8)
        return OutputFile(path: "graph.json", content: .bytes(data + Data("\n".utf8)))
    }
}
