import Foundation
import XCTest
import Yams
@testable import Waymark

/// `waymark init`, `waymark new` and `waymark hook`: the starter builds cleanly, new pages build,
/// nothing is ever overwritten, and the post-commit hook rebuilds without failing commits.
final class ScaffoldTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = try makeTemporaryFolder()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    // MARK: waymark init

    func testInitIntoAnEmptyFolderBuildsWithoutErrorsOrWarnings() throws {
        let run = try waymark(["init", "kb"], in: scratch)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("cd kb"), run.stdout)
        XCTAssertTrue(run.stdout.contains("waymark serve"), run.stdout)
        let root = scratch.appendingPathComponent("kb")
        for path in SiteScaffold.paths(ci: .github) {
            XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path), path)
        }

        let report = BuildPipeline.run(BuildOptions(root: root))
        assertNoDiagnostics(report)
        // The one note a starter site gets says its sitemap needs a host in baseURL (not known before publishing).
        XCTAssertEqual(report.notes.filter { !$0.hasPrefix("sitemap.xml lists site paths") }, [], "every starter glossary term is used somewhere")
        XCTAssertEqual(report.notes.count, 1, "\(report.notes)")
        let publicDir = root.appendingPathComponent("public")
        let nodes = try graphNodes(publicDir)
        for (id, type) in ["journeys/getting-connected": "journey", "personas/sam-moving-house": "persona",
                           "research/installation-interviews": "finding", "glossary/touchpoint": "term",
                           "glossary/moment-of-truth": "term", "departments/service": "department", "guides/writing-pages": "page"] {
            XCTAssertEqual(nodes[id]?.type, type, id)
            XCTAssertTrue(FileManager.default.fileExists(atPath: publicDir.appendingPathComponent(id + "/index.html").path), id)
        }

        // Every site link on every page lands on a file that was written.
        var checked = 0
        for (path, data) in snapshot(publicDir) where path.hasSuffix(".html") {
            let html = String(decoding: data, as: UTF8.self)
            for href in hrefs(html) where href.hasPrefix("/") {
                let target = String(href.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0])
                let file = target.hasSuffix("/") ? target + "index.html" : target
                XCTAssertTrue(FileManager.default.fileExists(atPath: publicDir.path + file), "\(path) links to \(href), which was not written")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 100)

        // What the starter is there to show: backlinks, glossary auto-links with hover cards, the journey map.
        let journey = try XCTUnwrap(try? String(contentsOf: publicDir.appendingPathComponent("journeys/getting-connected/index.html"), encoding: .utf8))
        XCTAssertTrue(journey.contains("href=\"/glossary/moment-of-truth/\" class=\"term-link\""), "first mention of a term is auto-linked")
        XCTAssertTrue(journey.contains("id=\"installation/engineer-visit\""), "touchpoint anchor")
        let persona = try XCTUnwrap(try? String(contentsOf: publicDir.appendingPathComponent("personas/sam-moving-house/index.html"), encoding: .utf8))
        XCTAssertTrue(persona.contains("href=\"/journeys/getting-connected/\""), "the persona page links back to the journey it walks")
        let department = try XCTUnwrap(try? String(contentsOf: publicDir.appendingPathComponent("departments/service/index.html"), encoding: .utf8))
        XCTAssertTrue(department.contains("href=\"/glossary/touchpoint/\" class=\"term-link\""), department)

        // The command line says the same: zero errors, zero warnings.
        let build = try waymark(["build", "--root", root.path], in: scratch)
        XCTAssertEqual(build.status, 0, build.stderr)
        XCTAssertTrue(build.stderr.contains("0 errors, 0 warnings"), build.stderr)
        XCTAssertEqual(build.stderr.components(separatedBy: "note:").count - 1, 1, build.stderr)
        XCTAssertTrue(build.stderr.contains("note: sitemap.xml lists site paths"), build.stderr)
        // Said on a build from scratch; a rebuild from the cache has no note.
        let again = try waymark(["build", "--root", root.path], in: scratch)
        XCTAssertTrue(again.stderr.contains("0 errors, 0 warnings"), again.stderr)
        XCTAssertFalse(again.stderr.contains("note:"), again.stderr)
    }

    func testInitIntoTheCurrentFolderAndWithGitLab() throws {
        let run = try waymark(["init", "--ci", "gitlab", "--title", "Support: the \"real\" journeys #2"], in: scratch)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertFalse(run.stdout.contains("cd "), "already there")
        XCTAssertTrue(FileManager.default.fileExists(atPath: scratch.appendingPathComponent(".gitlab-ci.yml").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.appendingPathComponent(".github").path))
        let gitignore = try String(contentsOf: scratch.appendingPathComponent(".gitignore"), encoding: .utf8)
        for line in ["public/", ".waymark-cache/", ".waymark-tool/"] {
            XCTAssertTrue(gitignore.split(separator: "\n").contains(Substring(line)), line)
        }
        let report = BuildPipeline.run(BuildOptions(root: scratch))
        assertNoDiagnostics(report)
        let (config, configProblems) = SiteConfig.load(root: scratch)
        XCTAssertEqual(configProblems, [])
        XCTAssertEqual(config.title, "Support: the \"real\" journeys #2")

        let gitlab = try mapping(Yams.compose(yaml: String(contentsOf: scratch.appendingPathComponent(".gitlab-ci.yml"), encoding: .utf8)))
        XCTAssertNil(gitlab["variables"], "nothing global: the file can be included by another pipeline")
        XCTAssertNil(gitlab["default"])
        let waymarkTemplate = try mapping(XCTUnwrap(gitlab[".waymark"]))
        XCTAssertEqual(try mapping(XCTUnwrap(waymarkTemplate["variables"]))["GIT_DEPTH"]?.string, "0")
        XCTAssertEqual(waymarkTemplate["image"]?.string, "swift:6.1")
        let pages = try mapping(XCTUnwrap(gitlab["pages"]))
        XCTAssertEqual(try strings(pages["artifacts"].flatMap { try mapping($0)["paths"] }), ["public"])
        let script = try strings(pages["script"]).joined(separator: "\n")
        XCTAssertTrue(script.contains("waymark check"), script)
        XCTAssertTrue(script.contains("waymark build"), script)
        let template = try mapping(XCTUnwrap(gitlab[".waymark"]))
        let caches = try XCTUnwrap(template["cache"]?.sequence)
        XCTAssertTrue(try caches.contains { try strings(mapping($0)["paths"]) == [".waymark-cache/", "public/"] })
    }

    func testInitWritesNothingWhenAnyFileIsInTheWay() throws {
        let root = scratch.appendingPathComponent("kb")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("content"), withIntermediateDirectories: true)
        try Data("mine\n".utf8).write(to: root.appendingPathComponent("content/index.md"))
        try Data("title: Mine\n".utf8).write(to: root.appendingPathComponent("waymark.yml"))
        try Data("keep\n".utf8).write(to: root.appendingPathComponent("notes.txt"))
        let before = snapshot(root)

        // A knowledge base already there is one error (with no pipeline to add).
        let run = try waymark(["init", "--ci", "none", "kb"], in: scratch)
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.hasPrefix("kb: error: already holds a knowledge base (waymark.yml or content/)\n"), run.stderr)
        XCTAssertEqual(run.stderr.components(separatedBy: "error:").count, 2, run.stderr)
        XCTAssertEqual(snapshot(root), before, "nothing written")

        // Without a CI pipeline it gets one, and only that; then there is nothing left to add.
        let ci = try waymark(["init", "kb"], in: scratch)
        XCTAssertEqual(ci.status, 0, ci.stderr)
        XCTAssertTrue(ci.stdout.hasPrefix("kb already holds a knowledge base; added its CI pipeline:\n  .github/workflows/waymark.yml\n"), ci.stdout)
        XCTAssertEqual(Set(snapshot(root).keys).subtracting(before.keys), [".github/workflows/waymark.yml"])
        XCTAssertEqual(try waymark(["init", "kb"], in: scratch).status, 1, "a pipeline is there now")
        try FileManager.default.removeItem(at: root.appendingPathComponent(".github"))

        // Any other starter file in the way: each conflict is named, nothing is written.
        try FileManager.default.removeItem(at: root.appendingPathComponent("content"))
        try FileManager.default.removeItem(at: root.appendingPathComponent("waymark.yml"))
        try FileManager.default.createDirectory(at: root.appendingPathComponent(".github/workflows"), withIntermediateDirectories: true)
        try Data("mine\n".utf8).write(to: root.appendingPathComponent(".github/workflows/waymark.yml"))
        let other = snapshot(root)
        let again = try waymark(["init", "kb"], in: scratch)
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.contains("kb/.github/workflows/waymark.yml: error: "), again.stderr)
        XCTAssertTrue(again.stderr.contains("exists"), again.stderr)
        XCTAssertTrue(again.stderr.contains("hint: use an empty folder"), again.stderr)
        XCTAssertFalse(again.stderr.contains("journeys"), "only conflicts are reported")
        XCTAssertEqual(snapshot(root), other, "nothing written")
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("content/journeys").path))
    }

    /// A repository's own .gitignore is kept: Waymark's lines are added to it, those it has already are not repeated.
    func testInitKeepsAnExistingGitignoreAndAddsItsLines() throws {
        let root = scratch.appendingPathComponent("kb")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try Data("node_modules/\npublic\n".utf8).write(to: root.appendingPathComponent(".gitignore"))
        let run = try waymark(["init", "kb"], in: scratch)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains(".gitignore (kept; Waymark's lines added)"), run.stdout)
        let text = try String(contentsOf: root.appendingPathComponent(".gitignore"), encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("node_modules/\npublic\n# Waymark"), text)
        XCTAssertTrue(text.contains("\n.waymark-cache/\n"), text)
        XCTAssertFalse(text.contains("public/"), "public is there already: \(text)")
    }

    func testInitNeverWritesThroughASymbolicLink() throws {
        let outside = scratch.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        let root = scratch.appendingPathComponent("kb")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("content"), withDestinationURL: outside)
        let outcome = SiteScaffold.initialize(at: root, displayPath: "kb")
        XCTAssertFalse(outcome.succeeded)
        XCTAssertEqual(headlines(outcome.problems), ["kb/content: error: is a symbolic link; Waymark does not write through links"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outside.path), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("waymark.yml").path))
    }

    func testInitIntoAFileIsAnError() throws {
        let file = scratch.appendingPathComponent("kb")
        try Data("x".utf8).write(to: file)
        let run = try waymark(["init", "kb"], in: scratch)
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("kb: error: exists and is not a folder"), run.stderr)
    }

    func testInitInASubfolderOfARepositoryWritesThePipelineAtItsTop() throws {
        try requireGit()
        try git(["init", "-q", "-b", "trunk"], in: scratch)
        try FileManager.default.createDirectory(at: scratch.appendingPathComponent("docs"), withIntermediateDirectories: true)
        let nested = try waymark(["init", "kb"], in: scratch.appendingPathComponent("docs"))
        XCTAssertEqual(nested.status, 0, nested.stderr)
        XCTAssertFalse(nested.stdout.contains("git init"), "already in a repository")
        XCTAssertTrue(nested.stdout.contains("waymark hook install"), nested.stdout)
        XCTAssertTrue(nested.stdout.contains("and its CI pipeline at the top of the repository"), nested.stdout)
        let site = scratch.appendingPathComponent("docs/kb")
        XCTAssertFalse(FileManager.default.fileExists(atPath: site.appendingPathComponent(".github").path), "CI reads no pipeline there")
        let text = try String(contentsOf: scratch.appendingPathComponent(".github/workflows/waymark.yml"), encoding: .utf8)
        let workflow = try mapping(Yams.compose(yaml: text))
        let triggers = try mapping(XCTUnwrap(workflow["on"]))
        XCTAssertEqual(try strings(mapping(XCTUnwrap(triggers["push"]))["paths"]), ["docs/kb/**", ".github/workflows/waymark.yml"])
        XCTAssertEqual(try strings(mapping(XCTUnwrap(triggers["pull_request"]))["paths"]), ["docs/kb/**", ".github/workflows/waymark.yml"])
        XCTAssertEqual(try strings(mapping(XCTUnwrap(triggers["push"]))["branches"]), ["trunk"], "the repository's branch, not main")
        let build = try mapping(XCTUnwrap(mapping(XCTUnwrap(workflow["jobs"]))["build"]))
        XCTAssertEqual(try mapping(XCTUnwrap(mapping(XCTUnwrap(build["defaults"]))["run"]))["working-directory"]?.string, "docs/kb",
                       "the commands run in the knowledge base")
        // What actions are given is the repository's path.
        let steps = try XCTUnwrap(build["steps"]?.sequence).map { try mapping($0) }
        func with(_ action: String) throws -> [String: Node] {
            try mapping(XCTUnwrap(steps.first { $0["uses"]?.string?.hasPrefix(action + "@") == true }?["with"]))
        }
        XCTAssertEqual(try with("actions/cache/restore")["path"]?.string, "docs/kb/.waymark-cache\ndocs/kb/public\n")
        XCTAssertTrue(try XCTUnwrap(with("actions/cache/restore")["key"]?.string)
            .contains("hashFiles('docs/kb/content/**', 'docs/kb/templates/**', 'docs/kb/waymark.yml')"))
        XCTAssertEqual(try with("actions/cache/save")["path"]?.string, "docs/kb/.waymark-cache\ndocs/kb/public\n")
        XCTAssertEqual(try with("actions/upload-pages-artifact")["path"]?.string, "docs/kb/public")
        XCTAssertTrue(steps.contains { $0["if"]?.string?.contains("hashFiles('docs/kb/.waymark-cache/**')") == true })
        let report = BuildPipeline.run(BuildOptions(root: site))
        assertNoDiagnostics(report)

        // A second knowledge base in the same repository: the pipeline's name is taken, so nothing is written.
        let second = try waymark(["init", "handbook"], in: scratch)
        XCTAssertEqual(second.status, 1)
        XCTAssertTrue(second.stderr.contains(".github/workflows/waymark.yml: error: a file with this name already exists"), second.stderr)
        XCTAssertTrue(second.stderr.contains("--ci none"), second.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("handbook/waymark.yml").path))

        // At the repository's top, the pipeline is the site's own, as outside a repository.
        try FileManager.default.removeItem(at: scratch.appendingPathComponent(".github"))
        let top = try waymark(["init"], in: scratch)
        XCTAssertEqual(top.status, 0, top.stderr)
        XCTAssertFalse(top.stdout.contains("at the top of the repository"), top.stdout)
        XCTAssertFalse(try String(contentsOf: scratch.appendingPathComponent(".github/workflows/waymark.yml"), encoding: .utf8)
            .contains("working-directory"))
    }

    func testGitLabPipelineForASubfolderIsAtTheTopOrBesideTheSiteToInclude() throws {
        try requireGit()
        try git(["init", "-q"], in: scratch)
        let fresh = try waymark(["init", "docs/kb", "--ci", "gitlab"], in: scratch)
        XCTAssertEqual(fresh.status, 0, fresh.stderr)
        let gitlab = try mapping(Yams.compose(yaml: String(contentsOf: scratch.appendingPathComponent(".gitlab-ci.yml"), encoding: .utf8)))
        let template = try mapping(XCTUnwrap(gitlab[".waymark"]))
        XCTAssertEqual(try mapping(XCTUnwrap(template["variables"]))["WAYMARK_SITE"]?.string, "docs/kb")
        XCTAssertTrue(try XCTUnwrap(template["cache"]?.sequence).contains { try strings(mapping($0)["paths"]) == ["docs/kb/.waymark-cache/", "public/"] })
        for job in ["build", "pages"] {
            let script = try strings(mapping(XCTUnwrap(gitlab[job]))["script"])
            XCTAssertTrue(script.contains(#"waymark check --root "$WAYMARK_SITE""#), "\(script)")
            XCTAssertTrue(script.contains { $0.hasPrefix(#"waymark build --root "$WAYMARK_SITE" --output "$CI_PROJECT_DIR/public""#) }, "\(script)")
        }
        XCTAssertFalse(try String(contentsOf: scratch.appendingPathComponent("docs/kb/.gitignore"), encoding: .utf8).contains(".waymark-tool"),
                       "the tool is kept at the repository's top")

        // A repository with a pipeline of its own keeps it: Waymark's jobs go beside the site, to include.
        let own = "stages: [test]\n"
        try Data(own.utf8).write(to: scratch.appendingPathComponent(".gitlab-ci.yml"), options: .atomic)
        let included = try waymark(["init", "handbook", "--ci", "gitlab"], in: scratch)
        XCTAssertEqual(included.status, 0, included.stderr)
        XCTAssertEqual(try String(contentsOf: scratch.appendingPathComponent(".gitlab-ci.yml"), encoding: .utf8), own)
        XCTAssertTrue(included.stdout.contains("- local: handbook/waymark.gitlab-ci.yml"), included.stdout)
        let jobs = try mapping(Yams.compose(yaml: String(contentsOf: scratch.appendingPathComponent("handbook/waymark.gitlab-ci.yml"), encoding: .utf8)))
        XCTAssertEqual(try mapping(XCTUnwrap(mapping(XCTUnwrap(jobs[".waymark"]))["variables"]))["WAYMARK_SITE"]?.string, "handbook")
    }

    func testGitHubAnnotationsNameFilesFromTheRepositoryTop() {
        let site = URL(fileURLWithPath: "/work/repo/docs/kb")
        XCTAssertEqual(DiagnosticFormat.githubPathPrefix(root: site, workspace: "/work/repo", currentDirectory: "/elsewhere"), "docs/kb/")
        XCTAssertEqual(DiagnosticFormat.githubPathPrefix(root: site, workspace: nil, currentDirectory: "/work/repo/docs"), "kb/")
        XCTAssertEqual(DiagnosticFormat.githubPathPrefix(root: site, workspace: "/work/repo/docs/kb", currentDirectory: "/"), "")
        XCTAssertEqual(DiagnosticFormat.githubPathPrefix(root: site, workspace: "/work/other", currentDirectory: "/"), "", "not inside")
        XCTAssertEqual(DiagnosticFormat.githubPathPrefix(root: site, workspace: "/work/rep", currentDirectory: "/"), "", "not a prefix by letters")
        let broken = Diagnostic.error(SourceLocation(path: "content/a.md", line: 3, column: 5), "broken link")
        XCTAssertEqual(DiagnosticFormat.github.render([broken], githubPathPrefix: "docs/kb/"),
                       "::error file=docs/kb/content/a.md,line=3,col=5::broken link\n")
        let option = Diagnostic.error(SourceLocation(path: "--base-url"), "not a URL")
        XCTAssertEqual(DiagnosticFormat.github.render([option], githubPathPrefix: "docs/kb/"), "::error file=--base-url::not a URL\n")
    }

    /// `--strict`: warnings count as errors, for CI that must stay clean: status 1, and build writes nothing.
    func testStrictMakesWarningsFailTheRun() throws {
        let site = scratch.appendingPathComponent("kb")
        try FileManager.default.createDirectory(at: site.appendingPathComponent("content"), withIntermediateDirectories: true)
        try Data("title: Strict\n".utf8).write(to: site.appendingPathComponent("waymark.yml"))
        try Data("---\ntitle: Home\nsumary: A typo of summary.\n---\nHome.\n".utf8).write(to: site.appendingPathComponent("content/index.md"))
        let check = try waymark(["check"], in: site)
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertTrue(check.stderr.contains("1 warning"), check.stderr)
        let strict = try waymark(["check", "--strict"], in: site)
        XCTAssertEqual(strict.status, 1, strict.stderr)
        let build = try waymark(["build", "--strict"], in: site)
        XCTAssertEqual(build.status, 1, build.stderr)
        XCTAssertTrue(build.stderr.contains("--strict: the warnings count as errors, nothing written"), build.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: site.appendingPathComponent("public").path))
        XCTAssertEqual(try waymark(["build"], in: site).status, 0)
        XCTAssertEqual(try waymark(["check", "--no-such-option"], in: site).status, 64, "a wrong option")
    }

    // MARK: The GitHub workflow

    func testGitHubWorkflowIsWellFormedWithTheExpectedSteps() throws {
        let text = try XCTUnwrap(CIWorkflow.file(for: .github)?.text)
        XCTAssertFalse(text.contains("\t"), "YAML indentation must be spaces")
        let workflow = try mapping(Yams.compose(yaml: text))
        // `on` must stay a key (YAML 1.1 readers would turn a plain on into true; GitHub reads it as a string).
        let triggers = try mapping(XCTUnwrap(workflow["on"]))
        // Outside a repository the branch is not known yet: the two usual names build.
        XCTAssertEqual(try strings(mapping(XCTUnwrap(triggers["push"]))["branches"]), ["main", "master"])
        XCTAssertNotNil(triggers["pull_request"])
        XCTAssertEqual(try mapping(XCTUnwrap(workflow["permissions"]))["pages"]?.string, "read", "configure-pages reads it")
        XCTAssertEqual(try mapping(XCTUnwrap(workflow["concurrency"]))["cancel-in-progress"]?.string,
                       "${{ github.event_name == 'pull_request' }}", "a publishing run is never cut short")
        let jobs = try mapping(XCTUnwrap(workflow["jobs"]))
        let build = try mapping(XCTUnwrap(jobs["build"]))
        let steps = try XCTUnwrap(build["steps"]?.sequence).map { try mapping($0) }
        func index(_ where: (([String: Node]) -> Bool)) -> Int? { steps.firstIndex(where: `where`) }
        func uses(_ action: String) -> Int? { index { $0["uses"]?.string?.hasPrefix(action + "@") == true } }
        func runs(_ command: String) -> Int? { index { $0["run"]?.string?.contains(command) == true } }

        let checkout = try XCTUnwrap(uses("actions/checkout"))
        let libcmark = try XCTUnwrap(runs("libcmark-dev"))
        XCTAssertEqual(runs("libjemalloc-dev"), libcmark, "the release build links jemalloc")
        let installFromSource = try XCTUnwrap(runs("swift build -c release"))
        let restore = try XCTUnwrap(uses("actions/cache/restore"))
        let check = try XCTUnwrap(runs("waymark check --format github"))
        let buildStep = try XCTUnwrap(runs("waymark build"))
        let save = try XCTUnwrap(uses("actions/cache/save"))
        let upload = try XCTUnwrap(uses("actions/upload-pages-artifact"))
        XCTAssertEqual([checkout, libcmark, installFromSource, restore, check, buildStep, save, upload].sorted(),
                       [checkout, libcmark, installFromSource, restore, check, buildStep, save, upload], "steps in order")

        // The whole history, for each page's "Last updated" date from git.
        XCTAssertEqual(try mapping(XCTUnwrap(steps[checkout]["with"]))["fetch-depth"]?.string, "0")
        let restoreWith = try mapping(XCTUnwrap(steps[restore]["with"]))
        XCTAssertEqual(restoreWith["path"]?.string, ".waymark-cache\npublic\n")
        let key = try XCTUnwrap(restoreWith["key"]?.string)
        for part in ["${{ runner.os }}", "steps.waymark.outputs.version", "hashFiles('content/**', 'templates/**', 'waymark.yml')"] {
            XCTAssertTrue(key.contains(part), "cache key has \(part): \(key)")
        }
        let fallback = try XCTUnwrap(restoreWith["restore-keys"]?.string).trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(key.hasPrefix(fallback), "restore-keys is the key without the content hash")
        XCTAssertEqual(try mapping(XCTUnwrap(steps[save]["with"]))["path"]?.string, ".waymark-cache\npublic\n")

        let onMain = "github.event_name == 'push' && github.ref_name == github.event.repository.default_branch"
        XCTAssertEqual(steps[upload]["if"]?.string, onMain)
        XCTAssertEqual(try mapping(XCTUnwrap(steps[upload]["with"]))["path"]?.string, "public")
        XCTAssertNotNil(runs("WAYMARK_VERSION"), "the Waymark version to build is a setting")

        let deploy = try mapping(XCTUnwrap(jobs["deploy"]))
        XCTAssertEqual(deploy["needs"]?.string, "build")
        XCTAssertEqual(deploy["if"]?.string, onMain)
        let permissions = try mapping(XCTUnwrap(deploy["permissions"]))
        XCTAssertEqual(permissions["pages"]?.string, "write")
        XCTAssertEqual(permissions["id-token"]?.string, "write")
        let deploySteps = try XCTUnwrap(deploy["steps"]?.sequence).map { try mapping($0) }
        XCTAssertTrue(deploySteps.contains { $0["uses"]?.string?.hasPrefix("actions/deploy-pages@") == true })
    }

    // MARK: waymark new

    func testNewPageOfEveryTypeBuildsInTheStarter() throws {
        let root = scratch.appendingPathComponent("kb")
        XCTAssertTrue(SiteScaffold.initialize(at: root, displayPath: "kb").succeeded)
        let expected: [(type: String, title: String, path: String)] = [
            ("journey", "Cancelling a contract", "content/journeys/cancelling-a-contract.md"),
            ("persona", "Priya, small business owner", "content/personas/priya-small-business-owner.md"),
            ("finding", "Customers cancel after the second bill", "content/research/customers-cancel-after-the-second-bill.md"),
            ("term", "Churn", "content/glossary/churn.md"),
            ("department", "Marketing", "content/departments/marketing.md"),
            ("page", "Workshop notes", "content/workshop-notes.md"),
        ]
        for page in expected {
            let run = try waymark(["new", page.type, page.title, "--root", "kb"], in: scratch)
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertEqual(run.stdout, "kb/" + page.path + "\n")
            // Typed pages are listed in their sections; a plain page is told to be linked from somewhere.
            XCTAssertEqual(run.stderr.contains("link it from another page, e.g. [[workshop-notes]]"), page.type == "page", run.stderr)
            XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent(page.path).path), page.path)
        }
        let report = BuildPipeline.run(BuildOptions(root: root))
        assertNoErrors(report)
        // What the skeletons leave to replace is a warning where it stands, nothing else (the finding's
        // skeleton has headings only).
        XCTAssertEqual(report.diagnostics.map { "\($0.location.path):\($0.location.line): \($0.message)" }.sorted(), [
            "content/departments/marketing.md:7: the page still starts with the placeholder text `waymark new` wrote",
            "content/glossary/churn.md:13: the page still starts with the placeholder text `waymark new` wrote",
            "content/glossary/churn.md:3: `definition` is still the placeholder `waymark new` wrote",
            "content/journeys/cancelling-a-contract.md:26: the page still starts with the placeholder text `waymark new` wrote",
            "content/personas/priya-small-business-owner.md:12: the page still starts with the placeholder text `waymark new` wrote",
            "content/workshop-notes.md:7: the page still starts with the placeholder text `waymark new` wrote",
        ])
        let nodes = try graphNodes(root.appendingPathComponent("public"))
        for page in expected {
            let id = String(page.path.dropFirst("content/".count).dropLast(".md".count))
            XCTAssertEqual(nodes[id]?.type, page.type, id)
            XCTAssertEqual(nodes[id]?.title, page.title, id)
        }
    }

    /// `serve` where there is no knowledge base stops at once with what to do, rather than serving an
    /// error page. (The unusable host makes a regression fail instead of serving forever.)
    func testServeWithoutContentStopsWithAHint() throws {
        let run = try waymark(["serve", "--host", "256.0.0.1", "--port", "8937"], in: scratch)
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.hasPrefix("content/: error: no content/ folder in "), run.stderr)
        XCTAssertTrue(run.stderr.contains("hint: run `waymark serve` in the knowledge base's root"), run.stderr)
    }

    /// Inside a knowledge base's folder (`content/journeys`), commands work on the knowledge base above
    /// and name files from where they run; the hint to start one with `init` (which would start a
    /// second knowledge base inside the first) is only for a folder with none above.
    func testCommandsRunInsideAFolderOfTheKnowledgeBaseFindIt() throws {
        XCTAssertTrue(SiteScaffold.initialize(at: scratch, displayPath: ".").succeeded)
        let journeys = scratch.appendingPathComponent("content/journeys")
        let page = try waymark(["new", "persona", "Sam"], in: journeys)
        XCTAssertEqual(page.status, 0, page.stderr)
        XCTAssertEqual(page.stdout, "../../content/personas/sam.md\n")
        XCTAssertTrue(page.stderr.contains("note: using the knowledge base at ../.. ("), page.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("content/personas/sam.md").path))
        try Data("---\ntitle: Broken\njourney: [\n---\nText.\n".utf8).write(to: journeys.appendingPathComponent("broken.md"))
        let check = try waymark(["check"], in: journeys)
        XCTAssertEqual(check.status, 1)
        XCTAssertTrue(check.stderr.contains("../../content/journeys/broken.md:"), check.stderr)
        XCTAssertFalse(check.stderr.contains("waymark init"), check.stderr)
    }

    func testNewNeverOverwritesAndRejectsUnknownTypes() throws {
        XCTAssertTrue(SiteScaffold.initialize(at: scratch, displayPath: ".").succeeded)
        XCTAssertEqual(try waymark(["new", "persona", "Sam"], in: scratch).status, 0)
        let file = scratch.appendingPathComponent("content/personas/sam.md")
        try Data("---\ntitle: Sam, edited\n---\nMine.\n".utf8).write(to: file)

        let again = try waymark(["new", "persona", "Sam"], in: scratch)
        XCTAssertEqual(again.status, 1)
        XCTAssertEqual(again.stdout, "")
        XCTAssertTrue(again.stderr.contains("content/personas/sam.md: error: "), again.stderr)
        XCTAssertTrue(again.stderr.contains("exists"), again.stderr)
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), "---\ntitle: Sam, edited\n---\nMine.\n")

        let unknown = try waymark(["new", "customer", "Sam"], in: scratch)
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderr.contains("unknown page type `customer`"), unknown.stderr)
        XCTAssertTrue(unknown.stderr.contains("journey, persona, finding, term, department, page"), unknown.stderr)
        XCTAssertFalse(unknown.stderr.contains("did you mean"), unknown.stderr)
        let typo = try waymark(["new", "jorney", "Renewal"], in: scratch)
        XCTAssertEqual(typo.status, 1)
        XCTAssertTrue(typo.stderr.contains("hint: did you mean `journey`?"), typo.stderr)

        let noSite = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: noSite) }
        let outside = try waymark(["new", "page", "Hello"], in: noSite)
        XCTAssertEqual(outside.status, 1)
        XCTAssertTrue(outside.stderr.contains("no content/ folder"), outside.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: noSite.path), [])
    }

    func testAwkwardTitlesRoundTripAndFileNamesStayInside() throws {
        XCTAssertTrue(SiteScaffold.initialize(at: scratch, displayPath: ".", ci: .none).succeeded)
        let titles = [
            #"He said "no": the #1 complaint"#, "Café – naïve résumé, 東京", "Yes", "null", "2026-01-01 review",
            "- starts with a dash", "[bracketed] & {braced}", "'single' quotes", "key: value", "50% off!",
            #"back\slash"#, "ends with a colon:", "emoji 🎉 onboarding", "../../etc/passwd", "a/b\\c",
            "* star", "? question", "@at", "`backtick`", "|pipe", ">folded", "!tag", "%percent", "&anchor",
        ]
        var seen: [String: String] = [:]
        for (n, title) in titles.enumerated() {
            let type: PageType = n.isMultiple(of: 2) ? .page : .persona
            let created = NewPage.create(type: type, title: title, root: scratch)
            guard case .success(let path) = created else {
                XCTFail("\(title): \(created)")
                continue
            }
            let stem = String(path.split(separator: "/").last ?? "").replacingOccurrences(of: ".md", with: "")
            XCTAssertFalse(stem.contains("/") || stem.contains("..") || stem.isEmpty, path)
            XCTAssertTrue(path.hasPrefix("content/" + (type.folder.map { $0 + "/" } ?? "")), path)
            seen[String(path.dropFirst("content/".count).dropLast(".md".count))] = title
        }
        XCTAssertEqual(seen.count, titles.count)
        XCTAssertEqual(seen["personas/etc-passwd"], "../../etc/passwd")
        XCTAssertEqual(seen["a-b-c"], "a/b\\c")
        let report = BuildPipeline.run(BuildOptions(root: scratch))
        assertNoErrors(report)
        // Each page's only warning is the skeleton's placeholder text, left to replace.
        XCTAssertEqual(report.diagnostics.filter { !$0.message.contains("placeholder text `waymark new` wrote") }.count, 0,
                       DiagnosticFormat.human.render(report.diagnostics))
        let nodes = try graphNodes(scratch.appendingPathComponent("public"))
        for (id, title) in seen {
            XCTAssertEqual(nodes[id]?.title, title, id)
        }
        // Only the expected files, all under content/.
        let written = Set(snapshot(scratch.appendingPathComponent("content")).keys)
        XCTAssertEqual(written.count, StarterSite.files(title: "x", ci: .none).filter { $0.path.hasPrefix("content/") }.count + titles.count)
    }

    func testYAMLScalarsReadBackUnchanged() throws {
        let samples = ["plain title", "Yes", "no", "On", "~", "null", "123", "1.5", "0x1F", "2026-01-01", "true",
                       "a: b", "a #b", "#x", "- x", "[x]", "{x}", "'x'", "\"x\"", "x\\y", "tab\there", "line\nbreak",
                       "  padded  ", "trailing:", "é", "Ünïcödé title", "日本語", "🎉", "\u{7}bell", "\u{2028}sep", "\u{85}nel", "x \u{FEFF}y",
                       "*alias", "&anchor", "!tag", "%directive", "@at", "`tick`", "|", ">", "?", ",", "Sam, mover", "O'Brien"]
        for text in samples {
            let yaml = "title: " + YAMLText.scalar(text) + "\n"
            let node = try Yams.compose(yaml: yaml)
            XCTAssertEqual(node?["title"]?.string, text, yaml)
            if case .success(let value?) = YAMLDocument.parse(yaml, path: "t.md", firstLine: 1),
               case .mapping(let entries, _) = value, case .scalar(let s, let kind, _)? = entries.first?.value {
                XCTAssertEqual(s, text, yaml)
                XCTAssertEqual(kind, .string, "\(yaml) is read as text")
            } else {
                XCTFail("Waymark's YAML reader rejects \(yaml)")
            }
        }
    }

    func testLongTitlesMakeShortFileNames() {
        let title = String(repeating: "customer journey ", count: 20)
        guard case .success(let path) = NewPage.relativePath(type: .journey, title: title) else { return XCTFail() }
        let stem = path.dropFirst("content/journeys/".count).dropLast(".md".count)
        XCTAssertLessThanOrEqual(stem.count, NewPage.maxSlugLength)
        XCTAssertFalse(stem.hasSuffix("-"))
        guard case .failure(let d) = NewPage.relativePath(type: .page, title: "README") else { return XCTFail() }
        XCTAssertTrue(d.message.contains("its folder's own page"), d.message)
    }

    // MARK: waymark hook

    func testHookInstallIsIdempotentRefusesForeignHooksAndUninstalls() throws {
        try requireGit()
        try git(["init", "-q"], in: scratch)
        let hook = try hooksFolder(scratch).appendingPathComponent("post-commit")

        let first = try waymark(["hook", "install"], in: scratch)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.hasPrefix("Installed "), first.stdout)
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: hook.path))
        let text = try String(contentsOf: hook, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("#!/bin/sh\n# waymark-hook: post-commit\n"), text)
        XCTAssertTrue(text.contains("build --root"), text)
        XCTAssertTrue(text.contains(executable.resolvingSymlinksInPath().path), "the hook runs this waymark by its absolute path")

        let second = try waymark(["hook", "install"], in: scratch)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stdout.hasPrefix("Updated "), second.stdout)
        XCTAssertEqual(try String(contentsOf: hook, encoding: .utf8), text, "re-installing changes nothing")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: hook.deletingLastPathComponent().path).filter { $0.contains("waymark") }, [],
                       "no temporary files left in the hooks folder")

        XCTAssertEqual(try waymark(["hook", "uninstall"], in: scratch).status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: hook.path))
        let nothing = try waymark(["hook", "uninstall"], in: scratch)
        XCTAssertEqual(nothing.status, 0)
        XCTAssertTrue(nothing.stdout.contains("nothing to remove"), nothing.stdout)

        let foreign = "#!/bin/sh\necho my own hook\n"
        try Data(foreign.utf8).write(to: hook)
        let refused = try waymark(["hook", "install"], in: scratch)
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("post-commit: error: a post-commit hook Waymark did not write already exists"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("hint: "), refused.stderr)
        XCTAssertEqual(try waymark(["hook", "uninstall"], in: scratch).status, 1)
        XCTAssertEqual(try String(contentsOf: hook, encoding: .utf8), foreign, "a foreign hook is never touched")
    }

    func testHookOutsideARepositoryIsAClearError() throws {
        try requireGit()
        // A folder outside any repository (the temporary folder might sit inside one, so check first).
        if (try? git(["rev-parse", "--git-dir"], in: scratch)) != nil { throw XCTSkip("the temporary folder is inside a git repository") }
        let run = try waymark(["hook", "install"], in: scratch)
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("error: not inside a git repository"), run.stderr)
        XCTAssertTrue(run.stderr.contains("hint: run `git init`"), run.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [])
    }

    func testACommitRunsTheHookWhichBuildsAndNeverFailsTheCommit() throws {
        try requireGit()
        let repo = scratch.appendingPathComponent("repo")
        // A folder name a shell would split or unquote, to check the hook quotes it.
        let folder = "docs/Sam's $HOME kb"
        let site = repo.appendingPathComponent(folder)
        XCTAssertTrue(SiteScaffold.initialize(at: site, displayPath: "kb").succeeded)
        try git(["init", "-q"], in: repo)
        try configureCommitter(repo)
        let install = try waymark(["hook", "install", "--root", folder], in: repo)
        XCTAssertEqual(install.status, 0, install.stderr)
        XCTAssertTrue(install.stdout.contains(folder), install.stdout)

        try git(["add", "-A"], in: repo)
        let commit = try git(["commit", "-q", "-m", "Start the knowledge base"], in: repo)
        XCTAssertTrue(commit.stderr.contains("waymark hook: rebuilding"), commit.stderr)
        XCTAssertTrue(commit.stderr.contains("0 errors, 0 warnings"), commit.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: site.appendingPathComponent("public/journeys/getting-connected/index.html").path))
        XCTAssertEqual(try git(["status", "--porcelain"], in: repo).stdout, "", "public/ is ignored by the starter's .gitignore")

        // A broken link fails the build, not the commit; the last good site stays.
        try Data("---\ntitle: Broken\n---\nSee [[nowhere]].\n".utf8).write(to: site.appendingPathComponent("content/broken.md"))
        try git(["add", "-A"], in: repo)
        let broken = try git(["commit", "-q", "-m", "A broken link"], in: repo)
        XCTAssertTrue(broken.stderr.contains("content/broken.md:4:5: error"), broken.stderr)
        XCTAssertTrue(broken.stderr.contains("the build failed (the commit is recorded)"), broken.stderr)
        XCTAssertEqual(try git(["log", "--format=%s", "-1"], in: repo).stdout, "A broken link\n")
        XCTAssertTrue(FileManager.default.fileExists(atPath: site.appendingPathComponent("public/index.html").path))
    }

    func testHookWorksInAWorktreeWhoseGitIsAFile() throws {
        try requireGit()
        let main = scratch.appendingPathComponent("main")
        XCTAssertTrue(SiteScaffold.initialize(at: main, displayPath: "main", ci: .none).succeeded)
        try git(["init", "-q"], in: main)
        try configureCommitter(main)
        try git(["add", "-A"], in: main)
        try git(["commit", "-q", "-m", "Start"], in: main)
        let worktree = scratch.appendingPathComponent("wt")
        try git(["worktree", "add", "-q", "-b", "writing", worktree.path], in: main)
        XCTAssertEqual(ScaffoldWriter.kind(worktree.appendingPathComponent(".git").path), .file)

        let install = try waymark(["hook", "install"], in: worktree)
        XCTAssertEqual(install.status, 0, install.stderr)
        let hook = try hooksFolder(worktree).appendingPathComponent("post-commit")
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: hook.path), hook.path)

        try Data("---\ntitle: Notes\n---\nFrom the worktree.\n".utf8).write(to: worktree.appendingPathComponent("content/notes.md"))
        try git(["add", "-A"], in: worktree)
        let commit = try git(["commit", "-q", "-m", "Notes"], in: worktree)
        XCTAssertTrue(commit.stderr.contains("0 errors"), commit.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: worktree.appendingPathComponent("public/notes/index.html").path),
                      "the worktree that committed is the one rebuilt")
        XCTAssertFalse(FileManager.default.fileExists(atPath: main.appendingPathComponent("public").path))
    }

    // MARK: Helpers

    private var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("waymark")
    }

    private struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the built waymark executable in `directory`.
    private func waymark(_ arguments: [String], in directory: URL) throws -> Run {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw XCTSkip("the waymark executable is not built next to the tests (\(executable.path))")
        }
        return try run(executable, arguments, in: directory)
    }

    @discardableResult
    private func git(_ arguments: [String], in directory: URL) throws -> Run {
        let result = try run(URL(fileURLWithPath: "/usr/bin/env"), ["git"] + arguments, in: directory)
        if result.status != 0 { throw GitFailed(message: "git \(arguments.joined(separator: " ")): \(result.stderr)") }
        return result
    }

    private struct GitFailed: Error, CustomStringConvertible { var message: String; var description: String { message } }

    private func run(_ program: URL, _ arguments: [String], in directory: URL) throws -> Run {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        // Tests must not pick up a developer's global git hooks, templates or identity.
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        for key in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"] { environment[key] = nil }
        process.environment = environment
        let output = try temporaryFile(), errors = try temporaryFile()
        process.standardOutput = output.handle
        process.standardError = errors.handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let stdout = try String(contentsOf: output.url, encoding: .utf8), stderr = try String(contentsOf: errors.url, encoding: .utf8)
        return Run(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }

    /// A file to collect a child's output (a pipe could fill up while the child still runs).
    private func temporaryFile() throws -> (url: URL, handle: FileHandle) {
        let url = scratch.deletingLastPathComponent().appendingPathComponent("waymark-test-output-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return (url, try FileHandle(forWritingTo: url))
    }

    private func requireGit() throws {
        guard (try? run(URL(fileURLWithPath: "/usr/bin/env"), ["git", "--version"], in: scratch).status) == 0 else {
            throw XCTSkip("git is not installed")
        }
    }

    private func configureCommitter(_ repo: URL) throws {
        try git(["config", "user.name", "Waymark Tests"], in: repo)
        try git(["config", "user.email", "tests@waymark.invalid"], in: repo)
        try git(["config", "commit.gpgsign", "false"], in: repo)
    }

    private func hooksFolder(_ directory: URL) throws -> URL {
        let path = try git(["rev-parse", "--git-path", "hooks"], in: directory).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return path.hasPrefix("/") ? URL(fileURLWithPath: path) : directory.appendingPathComponent(path)
    }

    /// graph.json's nodes by id.
    private func graphNodes(_ publicDir: URL) throws -> [String: (type: String, title: String)] {
        let data = try Data(contentsOf: publicDir.appendingPathComponent("graph.json"))
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let nodes = try XCTUnwrap(json["nodes"] as? [[String: Any]])
        var byID: [String: (type: String, title: String)] = [:]
        for node in nodes {
            if let id = node["id"] as? String { byID[id] = (node["type"] as? String ?? "", node["title"] as? String ?? "") }
        }
        return byID
    }

    private func hrefs(_ html: String) -> [String] {
        var found: [String] = []
        var rest = html[...]
        while let start = rest.range(of: "href=\"") {
            rest = rest[start.upperBound...]
            guard let end = rest.firstIndex(of: "\"") else { break }
            found.append(String(rest[..<end]).replacingOccurrences(of: "&amp;", with: "&"))
            rest = rest[end...]
        }
        return found
    }

    private func mapping(_ node: Node?) throws -> [String: Node] {
        let pairs = try XCTUnwrap(node?.mapping, "expected a mapping")
        var result: [String: Node] = [:]
        for (key, value) in pairs { if let k = key.scalar?.string { result[k] = value } }
        return result
    }

    private func strings(_ node: Node?) throws -> [String] {
        try XCTUnwrap(node?.sequence, "expected a list").compactMap(\.string)
    }
}
