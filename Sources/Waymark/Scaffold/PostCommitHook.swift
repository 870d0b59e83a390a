import Foundation

/// `waymark hook install|uninstall`: a git post-commit hook that rebuilds the site after each commit.
/// The hook never fails a commit (git has recorded it by then anyway), and Waymark only ever replaces
/// or removes a hook that carries its marker.
public enum PostCommitHook {
    /// The line that marks a hook as Waymark's own.
    static let marker = "# waymark-hook: post-commit"

    /// What `install` or `uninstall` did.
    public enum Action: Sendable, Equatable {
        case installed, updated, removed, nothingToRemove
    }

    /// The result of `install` or `uninstall`, for the line the command prints.
    public struct Outcome: Sendable {
        public var action: Action
        /// The hook file.
        public var hook: URL
        /// The site's path relative to the repository's top level ("" when they are the same folder).
        public var siteInRepository: String
    }

    /// Installs (or refreshes) the hook for the site at `siteRoot`, which runs `executable` (falling back
    /// to `waymark` on the PATH when that file is gone).
    public static func install(siteRoot: URL, executable: String) -> Result<Outcome, Diagnostic> {
        let repo: Repository
        switch Repository.locate(siteRoot) {
        case .success(let r): repo = r
        case .failure(let d): return .failure(d)
        }
        let hook = repo.hooks.appendingPathComponent("post-commit")
        var action = Action.installed
        if ScaffoldWriter.kind(hook.path) != nil {
            guard isWaymarkHook(hook) else {
                return .failure(.error(SourceLocation(path: hook.path), "a post-commit hook Waymark did not write already exists",
                                       hint: "Waymark will not replace it; add the line `\(runLine(site: repo.siteRelative, executable: executable))` to it yourself, or move it away and install again"))
            }
            action = .updated
        }
        let text = script(site: repo.siteRelative, executable: executable)
        do {
            try FileManager.default.createDirectory(at: repo.hooks, withIntermediateDirectories: true)
            // Written beside the hook and renamed over it, so git never runs a half-written hook.
            let temporary = repo.hooks.appendingPathComponent(".post-commit.waymark-\(ProcessInfo.processInfo.processIdentifier)")
            try Data(text.utf8).write(to: temporary)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: temporary.path)
            if rename(temporary.path, hook.path) != 0 {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: temporary)
                return .failure(.error(SourceLocation(path: hook.path), "cannot install the hook: \(reason)"))
            }
        } catch {
            return .failure(.error(SourceLocation(path: hook.path), "cannot install the hook: \(ScaffoldWriter.describe(error))",
                                   hint: "check that the repository's hooks folder is writable"))
        }
        return .success(Outcome(action: action, hook: hook, siteInRepository: repo.siteRelative))
    }

    /// Removes the hook if Waymark wrote it; refuses to touch any other hook.
    public static func uninstall(siteRoot: URL) -> Result<Outcome, Diagnostic> {
        let repo: Repository
        switch Repository.locate(siteRoot) {
        case .success(let r): repo = r
        case .failure(let d): return .failure(d)
        }
        let hook = repo.hooks.appendingPathComponent("post-commit")
        guard ScaffoldWriter.kind(hook.path) != nil else {
            return .success(Outcome(action: .nothingToRemove, hook: hook, siteInRepository: repo.siteRelative))
        }
        guard isWaymarkHook(hook) else {
            return .failure(.error(SourceLocation(path: hook.path), "this post-commit hook was not written by Waymark; leaving it alone",
                                   hint: "edit or remove it yourself if it should no longer run"))
        }
        do {
            try FileManager.default.removeItem(at: hook)
        } catch {
            return .failure(.error(SourceLocation(path: hook.path), "cannot remove the hook: \(ScaffoldWriter.describe(error))"))
        }
        return .success(Outcome(action: .removed, hook: hook, siteInRepository: repo.siteRelative))
    }

    /// The top folder of the git work tree holding `folder`, or nil (also when git is missing).
    public static func repositoryTop(containing folder: URL) -> URL? {
        guard case .success(let top) = git(["rev-parse", "--show-toplevel"], in: folder), !top.isEmpty else { return nil }
        return URL(fileURLWithPath: top).resolvingSymlinksInPath()
    }

    /// The branch checked out in the repository at `folder` (also before its first commit), or nil.
    static func currentBranch(in folder: URL) -> String? {
        guard case .success(let branch) = git(["symbolic-ref", "--quiet", "--short", "HEAD"], in: folder), !branch.isEmpty else { return nil }
        return branch
    }

    /// Whether the file at `url` is a regular file carrying Waymark's marker (a symbolic link never is).
    static func isWaymarkHook(_ url: URL) -> Bool {
        guard ScaffoldWriter.kind(url.path) == .file, let data = try? Data(contentsOf: url), data.count < 1_000_000 else { return false }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").contains { $0 == marker }
    }

    /// The hook's command, for a writer who wants to add it to a hook of their own.
    static func runLine(site: String, executable: String) -> String {
        "\(shellQuoted(executable)) build --root \(shellQuoted(site.isEmpty ? "." : site)) || true"
    }

    /// The hook itself. The site is named relative to the repository's top level, so the hook
    /// (shared by every worktree of the repository) builds the worktree that made the commit.
    static func script(site: String, executable: String) -> String {
        #"""
        #!/bin/sh
        \#(marker)
        # Rebuilds the Waymark site after every commit. Written by `waymark hook install`;
        # `waymark hook uninstall` removes it. It never fails the commit: git has already recorded it.
        site=\#(shellQuoted(site.isEmpty ? "." : site))
        waymark=\#(shellQuoted(executable))
        top=$(git rev-parse --show-toplevel 2>/dev/null) || exit 0
        dir=$top; [ "$site" = . ] || dir=$top/$site
        [ -x "$waymark" ] || waymark=waymark
        if ! command -v "$waymark" >/dev/null 2>&1; then
            echo "waymark hook: waymark is not installed or not on the PATH; the site was not rebuilt" >&2
            exit 0
        fi
        echo "waymark hook: rebuilding $dir" >&2
        "$waymark" build --root "$dir" </dev/null ||
            echo "waymark hook: the build failed (the commit is recorded); fix the errors above and run waymark build" >&2
        exit 0

        """#
    }

    /// `text` in single quotes for a POSIX shell.
    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// Where the hooks are for the repository holding a site, and where the site is inside it.
    struct Repository {
        var hooks: URL
        var siteRelative: String

        static func locate(_ siteRoot: URL) -> Result<Repository, Diagnostic> {
            let root = siteRoot.standardizedFileURL
            let place = SourceLocation(path: root.path)
            guard ScaffoldWriter.kind(root.path) != nil else {
                return .failure(.error(place, "no such folder", hint: "pass the knowledge base's root with --root DIR"))
            }
            let top: String, hooks: String
            switch git(["rev-parse", "--show-toplevel"], in: root) {
            case .success(let out): top = out
            case .failure(let problem): return .failure(problem.diagnostic(place))
            }
            // --git-path respects core.hooksPath and worktrees, whose .git is a file.
            switch git(["rev-parse", "--path-format=absolute", "--git-path", "hooks"], in: root) {
            case .success(let out): hooks = out
            case .failure:
                switch git(["rev-parse", "--git-path", "hooks"], in: root) {
                case .success(let out): hooks = out
                case .failure(let problem): return .failure(problem.diagnostic(place))
                }
            }
            let hooksURL = hooks.hasPrefix("/") ? URL(fileURLWithPath: hooks) : root.appendingPathComponent(hooks)
            let topPath = URL(fileURLWithPath: top).resolvingSymlinksInPath().path
            let sitePath = root.resolvingSymlinksInPath().path
            var relative = ""
            if sitePath != topPath {
                guard sitePath.hasPrefix(topPath + "/") else {
                    return .failure(.error(place, "the site is not inside the repository at \(top)"))
                }
                relative = String(sitePath.dropFirst(topPath.count + 1))
            }
            return .success(Repository(hooks: hooksURL.standardizedFileURL, siteRelative: relative))
        }
    }

    enum GitProblem: Error {
        case notInstalled
        case notARepository(String)

        func diagnostic(_ place: SourceLocation) -> Diagnostic {
            switch self {
            case .notInstalled:
                return .error(place, "git is not installed or not on the PATH", hint: "install git; the hook runs after `git commit`")
            case .notARepository(let message):
                return .error(place, "not inside a git repository" + (message.isEmpty ? "" : " (git says: \(message))"),
                              hint: "run `git init` in the knowledge base first, or pass --root with a folder inside a repository")
            }
        }
    }

    /// Runs git in `directory` and returns its trimmed standard output.
    static func git(_ arguments: [String], in directory: URL) -> Result<String, GitProblem> {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.currentDirectoryURL = directory
        // The site's own repository, not one a surrounding git process (a hook) points at.
        var environment = ProcessInfo.processInfo.environment
        for key in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR"] { environment[key] = nil }
        process.environment = environment
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return .failure(.notInstalled) }
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus == 127 { return .failure(.notInstalled) }
        guard process.terminationStatus == 0 else {
            let message = String(decoding: err, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
            return .failure(.notARepository(message.trimmingWhitespace()))
        }
        return .success(String(decoding: out, as: UTF8.self).trimmingWhitespace())
    }
}
