import ArgumentParser
import Foundation
import Waymark

/// Prints diagnostics in the human format on stderr.
private func report(_ diagnostics: [Diagnostic]) {
    FileHandle.standardError.write(Data(DiagnosticFormat.human.render(diagnostics).utf8))
}

extension CIProvider: ExpressibleByArgument {}

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Start a new knowledge base: configuration, one example page of each type, .gitignore and a CI workflow.",
        discussion: "Never overwrites: if any file it would write exists, it writes nothing and lists the conflicts. An existing .gitignore is kept, with Waymark's lines added. In a folder that holds a knowledge base already, it adds only the CI pipeline, if there is none."
    )

    @Argument(help: "The folder for the new knowledge base (created if missing).")
    var directory: String = "."

    @Option(help: "The site's title, written into waymark.yml.")
    var title: String = SiteScaffold.defaultTitle

    @Option(help: "Which CI pipeline to write: github (.github/workflows/waymark.yml), gitlab (.gitlab-ci.yml) or none.")
    var ci: CIProvider = .github

    func run() throws {
        let url = URL(fileURLWithPath: directory).standardizedFileURL
        let outcome = SiteScaffold.initialize(at: url, displayPath: directory, title: title, ci: ci)
        guard outcome.succeeded else {
            report(outcome.problems)
            FileHandle.standardError.write(Data("nothing was written\n".utf8))
            throw ExitCode(1)
        }
        let shown = directory == "." ? "this folder" : directory
        if outcome.pipelineOnly {
            // A knowledge base was there: only its pipeline was added.
            var text = "\(directory == "." ? "This folder" : directory) already holds a knowledge base; added its CI pipeline:\n"
            if let pipeline = outcome.pipeline {
                text += "  \(pipeline.path) (at the top of the repository, \(pipeline.repository.path), building \(pipeline.site)/)\n"
            } else {
                for file in outcome.files { text += "  \(file)\n" }
            }
            if ci == .github { text += "Next: set the repository variable WAYMARK_REPO for CI (see the file's first lines).\n" }
            if ci == .gitlab { text += "Next: set the CI/CD variable WAYMARK_REPO (see the file's first lines).\n" }
            if let pipeline = outcome.pipeline, pipeline.needsInclude {
                text += "note: the repository has a .gitlab-ci.yml already; add Waymark's jobs to it with:\n    include:\n      - local: \(pipeline.path)\n"
            }
            print(text, terminator: "")
            return
        }
        var text = "Created a knowledge base in \(shown):\n"
        for file in outcome.files { text += "  \(file)\n" }
        if outcome.extendedGitignore { text += "  .gitignore (kept; Waymark's lines added)\n" }
        if let pipeline = outcome.pipeline {
            text += "and its CI pipeline at the top of the repository (\(pipeline.repository.path)), building \(pipeline.site)/:\n"
            text += "  \(pipeline.path)\n"
        }
        text += "\nNext steps:\n"
        if directory != "." { text += "  cd \(ShellWord.quoteIfNeeded(directory))\n" }
        text += "  waymark serve          preview with live reload on http://127.0.0.1:8080/\n"
        text += "  waymark new journey \"Your first journey\"\n"
        text += "  waymark build          the site into public/, to publish (nothing is written while there are errors)\n"
        let hookStep = "waymark hook install   rebuild public/ after every commit"
        let top = PostCommitHook.repositoryTop(containing: url)
        text += top == nil ? "  git init && \(hookStep)\n" : "  \(hookStep)\n"
        let pipelinePath = outcome.pipeline?.path ?? (ci == .gitlab ? ".gitlab-ci.yml" : ".github/workflows/waymark.yml")
        if ci == .github { text += "  set the repository variable WAYMARK_REPO for CI (see \(pipelinePath))\n" }
        if ci == .gitlab { text += "  set the CI/CD variable WAYMARK_REPO (see \(pipelinePath))\n" }
        if let pipeline = outcome.pipeline, pipeline.needsInclude {
            text += "\nnote: the repository has a .gitlab-ci.yml already, so Waymark's jobs are in \(pipeline.path);\n"
            text += "  add them to it with:\n    include:\n      - local: \(pipeline.path)\n"
        }
        print(text, terminator: "")
    }
}

struct New: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Add a page: \(NewPage.typeNames.joined(separator: ", ")).",
        discussion: """
        Writes content/<folder>/<slug of the title>.md with the fields the type needs and hints for the optional ones, and prints its path: a journey in content/journeys/, a persona in content/personas/, a finding in content/research/, a term in content/glossary/, a department in content/departments/, a page in content/ (move it anywhere under content/). Never overwrites an existing page. Put -- before a title that starts with a dash.
          waymark new journey "Cancelling a contract"
          waymark new term "Churn"
          waymark new page -- "-30% churn: what happened"
        """
    )

    @Argument(help: "The page type: \(NewPage.typeNames.joined(separator: ", ")).")
    var type: String

    @Argument(help: "The page's title; the file name is made from it.")
    var title: String

    @Option(help: "The knowledge base's root folder (holds content/). Inside one of its folders, the knowledge base above is found.")
    var root: String = "."

    mutating func validate() throws {
        if title.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError("the title is empty: pass the page's title, e.g. waymark new \(type) \"First order\"")
        }
        if let found = EnclosingKnowledgeBase.root(for: root) { root = found }
    }

    func run() throws {
        guard let pageType = NewPage.type(named: type) else {
            let hint = NewPage.closestType(to: type).map { "did you mean `\($0)`? The types are: " }
                ?? "use one of: "
            report([.error(SourceLocation(path: "waymark new"), "unknown page type `\(type)`",
                           hint: hint + NewPage.typeNames.joined(separator: ", "))])
            throw ExitCode(1)
        }
        switch NewPage.create(type: pageType, title: title, root: URL(fileURLWithPath: root)) {
        case .failure(let problem):
            report([root == "." ? problem : problem.prefixingPath(root)])
            throw ExitCode(1)
        case .success(let path):
            print(root == "." ? path : (root as NSString).appendingPathComponent(path))
            if pageType == .page {
                // Typed pages are listed in their section; a plain page only where something links to it.
                let id = String(path.dropFirst("content/".count).dropLast(".md".count))
                FileHandle.standardError.write(Data("note: a page is listed nowhere by itself: link it from another page, e.g. [[\(id)]] in content/index.md\n".utf8))
            }
        }
    }
}

struct Hook: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hook",
        abstract: "Rebuild the site after every git commit (a post-commit hook).",
        subcommands: [Install.self, Uninstall.self]
    )

    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "install",
            abstract: "Install a post-commit hook that runs `waymark build`; it never fails a commit.",
            discussion: "Refuses to replace a post-commit hook Waymark did not write. Works in worktrees and with core.hooksPath."
        )

        @Option(help: "The knowledge base's root folder, inside a git repository.")
        var root: String = "."

        func run() throws {
            switch PostCommitHook.install(siteRoot: URL(fileURLWithPath: root), executable: currentExecutable()) {
            case .failure(let problem):
                report([problem])
                throw ExitCode(1)
            case .success(let outcome):
                let verb = outcome.action == .updated ? "Updated" : "Installed"
                print("\(verb) \(outcome.hook.path): every commit now runs `waymark build` in \(outcome.siteInRepository.isEmpty ? "the repository's root" : outcome.siteInRepository).")
            }
        }

        /// This program's absolute path, so the hook runs the same waymark even when PATH differs.
        private func currentExecutable() -> String {
            if let path = Bundle.main.executableURL?.resolvingSymlinksInPath().path, path.hasPrefix("/") { return path }
            let argument = CommandLine.arguments.first ?? "waymark"
            return argument.contains("/") ? URL(fileURLWithPath: argument).standardizedFileURL.path : "waymark"
        }
    }

    struct Uninstall: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "uninstall", abstract: "Remove the post-commit hook, if Waymark wrote it.")

        @Option(help: "The knowledge base's root folder, inside a git repository.")
        var root: String = "."

        func run() throws {
            switch PostCommitHook.uninstall(siteRoot: URL(fileURLWithPath: root)) {
            case .failure(let problem):
                report([problem])
                throw ExitCode(1)
            case .success(let outcome):
                if outcome.action == .removed { print("Removed \(outcome.hook.path).") } else { print("No post-commit hook at \(outcome.hook.path); nothing to remove.") }
            }
        }
    }
}

/// Folder names in printed commands, quoted when a shell would split them.
enum ShellWord {
    static func quoteIfNeeded(_ text: String) -> String {
        let plain = text.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_./".unicodeScalars.contains($0) }
        return plain ? text : "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}

extension Diagnostic {
    /// The same diagnostic with its path shown under `folder` (`content/x.md` → `kb/content/x.md`).
    func prefixingPath(_ folder: String) -> Diagnostic {
        var copy = self
        copy.location.path = (folder as NSString).appendingPathComponent(location.path)
        return copy
    }
}
