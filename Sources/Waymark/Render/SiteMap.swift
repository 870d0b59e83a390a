import Foundation

/// Files for crawlers and browsers: `sitemap.xml`, `robots.txt` and the OpenSearch description.
extension SiteRenderer {
    /// `sitemap.xml`: every page, sorted by URL, with the date of its last commit when git knows it.
    /// Like Hugo, locations are absolute when `baseURL` names a host and site paths otherwise (the
    /// build then adds a note: search engines accept only absolute locations).
    func sitemap(_ site: Site) -> OutputFile {
        // Made on every build, so made cheaply: pages read in place, the origin found once, bytes appended.
        let origin = site.config.origin
        var rows: [(loc: String, lastmod: String?)] = site.pages.withUnsafeBufferPointer { pages in
            pages.indices.map { i in
                let path = site.url(of: i)
                return (origin.map { $0 + path } ?? path, pages[i].isGenerated ? nil : history.change(of: pages[i].path)?.date)
            }
        }
        rows.sort { $0.loc < $1.loc }
        var xml: [UInt8] = []
        xml.reserveCapacity(rows.count * 120 + 200)
        func append(_ literal: StaticString) { literal.withUTF8Buffer { xml.append(contentsOf: $0) } }
        func appendEscaped(_ text: String) {
            var text = text
            text.withUTF8 { HTMLEscaper.append($0, to: &xml) }
        }
        append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n")
        for row in rows {
            append("  <url>\n    <loc>")
            appendEscaped(row.loc)
            append("</loc>\n")
            if let lastmod = row.lastmod {
                append("    <lastmod>")
                appendEscaped(lastmod)
                append("</lastmod>\n")
            }
            append("  </url>\n")
        }
        append("</urlset>\n")
        return OutputFile(path: "sitemap.xml", content: .bytes(xml))
    }

    /// `robots.txt`: crawling allowed, and where the sitemap is (robots.txt only takes an absolute URL there).
    func robots(_ site: Site) -> OutputFile {
        var text = "User-agent: *\nDisallow:\n"
        if let sitemap = site.config.absoluteURL(site.config.basePath + "sitemap.xml") {
            text += "\nSitemap: \(sitemap)\n"
        } else {
            text += "\n# No Sitemap line: baseURL has no host (set `baseURL: https://…` in waymark.yml).\n"
        }
        return OutputFile(path: "robots.txt", content: .bytes(Array(text.utf8)))
    }

    /// `opensearch.xml`, which lets browsers add the site as a search engine. Its template must be an
    /// absolute URL, so it is written only when `baseURL` names a host.
    func openSearchDescription(_ site: Site) -> OutputFile? {
        guard let searchURL = site.config.absoluteURL(site.config.basePath + "search/") else { return nil }
        // ShortName is limited to 16 characters by the OpenSearch 1.1 specification.
        var shortName = site.config.title.trimmingWhitespace()
        if shortName.count > 16 { shortName = String(shortName.prefix(15)).trimmingWhitespace() + "…" }
        let xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">
              <ShortName>\(escapeHTML(shortName))</ShortName>
              <Description>Search \(escapeHTML(site.config.title))</Description>
              <InputEncoding>UTF-8</InputEncoding>
              <Url type="text/html" method="get" template="\(escapeHTML(searchURL))?q={searchTerms}"/>
            </OpenSearchDescription>

            """
        return OutputFile(path: Self.openSearchPath, content: .bytes(Array(xml.utf8)))
    }

    static let openSearchPath = "opensearch.xml"
}
