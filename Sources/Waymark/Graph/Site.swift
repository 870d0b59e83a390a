import Foundation

/// A link pointing at a page, shown on that page grouped by relation.
struct Backlink: Sendable, Hashable {
    /// Why the source links here, worded for the target's page ("Evidence for this journey").
    var relation: Relation
    var source: Int
    /// The sentence the link appears in, or a short note for front-matter references (every place
    /// one source makes the relation, up to `placesShown`).
    var context: String

    /// A front-matter relation's places shown, then "and N more".
    static let placesShown = 8

    enum Relation: Int, Sendable, Hashable, CaseIterable {
        case walkedJourneys, supportingEvidence, contradictingEvidence, researchAbout, citedAt
        case childJourneys, owned, takesPart, vocabulary, relatedTerms, notToConfuse, embeddedIn, mentions

        /// A relation written in front matter, said at each place it is made (a finding cited at five
        /// touchpoints lists the five); a link in a body says its first sentence.
        var listsEveryPlace: Bool { self != .mentions && self != .embeddedIn }

        var label: String {
            switch self {
            case .walkedJourneys: return "Journeys walked by this persona"
            case .supportingEvidence: return "Evidence for"
            case .contradictingEvidence: return "Evidence against"
            case .researchAbout: return "Research about this persona"
            case .citedAt: return "Cited at touchpoints"
            case .childJourneys: return "Child journeys"
            case .owned: return "Owned by this department"
            case .takesPart: return "Journeys it takes part in"
            case .vocabulary: return "Vocabulary of this department"
            case .relatedTerms: return "Related terms"
            case .notToConfuse: return "Not to be confused with"
            case .embeddedIn: return "Embedded in"
            case .mentions: return "Mentioned in"
            }
        }
    }
}

/// The linked knowledge base: every page, the index over them and the backlinks. Immutable after the link step.
struct Site: Sendable {
    var config: SiteConfig
    var index: SiteIndex
    /// Lent, not copied: parallel work reads it millions of times, and a copy would retain the shared array.
    var pages: [LoadedPage] { _read { yield index.pages } }
    /// Backlinks per page index, sorted by relation then source title.
    var backlinks: [[Backlink]]
    /// Direct children (page indices) of each folder page, for listings and breadcrumbs.
    var children: [String: [Int]]
    var assets: [ContentFile]
    var glossary: Glossary
    var journeys: JourneyIndex
    /// Per glossary entry: the pages that mention the term (auto-detected or linked), sorted by title.
    var termUsage: [[Int]]
    /// Front-matter and inline tags of the published pages.
    var tags = TagIndex()
    /// Pages ranked by title, computed once in the link step.
    var order: PageOrder?
    /// Each page's face (`RebuildPlan.face`), made by the link step.
    var faces: [UInt64] = []
    /// Where each page's body links led, for the next build; and how many pages' links this build took from the last one.
    var linkMemo: LinkMemo?
    var linksReused = 0

    /// The department whose words a page speaks: a department's own page, or the department that owns
    /// a journey or a glossary term. On it, a homonym that department claims means its sense.
    func department(of i: Int) -> Int? {
        let owner: Located<String>?
        switch pages[i].entity {
        case .department: return i
        case .journey(let j): owner = j.owner
        case .term(let t): owner = t.owner
        default: return nil
        }
        guard let owner, case .page(let d, _) = index.resolve(reference: owner.value, type: .department),
              pages[d].type == .department else { return nil }
        return d
    }

    /// The first paragraph of page `i`'s body as readers see it: unlabelled wikilinks read as their
    /// targets' titles (not their ids). Listings and feeds summarise a page with it.
    func firstParagraph(of i: Int) -> String? {
        guard let text = pages[i].facts.firstParagraph else { return nil }
        return index.readable(text, from: i, shownOn: nil)
    }

    /// Glossary terms no page mentions or links to.
    var unusedTerms: [Int] {
        glossary.entries.indices.filter { termUsage[$0].isEmpty }.map { glossary.entries[$0].page }
    }

    /// By page: the glossary entries whose term pages its body links to itself (wikilinks and Markdown
    /// links), which auto-linking then leaves alone.
    let explicitTerms: [Int: [Int]]

    /// Every page's URL, computed once: links to pages are the most frequent thing rendering writes.
    private(set) var urls: [String] = []

    init(config: SiteConfig, index: SiteIndex, backlinks: [[Backlink]], children: [String: [Int]], assets: [ContentFile],
         glossary: Glossary, termUsage: [[Int]], journeys: JourneyIndex) {
        self.config = config
        self.index = index
        self.backlinks = backlinks
        self.children = children
        self.assets = assets
        self.glossary = glossary
        self.termUsage = termUsage
        self.journeys = journeys
        var explicit: [Int: [Int]] = [:]
        for (e, entry) in glossary.entries.enumerated() {
            for b in backlinks[entry.page] where b.relation == .mentions && b.source != entry.page { explicit[b.source, default: []].append(e) }
        }
        explicitTerms = explicit
        let basePath = config.basePath
        urls = parallelMap(Array(index.pages.indices)) { i in
            let id = index.pages[i].id
            if id.isEmpty { return basePath }
            // Nearly every id is already a URL path: unreserved characters between single slashes.
            if id.utf8.allSatisfy({ isUnreservedInPath($0) || $0 == UInt8(ascii: "/") }), !Linker.hasEmptyPart(id) {
                return basePath + id + "/"
            }
            return basePath + id.slashSeparated().map { percentEncodePathSegment(String($0)) }.joined(separator: "/") + "/"
        }
    }

    /// The URL path of a page: `personas/sam` → `/personas/sam/` (under the base path).
    func url(of page: Int) -> String { urls[page] }

    /// Page `i`'s id, read through the page buffer: `pages[i].id` can make a copy of the whole page
    /// first, which retains and releases every one of its fields.
    func id(of i: Int) -> String { index.pages.withUnsafeBufferPointer { $0[i].id } }

    func url(ofAsset relativePath: String) -> String {
        config.basePath + relativePath.slashSeparated().map { percentEncodePathSegment(String($0)) }.joined(separator: "/")
    }
}

/// An anchor as a URL's fragment: `^`, which Obsidian block ids start with, is no URL character and is
/// written `%5E` (browsers decode it to find the element, whose id keeps the `^`).
func urlFragment(_ anchor: String) -> String {
    anchor.containsByte(UInt8(ascii: "^")) ? anchor.replacingOccurrences(of: "^", with: "%5E") : anchor
}

/// Percent-encodes one URL path segment, keeping unreserved characters and common safe ones readable.
func percentEncodePathSegment(_ s: String) -> String {
    if s.utf8.allSatisfy(isUnreservedInPath) { return s }
    var out = ""
    for byte in s.utf8 {
        switch byte {
        case _ where isUnreservedInPath(byte):
            out.unicodeScalars.append(UnicodeScalar(byte))
        default:
            let hex: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F"]
            out.append("%")
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0xF)])
        }
    }
    return out
}

/// Letters, digits and `-_.~`: the bytes a path segment keeps as they are.
func isUnreservedInPath(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
         UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
        return true
    default:
        return false
    }
}
