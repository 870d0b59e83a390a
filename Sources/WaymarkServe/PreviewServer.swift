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
        public init(root: URL, output: URL) {
            self.root = root
            self.output = output
        }
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
        build.cacheFile = options.root.appendingPathComponent(".waymark-cache/serve.bin")
        // The cache stays decoded in memory between rebuilds; the file is for the next `serve`.
        build.memory = await state.memory
        let started = Date()
        let report = await Task.detached { [build] in BuildPipeline.run(build) }.value
        // After an update that stopped part way the remembered cache no longer describes the preview.
        if report.succeeded || report.updateFailed { await state.remember(report.memory) }
        let ms = Int(Date().timeIntervalSince(started) * 1000)
        await state.update(report.diagnostics)
        let errors = report.diagnostics.errorCount
        if !report.diagnostics.isEmpty { log(DiagnosticFormat.human.render(report.diagnostics).trimmingCharacters(in: .newlines)) }
        let hasPages = FileManager.default.fileExists(atPath: options.output.appendingPathComponent("index.html").path)
        let shown = hasPages ? "showing the last good pages with the errors overlaid" : "no build has succeeded yet: fix the errors to see the site"
        log(errors > 0 ? "build failed (\(reason)): \(errors) error\(errors == 1 ? "" : "s"); \(shown)"
                       : "built \(report.pageCount) pages in \(ms) ms, \(report.renderedCount) rendered, \(report.writtenCount) files updated (\(reason))")
        await reload.broadcast("reload")
    }

    func respond(to request: Request) async throws -> Response {
        guard request.method == .get || request.method == .head else {
            return Response(status: .methodNotAllowed, headers: [.allow: "GET, HEAD"])
        }
        let path = request.uri.path
        if path == Self.eventsPath { return await eventStream() }
        switch files.resolve(path) {
        case .forbidden:
            return await page(status: .forbidden, title: "Not allowed", message: "That path is outside the site.")
        case .notFound:
            // The theme's 404.html, which every build writes; a plain page only if it is missing.
            if case .file(let custom) = files.resolve("/404.html"), let html = try? String(contentsOf: custom, encoding: .utf8) {
                return await htmlResponse(html, status: .notFound)
            }
            return await page(status: .notFound, title: "Page not found", message: "No page at \(path).")
        case .redirect(let location):
            return Response(status: .movedPermanently, headers: [.location: location])
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

    /// Every served page gets the reload script, and the error overlay while the last build failed.
    func htmlResponse(_ html: String, status: HTTPResponse.Status) async -> Response {
        let overlay = await state.overlay()
        let injected = Self.inject(overlay + Self.reloadScript, into: html)
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache"],
                        body: .init(byteBuffer: ByteBuffer(string: injected)))
    }

    static let reloadScript = """
        <script>(function(){var s=new EventSource("\(eventsPath)");s.addEventListener("reload",function(){location.reload();});})();</script>
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
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: .init { writer in
                try await writer.write(ByteBuffer(string: ": connected\n\n"))
                for await event in stream {
                    try await writer.write(ByteBuffer(string: "event: \(event)\ndata: \(event)\n\n"))
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

/// The latest build's diagnostics, shown in the browser while it has errors.
actor BuildState {
    private var diagnostics: [Diagnostic] = []
    /// The last good build's cache, handed to the next rebuild.
    private(set) var memory: BuildMemory?

    func remember(_ memory: BuildMemory?) { self.memory = memory }

    func update(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }

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

    func overlay() -> String {
        let errors = diagnostics.filter { $0.severity == .error }
        guard !errors.isEmpty else { return "" }
        let items = diagnostics.map { d -> String in
            var location = d.location.path
            if d.location.line > 0 { location += ":\(d.location.line)" + (d.location.column > 0 ? ":\(d.location.column)" : "") }
            var item = "<li><code>\(escapeHTML(location))</code> <strong>\(d.severity.rawValue)</strong>: \(Self.withCodeSpans(escapeHTML(d.message)))"
            if let hint = d.hint { item += "<br><em>hint: \(Self.withCodeSpans(escapeHTML(hint)))</em>" }
            return item + "</li>"
        }.joined()
        return """
            <div id="waymark-errors" role="alert" style="position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;\
            background:#fff5f5;color:#5c0a0a;border-top:4px solid #c62828;padding:1rem 1.25rem;font:15px/1.5 system-ui,sans-serif;\
            box-shadow:0 -4px 24px rgba(0,0,0,.25)"><h2 style="margin:0 0 .5rem;font-size:1.1rem">The last build failed with \
            \(errors.count) error\(errors.count == 1 ? "" : "s"); these pages are from the last good build</h2><ul style="margin:0;padding-left:1.2rem">\
            \(items)</ul></div>
            """
    }
}

/// Debounces bursts of file events (an editor saving writes several) into one rebuild at a time.
actor Rebuilder {
    private var pending: Set<String> = []
    private var task: Task<Void, Never>?
    private var running = false
    private let build: @Sendable (String) async -> Void
    static let quietPeriod: Duration = .milliseconds(100)

    init(build: @escaping @Sendable (String) async -> Void) { self.build = build }

    func changed(_ paths: [String]) {
        pending.formUnion(paths)
        task?.cancel()
        task = Task {
            try? await Task.sleep(for: Self.quietPeriod)
            guard !Task.isCancelled else { return }
            await self.flush()
        }
    }

    private func flush() async {
        guard !running, !pending.isEmpty else { return }
        running = true
        let paths = pending
        pending.removeAll()
        let names = paths.map { ($0 as NSString).lastPathComponent }.sorted()
        await build(names.count > 3 ? "\(names.count) files changed" : names.joined(separator: ", ") + " changed")
        running = false
        if !pending.isEmpty { await flush() }
    }
}
