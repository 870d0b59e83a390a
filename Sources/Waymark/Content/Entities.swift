/// A value from front matter together with where it was written.
struct Located<Value: Sendable>: Sendable {
    var value: Value
    var location: SourceLocation
}

/// What a page is; the folder gives it, `type:` in front matter overrides it.
public enum PageType: String, Sendable, CaseIterable, Codable {
    case journey, persona, finding, term, department, page, listing, home
    /// Generated glossary views: the A–Z index, one vocabulary per department, the terms × departments matrix.
    case glossary, vocabulary, matrix
    /// Generated: which journeys and touchpoints research supports, contradicts, or leaves as assumptions.
    case coverage
    /// Generated: every tag with its page count (`tags/`), and one page per tag (`tags/<slug>/`).
    case tags, tag

    /// The folder under content/ that holds this type, if any.
    var folder: String? {
        switch self {
        case .journey: return "journeys"
        case .persona: return "personas"
        case .finding: return "research"
        case .term: return "glossary"
        case .department: return "departments"
        default: return nil
        }
    }

    var label: String {
        switch self {
        case .journey: return "Journey"
        case .persona: return "Persona"
        case .finding: return "Research finding"
        case .term: return "Glossary term"
        case .department: return "Department"
        case .page: return "Page"
        case .listing: return "Folder"
        case .home: return "Home"
        case .glossary: return "Glossary"
        case .vocabulary: return "Vocabulary"
        case .matrix: return "Glossary matrix"
        case .coverage: return "Evidence coverage"
        case .tags: return "Tags"
        case .tag: return "Tag"
        }
    }

    /// Section heading for the navigation and home page.
    var sectionTitle: String {
        switch self {
        case .journey: return "Journeys"
        case .persona: return "Personas"
        case .finding: return "Research"
        case .term: return "Glossary"
        case .department: return "Departments"
        default: return "Pages"
        }
    }

    static func fromFolder(_ folder: String) -> PageType? {
        allCases.first { $0.folder == folder }
    }

    /// Accepts the names writers use in `type:`.
    static func fromFrontMatter(_ name: String) -> PageType? {
        switch name.lowercased() {
        case "journey": return .journey
        case "persona": return .persona
        case "finding", "research", "research finding": return .finding
        case "term", "glossary", "glossary term": return .term
        case "department": return .department
        case "page": return .page
        default: return nil
        }
    }
}

struct Touchpoint: Sendable {
    var name: String
    /// `stage-slug/touchpoint-slug`, unique within the journey.
    var anchor: String
    var channel: String
    var mode: String?
    var owner: Located<String>?
    var actors: [String]
    var moment: String?
    var emotion: Int?
    var kpis: [String]
    var findings: [Located<String>]
    var location: SourceLocation
}

struct Stage: Sendable {
    var name: String
    var anchor: String
    var goal: String?
    var emotion: Int?
    var owner: Located<String>?
    var touchpoints: [Touchpoint]
    var location: SourceLocation
}

struct Ranking: Sendable {
    /// `customer` or a department id.
    var list: Located<String>
    var items: [Located<String>]
}

struct Journey: Sendable {
    var personas: [Located<String>]
    var owner: Located<String>?
    var departments: [Located<String>]
    var begins: String?
    var ends: String?
    var basis: String?
    var status: String?
    var channels: [String]
    var kpis: [String]
    var lastReviewed: String?
    var parent: Located<String>?
    var rankings: [Ranking]
    var stages: [Stage]
}

struct Persona: Sendable {
    var kind: String?
    var segment: String?
    var quote: String?
    var goals: [String]
    var needs: [String]
    var pains: [String]
    var gains: [String]
}

struct Finding: Sendable {
    var method: String
    var date: String
    var participants: Int?
    var confidence: String?
    var supports: [Located<String>]
    var contradicts: [Located<String>]
    var personas: [Located<String>]
    var impact: Int?
}

struct GlossaryTerm: Sendable {
    struct Synonyms: Sendable {
        var department: Located<String>
        var words: [String]
        /// Where each of `words` is written, so that a warning about one word points at it.
        var wordLocations: [SourceLocation] = []

        /// Where `words[k]` is written (the department's key if not known).
        func location(ofWord k: Int) -> SourceLocation { k < wordLocations.count ? wordLocations[k] : department.location }
    }
    var term: String
    var termLocation: SourceLocation
    var definition: String
    var synonyms: [Synonyms]
    var related: [Located<String>]
    var notToConfuse: [Located<String>]
    var status: String?
    var owner: Located<String>?
    /// Words of the term (its name or synonyms) shown in its views and cards but not auto-linked:
    /// a department's word that is also an everyday word ("feature", "pairing").
    var noAutolink: [Located<String>] = []
    /// Words of the term that another term uses too, on purpose ("lead": Marketing's and Sales'): known
    /// homonyms. They are shown as every homonym is (callouts, cards, vocabularies), without a warning.
    var homonyms: [Located<String>] = []

    /// A hover card shows this many words of a definition at most, then " …".
    static let cardWords = 50

    /// A definition is one plain sentence, shown as written in cards, vocabularies and the matrix:
    /// Markdown in it (a link that would go unchecked, `**bold**`) and a definition longer than a card
    /// shows are warnings.
    static func checkDefinition(_ text: String, at location: SourceLocation, into r: inout FieldReader) {
        // On the bytes: String's `contains` of a string went through Foundation (about 90,000
        // instructions a term, a tenth of a second for a glossary of 2,000 terms).
        let bytes = Array(text.utf8)
        let markup = bytes.indices.lazy.compactMap { i -> String? in
            switch bytes[i] {
            case UInt8(ascii: "`"): return "`"
            case UInt8(ascii: "["), UInt8(ascii: "*"), UInt8(ascii: "_"):
                return i + 1 < bytes.count && bytes[i + 1] == bytes[i] ? String(repeating: Character(UnicodeScalar(bytes[i])), count: 2) : nil
            case UInt8(ascii: "]"): return i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "(") ? "](" : nil
            default: return nil
            }
        }.first
        if let markup {
            r.report(.warning(location, "`definition:` is plain text: `\(markup)` is shown as written, not as Markdown, and links in it are not checked",
                              hint: "write the definition without markup; links and formatting go in the term's page text, below the front matter"))
        }
        var words = 0, inWord = false
        for b in bytes {
            let space = b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D
            if !space && !inWord { words += 1 }
            inWord = !space
        }
        if words > cardWords {
            r.report(.warning(location, "`definition:` has \(words) words: hover cards show the first \(cardWords)",
                              hint: "keep the one sentence everyone agrees on in `definition:` and move the rest into the term's page text"))
        }
    }
}

struct Department: Sendable {
    var lead: String?
    var contact: String?
}

/// The typed part of a page, decoded from its front matter.
enum Entity: Sendable {
    case journey(Journey)
    case persona(Persona)
    case finding(Finding)
    case term(GlossaryTerm)
    case department(Department)
    case page
}
