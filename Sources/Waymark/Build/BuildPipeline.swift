import Foundation

/// What a build or check is asked to do.
public struct BuildOptions: Sendable {
    /// The site root: holds waymark.yml, content/ and (optionally) templates/.
    public var root: URL
    /// Overrides `output` from waymark.yml.
    public var output: String?
    public var includeDrafts = false
    /// Overrides `baseURL` from waymark.yml.
    public var baseURL: String?
    /// false for `check`: every step runs but nothing is written.
    public var write = true
    /// `--relative`: links relative to each page, so the output works opened from disk.
    public var relativeLinks = false

    public init(root: URL) { self.root = root }
}

/// The outcome of a build: all diagnostics (sorted) and what was done, with the time of each step.
public struct BuildReport: Sendable {
    public var diagnostics: [Diagnostic] = []
    public var pageCount = 0
    public var fileCount = 0
    public var wrote = false
    public var output: URL?
    public var steps: [(name: String, seconds: Double)] = []
    /// Findings that are not problems but worth a look (glossary terms no page uses).
    public var notes: [String] = []
    /// Bytes of `search/index.js` and of everything written, when a search index was built.
    public var searchIndexBytes: Int?
    public var siteBytes = 0

    public var succeeded: Bool { !diagnostics.hasErrors }
}

/// The build as named steps, read top to bottom: discover → load → link → render → write.
public enum BuildPipeline {
    /// A marker in every output folder Waymark writes, so it never replaces a folder it did not make.
    static let outputMarker = ".waymark-output"

    /// Runs the build. `progress` receives one line per finished step (for `--verbose`).
    public static func run(_ options: BuildOptions, progress: (String) -> Void = { _ in }) -> BuildReport {
        var report = BuildReport()
        let root = options.root.standardizedFileURL
        let stepCount = options.write ? 5 : 4
        func step<T>(_ n: Int, _ name: String, _ body: () -> T) -> T {
            let start = DispatchTime.now().uptimeNanoseconds
            let result = body()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            report.steps.append((name, seconds))
            progress(String(format: "[%d/%d] %@ (%.1f ms)", n, stepCount, name, seconds * 1000))
            return result
        }

        let contentDir = root.appendingPathComponent("content")
        guard FileManager.default.fileExists(atPath: contentDir.path) else {
            report.diagnostics = [.error(SourceLocation(path: "content/"), "no content/ folder in \(root.path)",
                                         hint: "run waymark in the knowledge base's root, pass --root DIR, or start one with `waymark init`")]
            return report
        }
        let (files, config) = step(1, "Discover") { () -> ([ContentFile], SiteConfig) in
            var (config, diagnostics) = SiteConfig.load(root: root)
            if let base = options.baseURL {
                if let problem = SiteConfig.baseURLProblem(base, at: SourceLocation(path: "--base-url")) { diagnostics.append(problem) } else {
                    config.baseURL = base.hasSuffix("/") ? base : base + "/"
                }
            }
            if let output = options.output { config.output = output }
            let (files, found) = ContentDiscovery(root: contentDir, ignore: config.ignore).discover()
            report.diagnostics += diagnostics + found
            return (files, config)
        }
        let pages = step(2, "Load \(files.filter { $0.kind == .markdown }.count) pages") { () -> [LoadedPage] in
            let loaded = parallelMap(files.filter { $0.kind == .markdown }) { PageLoader.load($0) }
            report.diagnostics += loaded.flatMap(\.1)
            return loaded.compactMap(\.0)
        }
        let site = step(3, "Link") { () -> Site in
            let (site, diagnostics) = Linker(config: config, includeDrafts: options.includeDrafts)
                .link(pages: pages, assets: files.filter { $0.kind == .asset })
            report.diagnostics += diagnostics
            return site
        }
        report.pageCount = site.pages.count
        let rendered = step(4, "Render") { () -> [OutputFile] in
            let (theme, themeDiagnostics) = Theme.load(siteRoot: root)
            report.diagnostics += themeDiagnostics
            guard let theme, !themeDiagnostics.hasErrors else { return [] }
            var renderer = SiteRenderer(site: site, theme: theme)
            renderer.relativeLinks = options.relativeLinks
            // Dates come from one `git log`; a check writes no pages, so it does not ask.
            if options.write { renderer.history = GitHistory.load(root: root) }
            let result = renderer.render()
            // A --relative build is for reading from disk, not for crawlers.
            if config.origin == nil, !options.relativeLinks, !report.diagnostics.hasErrors {
                report.notes.append("sitemap.xml lists site paths, not full URLs, because baseURL has no host; "
                                    + "search engines and robots.txt need `baseURL: https://…` in waymark.yml or --base-url")
            }
            report.diagnostics += result.diagnostics
            // With auto-linking off nothing scans bodies for glossary words, so "unused" would be a guess.
            let unused = config.glossaryAutolink == .off ? [] : result.site.unusedTerms.map { site.pages[$0].id }
            if !unused.isEmpty {
                let shown = unused.prefix(20).joined(separator: ", ") + (unused.count > 20 ? ", … and \(unused.count - 20) more" : "")
                report.notes.append("\(unused.count) glossary term\(unused.count == 1 ? " is" : "s are") not used on any page: \(shown)")
            }
            return result.files
        }
        report.fileCount = rendered.count
        report.siteBytes = rendered.reduce(0) { total, file in
            switch file.content {
            case .bytes(let data): return total + data.count
            case .copy(let url): return total + ((try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0)
            }
        }
        if case .bytes(let data) = rendered.first(where: { $0.path == SearchIndex.path })?.content { report.searchIndexBytes = data.count }
        if let figure = report.searchIndexFigure { progress("      " + figure) }
        report.diagnostics.sort()
        let output = (config.output.hasPrefix("/") ? URL(fileURLWithPath: config.output)
            : root.appendingPathComponent(config.output)).standardizedFileURL
        report.output = output
        guard options.write, !report.diagnostics.hasErrors else { return report }
        step(5, "Write \(rendered.count) files") {
            if let problem = unsafeOutput(output, root: root) {
                report.diagnostics.append(problem)
                return
            }
            do {
                try OutputWriter(output: output).write(rendered + [OutputFile(path: outputMarker, content: .bytes(Data("Written by Waymark; this folder is replaced on every build.\n".utf8)))])
                report.wrote = true
            } catch {
                report.diagnostics.append(.error(SourceLocation(path: config.output), "\(error)",
                                                 hint: "the previous output was left as it was"))
            }
        }
        return report
    }

    /// Refuses outputs that would replace the site itself or a folder Waymark did not make.
    static func unsafeOutput(_ output: URL, root: URL) -> Diagnostic? {
        let out = output.path, rootPath = root.path
        let location = SourceLocation(path: output.lastPathComponent)
        if out == rootPath || rootPath.hasPrefix(out + "/") || out == "/" {
            return .error(location, "output folder \(out) contains the knowledge base itself", hint: "choose a folder such as `public`")
        }
        for protected in ["content", "templates"] where out == rootPath + "/" + protected || out.hasPrefix(rootPath + "/" + protected + "/") {
            return .error(location, "output folder \(out) is inside \(protected)/", hint: "choose a folder such as `public`")
        }
        let fm = FileManager.default
        if let entries = try? fm.contentsOfDirectory(atPath: out), !entries.isEmpty,
           !fm.fileExists(atPath: output.appendingPathComponent(outputMarker).path) {
            return .error(location, "output folder \(out) exists and was not written by Waymark",
                          hint: "Waymark replaces its output folder on every build; remove this folder or choose another with --output")
        }
        return nil
    }
}
