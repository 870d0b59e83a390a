import Foundation

/// The glossary's hover cards for the browser, `glossary/cards.js`: a script that sets
/// `window.WaymarkTermCards` to each term's name, definition and what each department calls it (and,
/// for a term claiming a homonym, what else the word means),
/// keyed by the term page's address below the site's root (`glossary/persona/`, percent-encoded
/// as in links). The theme's `assets/term-cards.js` resolves those against the site's root and
/// draws a card next to each auto-link whose address is one of them. Fetched once and cached by
/// the browser, it keeps every definition out of the pages that mention the term; a script file
/// rather than JSON so that it also loads from a site opened from disk.
enum TermCards {
    static let path = "glossary/cards.js"

    /// Whether pages carry term links to draw cards for.
    static func isUsed(by site: Site) -> Bool {
        site.config.glossaryAutolink != .off && !site.glossary.entries.isEmpty
    }

    /// Whether the term's page says `status: proposed`.
    static func isProposed(_ entry: Glossary.Entry, in site: Site) -> Bool {
        if case .term(let t) = site.pages[entry.page].entity { return t.status == "proposed" }
        return false
    }

    static func script(_ site: Site) -> [UInt8] {
        var json = JSONText()
        json.append("window.WaymarkTermCards = {")
        for (e, entry) in site.glossary.entries.enumerated() {
            json.append(e == 0 ? "\n" : ",\n")
            let url = site.url(of: entry.page)
            json.string(url.hasPrefix(site.config.basePath) ? String(url.dropFirst(site.config.basePath.count)) : url)
            json.append(":[")
            // A term still proposed says so where most readers meet it: on the card of a word they hover.
            json.string(Self.isProposed(entry, in: site) ? entry.name + " (proposed)" : entry.name)
            json.append(",")
            // A card is a glance: a long definition shows its start, and the word links to all of it.
            json.string(SearchIndex.firstWords(of: entry.definition, GlossaryTerm.cardWords))
            json.append(",")
            json.string(site.glossary.synonymSentence(e, index: site.index))
            // A word that means another term too ("lead") says so on the card of each.
            let careful = site.glossary.homonymSentence(e, index: site.index)
            if !careful.isEmpty {
                json.append(",")
                json.string(careful)
            }
            json.append("]")
        }
        json.append("\n};\n")
        return json.bytes
    }
}
