import Foundation

/// `waymark init [dir]`: writes the starter knowledge base into a folder, all or nothing.
public enum SiteScaffold {
    /// What `init` did: the files it wrote, or why it wrote none.
    public struct Outcome: Sendable {
        /// Paths relative to the new site's root, in the order written; empty when anything was in the way.
        public var files: [String] = []
        /// One error per conflict; nothing was written when there are any.
        public var problems: [Diagnostic] = []
        public var succeeded: Bool { problems.isEmpty }
        /// For a knowledge base in a subfolder of a git repository: the pipeline, written where CI
        /// reads it (relative to the repository's top), and that top.
        public var pipeline: Pipeline?
        /// The folder held a knowledge base already: only its CI pipeline was written.
        public var pipelineOnly = false
        /// An existing `.gitignore` that got Waymark's lines added (it is not replaced).
        public var extendedGitignore = false
    }

    /// Where `init` put the CI pipeline of a knowledge base inside a repository.
    public struct Pipeline: Sendable, Equatable {
        /// The repository's top folder.
        public var repository: URL
        /// The pipeline's path relative to `repository`.
        public var path: String
        /// The knowledge base's folder relative to `repository` (`docs/kb`).
        public var site: String
        /// Set when the repository already had a `.gitlab-ci.yml`: the pipeline was written beside the
        /// knowledge base instead, for that file to include.
        public var needsInclude: Bool
    }

    public static let defaultTitle = "Customer journey knowledge base"

    /// The paths `init` writes for `ci`, relative to the new site's root.
    public static func paths(ci: CIProvider) -> [String] {
        StarterSite.files(title: defaultTitle, ci: ci).map(\.path)
    }

    /// Writes the starter into `directory` (created if missing). If any file it would write already
    /// exists, it writes nothing and returns one error per conflict. `displayPath` is how the folder
    /// is named in messages (what the user typed).
    public static func initialize(at directory: URL, displayPath: String, title: String = defaultTitle, ci: CIProvider = .github) -> Outcome {
        let prefix = displayPath.isEmpty || displayPath == "." ? "" : (displayPath.hasSuffix("/") ? displayPath : displayPath + "/")
        let place = SourceLocation(path: displayPath.isEmpty ? "." : displayPath)
        switch ScaffoldWriter.kind(directory.path) {
        case .file?:
            return Outcome(problems: [.error(place, "exists and is not a folder", hint: "pass a new or empty folder to `waymark init`")])
        case .symbolicLink?:
            // A link to a folder is fine as the target itself; only links inside it are refused.
            guard (try? directory.resolvingSymlinksInPath().resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true else {
                return Outcome(problems: [.error(place, "is a symbolic link to something that is not a folder", hint: "pass a new or empty folder to `waymark init`")])
            }
        case .directory?, nil:
            break
        }
        // A knowledge base already there is one error, not one per starter file in its way.
        // (A symbolic link in their place is refused below, where every path is checked.)
        if ScaffoldWriter.kind(directory.appendingPathComponent("waymark.yml").path) == .file
            || ScaffoldWriter.kind(directory.appendingPathComponent("content").path) == .directory {
            // A knowledge base without CI yet gets its pipeline (as `hugo new site --force` adds what is missing).
            if ci != .none, let added = pipelineOnly(at: directory, prefix: prefix, ci: ci) { return added }
            return Outcome(problems: [.error(place, "already holds a knowledge base (waymark.yml or content/)",
                                             hint: "to add a page, run `waymark new journey \"Title\"` there; to start another, pass a new or empty folder")])
        }
        let trimmed = title.trimmingWhitespace()
        let hint = "use an empty folder, or move the existing file away and run `waymark init` again"
        // CI reads a pipeline only at the top of the repository: for a knowledge base in a subfolder it
        // goes there, and builds that folder.
        let repositoryTop = repositoryTop(around: directory)
        let branch = repositoryTop.flatMap { PostCommitHook.currentBranch(in: $0) }
        guard ci != .none, let top = repositoryTop, let site = relativePath(of: directory, inside: top) else {
            var files = StarterSite.files(title: trimmed.isEmpty ? defaultTitle : trimmed, ci: ci, branch: branch)
            // A repository's .gitignore is kept: Waymark's lines are added to it.
            let ignore = takeExistingGitignore(&files, in: directory)
            let problems = ScaffoldWriter(base: directory, displayPrefix: prefix).write(files, hint: hint)
            guard problems.isEmpty else { return Outcome(problems: problems) }
            var outcome = Outcome(files: files.map(\.path))
            if let ignore { outcome.extendedGitignore = extendGitignore(in: directory, with: ignore) }
            return outcome
        }
        // The pipeline's own files (GitLab's .waymark-tool/) are at the repository's top, not in the site.
        var files = StarterSite.files(title: trimmed.isEmpty ? defaultTitle : trimmed, ci: .none)
        let ignore = takeExistingGitignore(&files, in: directory)
        var pipeline = Pipeline(repository: top, path: "", site: site, needsInclude: false)
        var pipelineFile = CIWorkflow.file(for: ci, site: site, branch: branch)
        if ci == .gitlab, ScaffoldWriter.kind(top.appendingPathComponent(CIWorkflow.gitlabPath).path) != nil {
            // A repository's one .gitlab-ci.yml is not replaced: Waymark's jobs go beside the site, to include.
            pipelineFile?.path = site + "/" + CIWorkflow.gitlabIncludedName
            pipeline.needsInclude = true
        }
        guard let pipelineFile else { return Outcome(problems: []) }
        pipeline.path = pipelineFile.path
        let siteWriter = ScaffoldWriter(base: directory, displayPrefix: prefix)
        let topWriter = ScaffoldWriter(base: top, displayPrefix: top.path + "/")
        let conflicts = siteWriter.conflicts(files.map(\.path), hint: hint)
            + topWriter.conflicts([pipelineFile.path], hint: "CI reads the pipeline at the repository's top, and one of this name is there "
                                  + "(another knowledge base's?): run `waymark init --ci none`, then build this folder from that pipeline too, or move it away")
        if !conflicts.isEmpty { return Outcome(problems: conflicts) }
        let problems = siteWriter.write(files, hint: hint)
        if !problems.isEmpty { return Outcome(problems: problems) }
        let pipelineProblems = topWriter.write([pipelineFile], hint: hint)
        if !pipelineProblems.isEmpty {
            // All or nothing: the site's files go too.
            for file in files { try? FileManager.default.removeItem(at: directory.appendingPathComponent(file.path)) }
            return Outcome(problems: pipelineProblems)
        }
        var outcome = Outcome(files: files.map(\.path), pipeline: pipeline)
        if let ignore { outcome.extendedGitignore = extendGitignore(in: directory, with: ignore) }
        return outcome
    }

    /// Removes the starter's `.gitignore` from `files` when the folder has one, and returns its text.
    private static func takeExistingGitignore(_ files: inout [(path: String, text: String)], in directory: URL) -> String? {
        guard ScaffoldWriter.kind(directory.appendingPathComponent(".gitignore").path) == .file,
              let k = files.firstIndex(where: { $0.path == ".gitignore" }) else { return nil }
        return files.remove(at: k).text
    }

    /// Adds the lines of `text` that the folder's `.gitignore` lacks; whether it added any.
    private static func extendGitignore(in directory: URL, with text: String) -> Bool {
        let url = directory.appendingPathComponent(".gitignore")
        guard let existing = try? String(contentsOf: url, encoding: .utf8) else { return false }
        let have = Set(existing.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
        let missing = text.split(separator: "\n").filter { line in
            let l = line.trimmingCharacters(in: .whitespaces)
            return !l.isEmpty && !l.hasPrefix("#") && !have.contains(l) && !have.contains(l.hasSuffix("/") ? String(l.dropLast()) : l + "/")
        }
        guard !missing.isEmpty else { return false }
        let added = (existing.hasSuffix("\n") || existing.isEmpty ? "" : "\n") + "# Waymark: build output and cache, never committed.\n"
            + missing.joined(separator: "\n") + "\n"
        guard let handle = try? FileHandle(forWritingTo: url) else { return false }
        defer { try? handle.close() }
        handle.seekToEndOfFile()
        handle.write(Data(added.utf8))
        return true
    }

    /// For a folder that holds a knowledge base already: its CI pipeline only, where CI reads it. nil
    /// when one is there already (the caller then says the folder holds a knowledge base).
    private static func pipelineOnly(at directory: URL, prefix: String, ci: CIProvider) -> Outcome? {
        let top = repositoryTop(around: directory)
        let branch = top.flatMap { PostCommitHook.currentBranch(in: $0) }
        let hint = "the knowledge base is there already; move the file away to have `waymark init` write it again"
        if let top, let site = relativePath(of: directory, inside: top) {
            guard var file = CIWorkflow.file(for: ci, site: site, branch: branch) else { return nil }
            var pipeline = Pipeline(repository: top, path: file.path, site: site, needsInclude: false)
            if ci == .gitlab, ScaffoldWriter.kind(top.appendingPathComponent(CIWorkflow.gitlabPath).path) != nil {
                file.path = site + "/" + CIWorkflow.gitlabIncludedName
                pipeline.path = file.path
                pipeline.needsInclude = true
            }
            guard ScaffoldWriter.kind(top.appendingPathComponent(file.path).path) == nil else { return nil }
            let problems = ScaffoldWriter(base: top, displayPrefix: top.path + "/").write([file], hint: hint)
            var outcome = problems.isEmpty ? Outcome(files: [], pipeline: pipeline) : Outcome(problems: problems)
            outcome.pipelineOnly = problems.isEmpty
            return outcome
        }
        guard let file = CIWorkflow.file(for: ci, branch: branch),
              ScaffoldWriter.kind(directory.appendingPathComponent(file.path).path) == nil else { return nil }
        let problems = ScaffoldWriter(base: directory, displayPrefix: prefix).write([file], hint: hint)
        var outcome = problems.isEmpty ? Outcome(files: [file.path]) : Outcome(problems: problems)
        outcome.pipelineOnly = problems.isEmpty
        return outcome
    }

    /// The top of the git repository the folder is (or will be) in: asked of its nearest existing
    /// ancestor, since `init` may be creating it.
    static func repositoryTop(around folder: URL) -> URL? {
        var existing = folder.standardizedFileURL
        while ScaffoldWriter.kind(existing.path) == nil, existing.path != "/" { existing = existing.deletingLastPathComponent() }
        return PostCommitHook.repositoryTop(containing: existing)
    }

    /// `folder`'s path under `top` (`docs/kb`); nil when it is `top` itself or outside it.
    static func relativePath(of folder: URL, inside top: URL) -> String? {
        // The nearest existing ancestor's real path, then the folders still to be made.
        var existing = folder.standardizedFileURL
        var missing: [String] = []
        while ScaffoldWriter.kind(existing.path) == nil, existing.path != "/" {
            missing.insert(existing.lastPathComponent, at: 0)
            existing = existing.deletingLastPathComponent()
        }
        let path = ([existing.resolvingSymlinksInPath().path] + missing).joined(separator: "/")
        let topPath = top.resolvingSymlinksInPath().path
        guard path.hasPrefix(topPath + "/") else { return nil }
        let inside = String(path.dropFirst(topPath.count + 1))
        return inside.isEmpty ? nil : inside
    }
}
