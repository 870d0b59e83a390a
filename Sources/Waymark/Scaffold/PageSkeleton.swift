/// The front matter and body `waymark new` writes for each page type: every required field with a
/// value that builds without errors, and the optional fields as commented hints.
enum PageSkeleton {
    /// The types `waymark new` makes, in the order help texts list them.
    static let types: [PageType] = [.journey, .persona, .finding, .term, .department, .page]

    /// `today` is the date (YYYY-MM-DD) a finding is given until the writer puts the real one.
    /// What `waymark new` leaves for the writer to replace, as it starts a page's first paragraph. A page
    /// that still has one would publish it as it is: the load step warns.
    static let bodyPlaceholders = [
        "Describe the journey: who walks it, where it begins and ends",
        "Who is this customer, what are they trying to do, and what do we know for sure?",
        "Examples of the term in use, and where the departments' words differ.",
        "What this department does for customers, the touchpoints it owns and how it measures them.",
        "Write the page here. Link other pages with wikilinks",
    ]
    static let definitionPlaceholder = "Write one sentence that every department agrees on."

    static func text(_ type: PageType, title: String, today: String) -> String {
        let title = YAMLText.scalar(title)
        switch type {
        case .journey:
            return """
                ---
                title: \(title)
                personas: []            # the personas who walk it, e.g. [personas/first-time-buyer]
                # owner: departments/service
                # departments: [departments/service]
                # begins: What starts the journey, in the customer's words.
                # ends: What the customer has when it is over.
                basis: assumption       # assumption · research · hybrid
                status: draft           # draft · validated · retired
                # channels: [web, email, phone]
                # kpis: [Share of customers who finish]
                stages:
                  - name: Awareness
                    # goal: What the customer wants from this stage.
                    # emotion: 0          # -2 (worst) … 2 (best)
                    touchpoints:
                      - name: First contact
                        channel: web
                        # mode: online      # online · offline · hybrid
                        # owner: departments/service
                        # actors: [Partner organisation]
                        # moment: truth     # pain · pleasure · truth · neutral
                        # findings: [research/some-finding]
                ---

                Describe the journey: who walks it, where it begins and ends, and what we still assume.
                Add a stage per step the customer takes, each with the touchpoints where they meet us.

                """
        case .persona:
            return """
                ---
                title: \(title)
                type: primary           # primary · secondary
                # segment: Who they are, as the business counts them.
                # quote: "Something they said, in their own words."
                goals: []               # e.g. [Get it done in one visit]
                needs: []
                pains: []
                gains: []
                ---

                Who is this customer, what are they trying to do, and what do we know for sure?

                """
        case .finding:
            return """
                ---
                title: \(title)
                method: interview       # interview · survey · analytics · usability test · …
                date: \(today)
                # participants: 12
                confidence: low         # low · medium · high
                # supports: [journeys/some-journey#stage/touchpoint]
                # contradicts: [journeys/some-journey#stage]
                # personas: [personas/some-persona]
                # impact: 0             # -2 (harmful) … 2 (helpful)
                ---

                ## What we did

                ## What we found

                ## What it means for the journey

                """
        case .term:
            return """
                ---
                term: \(title)
                definition: "Write one sentence that every department agrees on."
                # synonyms:             # the words each department uses; keys are department ids
                #   service: [another word]
                # no_autolink: [another word]   # a synonym that is an everyday word too: shown, not auto-linked
                # related: [glossary/another-term]
                # not_to_confuse: [glossary/a-similar-word]
                status: proposed        # proposed · agreed
                # owner: departments/service
                ---

                Examples of the term in use, and where the departments' words differ.

                """
        case .department:
            return """
                ---
                title: \(title)
                # lead: Name of the department's lead
                # contact: team@example.com
                ---

                What this department does for customers, the touchpoints it owns and how it measures them.

                """
        default:
            return """
                ---
                title: \(title)
                # description: One line shown in listings.
                # tags: []
                ---

                Write the page here. Link other pages with wikilinks such as `[[journeys/some-journey]]`.

                """
        }
    }
}
