import ArgumentParser
import Foundation
import Waymark
import WaymarkServe

@main
struct WaymarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "waymark",
        abstract: "Builds a customer journey knowledge base (Markdown + YAML) into a linked HTML site.",
        discussion: """
        Examples:
          waymark build                      render content/ into public/
          waymark build --root kb --output site --base-url https://intranet.example/kb/
          waymark build --relative           a site that opens from disk
          waymark check --format github      every check of build, writes nothing
          waymark render notes.md            one Markdown file to HTML on stdout
          waymark serve --port 8080          preview with live reload on 127.0.0.1
          waymark init kb                    start a knowledge base in kb/
          waymark new persona "Sam, mover"   add a page with its type's fields
          waymark hook install               rebuild after every git commit
        """,
        version: waymarkVersion,
        subcommands: [Build.self, Check.self, Render.self, Serve.self, Init.self, New.self, Hook.self]
    )
}

/// The knowledge base a command run inside one of its folders means: with no `--root`, and no
/// `content/` here, the nearest folder above that holds `waymark.yml` and `content/` (as git finds
/// its repository). Its path relative to here, so that diagnostics name files from here; nil when
/// there is none, and the command says there is no content/ folder.
enum EnclosingKnowledgeBase {
    static func root(for root: String) -> String? {
        let files = FileManager.default
        var isFolder: ObjCBool = false
        guard root == ".", !(files.fileExists(atPath: "content", isDirectory: &isFolder) && isFolder.boolValue) else { return nil }
        var folder = URL(fileURLWithPath: files.currentDirectoryPath).standardizedFileURL
        var up: [String] = []
        while folder.pathComponents.count > 1 {
            folder.deleteLastPathComponent()
            up.append("..")
            let content = folder.appendingPathComponent("content").path
            if files.fileExists(atPath: folder.appendingPathComponent("waymark.yml").path),
               files.fileExists(atPath: content, isDirectory: &isFolder), isFolder.boolValue {
                let relative = up.joined(separator: "/")
                FileHandle.standardError.write(Data("note: using the knowledge base at \(relative) (\(folder.path)), the nearest folder above with waymark.yml and content/\n".utf8))
                return relative
            }
        }
        return nil
    }
}

/// Options shared by `build` and `check`.
struct SiteOptions: ParsableArguments {
    @Option(help: "The knowledge base's root folder (holds waymark.yml and content/). Inside one of its folders, the knowledge base above is found.")
    var root: String = "."

    mutating func validate() throws {
        if let found = EnclosingKnowledgeBase.root(for: root) { root = found }
    }

    @Flag(help: "Include pages with `draft: true`.")
    var drafts = false

    @Option(name: .customLong("base-url"), help: "Override baseURL from waymark.yml (e.g. https://intranet.example/kb/).")
    var baseURL: String?

    @Option(help: "How to print diagnostics: human, json or github (workflow annotations).")
    var format: DiagnosticFormat = .human

    @Flag(name: .shortAndLong, help: "Print each step of the build (discover, load, link, render, write) with the time it took.")
    var verbose = false

    @Flag(help: "Treat warnings as errors: exit status 1, and build writes nothing (for CI that must stay clean).")
    var strict = false

    func options(write: Bool, output: String?) -> BuildOptions {
        var o = BuildOptions(root: URL(fileURLWithPath: root))
        o.includeDrafts = drafts
        o.baseURL = baseURL
        o.output = output
        o.write = write
        o.strict = strict
        return o
    }

    /// Prints diagnostics and a summary; exits 1 on any error.
    func finish(_ report: BuildReport, action: String) throws {
        let printed = format.render(report.diagnostics,
                                    githubPathPrefix: format == .github ? DiagnosticFormat.githubPathPrefix(root: URL(fileURLWithPath: root)) : "",
                                    humanPathPrefix: DiagnosticFormat.humanPathPrefix(root: root))
        // Programs read JSON and GitHub annotations from stdout; people read the human format on stderr.
        if format == .human { FileHandle.standardError.write(Data(printed.utf8)) } else { print(printed, terminator: "") }
        for note in report.notes where format != .json {
            if format == .github { print("::notice::\(note)") } else { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
        }
        // The annotations out before the summary: in one pipe (`2>&1`) the summary comes last.
        fflush(nil)
        let errors = report.diagnostics.errorCount, warnings = report.diagnostics.warningCount
        if format != .json {
            var summary = "\(report.pageCount) pages, \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
            if report.wrote, let out = report.output {
                let written = report.writtenCount - report.removedCount
                let removed = report.removedCount == 0 ? "" : ", removed \(report.removedCount)"
                if !report.incremental {
                    summary += "; wrote \(report.fileCount) files to \(out.path)"
                } else if report.renderedCount == 0 {
                    summary += "; every page was current in the build cache, updated \(written) of \(report.fileCount) files\(removed) in \(out.path)"
                } else if report.renderedCount < report.pageCount {
                    summary += "; rendered \(report.renderedCount) of \(report.pageCount) pages (the others were current in the build cache), updated \(written) of \(report.fileCount) files\(removed) in \(out.path)"
                } else {
                    summary += "; rendered every page, updated \(written) of \(report.fileCount) files\(removed) in \(out.path)"
                }
            }
            if report.updateFailed {
                summary += "; the update of \(report.output?.path ?? "the output") stopped part way (each file is whole, old or new)"
            } else if strict && errors == 0 && warnings > 0 && action == "build" && !report.wrote {
                summary += "; --strict: the warnings count as errors, nothing written"
            } else if errors > 0 && action == "build" {
                // "Unchanged" only where there is an earlier output to keep.
                let earlier = report.output.map { FileManager.default.fileExists(atPath: $0.path) } ?? false
                summary += earlier ? "; nothing written, the previous output is unchanged" : "; nothing written"
            }
            FileHandle.standardError.write(Data((summary + "\n").utf8))
        }
        if errors > 0 || (strict && warnings > 0) { throw ExitCode(1) }
    }
}

extension DiagnosticFormat: ExpressibleByArgument {}

/// Ends a successful one-shot command at once. The report still holds the whole site and its build
/// cache (kept for `serve`); freeing them object by object took 0.1 s at 10,000 pages, which the
/// operating system does for free when the process ends.
func exitSkippingTeardown() -> Never {
    fflush(nil)  // every open output stream
    exit(0)
}

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build", abstract: "Render content/ into the output folder (default public/).",
        discussion: "Every problem is listed as path:line:col with a hint. With any error nothing is written: the previous output stays as it was. The exit status is 1 on errors (with --strict also on warnings), 64 on a wrong option, 0 otherwise."
    )

    @OptionGroup var site: SiteOptions

    @Option(help: "Output folder (overrides `output` in waymark.yml; default public).")
    var output: String?

    @Flag(help: "Make every link relative to its page, so the output works opened from disk (file://).")
    var relative = false

    @Flag(name: .customLong("no-cache"), help: "Ignore the build cache (.waymark-cache/): load and render every page, then write a fresh cache.")
    var noCache = false

    func run() throws {
        InterruptNote.install()
        var options = site.options(write: true, output: output)
        options.cacheFile = options.root.appendingPathComponent(".waymark-cache/build.bin")
        options.readCache = !noCache
        options.relativeLinks = relative
        let report = BuildPipeline.run(options) { line in
            if site.verbose { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        }
        try site.finish(report, action: "build")
        exitSkippingTeardown()
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Run every check of build and write nothing.")

    @OptionGroup var site: SiteOptions

    func run() throws {
        let report = BuildPipeline.run(site.options(write: false, output: nil)) { line in
            if site.verbose { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        }
        try site.finish(report, action: "check")
        exitSkippingTeardown()
    }
}

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render one Markdown document to HTML on stdout (for debugging and conformance).",
        discussion: "CommonMark with pipe tables, to match the spec: task lists, strikethrough, highlights, footnotes and bare web addresses as links, which a site build adds, are left out. Raw HTML is shown as text unless --unsafe. Headings get ids with --anchors (off by default so output matches the CommonMark spec)."
    )

    @Argument(help: "A Markdown file, or - for standard input.")
    var file: String = "-"

    @Flag(help: "Let raw HTML through instead of showing it as text.")
    var unsafe = false

    @Flag(help: "Give headings id attributes, as a site build does.")
    var anchors = false

    func run() throws {
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let d = FileManager.default.contents(atPath: file) else {
                FileHandle.standardError.write(Data("\(file): error: cannot read file\n".utf8))
                throw ExitCode(1)
            }
            data = d
        }
        let text = String(decoding: data, as: UTF8.self)
        print(StandaloneRender.html(markdown: text, unsafe: unsafe, headingAnchors: anchors), terminator: "")
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Preview the site with live reload: rebuilds on every change and shows errors in the browser.",
        discussion: "Listens on 127.0.0.1 unless --host says otherwise. The preview is built into .waymark-cache/serve (a second preview of the same knowledge base into .waymark-cache/serve-PORT), never into public/."
    )

    @Option(help: "The knowledge base's root folder. Inside one of its folders, the knowledge base above is found.")
    var root: String = "."

    @Option(help: "Address to listen on (127.0.0.1 keeps the preview on this machine).")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port: Int = 8080

    @Flag(help: "Open the preview in the default browser.")
    var open = false

    @Flag(inversion: .prefixedNo, help: "Show pages with `draft: true`, marked as drafts (the default in the preview; --no-drafts shows what build publishes).")
    var drafts = true

    mutating func validate() throws {
        if let found = EnclosingKnowledgeBase.root(for: root) { root = found }
        guard (1...65_535).contains(port) else {
            throw ValidationError("--port must be between 1 and 65535 (it is \(port)); the default is 8080")
        }
    }

    func run() async throws {
        let rootURL = URL(fileURLWithPath: root).standardizedFileURL
        // Nothing to preview: said once, before a server starts that could only show an error.
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: rootURL.appendingPathComponent("content").path, isDirectory: &isFolder), isFolder.boolValue else {
            FileHandle.standardError.write(Data("content/: error: no content/ folder in \(rootURL.path)\n  hint: run `waymark serve` in the knowledge base's root, pass --root DIR, or start one with `waymark init`\n".utf8))
            throw ExitCode(1)
        }
        // A busy port is said before the first build, which at thousands of pages takes seconds.
        switch PreviewServer.portIsFree(host: host, port: port) {
        case false?:
            Self.portInUse(port: port, host: host)
            throw ExitCode(1)
        case nil:
            FileHandle.standardError.write(Data("error: --host \(host) is not an address of this machine\n  hint: leave it out to serve on 127.0.0.1 (this machine only), or use 0.0.0.0 for every network interface\n".utf8))
            throw ExitCode(1)
        case true?:
            break
        }
        let cacheFolder = rootURL.appendingPathComponent(".waymark-cache")
        var preview = "serve"
        if !PreviewServer.claimSharedFolder(in: cacheFolder) {
            preview = "serve-\(port)"
            FileHandle.standardError.write(Data("note: another waymark serve is previewing this knowledge base; this one builds into .waymark-cache/\(preview)\n".utf8))
        }
        var options = PreviewServer.Options(root: rootURL, output: cacheFolder.appendingPathComponent(preview))
        options.host = host
        options.port = port
        options.includeDrafts = drafts
        let server = PreviewServer(options: options) { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
        let shouldOpen = open
        do {
            try await server.run { url in
                FileHandle.standardError.write(Data("Serving on \(url) (Ctrl-C to stop)\n".utf8))
                if PreviewServer.listensOnEveryInterface(host) {
                    FileHandle.standardError.write(Data("note: listening on every network interface: anyone who can reach this machine can open the preview\n".utf8))
                }
                if shouldOpen { _ = try? Process.run(URL(fileURLWithPath: "/usr/bin/env"), arguments: ["xdg-open", url]) }
            }
        } catch {
            let text = "\(error)"
            // Taken while the first build ran.
            if text.contains("Address already in use") || text.contains("EADDRINUSE") || text.contains("errno: 98") {
                Self.portInUse(port: port, host: host)
                throw ExitCode(1)
            }
            throw error
        }
    }

    static func portInUse(port: Int, host: String) {
        let next = port < 65_535 ? port + 1 : 8080
        FileHandle.standardError.write(Data("error: port \(port) on \(host) is already in use\n  hint: try `waymark serve --port \(next)`\n".utf8))
    }
}
