import Foundation

// The compact form (see CompactCoding.swift) of what the build cache keeps of a page: `LoadedPage` and
// every value in it. Fields are written and read in declaration order; a field added to one of these
// types must be added here too (`BinaryCoderTests.testCompactFormsCoverEveryField` lists them).

extension LoadedPage: CompactCodable {
    func write(to w: inout CompactWriter) {
        w.write(file)
        w.write(id)
        w.write(type)
        w.write(title)
        w.write(description)
        w.write(draft)
        w.write(tags)
        w.write(glossary)
        w.write(isGenerated)
        w.write(entity)
        w.write(params)
        w.write(body)
        w.write(facts)
        w.write(sourceHash)
        w.write(frontMatterHash)
        w.write(frontMatterUnreadable)
    }

    init(reading r: inout CompactReader) throws {
        file = try r.read()
        id = try r.read()
        type = try r.read()
        title = try r.read()
        description = try r.read()
        draft = try r.read()
        tags = try r.read()
        glossary = try r.read()
        isGenerated = try r.read()
        entity = try r.read()
        params = try r.read()
        body = try r.read()
        facts = try r.read()
        sourceHash = try r.read()
        frontMatterHash = try r.read()
        frontMatterUnreadable = try r.read()
    }
}

extension ContentFile: CompactForm {
    func write(to w: inout CompactWriter) {
        w.write(relativePath)
        w.write(path)
        w.write(kind)
    }

    init(reading r: inout CompactReader) throws {
        relativePath = try r.read()
        path = try r.read()
        kind = try r.read()
    }
}

extension ContentFile.Kind: CompactForm {
    func write(to w: inout CompactWriter) {
        switch self {
        case .markdown: w.writeByte(0)
        case .asset: w.writeByte(1)
        }
    }

    init(reading r: inout CompactReader) throws {
        switch try r.readByte() {
        case 0: self = .markdown
        case 1: self = .asset
        default: throw r.damaged("an unknown kind of file")
        }
    }
}

extension PageType: CompactForm {
    func write(to w: inout CompactWriter) { w.write(rawValue) }

    init(reading r: inout CompactReader) throws {
        guard let type = PageType(rawValue: try r.read()) else { throw r.damaged("an unknown page type") }
        self = type
    }
}

/// The body's position and anchors, not its text: a page whose text is needed again (to be rendered)
/// is loaded from its file, which the cache has seen unchanged.
extension MarkdownBody: CompactForm {
    func write(to w: inout CompactWriter) {
        w.write(path)
        w.write(firstLine)
        w.write(reservedAnchors)
    }

    init(reading r: inout CompactReader) throws {
        path = try r.read()
        firstLine = try r.read()
        reservedAnchors = try r.read()
        text = ""
        textOmitted = true
    }
}

extension Set: CompactForm where Element: CompactForm {
    func write(to w: inout CompactWriter) {
        w.writeVarint(UInt64(count))
        for element in self { element.write(to: &w) }
    }

    init(reading r: inout CompactReader) throws {
        let count = try r.readCount()
        self.init(minimumCapacity: count)
        for _ in 0..<count { insert(try Element(reading: &r)) }
    }
}

// MARK: - Front matter

extension YAMLEntry: CompactForm {
    func write(to w: inout CompactWriter) {
        w.write(key)
        w.write(keyLocation)
        w.write(value)
    }

    init(reading r: inout CompactReader) throws {
        key = try r.read()
        keyLocation = try r.read()
        value = try r.read()
    }
}

extension YAMLValue: CompactForm {
    func write(to w: inout CompactWriter) {
        switch self {
        case .scalar(let text, let kind, let location):
            w.writeByte(0)
            w.write(text)
            w.write(kind)
            w.write(location)
        case .sequence(let items, let location):
            w.writeByte(1)
            w.write(items)
            w.write(location)
        case .mapping(let entries, let location):
            w.writeByte(2)
            w.write(entries)
            w.write(location)
        }
    }

    init(reading r: inout CompactReader) throws {
        self = try r.nested { r in
            switch try r.readByte() {
            case 0: return .scalar(try r.read(), try r.read(), try r.read())
            case 1: return .sequence(try r.read(), try r.read())
            case 2: return .mapping(try r.read(), try r.read())
            default: throw r.damaged("an unknown kind of YAML value")
            }
        }
    }
}

extension YAMLValue.ScalarKind: CompactForm {
    func write(to w: inout CompactWriter) {
        switch self {
        case .string: w.writeByte(0)
        case .int: w.writeByte(1)
        case .float: w.writeByte(2)
        case .bool: w.writeByte(3)
        case .null: w.writeByte(4)
        case .timestamp: w.writeByte(5)
        }
    }

    init(reading r: inout CompactReader) throws {
        switch try r.readByte() {
        case 0: self = .string
        case 1: self = .int
        case 2: self = .float
        case 3: self = .bool
        case 4: self = .null
        case 5: self = .timestamp
        default: throw r.damaged("an unknown kind of YAML scalar")
        }
    }
}

// MARK: - Entities

extension Entity: CompactForm {
    func write(to w: inout CompactWriter) {
        switch self {
        case .journey(let journey): w.writeByte(0); w.write(journey)
        case .persona(let persona): w.writeByte(1); w.write(persona)
        case .finding(let finding): w.writeByte(2); w.write(finding)
        case .term(let term): w.writeByte(3); w.write(term)
        case .department(let department): w.writeByte(4); w.write(department)
        case .page: w.writeByte(5)
        }
    }

    init(reading r: inout CompactReader) throws {
        switch try r.readByte() {
        case 0: self = .journey(try r.read())
        case 1: self = .persona(try r.read())
        case 2: self = .finding(try r.read())
        case 3: self = .term(try r.read())
        case 4: self = .department(try r.read())
        case 5: self = .page
        default: throw r.damaged("an unknown kind of entity")
        }
    }
}

extension Located: CompactForm where Value: CompactForm {
    func write(to w: inout CompactWriter) {
        w.write(value)
        w.write(location)
    }

    init(reading r: inout CompactReader) throws {
        value = try r.read()
        location = try r.read()
    }
}

extension Journey: CompactCodable {
    func write(to w: inout CompactWriter) {
        w.write(personas)
        w.write(owner)
        w.write(departments)
        w.write(begins)
        w.write(ends)
        w.write(basis)
        w.write(status)
        w.write(channels)
        w.write(kpis)
        w.write(lastReviewed)
        w.write(parent)
        w.write(rankings)
        w.write(stages)
    }

    init(reading r: inout CompactReader) throws {
        personas = try r.read()
        owner = try r.read()
        departments = try r.read()
        begins = try r.read()
        ends = try r.read()
        basis = try r.read()
        status = try r.read()
        channels = try r.read()
        kpis = try r.read()
        lastReviewed = try r.read()
        parent = try r.read()
        rankings = try r.read()
        stages = try r.read()
    }
}

extension Ranking: CompactForm {
    func write(to w: inout CompactWriter) {
        w.write(list)
        w.write(items)
    }

    init(reading r: inout CompactReader) throws {
        list = try r.read()
        items = try r.read()
    }
}

extension Stage: CompactForm {
    func write(to w: inout CompactWriter) {
        w.write(name)
        w.write(anchor)
        w.write(goal)
        w.write(emotion)
        w.write(owner)
        w.write(touchpoints)
        w.write(location)
    }

    init(reading r: inout CompactReader) throws {
        name = try r.read()
        anchor = try r.read()
        goal = try r.read()
        emotion = try r.read()
        owner = try r.read()
        touchpoints = try r.read()
        location = try r.read()
    }
}

extension Touchpoint: CompactForm {
    func write(to w: inout CompactWriter) {
        w.write(name)
        w.write(anchor)
        w.write(channel)
        w.write(mode)
        w.write(owner)
        w.write(actors)
        w.write(moment)
        w.write(emotion)
        w.write(kpis)
        w.write(findings)
        w.write(location)
    }

    init(reading r: inout CompactReader) throws {
        name = try r.read()
        anchor = try r.read()
        channel = try r.read()
        mode = try r.read()
        owner = try r.read()
        actors = try r.read()
        moment = try r.read()
        emotion = try r.read()
        kpis = try r.read()
        findings = try r.read()
        location = try r.read()
    }
}

extension Persona: CompactForm {
    func write(to w: inout CompactWriter) {
        w.write(kind)
        w.write(segment)
        w.write(quote)
        w.write(goals)
        w.write(needs)
        w.write(pains)
        w.write(gains)
    }

    init(reading r: inout CompactReader) throws {
        kind = try r.read()
        segment = try r.read()
        quote = try r.read()
        goals = try r.read()
        needs = try r.read()
        pains = try r.read()
        gains = try r.read()
    }
}

extension Finding: CompactForm {
    func write(to w: inout CompactWriter) {
        w.write(method)
        w.write(date)
        w.write(participants)
        w.write(confidence)
        w.write(supports)
        w.write(contradicts)
        w.write(personas)
        w.write(impact)
    }

    init(reading r: inout CompactReader) throws {
        method = try r.read()
        date = try r.read()
        participants = try r.read()
        confidence = try r.read()
        supports = try r.read()
        contradicts = try r.read()
        personas = try r.read()
        impact = try r.read()
    }
}

extension GlossaryTerm: CompactForm {
    func write(to w: inout CompactWriter) {
        w.write(term)
        w.write(termLocation)
        w.write(definition)
        w.write(synonyms)
        w.write(related)
        w.write(notToConfuse)
        w.write(status)
        w.write(owner)
        w.write(noAutolink)
        w.write(homonyms)
    }

    init(reading r: inout CompactReader) throws {
        term = try r.read()
        termLocation = try r.read()
        definition = try r.read()
        synonyms = try r.read()
        related = try r.read()
        notToConfuse = try r.read()
        status = try r.read()
        owner = try r.read()
        noAutolink = try r.read()
        homonyms = try r.read()
    }
}

extension GlossaryTerm.Synonyms: CompactForm {
    func write(to w: inout CompactWriter) {
        w.write(department)
        w.write(words)
        w.write(wordLocations)
    }

    init(reading r: inout CompactReader) throws {
        department = try r.read()
        words = try r.read()
        wordLocations = try r.read()
    }
}

extension Department: CompactForm {
    func write(to w: inout CompactWriter) {
        w.write(lead)
        w.write(contact)
    }

    init(reading r: inout CompactReader) throws {
        lead = try r.read()
        contact = try r.read()
    }
}

// MARK: - Body

extension BodyFacts: CompactCodable {
    func write(to w: inout CompactWriter) {
        w.write(headings)
        w.write(links)
        w.write(rawHTML)
        w.write(rawHTMLLines)
        w.write(firstParagraph)
        w.write(glossaryText)
        w.write(tags)
        w.write(problems)
        w.write(blockAnchors)
        w.write(blockLines.map(\.lowerBound))
        w.write(blockLines.map(\.upperBound))
    }

    init(reading r: inout CompactReader) throws {
        headings = try r.read()
        links = try r.read()
        rawHTML = try r.read()
        rawHTMLLines = try r.read()
        firstParagraph = try r.read()
        glossaryText = try r.read()
        tags = try r.read()
        problems = try r.read()
        blockAnchors = try r.read()
        let (starts, ends): ([Int], [Int]) = (try r.read(), try r.read())
        guard starts.count == blockAnchors.count, ends.count == starts.count, zip(starts, ends).allSatisfy({ $0 <= $1 }) else {
            throw r.damaged("block lines do not match the block ids")
        }
        blockLines = zip(starts, ends).map { $0...$1 }
    }
}

extension BodyHeading: CompactForm {
    func write(to w: inout CompactWriter) {
        w.write(text)
        w.write(level)
        w.write(anchor)
        w.write(location)
    }

    init(reading r: inout CompactReader) throws {
        text = try r.read()
        level = try r.read()
        anchor = try r.read()
        location = try r.read()
    }
}

extension BodyLink: CompactForm {
    func write(to w: inout CompactWriter) {
        w.write(target)
        w.write(location)
        w.write(sentence)
    }

    init(reading r: inout CompactReader) throws {
        target = try r.read()
        location = try r.read()
        sentence = try r.read()
    }
}

extension BodyLinkTarget: CompactForm {
    func write(to w: inout CompactWriter) {
        switch self {
        case .wiki(let link): w.writeByte(0); w.write(link)
        case .url(let url): w.writeByte(1); w.write(url)
        case .image(let source): w.writeByte(2); w.write(source)
        }
    }

    init(reading r: inout CompactReader) throws {
        switch try r.readByte() {
        case 0: self = .wiki(try r.read())
        case 1: self = .url(try r.read())
        case 2: self = .image(try r.read())
        default: throw r.damaged("an unknown kind of link")
        }
    }
}

extension Wikilink: CompactForm {
    func write(to w: inout CompactWriter) {
        w.write(target)
        w.write(anchor)
        w.write(label)
        w.write(range.lowerBound)
        w.write(range.upperBound)
        w.write(embed)
    }

    init(reading r: inout CompactReader) throws {
        target = try r.read()
        anchor = try r.read()
        label = try r.read()
        let lower: Int = try r.read(), upper: Int = try r.read()
        // A range with its bounds the wrong way round would trap.
        guard lower <= upper else { throw r.damaged("a range ends before it starts") }
        range = lower..<upper
        embed = try r.read()
    }
}

// MARK: - Diagnostics

extension Diagnostic: CompactForm {
    func write(to w: inout CompactWriter) {
        w.write(severity)
        w.write(location)
        w.write(message)
        w.write(hint)
    }

    init(reading r: inout CompactReader) throws {
        severity = try r.read()
        location = try r.read()
        message = try r.read()
        hint = try r.read()
    }
}

extension Diagnostic.Severity: CompactForm {
    func write(to w: inout CompactWriter) {
        switch self {
        case .error: w.writeByte(0)
        case .warning: w.writeByte(1)
        }
    }

    init(reading r: inout CompactReader) throws {
        switch try r.readByte() {
        case 0: self = .error
        case 1: self = .warning
        default: throw r.damaged("an unknown severity")
        }
    }
}

/// A location in the stored file (nearly all are) is written without its path: a page's facts would
/// repeat it hundreds of times otherwise.
extension SourceLocation: CompactForm {
    func write(to w: inout CompactWriter) {
        w.write(line)
        w.write(column)
        w.write(path == w.path ? nil : path)
    }

    init(reading r: inout CompactReader) throws {
        line = try r.read()
        column = try r.read()
        if let own: String = try r.read() {
            path = own
        } else {
            guard let stored = r.path else { throw r.damaged("a location without a path") }
            path = stored
        }
    }
}
