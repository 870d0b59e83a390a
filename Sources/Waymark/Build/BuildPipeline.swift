import CWaymark
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
    /// The build cache file (`.waymark-cache/build.bin`), or nil to build without one.
    public var cacheFile: URL?
    /// false (`--no-cache`): ignore what the cache holds, build from scratch, and write a fresh cache.
    public var readCache = true
    /// `--relative`: links relative to each page, so the output works opened from disk.
    public var relativeLinks = false
    /// `--strict`: a warning stops the build as an error does (nothing is written).
    public var strict = false
    /// The build cache as the previous build in this process left it (`serve`), so it is not read from disk again.
    public var memory: BuildMemory?

    public init(root: URL) { self.root = root }
}

/// What one build hands the next in the same process: the build cache, already decoded.
public struct BuildMemory: Sendable {
    var cache: BuildCache?
}

/// The outcome of a build: all diagnostics (sorted) and what was done, with the time of each step.
public struct BuildReport: Sendable {
    public var diagnostics: [Diagnostic] = []
    public var pageCount = 0
    public var fileCount = 0
    public var wrote = false
    /// An update of the previous output failed part way: some files are new, some old, and the build
    /// cache (which described the old ones) was removed, so the next build starts from scratch.
    public var updateFailed = false
    public var output: URL?
    public var steps: [(name: String, seconds: Double)] = []
    /// Findings that are not problems but worth a look (glossary terms no page uses).
    public var notes: [String] = []
    /// Pages rendered (the others were current in the build cache) and files written or replaced.
    public var renderedCount = 0
    /// Files written or removed (a cached build writes only what changed).
    public var writtenCount = 0
    /// Of those, the files removed: outputs of the previous build that this one does not make.
    public var removedCount = 0
    /// Pages whose body links were not resolved again: they lead where they led in the last build (see `LinkMemo`).
    public var linksReused = 0
    /// true when the build cache let this build redo only what changed.
    public var incremental = false
    /// The build cache this build saved, for the next build in the same process.
    public var memory: BuildMemory?
    /// Bytes of `search/index.js` and of everything written, when a search index was built.
    public var searchIndexBytes: Int?
    /// The word shards beside it (`search/words/`): how many, their bytes, the largest one's.
    public var searchShards = (count: 0, bytes: 0, largest: 0)
    public var siteBytes = 0
    /// What the build made and no longer needs (the site, the previous cache, the output files), kept
    /// for as long as the report: a one-shot command exits without freeing them object by object,
    /// which at 10,000 pages is tens of milliseconds spent on one core after the work is done.
    var leftovers: [any Sendable] = []

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
        // One writing build of a site at a time, from before its cache is read until it is saved.
        let lock = options.write ? BuildLock(folder: root.path) {
            FileHandle.standardError.write(Data("note: another waymark build of \(root.path) is running; waiting for it to finish\n".utf8))
        } : nil
        defer { withExtendedLifetime(lock) {} }
        let stepCount = options.write ? 5 : 4
        func step<T>(_ n: Int, _ name: String, _ body: () -> T) -> T {
            let start = DispatchTime.now().uptimeNanoseconds, cpu = processCPUSeconds()
            let result = body()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            report.steps.append((name, seconds))
            progress("[\(n)/\(stepCount)] \(name) (\(oneDecimal(seconds * 1000)) ms, CPU \(oneDecimal((processCPUSeconds() - cpu) * 1000)) ms)")
            return result
        }

        let contentDir = root.appendingPathComponent("content")
        guard FileManager.default.fileExists(atPath: contentDir.path) else {
            report.diagnostics = [.error(SourceLocation(path: "content/"), "no content/ folder in \(root.path)",
                                         hint: "run waymark in the knowledge base's root, pass --root DIR, or start one with `waymark init`")]
            return report
        }
        // The files are found, the theme read and git asked for dates while the build cache is read:
        // one waits on the disk or on git, the other decodes.
        let (files, config, output, cacheRead, (theme, themeDiagnostics), pendingHistory) = step(1, "Discover") {
            () -> ([ContentFile], SiteConfig, URL, (BuildCache.Loaded, Double)?, (Theme?, [Diagnostic]), Pending<GitHistory>) in
            var (config, diagnostics) = SiteConfig.load(root: root)
            if let base = options.baseURL {
                if let problem = SiteConfig.baseURLProblem(base, at: SourceLocation(path: "--base-url")) { diagnostics.append(problem) } else {
                    config.baseURL = base.hasSuffix("/") ? base : base + "/"
                }
            }
            if let output = options.output { config.output = output }
            var output = (config.output.hasPrefix("/") ? URL(fileURLWithPath: config.output)
                : root.appendingPathComponent(config.output)).standardizedFileURL
            // `public -> /srv/www/kb`: the build goes into the link's folder (its staging beside it), not in
            // place of the link, which the web server would go on reading.
            var linkInfo = stat()
            if lstat(output.path, &linkInfo) == 0, linkInfo.st_mode & S_IFMT == S_IFLNK {
                output = output.resolvingSymlinksInPath()
            }
            // One spelling per folder: `public/` and `./public` are `public`, so the cache's
            // configuration does not change with how the folder was typed.
            config.output = output.path.hasPrefix(root.path + "/") ? String(output.path.dropFirst(root.path.count + 1)) : output.path
            let inMemory = options.memory?.cache.map { $0.output == output.path } ?? false
            let cacheFile = options.readCache && !inMemory ? options.cacheFile : nil
            let discovery = ContentDiscovery(root: contentDir, ignore: config.ignore)
            let outputPath = output.path
            let write = options.write
            let remembered = options.memory?.cache?.history
            let ((found, theme), (cacheRead, history)) = concurrently({
                // Theme and dates are read once, before loading: both are inputs of "did anything change?".
                (discovery.discoverWithNotes(), Theme.load(siteRoot: root))
            }, { () -> ((BuildCache.Loaded, Double)?, Pending<GitHistory>) in
                var cacheRead: (BuildCache.Loaded, Double)?
                if let cacheFile {
                    let start = DispatchTime.now().uptimeNanoseconds
                    cacheRead = (BuildCache.load(from: cacheFile, output: outputPath), Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                }
                // Dates come from `git log`, only for commits the cache has not seen, while the pages are
                // loaded (over a long history git takes seconds); a check writes no pages, so it does not ask.
                var previous = remembered
                if previous == nil, case .loaded(let c)? = cacheRead?.0 { previous = c.history }
                let known = previous
                return (cacheRead, Pending(fallback: GitHistory()) { write ? GitHistory.load(root: root, previous: known) : GitHistory() })
            })
            report.diagnostics += diagnostics + found.1
            report.notes += found.2
            return (found.0, config, output, cacheRead, theme, history)
        }
        var cache: BuildCache?
        if options.cacheFile != nil, options.readCache, let kept = options.memory?.cache, kept.output == output.path {
            cache = kept
        } else if let (loaded, milliseconds) = cacheRead {
            switch loaded {
            case .loaded(let c):
                cache = c
                progress("      build cache read: \(c.sources.count) pages (\(oneDecimal(milliseconds)) ms, beside discovery)")
            case .discarded(let note): report.notes.append(note)
            case .none: break
            }
        }
        let markdown = files.filter { $0.kind == .markdown }
        let discovered = report.diagnostics
        /// The dates from git, waited for where first needed.
        var history: GitHistory { pendingHistory.value }

        /// Nothing changed since the last build (same sources, assets, theme, configuration, dates and
        /// Waymark) and its output is all there: the result is the same, so it is reported, not redone.
        func unchanged(_ sources: [String: BuildCache.Source]) -> Bool {
            guard options.write, let cache, let key = cache.siteKey, !report.diagnostics.hasErrors,
                  key == Self.siteKey(config: config, options: options, theme: theme, history: history, files: files, sources: sources),
                  FileManager.default.fileExists(atPath: output.appendingPathComponent(outputMarker).path),
                  cache.outputs.keys.allSatisfy(OutputFolder(output.path).contains) else { return false }
            report.diagnostics = (discovered + cache.linkDiagnostics).sorted()
            report.notes += cache.notes
            report.pageCount = cache.pageCount
            report.fileCount = cache.outputs.keys.filter { $0 != outputMarker }.count
            report.output = output
            report.wrote = true
            report.incremental = true
            return true
        }
        // The quick look: every file's stamp as the cache saw it, so not even a load result is decoded.
        if let cache, cache.sources.count == markdown.count,
           markdown.allSatisfy({ file in cache.sources[file.relativePath].map { FileStamp.of(file.path) == $0.stamp } ?? false }),
           unchanged(cache.sources) {
            progress("[2/5] Nothing changed since the last build: its result stands")
            report.memory = BuildMemory(cache: cache)
            return report
        }

        var sources: [String: BuildCache.Source] = [:]
        var pages = step(2, "Load \(markdown.count) pages") { () -> [LoadedPage] in
            let previous = cache?.sources ?? [:]
            var loaded = parallelMap(markdown) { PageLoader.load($0, cached: previous[$0.relativePath]) }
            // Taken apart from the end with popLast, which moves each result out, and each page moved into
            // its place: reading them in place, or reversing an array of pages, would copy every page
            // (retaining each of its fields) and release the originals.
            var slots = [LoadedPage?](repeating: nil, count: loaded.count), diagnostics: [[Diagnostic]] = []
            diagnostics.reserveCapacity(loaded.count)
            sources.reserveCapacity(loaded.count)
            var k = loaded.count, found = 0
            while let (page, pageDiagnostics, source) = loaded.popLast() {
                k -= 1
                if let source { sources[markdown[k].relativePath] = source }
                if !pageDiagnostics.isEmpty { diagnostics.append(pageDiagnostics) }
                if page != nil { found += 1 }
                slots[k] = consume page
            }
            for list in diagnostics.reversed() { report.diagnostics += list }
            return Array(unsafeUninitializedCapacity: found) { buffer, count in
                for i in slots.indices {
                    guard let page = slots[i].take(), let base = buffer.baseAddress else { continue }
                    (base + count).initialize(to: page)
                    count += 1
                }
            }
        }
        // The files' part of the key now (an asset changed later must not pass for this build's), git's when saving.
        let inputsKey = Self.inputsKey(config: config, options: options, theme: theme, files: files, sources: sources)
        // Same bytes under new stamps (a fresh checkout): the result stands too.
        if let cache, unchanged(sources) {
            progress("[3/5] Link, render and write: nothing changed since the last build")
            var updated = cache
            updated.sources = sources
            updated.history = history
            if let file = options.cacheFile {
                // Keep the new stamps, so the next build need not read and hash every file.
                _ = try? updated.save(to: file)
            }
            report.memory = BuildMemory(cache: updated)
            return report
        }

        // The cache's records need only what loading found: they are written while the site is linked and rendered.
        let cacheSave = options.write ? options.cacheFile.map { BuildCache.BackgroundSave(file: $0, sources: sources) } : nil
        let site = step(3, "Link") { () -> Site in
            // Handed over, not shared: the linker then changes the array in place instead of copying it.
            var taken: [LoadedPage] = []
            swap(&taken, &pages)
            let (site, diagnostics) = Linker(config: config, includeDrafts: options.includeDrafts, previous: cache?.linkMemo)
                .link(pages: consume taken, assets: files.filter { $0.kind == .asset })
            report.diagnostics += diagnostics
            report.linksReused = site.linksReused
            if site.linksReused > 0 {
                progress("      links of \(site.linksReused) of \(site.pages.count) pages lead where they led in the last build: not resolved again")
            }
            return site
        }
        report.pageCount = site.pages.count
        report.leftovers.append(site)
        if let cache { report.leftovers.append(cache) }
        // The previous output can be updated in place only if it is the one the cache describes.
        let incremental = cache.flatMap { c -> BuildCache? in
            options.write && FileManager.default.fileExists(atPath: output.appendingPathComponent(outputMarker).path) ? c : nil
        }
        var renders: [String: BuildCache.Render] = [:]
        var kept: [String] = []
        var staging: OutputWriter.Staging?
        var siteFiles: BuildCache.SiteFiles?
        var termIDs: [String] = []
        /// Notes about the site itself (unused terms), which a build with nothing changed says again;
        /// not those about this build (a cache discarded, the sitemap's on a build from scratch).
        var siteNotes: [String] = []
        let rendered = step(4, "Render") { () -> [OutputFile] in
            report.diagnostics += themeDiagnostics
            guard let theme, !themeDiagnostics.hasErrors else { return [] }
            var plan: SiteRenderer.Incremental?
            if options.cacheFile != nil {
                // Fingerprints are computed on every cached build, also from scratch, for the next build to compare with.
                let global = RebuildPlan.globalKey(version: BuildCache.toolIdentity, configuration: Self.configurationKey(config, options),
                                                   themeFingerprint: theme.fingerprint, site: site)
                let folder = OutputFolder(output.path)
                plan = SiteRenderer.Incremental(global: global, previous: incremental?.renders ?? [:], termIDs: incremental?.termIDs ?? [],
                                                outputExists: folder.contains, siteFiles: incremental?.siteFiles)
            }
            var renderer = SiteRenderer(site: site, theme: theme)
            renderer.relativeLinks = options.relativeLinks
            // Replacing the whole output, pages go to the staging folder as they are rendered (a --relative
            // build rewrites them first, at the end). The checks the write step makes come first.
            if options.write, incremental == nil, !options.relativeLinks, !report.diagnostics.hasErrors, unsafeOutput(output, root: root) == nil {
                staging = try? OutputWriter(output: output).makeStaging()
                renderer.staging = staging
            }
            renderer.history = history
            let result = renderer.render(incremental: plan)
            for phase in result.phases {
                progress("      \(phase.name) (\(oneDecimal(phase.seconds * 1000)) ms, CPU \(oneDecimal(phase.cpu * 1000)) ms)")
            }
            // A --relative build is for reading from disk, not for crawlers; a check writes no sitemap.
            // Said on a build from scratch (the first, --no-cache, a changed waymark.yml), not on every
            // rebuild: an internal wiki may never have a host, and a note at every save becomes noise.
            if config.origin == nil, incremental == nil, options.write, !options.relativeLinks, !report.diagnostics.hasErrors, unsafeOutput(output, root: root) == nil {
                report.notes.append("sitemap.xml lists site paths, not full URLs, because baseURL has no host; "
                                    + "search engines and robots.txt need `baseURL: https://…` in waymark.yml or --base-url")
            }
            report.diagnostics += result.diagnostics
            renders = result.renders
            kept = result.kept
            siteFiles = result.siteFiles
            termIDs = result.site.glossary.entries.map { result.site.pages[$0.page].id }
            report.leftovers.append(result.site)
            report.renderedCount = result.renders.count - result.kept.filter { result.renders[$0] != nil }.count
            // With auto-linking off nothing scans bodies for glossary words, so "unused" would be a guess.
            let unused = config.glossaryAutolink == .off ? [] : result.site.unusedTerms.map { site.pages[$0].id }
            if !unused.isEmpty {
                let shown = unused.prefix(20).joined(separator: ", ") + (unused.count > 20 ? ", … and \(unused.count - 20) more" : "")
                siteNotes.append("\(unused.count) glossary term\(unused.count == 1 ? " is" : "s are") not used on any page: \(shown)")
                report.notes += siteNotes
            }
            return result.files
        }
        report.fileCount = rendered.count + kept.count
        if kept.isEmpty {
            // The search index's share of the site (only when every file is at hand, not after an incremental build).
            report.siteBytes = rendered.reduce(0) { total, file in
                switch file.content {
                case .bytes(let data): return total + data.count
                case .copy(let url): return total + ((try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0)
                case .written(_, let size): return total + size
                }
            }
            if case .bytes(let data) = rendered.first(where: { $0.path == SearchIndex.path })?.content { report.searchIndexBytes = data.count }
            for file in rendered where file.path.hasPrefix(SearchWords.folder) {
                if case .bytes(let data) = file.content {
                    report.searchShards.count += 1
                    report.searchShards.bytes += data.count
                    report.searchShards.largest = max(report.searchShards.largest, data.count)
                }
            }
            if let figure = report.searchIndexFigure { progress("      " + figure) }
        }
        report.diagnostics.sort()
        report.output = output
        guard options.write, !report.diagnostics.hasErrors, !(options.strict && report.diagnostics.warningCount > 0) else { return report }
        report.leftovers.append(rendered)
        let outputFiles = rendered + [OutputFile(path: outputMarker, content: .bytes(Array("Written by Waymark; this folder is replaced on every build.\n".utf8)))]
        var hashes: [String: UInt64] = [:]
        // The previous output, swapped out by a full write, is removed while the cache is saved.
        let removal = DispatchGroup()
        defer { removal.wait() }
        // Counted as the summary counts them: the output's marker file is not one of the site's.
        step(5, incremental == nil ? "Write \(outputFiles.count - 1) files" : "Update \(outputFiles.count + kept.count - 1) files") {
            if var problem = unsafeOutput(output, root: root) {
                // Named at the option or the setting that chose the folder (waymark.yml is read again only now).
                if let chosenAt = options.output != nil ? SourceLocation(path: "--output") : SiteConfig.outputSetting(root: root) {
                    problem.location = chosenAt
                }
                report.diagnostics.append(problem)
                return
            }
            let writer = OutputWriter(output: output)
            // From the first file written until the new cache is saved, the old cache no longer describes
            // the output: gone, a build that fails or is killed on the way is followed by one from scratch,
            // not by one that trusts files it never wrote. A cache that cannot be removed (a folder the
            // build may not write) would be trusted by the next build: then nothing is written.
            if let cacheFile = options.cacheFile, unlink(cacheFile.path) != 0, errno != ENOENT {
                let reason = String(cString: strerror(errno))
                let shown = cacheFile.path.hasPrefix(root.path + "/") ? String(cacheFile.path.dropFirst(root.path.count + 1)) : cacheFile.path
                report.diagnostics.append(.error(SourceLocation(path: shown),
                                                 "cannot remove the build cache before writing the output (\(reason))",
                                                 hint: "the output was left as it was; the build must be able to write the cache's folder "
                                                     + "(check its owner and permissions, or remove it)"))
                return
            }
            do {
                if let incremental {
                    // Ctrl-C from here until the update is done leaves the output part way: the build says so.
                    waymark_set_updating_output(1)
                    defer { waymark_set_updating_output(0) }
                    let updated = try writer.update(outputFiles, kept: kept, previous: incremental.outputs)
                    (hashes, report.writtenCount, report.removedCount) = (updated.hashes, updated.written + updated.removed, updated.removed)
                    report.incremental = true
                } else {
                    let written = try writer.write(outputFiles, staged: staging, hashing: options.cacheFile != nil) { previous in
                        DispatchQueue.global().async(group: removal) { OutputWriter.remove(previous) }
                    }
                    report.writtenCount = outputFiles.count
                    if options.cacheFile != nil { hashes = Dictionary(zip(outputFiles.map(\.path), written), uniquingKeysWith: { _, last in last }) }
                }
                report.wrote = true
            } catch {
                report.updateFailed = incremental != nil
                report.diagnostics.append(.error(SourceLocation(path: config.output), "\(error)",
                                                 hint: incremental == nil ? "the previous output was left as it was"
                                                     : "files already updated are complete; the build cache was removed, so the next build starts from scratch"))
            }
        }
        if report.wrote, let cacheSave {
            var cache = BuildCache(tool: BuildCache.toolIdentity, output: output.path, sources: sources, renders: renders, outputs: hashes)
            cache.siteKey = Self.siteKey(inputs: inputsKey, history: history)
            // What a build with nothing changed reports again: everything found after discovery.
            let before = Set(discovered)
            cache.linkDiagnostics = report.diagnostics.filter { !before.contains($0) }
            cache.notes = siteNotes
            cache.pageCount = report.pageCount
            cache.siteFiles = siteFiles
            cache.termIDs = termIDs
            cache.history = history
            cache.linkMemo = site.linkMemo
            let start = DispatchTime.now().uptimeNanoseconds
            do {
                let bytes = try cacheSave.finish(cache.header())
                progress("      build cache saved: \(oneDecimal(Double(bytes) / 1e6)) MB (\(oneDecimal(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)) ms)")
            } catch {
                report.notes.append("could not save the build cache (\(error)); the next build starts from scratch")
            }
            report.memory = BuildMemory(cache: cache)
        }
        return report
    }

    /// Everything a build's result depends on, or nil when a source could not be read (such a build is never skipped).
    static func siteKey(config: SiteConfig, options: BuildOptions, theme: Theme?, history: GitHistory,
                        files: [ContentFile], sources: [String: BuildCache.Source]) -> UInt64? {
        siteKey(inputs: inputsKey(config: config, options: options, theme: theme, files: files, sources: sources), history: history)
    }

    /// The site key from its parts: the dates from git come last, as they may arrive after the pages are loaded.
    static func siteKey(inputs: UInt64?, history: GitHistory) -> UInt64? {
        guard let inputs else { return nil }
        var h = StableHasher()
        h.combine(inputs)
        h.combine(history.fingerprint)
        return h.value
    }

    /// The site key's part that is not from git: the tool, configuration, theme and every file.
    static func inputsKey(config: SiteConfig, options: BuildOptions, theme: Theme?,
                          files: [ContentFile], sources: [String: BuildCache.Source]) -> UInt64? {
        guard let theme else { return nil }
        var h = StableHasher()
        h.combine(BuildCache.toolIdentity)
        h.combine(configurationKey(config, options))
        h.combine(theme.fingerprint)
        // The theme's own files (style.css…): their contents are copied, not rendered, so they are not
        // in the theme's fingerprint (which every page's render key includes), but a change must be seen.
        for (path, url) in theme.assets.sorted(by: { $0.key < $1.key }) {
            guard let stamp = FileStamp.of(url.path) else { return nil }
            h.combine(path); h.combine(Int(stamp.size)); h.combine(stamp.seconds); h.combine(stamp.nanoseconds); h.combine(stamp.inode)
        }
        for file in files {
            h.combine(file.relativePath)
            switch file.kind {
            case .markdown:
                guard let source = sources[file.relativePath] else { return nil }
                h.combine(source.hash)
            case .asset:
                guard let stamp = FileStamp.of(file.path) else { return nil }
                h.combine(Int(stamp.size)); h.combine(stamp.seconds); h.combine(stamp.nanoseconds); h.combine(stamp.inode)
            }
        }
        return h.value
    }

    /// `12.3`: one decimal, as `%.1f` writes it, for `--verbose`. Not String(format:): its arguments are
    /// cast at run time, and the first such cast in a process scans every protocol conformance in the
    /// binary, which a one-file rebuild of a small site felt.
    static func oneDecimal(_ v: Double) -> String {
        let tenths = (abs(v) * 10).rounded()
        guard v.isFinite, tenths < 1e15 else { return "\(v)" }
        let t = Int(tenths)
        return (v < 0 && t != 0 ? "-" : "") + "\(t / 10).\(t % 10)"
    }

    /// The configuration and options every page is rendered with, as text for the cache's keys.
    static func configurationKey(_ config: SiteConfig, _ options: BuildOptions) -> String {
        // Field by field, each text with its length: String(reflecting:) walked the value by reflection.
        // A test holds this list to SiteConfig's fields.
        func text(_ s: String) -> String { "\(s.utf8.count):\(s)" }
        var key = "title=" + text(config.title) + " baseURL=" + text(config.baseURL)
        key += " editURL=" + (config.editURL.map(text) ?? "none") + " brokenLinks=\(config.brokenLinks.rawValue)"
        key += " autolink=\(config.glossaryAutolink.rawValue) unsafe=\(config.unsafeHTML) output=" + text(config.output)
        key += " ignore=\(config.ignore.count)" + config.ignore.map { "," + text($0) }.joined()
        return key + " drafts=\(options.includeDrafts) relative=\(options.relativeLinks)"
    }

    /// Refuses outputs that would replace the site itself or a folder Waymark did not make.
    static func unsafeOutput(_ output: URL, root: URL) -> Diagnostic? {
        // Compared as the file system sees them: an output reached through a link is where the link leads.
        let out = output.resolvingSymlinksInPath().path, rootPath = root.resolvingSymlinksInPath().path
        let location = SourceLocation(path: output.lastPathComponent)
        if out == rootPath || rootPath.hasPrefix(out + "/") || out == "/" {
            return .error(location, "output folder \(out) contains the knowledge base itself", hint: "choose a folder such as `public`")
        }
        for protected in ["content", "templates"] where out == rootPath + "/" + protected || out.hasPrefix(rootPath + "/" + protected + "/") {
            return .error(location, "output folder \(out) is inside \(protected)/", hint: "choose a folder such as `public`")
        }
        var info = stat()
        if stat(out, &info) == 0, info.st_mode & S_IFMT != S_IFDIR {
            return .error(location, "output folder \(out) is a file, not a folder",
                          hint: "Waymark replaces its output folder on every build; choose a folder such as `public` with --output or `output:` in waymark.yml")
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

/// What `waymark build` says when it is interrupted (Ctrl-C, SIGTERM): whether the output was being
/// updated in place or is whole. Installed by the command line's `build`, not by `serve` (which
/// stops gracefully).
public enum InterruptNote {
    public static func install() { waymark_install_interrupt_note() }
}
