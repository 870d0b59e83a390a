/// The knowledge base `waymark init` writes: a configuration, one page of every type linked to each
/// other (so the first build already shows backlinks, glossary auto-links and a journey map),
/// a .gitignore and a CI workflow. Embedded here so an installed binary needs nothing else.
enum StarterSite {
    /// The starter's files (path under the new site → text), in the order they are written.
    /// `branch`: the repository's current branch, for the CI workflow.
    static func files(title: String, ci: CIProvider, branch: String? = nil) -> [(path: String, text: String)] {
        var files: [(path: String, text: String)] = [
            ("waymark.yml", config(title: title)),
            (".gitignore", gitignore(ci: ci)),
            ("content/index.md", home(title: title)),
            ("content/journeys/getting-connected.md", journey),
            ("content/personas/sam-moving-house.md", persona),
            ("content/research/installation-interviews.md", finding),
            ("content/glossary/touchpoint.md", touchpointTerm),
            ("content/glossary/moment-of-truth.md", momentOfTruthTerm),
            ("content/departments/service.md", department),
            ("content/guides/writing-pages.md", guide),
        ]
        if let workflow = CIWorkflow.file(for: ci, branch: branch) { files.append(workflow) }
        return files
    }

    static func config(title: String) -> String {
        #"""
        # Waymark site configuration. Every key is optional; the values below are the defaults
        # except `title`. Unknown keys are reported as warnings, so a typo does not go unnoticed.

        # Shown in every page's title and in the header.
        title: \#(YAMLText.scalar(title))

        # Where the site is published. A sub-path works (https://intranet.example/kb/): every link
        # gets it as a prefix. `waymark build --base-url URL` overrides it (the CI workflow does).
        # With a host, sitemap.xml, robots.txt and canonical links carry full URLs; until then each
        # build notes that the sitemap lists paths only.
        baseURL: /

        # editURL: https://github.com/your-org/your-kb/edit/main/{path}   # adds "Edit this page"

        links:
          # A link to a page, stage, touchpoint or heading that does not exist stops the build.
          # `warning` reports it and builds anyway (handy while importing an existing handbook).
          broken: error

        glossary:
          # Link the first mention of each glossary term (or a department's synonym for it) on
          # every page: first, all (every mention) or off.
          autolink: first

        markdown:
          # Raw HTML in Markdown is shown as text. true lets it through; only for trusted writers.
          unsafe: false

        # The build's output folder.
        output: public

        # Glob patterns under content/ to leave out of the site.
        # ignore: ["drafts/*", "*.tmp"]

        """#
    }

    static func gitignore(ci: CIProvider) -> String {
        var text = """
            # Build output and Waymark's build cache: made by `waymark build`, never committed.
            public/
            .waymark-cache/
            # A build writes into this folder and swaps it in when done; a killed one may leave it behind.
            .public.staging-*/

            """
        if ci == .gitlab {
            text += "# Waymark itself, built by the GitLab pipeline and kept in its cache.\n.waymark-tool/\n"
        }
        return text
    }

    static func home(title: String) -> String {
        #"""
        ---
        title: \#(YAMLText.scalar(title))
        ---

        This knowledge base is where every department keeps what we know about our customers: the
        journeys they walk, who they are, what research has told us, and the words each team uses for
        the same things. It starts with one example of each kind of page; replace them with your own.

        ## Start here

        - [[journeys/getting-connected]] is a journey map: stages, touchpoints, owners, an emotion
          curve, and the evidence behind it.
        - [[personas/sam-moving-house]] is the persona who walks it.
        - [[research/installation-interviews]] is a research finding that supports one touchpoint.
        - [[glossary/touchpoint]] and [[glossary/moment-of-truth]] are glossary terms; the
          [glossary](glossary/) lists them all, with the words each department uses.
        - [[departments/service]] is a department page: what it owns across all journeys.
        - [[guides/writing-pages]] explains how to add and link pages.

        Every page shows what links to it at the bottom, with the sentence the link appears in.

        """#
    }

    static let journey = #"""
        ---
        title: Getting connected
        personas: [personas/sam-moving-house]
        owner: departments/service
        departments: [departments/service]
        begins: The customer learns they need a new broadband connection, usually because they are moving.
        ends: The connection works and the first bill matches what the customer was promised.
        basis: hybrid           # assumption · research · hybrid
        status: draft           # draft · validated · retired
        channels: [web, phone, in person, email]
        kpis:
          - Days from order to working connection
          - Share of installations done on the first visit
        last_reviewed: 2026-01-15
        stages:
          - name: Order
            goal: Choose a plan and book an installation date that fits the move.
            emotion: 0
            touchpoints:
              - name: Plan comparison page
                channel: web
                mode: online
                emotion: 0
              - name: Booking call
                channel: phone
                mode: offline
                owner: departments/service
                kpis: [Calls resolved without a transfer]
          - name: Installation
            goal: Get connected on the booked day without taking a second day off work.
            emotion: -1
            owner: departments/service
            touchpoints:
              - name: Engineer visit
                channel: in person
                mode: offline
                actors: [Installation partner]
                moment: truth
                emotion: -2
                findings: [research/installation-interviews]
              - name: Router set-up
                channel: in person
                mode: hybrid
                moment: pain
                emotion: -1
          - name: First bill
            goal: Pay what was promised, and understand the bill.
            emotion: 1
            touchpoints:
              - name: Welcome email
                channel: email
                mode: online
                owner: departments/service
                moment: pleasure
                emotion: 1
        # What customers say matters most (from research), against what a department guesses.
        rankings:
          customer: [Engineer visit, Booking call, Router set-up]
          service: [Plan comparison page, Booking call, Engineer visit]
        ---

        The journey of a household getting a new connection, from choosing a plan to the first bill.
        It is the journey [[personas/sam-moving-house|Sam]] walks when moving house.

        ## What we know

        The engineer visit is the moment of truth: when it fails, everything before it is forgotten.
        [[research/installation-interviews]] found that a missed visit costs customers a second day
        off work. The [[journeys/getting-connected#order/booking-call|booking call]] is where we can
        prevent that, by checking access to the building before we book.

        ## What we still assume

        The first bill stage rests on assumptions: no research supports it yet.

        """#

    static let persona = #"""
        ---
        title: Sam, moving house
        type: primary           # primary · secondary
        segment: Households moving home, renting, working full time
        quote: "I booked the day off for the engineer. Nobody came, and nobody told me."
        goals:
          - Be online on the first evening in the new home
          - Take as little time off work as possible
        needs:
          - A firm installation slot, and a warning if it changes
          - A bill that matches the price on the website
        pains:
          - Waiting in for a visit that does not happen
          - Explaining the problem again on every call
        gains:
          - A text the day before with the engineer's arrival window
        ---

        Sam is 31, rents a flat and moves every two or three years. Sam compares plans online, books
        by phone when the website cannot answer a question, and judges us on one thing: whether the
        engineer turns up when we said. Sam walks [[journeys/getting-connected]].

        """#

    static let finding = #"""
        ---
        title: A missed engineer visit costs customers a second day off work
        method: interview       # interview · survey · analytics · usability test · …
        date: 2026-01-10
        participants: 12
        confidence: medium      # low · medium · high
        personas: [personas/sam-moving-house]
        supports: [journeys/getting-connected#installation/engineer-visit]
        impact: -2              # -2 (harmful) … 2 (helpful)
        ---

        ## What we did

        [[departments/service]] interviewed twelve customers whose installation took more than one
        visit, by phone, within two weeks of the final visit.

        ## What we found

        Nine of the twelve had taken a day off work for a visit that did not happen or could not be
        finished, most often because the engineer could not get into the building. Every one of them
        named the missed visit as the moment they started to regret the order: a moment of truth.

        ## What it means for the journey

        Check building access during the booking call, and tell customers the day before when an
        engineer cannot come.

        """#

    static let touchpointTerm = #"""
        ---
        term: Touchpoint
        definition: Any moment where a customer meets the company, online or offline, whoever owns it.
        synonyms:               # the words each department uses; keys are department ids
          service: [contact point, interaction]
        related: [glossary/moment-of-truth]
        status: agreed          # proposed · agreed
        owner: departments/service
        ---

        A website page, a phone call and an engineer's visit are all touchpoints. Touchpoints sit
        inside the stages of a journey, each with a channel and an owner; see
        [[journeys/getting-connected]].

        Customer service says *contact point* or *interaction*; the glossary links those words here
        too, so readers from every department land on the same definition.

        """#

    static let momentOfTruthTerm = #"""
        ---
        term: Moment of truth
        definition: A touchpoint where the customer decides whether the company keeps its promises.
        synonyms:
          service: [make-or-break moment]
        related: [glossary/touchpoint]
        status: proposed
        owner: departments/service
        ---

        Few touchpoints are moments of truth, but they outweigh the rest: a customer forgives a slow
        web page, not a missed visit. Mark one with `moment: truth` on the touchpoint.

        """#

    static let department = #"""
        ---
        title: Customer service
        lead: Name of the department's lead
        contact: service-team@example.com
        ---

        Customer service answers calls and emails, books installations and follows up when a visit
        fails. Its page lists every touchpoint it owns across all journeys, and the KPIs that go with
        them.

        In service, a touchpoint is usually called a contact point; the glossary keeps both words.

        """#

    static let guide = #"""
        ---
        title: Writing pages
        description: How to add pages to this knowledge base and link them together.
        ---

        Every page is a Markdown file under `content/`. The folder gives it its type:
        `journeys/`, `personas/`, `research/`, `glossary/` and `departments/`; anything else is a
        plain page like this one.

        ## Add a page

        ```sh
        waymark new journey "Cancelling a contract"
        waymark new persona "Priya, small business owner"
        waymark new finding "Customers cancel after the second bill"
        waymark new term "Churn"
        waymark new department "Marketing"
        waymark new page "Workshop notes"
        ```

        Each command writes a file with the fields its type needs and hints for the optional ones.

        ## Link pages

        Write `[[journeys/getting-connected]]` to link a page, `[[journeys/getting-connected#installation]]`
        for a stage and `[[journeys/getting-connected#installation/engineer-visit]]` for a touchpoint.
        A broken link stops the build and names the file, line and column, with a suggestion.

        Glossary terms need no links: the first mention of a term such as touchpoint on each page is
        linked to its definition. Try it on [[journeys/getting-connected]].

        ## Preview while you write

        Run `waymark serve` and open the address it prints; pages reload as you save. `waymark check`
        runs every check without writing anything.

        """#
}
