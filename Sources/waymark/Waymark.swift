import ArgumentParser
import Foundation
import Waymark

@main
struct WaymarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "waymark",
        abstract: "Builds a customer journey knowledge base (Markdown + YAML) into a linked HTML site.",
        discussion: """
        Examples:
          waymark build                      render content/ into public/
          waymark build --root kb --output site --base-url https://intranet.example/kb/
          waymark check --format github      every check of build, writes nothing
          waymark render notes.md            one Markdown file to HTML on stdout
        """,
        version: waymarkVersion,
        subcommands: [Build.self, Check.self, Render.self]
    )
}

/// Options shared by `build` and `check`.
struct SiteOptions: ParsableArguments {
    @Option(help: "The knowledge base's root folder (holds waymark.yml and content/).")
    var root: String = "."

    @Flag(help: "Include pages with `draft: true`.")
    var drafts = false

    @Option(name: .customLong("base-url"), help: "Override baseURL from waymark.yml (e.g. https://intranet.example/kb/).")
    var baseURL: String?

    @Option(help: "How to print diagnostics: human, json or github (workflow annotations).")
    var format: DiagnosticFormat = .human

    @Flag(name: .shortAndLong, help: "Print each pipeline step with its time.")
    var verbose = false

    func options(write: Bool, output: String?) -> BuildOptions {
        var o = BuildOptions(root: URL(fileURLWithPath: root))
        o.includeDrafts = drafts
        o.baseURL = baseURL
        o.output = output
        o.write = write
        return o
    }

    /// Prints diagnostics and a summary; exits 1 on any error.
    func finish(_ report: BuildReport, action: String) throws {
        let printed = format.render(report.diagnostics)
        // Programs read JSON and GitHub annotations from stdout; people read the human format on stderr.
        if format == .human { FileHandle.standardError.write(Data(printed.utf8)) } else { print(printed, terminator: "") }
        for note in report.notes where format != .json {
            if format == .github { print("::notice::\(note)") } else { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
        }
        let errors = report.diagnostics.errorCount, warnings = report.diagnostics.warningCount
        if format != .json {
            var summary = "\(report.pageCount) pages, \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
            if report.wrote, let out = report.output { summary += "; wrote \(report.fileCount) files to \(out.path)" }
            if errors > 0 && action == "build" { summary += "; nothing written, the previous output is unchanged" }
            FileHandle.standardError.write(Data((summary + "\n").utf8))
        }
        if errors > 0 { throw ExitCode(1) }
    }
}

extension DiagnosticFormat: ExpressibleByArgument {}

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Render content/ into the output folder (default public/).")

    @OptionGroup var site: SiteOptions

    @Option(help: "Output folder (overrides `output` in waymark.yml; default public).")
    var output: String?

    @Flag(name: .customLong("no-cache"), help: "Build from scratch. (Every build is from scratch until the build cache lands; the flag is accepted for CI scripts.)")
    var noCache = false

    func run() throws {
        let report = BuildPipeline.run(site.options(write: true, output: output)) { line in
            if site.verbose { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        }
        try site.finish(report, action: "build")
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run every check of build and write nothing.")

    @OptionGroup var site: SiteOptions

    func run() throws {
        let report = BuildPipeline.run(site.options(write: false, output: nil)) { line in
            if site.verbose { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        }
        try site.finish(report, action: "check")
    }
}

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render one Markdown document to HTML on stdout (for debugging and conformance).",
        discussion: "Raw HTML is shown as text unless --unsafe. Headings get ids with --anchors (off by default so output matches the CommonMark spec)."
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
