import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals
import Waymark

/// `waymark serve`: builds the site into a private folder, serves it on loopback, rebuilds when
/// content/, templates/ or waymark.yml change, and tells open pages to reload over Server-Sent
/// Events. While a build fails, the last good pages stay browsable with every diagnostic overlaid.
public final class PreviewServer: Sendable {
    public struct Options: Sendable {
        public var root: URL
        public var host = "127.0.0.1"
        public var port = 8080
        /// Drafts are previewed (marked as drafts) unless asked otherwise; `build` leaves them out.
        public var includeDrafts = true
        /// Where the preview is built; never the site's own output folder.
        public var output: URL
        /// The preview's build cache, apart from `waymark build`'s.
        public var cacheFile: URL
        public init(root: URL, output: URL) {
            self.root = root
            self.output = output
            cacheFile = output.deletingLastPathComponent().appendingPathComponent(output.lastPathComponent + ".bin")
        }
    }

    /// Holds `.waymark-cache/serve.lock` for as long as this process runs, when no other `waymark serve`
    /// holds it: the first preview of a knowledge base builds into `.waymark-cache/serve`; another,
    /// started beside it (say with --no-drafts), into a folder of its own, so neither overwrites the
    /// other's pages. False when another process has it.
    public static func claimSharedFolder(in cacheFolder: URL) -> Bool {
        try? FileManager.default.createDirectory(at: cacheFolder, withIntermediateDirectories: true)
        let fd = open(cacheFolder.appendingPathComponent("serve.lock").path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return true }  // a folder that cannot hold a lock: nobody else can take it either
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { return true }  // released when the process ends; the descriptor stays open
        close(fd)
        return false
    }

    public static let eventsPath = "/_waymark/events"

    let options: Options
    let files: StaticFiles
    let reload = LiveReload()
    let state = BuildState()
    let log: @Sendable (String) -> Void

    public init(options: Options, log: @escaping @Sendable (String) -> Void) {
        self.options = options
        files = StaticFiles(root: options.output)
        self.log = log
    }

    /// Whether `port` on `host` can be listened on now: a socket is bound to each of the host's
    /// addresses (with SO_REUSEADDR, as the server binds) and closed again. Asked before the first
    /// build, so a busy port is said at once, not after a build of the whole site. Nil when the host
    /// name cannot be resolved (the server then reports it).
    /// The address to open: an IPv6 host in brackets (`http://[::1]:8080/`), and for a server on every
    /// interface (`0.0.0.0`, `::`) this machine's own name for itself.
    static func url(host: String, port: Int) -> String {
        if listensOnEveryInterface(host) { return "http://localhost:\(port)/" }
        return host.contains(":") ? "http://[\(host)]:\(port)/" : "http://\(host):\(port)/"
    }

    public static func listensOnEveryInterface(_ host: String) -> Bool { ["0.0.0.0", "::", "[::]"].contains(host) }

    public static func portIsFree(host: String, port: Int) -> Bool? {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let first = found else { return nil }
        defer { freeaddrinfo(first) }
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let info = next {
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if fd >= 0 {
                var one: Int32 = 1
                setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
                let bound = bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0
                let busy = !bound && errno == EADDRINUSE
                close(fd)
                if busy { return false }
            }
            next = info.pointee.ai_next
        }
        return true
    }

    /// Builds once, then serves until SIGINT or SIGTERM. `onReady` gets the URL once listening.
    public func run(onReady: @escaping @Sendable (String) -> Void = { _ in }) async throws {
        await rebuild(reason: "first build")
        let watched = ["content", "templates", "waymark.yml"].map { options.root.appendingPathComponent($0).path }
        let rebuilder = Rebuilder { [self] paths in await self.rebuild(reason: paths) }
        let watcher = FileWatcher(paths: watched) { paths in Task { await rebuilder.changed(paths) } }
        if watcher == nil { log("warning: cannot watch files (inotify unavailable); pages will not rebuild") }
        let responder = CallbackResponder<BasicRequestContext> { [self] request, _ in try await self.respond(to: request) }
        let url = Self.url(host: options.host, port: options.port)
        var logger = Logger(label: "waymark.serve")
        logger.logLevel = .error
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "waymark"),
            onServerRunning: { _ in onReady(url) },
            logger: logger
        )
        // Services shut down in reverse order: the stream closer first, so open event streams end
        // and the server's own graceful shutdown does not wait for connected browsers.
        let group = ServiceGroup(configuration: .init(services: [app, StreamCloser(reload: reload)],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        _ = watcher
    }

    /// A full build into the preview folder; diagnostics go to the terminal and to every served page.
    func rebuild(reason: String) async {
        var build = BuildOptions(root: options.root)
        build.output = options.output.path
        build.includeDrafts = options.includeDrafts
        build.baseURL = "/"
        // The preview keeps its own build cache, so a change re-renders only the pages it affects.
        build.cacheFile = options.cacheFile
        // The cache stays decoded in memory between rebuilds; the file is for the next `serve`.
        build.memory = await state.memory
        let started = Date()
        let report = await Task.detached { [build] in BuildPipeline.run(build) }.value
        // After an update that stopped part way the remembered cache no longer describes the preview.
        if report.succeeded || report.updateFailed { await state.remember(report.memory) }
        let ms = Int(Date().timeIntervalSince(started) * 1000)
        let hasPages = FileManager.default.fileExists(atPath: options.output.appendingPathComponent("index.html").path)
        let overlayChanged = await state.update(report.diagnostics, hasPages: hasPages)
        let errors = report.diagnostics.errorCount
        if !report.diagnostics.isEmpty { log(DiagnosticFormat.human.render(report.diagnostics).trimmingCharacters(in: .newlines)) }
        let shown = hasPages ? "showing the last good pages with the errors overlaid" : "no build has succeeded yet: fix the errors to see the site"
        let time = Self.clock(Date())
        log(errors > 0 ? "[\(time)] build failed (\(reason)): \(Self.count(errors, "error")); \(shown)"
                       : "[\(time)] built \(Self.count(report.pageCount, "page")) in \(ms) ms, \(report.renderedCount) rendered, "
                         + "\(Self.count(report.writtenCount, "file")) updated (\(reason))")
        // Open pages reload when what they show changed: a file of the site, or the errors and warnings
        // over it. A save that changed nothing (an editor touching a file) reloads nothing.
        guard report.writtenCount > 0 || overlayChanged else { return }
        let generation = await state.nextGeneration()
        await reload.broadcast(LiveReload.Event(name: "reload", data: generation))
    }

    /// "1 page", "3 pages".
    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    /// The local time of day, `14:03:22`, before each build's line, so the last save's is easy to find.
    static func clock(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970)
        var parts = tm()
        localtime_r(&t, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }

    func respond(to request: Request) async throws -> Response {
        guard request.method == .get || request.method == .head else {
            return Response(status: .methodNotAllowed, headers: [.allow: "GET, HEAD"])
        }
        let path = request.uri.path
        if path == Self.eventsPath { return await eventStream() }
        if path == Self.workerPath {
            return Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "no-cache"],
                            body: .init(byteBuffer: ByteBuffer(string: Self.workerScript)))
        }
        switch files.resolve(path) {
        case .forbidden:
            return await page(status: .forbidden, title: "Not allowed", message: "That path is outside the site.")
        case .notFound:
            // The theme's 404.html, which every build writes; a plain page only if it is missing.
            if case .file(let custom) = files.resolve("/404.html"), let html = try? String(contentsOf: custom, encoding: .utf8) {
                return await htmlResponse(html, status: .notFound)
            }
            if await !state.hasPages {
                return await page(status: .notFound, title: "Nothing to show yet",
                                  message: "No build has succeeded yet: the errors below are what stops it. Fix them and this page reloads.")
            }
            return await page(status: .notFound, title: "Page not found", message: "No page at \(path).")
        case .redirect(let location):
            // The query goes along: `/search?q=asthma` is `/search/?q=asthma`.
            let query = request.uri.query.map { "?" + $0 } ?? ""
            return Response(status: .movedPermanently, headers: [.location: location + query])
        case .file(let url):
            guard let data = try? Data(contentsOf: url) else {
                return await page(status: .notFound, title: "Page not found", message: "No page at \(path).")
            }
            let type = StaticFiles.contentType(for: url)
            if type.hasPrefix("text/html") { return await htmlResponse(String(decoding: data, as: UTF8.self), status: .ok) }
            return Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"],
                            body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    /// Every served page gets the reload script, and the overlay of the last build's errors and warnings.
    func htmlResponse(_ html: String, status: HTTPResponse.Status) async -> Response {
        let overlay = await state.overlay()
        let injected = Self.inject(overlay + Self.reloadScript(generation: await state.generation), into: html)
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache"],
                        body: .init(byteBuffer: ByteBuffer(string: injected)))
    }

    public static let workerPath = "/_waymark/live.js"

    /// The page's part of live reload. Every tab of the preview shares one event stream through a shared
    /// worker: a browser opens at most six connections to one server, and a stream held open by each tab
    /// left a seventh tab loading forever. Where there are no shared workers, the page opens its own.
    /// `generation` is the build the page was served from: a page that missed a reload (served just
    /// before it, or open while the server restarted) reloads when the stream says another is current.
    static func reloadScript(generation: String) -> String {
        """
        <script>(function(){var g="\(generation)";function on(n,d){if(n==="reload"||(n==="hello"&&d!==g))location.reload();}\
        if(window.SharedWorker){try{var w=new SharedWorker("\(workerPath)",{name:"waymark-live"});\
        w.port.onmessage=function(e){on(e.data.name,e.data.data);};w.port.start();\
        addEventListener("pagehide",function(){w.port.postMessage("bye");});return;}catch(e){}}\
        var s=new EventSource("\(eventsPath)");s.addEventListener("reload",function(e){on("reload",e.data);});\
        s.addEventListener("hello",function(e){on("hello",e.data);});})();</script>
        """
    }

    /// The shared worker: one event stream for every tab, each event passed to each tab. A tab that
    /// connects later is told the current build, as the stream's `hello` tells a page of its own.
    static let workerScript = """
        var ports = [], current = null, source = null;
        function send(message) { ports.forEach(function (p) { p.postMessage(message); }); }
        function listen() {
          source = new EventSource("\(eventsPath)");
          ["hello", "reload"].forEach(function (name) {
            source.addEventListener(name, function (e) { current = e.data; send({ name: name, data: e.data }); });
          });
        }
        onconnect = function (e) {
          var port = e.ports[0];
          ports.push(port);
          port.onmessage = function (m) { if (m.data === "bye") ports = ports.filter(function (p) { return p !== port; }); };
          port.start();
          if (!source) listen();
          else if (current !== null) port.postMessage({ name: "hello", data: current });
        };

        """

    static func inject(_ snippet: String, into html: String) -> String {
        guard let body = html.range(of: "</body>", options: .backwards) else { return html + snippet }
        return html.replacingCharacters(in: body.lowerBound..<body.lowerBound, with: snippet)
    }

    func page(status: HTTPResponse.Status, title: String, message: String) async -> Response {
        let html = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>\(escapeHTML(title))</title></head>
            <body><main><h1>\(escapeHTML(title))</h1><p>\(escapeHTML(message))</p><p><a href="/">Home</a></p></main></body></html>
            """
        return await htmlResponse(html, status: status)
    }

    /// `/_waymark/events`: a Server-Sent Events stream; it ends when the server shuts down.
    func eventStream() async -> Response {
        let (id, stream) = await reload.subscribe()
        let reload = self.reload
        let generation = await state.generation
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: .init { writer in
                // The build being served, so that a page that missed a reload (or outlived a restart) catches up.
                try await writer.write(ByteBuffer(string: ": connected\n\nevent: hello\ndata: \(generation)\n\n"))
                for await event in stream {
                    try await writer.write(ByteBuffer(string: "event: \(event.name)\ndata: \(event.data)\n\n"))
                }
                await reload.unsubscribe(id)
                try await writer.finish(nil)
            }
        )
    }
}

/// Runs beside the server: when a graceful shutdown starts (Ctrl-C, SIGTERM) it ends every open event
/// stream, which the shutdown would otherwise wait for as long as a browser stays connected.
struct StreamCloser: Service {
    let reload: LiveReload

    func run() async throws {
        try? await gracefulShutdown()
        await reload.finishAll()
    }
}

/// The latest build's diagnostics, shown over every served page, and which build the pages are from.
actor BuildState {
    private var diagnostics: [Diagnostic] = []
    /// Whether a build has succeeded: there are pages to show.
    private(set) var hasPages = false
    /// The last good build's cache, handed to the next rebuild.
    private(set) var memory: BuildMemory?
    /// Names what open pages show: the server's start and a count of the changes since. A page served
    /// by an earlier server, or before a change, has another.
    private let started = String(UInt64(Date().timeIntervalSince1970 * 1000), radix: 36)
    private var changes = 0
    var generation: String { "\(started)-\(changes)" }

    func remember(_ memory: BuildMemory?) { self.memory = memory }

    /// Takes a build's diagnostics; whether what the overlay shows changed.
    func update(_ diagnostics: [Diagnostic], hasPages: Bool) -> Bool {
        defer { self.diagnostics = diagnostics; self.hasPages = hasPages }
        return diagnostics != self.diagnostics || hasPages != self.hasPages
    }

    func nextGeneration() -> String {
        changes += 1
        return generation
    }

    /// Escaped text with its `…` spans (field names, values, what to write) as code, as the terminal
    /// shows them: backticks in a browser read as stray marks. Double backticks around a span that
    /// holds one (``a `b` c``) are taken whole; an odd backtick left over stays as it is.
    static func withCodeSpans(_ escaped: String) -> String {
        var out = "", rest = Substring(escaped)
        while let open = rest.firstIndex(of: "`") {
            let double = rest[open...].hasPrefix("``")
            let fence = double ? "``" : "`"
            let start = rest.index(open, offsetBy: fence.count)
            guard let close = rest[start...].range(of: fence) else { break }
            out += rest[..<open] + "<code>" + rest[start..<close.lowerBound].trimmingCharacters(in: .whitespaces) + "</code>"
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    /// The errors, open, over the page: while the last build failed. Warnings only: a closed notice in
    /// a corner, which a writer opens when they want to read them. Either can be folded away (a
    /// `<details>`), so the page under it can be read.
    func overlay() -> String {
        guard !diagnostics.isEmpty else { return "" }
        let errors = diagnostics.filter { $0.severity == .error }
        // Errors first: a warning every build repeats must not push the error that stops the build down.
        let ordered = errors + diagnostics.filter { $0.severity != .error }
        let items = ordered.map { d -> String in
            var location = d.location.path
            if d.location.line > 0 { location += ":\(d.location.line)" + (d.location.column > 0 ? ":\(d.location.column)" : "") }
            var item = "<li><code>\(escapeHTML(location))</code> <strong>\(d.severity.rawValue)</strong>: \(Self.withCodeSpans(escapeHTML(d.message)))"
            if let hint = d.hint { item += "<br><em>hint: \(Self.withCodeSpans(escapeHTML(hint)))</em>" }
            return item + "</li>"
        }.joined()
        let warnings = ordered.count - errors.count
        let list = "<ul style=\"margin:.5rem 0 0;padding-left:1.2rem\">\(items)</ul>"
        let summary = "cursor:pointer;font-weight:600;font-size:1.05rem"
        guard !errors.isEmpty else {
            return """
                <details id="waymark-warnings" style="position:fixed;right:1rem;bottom:1rem;max-width:min(40rem,calc(100vw - 2rem));\
                max-height:60vh;overflow:auto;z-index:2147483647;background:#fffbeb;color:#4a3300;border:2px solid #b7791f;\
                border-radius:8px;padding:.5rem 1rem;font:15px/1.5 system-ui,sans-serif;box-shadow:0 4px 16px rgba(0,0,0,.2)">\
                <summary style="\(summary)">\(BuildState.count(warnings, "warning")) in the last build</summary>\(list)</details>
                """
        }
        let title = hasPages
            ? "The last build failed with \(BuildState.count(errors.count, "error")); these pages are from the last good build"
            : "No build has succeeded yet: fix \(errors.count == 1 ? "this error" : "these \(errors.count) errors") to see the site"
        return """
            <details open id="waymark-errors" role="alert" style="position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;\
            z-index:2147483647;background:#fff5f5;color:#5c0a0a;border-top:4px solid #c62828;padding:.75rem 1.25rem;\
            font:15px/1.5 system-ui,sans-serif;box-shadow:0 -4px 24px rgba(0,0,0,.25)"><summary style="\(summary)">\(title)\
            \(warnings > 0 ? " (and \(BuildState.count(warnings, "warning")))" : "")</summary>\(list)</details>
            """
    }

    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
}

/// Debounces bursts of file events (an editor saving writes several) into one rebuild at a time.
actor Rebuilder {
    private var pending: Set<String> = []
    private var task: Task<Void, Never>?
    private var running = false
    private let build: @Sendable (String) async -> Void
    static let quietPeriod: Duration = .milliseconds(100)

    init(build: @escaping @Sendable (String) async -> Void) { self.build = build }

    /// After a file vanished: an editor that saves by moving the old file away and writing the new
    /// one can take a moment in between, and a build then would fail for the missing page.
    static let vanishedPeriod: Duration = .milliseconds(400)

    func changed(_ paths: [String]) {
        pending.formUnion(paths)
        task?.cancel()
        let vanished = pending.contains { !FileManager.default.fileExists(atPath: $0) }
        task = Task {
            try? await Task.sleep(for: vanished ? Self.vanishedPeriod : Self.quietPeriod)
            guard !Task.isCancelled else { return }
            await self.flush()
        }
    }

    private func flush() async {
        guard !running, !pending.isEmpty else { return }
        running = true
        let paths = pending
        pending.removeAll()
        let names = Set(paths.map(Self.name)).subtracting([""]).sorted()
        await build(names.count > 3 ? "\(names.count) files changed" : names.isEmpty ? "files changed" : names.joined(separator: ", ") + " changed")
        running = false
        if !pending.isEmpty { await flush() }
    }

    /// A changed path as the log names it: its file or folder name (`content/` itself as `content`).
    static func name(_ path: String) -> String {
        let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
        let name = (trimmed as NSString).lastPathComponent
        return name.isEmpty ? trimmed : name
    }
}
