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
            return Outcome(problems: [.error(place, "already holds a knowledge base (waymark.yml or content/)",
                                             hint: "to add a page, run `waymark new journey \"Title\"` there; to start another, pass a new or empty folder")])
        }
        let trimmed = title.trimmingWhitespace()
        let files = StarterSite.files(title: trimmed.isEmpty ? defaultTitle : trimmed, ci: ci)
        let writer = ScaffoldWriter(base: directory, displayPrefix: prefix)
        let problems = writer.write(files, hint: "use an empty folder, or move the existing file away and run `waymark init` again")
        if !problems.isEmpty { return Outcome(problems: problems) }
        return Outcome(files: files.map(\.path))
    }
}
