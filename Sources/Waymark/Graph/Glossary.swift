/// The cross-department glossary, built once in the link step: every term with the words each
/// department uses for it, the matcher that finds them in bodies, and the words two terms claim.
struct Glossary: Sendable {
    struct Word: Sendable, Hashable {
        /// As written (`target group`).
        var text: String
        /// The department page that uses it, or nil for the term's own name.
        var department: Int?
        var location: SourceLocation
    }

    struct Entry: Sendable {
        var page: Int
        var name: String
        var definition: String
        var words: [Word]
    }

    /// A word two or more terms claim.
    struct Homonym: Sendable {
        var word: String
        var claims: [(entry: Int, word: Word)]
    }

    let entries: [Entry]
    /// Term page index → entry index.
    let entryOfPage: [Int: Int]
    let matcher: TermMatcher
    /// Matcher pattern → entry it links to, or nil for a homonym no one can decide.
    let patternEntry: [Int?]
    let patternText: [String]
    /// Entry → the homonyms it claims (matcher patterns another entry claims too).
    let homonymPatterns: [Int: Set<Int>]
    let homonyms: [Homonym]
    /// By department page: the homonyms it claims itself, pattern → the entry it means. On that
    /// department's pages (its own, and pages it owns) such a word means that entry.
    let departmentSenses: [Int: [Int: Int]]

    init(index: SiteIndex) {
        var entries: [Entry] = []
        for (i, page) in index.pages.enumerated() {
            guard case .term(let t) = page.entity else { continue }
            var words = [Word(text: t.term.isEmpty ? page.title : t.term, department: nil, location: t.termLocation)]
            for s in t.synonyms {
                var department: Int?
                if case .page(let d, _) = index.resolve(reference: s.department.value, type: .department), index.pages[d].type == .department {
                    department = d
                }
                words += s.words.indices.map { Word(text: s.words[$0], department: department, location: s.location(ofWord: $0)) }
            }
            entries.append(Entry(page: i, name: words[0].text, definition: t.definition, words: words))
        }
        self.entries = entries
        entryOfPage = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.page, $0) })

        // One pattern per normalised phrase; a phrase claimed by several terms is a homonym.
        var claims: [String: [(entry: Int, word: Word)]] = [:]
        var order: [String] = []
        // A term's words that are shown but not auto-linked (`no_autolink`), as normalised phrases.
        var unlinked: [Int: Set<String>] = [:]
        for (e, entry) in entries.enumerated() {
            if case .term(let t) = index.pages[entry.page].entity, !t.noAutolink.isEmpty {
                unlinked[e] = Set(t.noAutolink.map { TermMatcher.normalisedPhrase($0.value) })
            }
            for word in entry.words {
                let key = TermMatcher.normalisedPhrase(word.text)
                guard !key.isEmpty else { continue }
                if claims[key] == nil { order.append(key) }
                claims[key, default: []].append((e, word))
            }
        }
        var patternEntry: [Int?] = []
        var homonymPatterns: [Int: Set<Int>] = [:]
        var homonyms: [Homonym] = []
        var departmentSenses: [Int: [Int: Int]] = [:]
        for (pattern, key) in order.enumerated() {
            let c = claims[key] ?? []
            let distinct = Set(c.map(\.entry))
            if distinct.count > 1 { for e in distinct { homonymPatterns[e, default: []].insert(pattern) } }
            // A term that leaves the word unlinked (`no_autolink`) does not take it; it still makes a homonym.
            let linking = c.filter { unlinked[$0.entry]?.contains(key) != true }
            if distinct.count == 1 {
                patternEntry.append(linking.isEmpty ? nil : c[0].entry)
            } else {
                // A term's own name beats another term's synonym; otherwise nobody can decide.
                let owners = Set(linking.filter { $0.word.department == nil }.map(\.entry))
                patternEntry.append(owners.count == 1 ? owners.first : nil)
                homonyms.append(Homonym(word: c[0].word.text, claims: c))
                // On a department's pages its own word means the term it claims it for; a department
                // that uses the word for two terms has no sense of its own (the warning says so).
                var claimedBy: [Int: Set<Int>] = [:]
                for claim in linking { if let d = claim.word.department { claimedBy[d, default: []].insert(claim.entry) } }
                for (d, claimed) in claimedBy where claimed.count == 1 { departmentSenses[d, default: [:]][pattern] = claimed.first }
            }
        }
        self.patternEntry = patternEntry
        self.homonymPatterns = homonymPatterns
        patternText = order
        matcher = TermMatcher(patterns: order)
        self.homonyms = homonyms
        self.departmentSenses = departmentSenses
    }

    /// Entries mentioned in `text` (whole words, first match per phrase), excluding `page`'s own term
    /// and, on a term's page, the other terms of a homonym it claims itself: there the word means the
    /// page's term ("When Sales says lead, it means this"), never another term's sense of it.
    /// On the pages of `department` (see `Site.department(of:)`), a homonym the department claims means
    /// the entry it claims it for.
    func mentionedEntries(in text: String, excludingPage page: Int, department: Int? = nil) -> Set<Int> {
        var result: Set<Int> = []
        let own = entryOfPage[page]
        let ownWords = own.flatMap { homonymPatterns[$0] } ?? []
        let senses = department.flatMap { departmentSenses[$0] } ?? [:]
        for m in matcher.matches(in: text) {
            guard ownWords.isEmpty || !ownWords.contains(m.pattern) else { continue }
            if let e = senses[m.pattern] ?? patternEntry[m.pattern], e != own { result.insert(e) }
        }
        return result
    }

    /// An entry's synonyms grouped by department, in the order written.
    func wordsByDepartment(_ e: Int) -> [(department: Int, words: [String])] {
        var groups: [(department: Int, words: [String])] = []
        for word in entries[e].words {
            guard let d = word.department else { continue }
            if let k = groups.firstIndex(where: { $0.department == d }) { groups[k].words.append(word.text) } else { groups.append((d, [word.text])) }
        }
        return groups
    }

    /// "Marketing calls this “target group”; IT calls it “persona”."
    /// For a hover card: the homonyms the entry claims, each with what else it means, as a reader
    /// needs it where the word is: "Careful: to Sales, “lead” means Qualified practice." or
    /// "Careful: “lead” is also the term Lead." Empty when the entry claims none.
    func homonymSentence(_ e: Int, index: SiteIndex) -> String {
        var sentences: [String] = []
        for h in homonyms {
            // The word as this term writes it ("lead" under Sales, "Lead" as a name).
            guard let word = h.claims.first(where: { $0.entry == e })?.word.text else { continue }
            var seen: Set<Int> = [e]
            for claim in h.claims where seen.insert(claim.entry).inserted {
                let other = entries[claim.entry].name
                let departments = h.claims.filter { $0.entry == claim.entry }.compactMap(\.word.department).map { index.pages[$0].title }
                var unique: [String] = []
                for d in departments where !unique.contains(d) { unique.append(d) }
                sentences.append(unique.isEmpty ? "Careful: “\(word)” is also the term \(other)."
                                 : "Careful: to \(unique.joined(separator: " and ")), “\(word)” means \(other).")
            }
        }
        return sentences.joined(separator: " ")
    }

    func synonymSentence(_ e: Int, index: SiteIndex) -> String {
        let parts = wordsByDepartment(e).enumerated().map { k, group in
            let words = group.words.map { "“\($0)”" }.joined(separator: " or ")
            let title = index.pages[group.department].title
            return k == 0 ? "\(title) calls this \(words)" : "\(title) calls it \(words)"
        }
        return parts.isEmpty ? "" : parts.joined(separator: "; ") + "."
    }
}
