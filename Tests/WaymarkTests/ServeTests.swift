import Foundation
import XCTest
@testable import Waymark
@testable import WaymarkServe
#if canImport(Glibc)
import Glibc
#endif

/// `waymark serve`: traversal is refused, and the whole edit → reload → error overlay → fix → stop loop works.
final class ServeTests: XCTestCase {
    // MARK: Containment (no server needed)

    func testEveryTraversalFormIsRefused() throws {
        let scratch = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let root = scratch.appendingPathComponent("public")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("a"), withIntermediateDirectories: true)
        try Data("<p>ok</p>".utf8).write(to: root.appendingPathComponent("a/index.html"))
        try Data("secret".utf8).write(to: scratch.appendingPathComponent("secret.txt"))
        try Data("dot".utf8).write(to: root.appendingPathComponent(".hidden"))
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("escape.txt").path,
                                                   withDestinationPath: scratch.appendingPathComponent("secret.txt").path)
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("up").path, withDestinationPath: scratch.path)
        let files = StaticFiles(root: root)
        for hostile in ["/../secret.txt", "/a/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/..%2fsecret.txt",
                        "/a%2f..%2f..%2fsecret.txt", "/a%5c..%5csecret.txt", "/..\\secret.txt", "/.hidden", "/%2ehidden",
                        "/a/%00", "/escape.txt", "/up/secret.txt"] {
            XCTAssertEqual(files.resolve(hostile), .forbidden, hostile)
        }
        XCTAssertEqual(files.resolve("/a/"), .file(root.appendingPathComponent("a/index.html").resolvingSymlinksInPath()))
        XCTAssertEqual(files.resolve("/a"), .redirect("/a/"))
        XCTAssertEqual(files.resolve("/missing/"), .notFound)
        // A file asked for as a folder is not there, as on a web host.
        try Data("notes".utf8).write(to: root.appendingPathComponent("a/notes"))
        XCTAssertEqual(files.resolve("/a/notes/"), .notFound)
        XCTAssertEqual(files.resolve("/a/notes"), .file(root.appendingPathComponent("a/notes").resolvingSymlinksInPath()))
        XCTAssertEqual(StaticFiles.contentType(for: URL(fileURLWithPath: "x.css")), "text/css; charset=utf-8")
        XCTAssertEqual(StaticFiles.contentType(for: URL(fileURLWithPath: "x.svg")), "image/svg+xml")
    }

    /// Editors' and tools' scratch files beside a page rebuild nothing and are not named in the log.
    func testScratchFilesAreNotChanges() {
        for name in [".page.md.swp", "page.md~", "#page.md#", "sedX1b2c3", "4913", "page.md.tmp", "page.md___jb_tmp___"] {
            XCTAssertTrue(FileWatcher.isScratchFile(name), name)
        }
        for name in ["page.md", "waymark.yml", "map.png", "style.css", "journey.mustache", "notes", "CODEOWNERS", "sedimentary", "2025-notes"] {
            XCTAssertFalse(FileWatcher.isScratchFile(name), name)
        }
    }

    func testReloadScriptGoesBeforeTheBodyEnds() {
        XCTAssertEqual(PreviewServer.inject("<s/>", into: "<html><body><p>x</p></body></html>"), "<html><body><p>x</p><s/></body></html>")
        XCTAssertEqual(PreviewServer.inject("<s/>", into: "<p>fragment</p>"), "<p>fragment</p><s/>")
    }

    // MARK: End to end, through the real executable

    func testEditReloadOverlayFixAndStop() throws {
        let site = try TempSite([
            "content/index.md": "---\ntitle: Home\n---\nWelcome.\n",
            "content/notes.md": "---\ntitle: Notes\n---\nFirst version.\n",
        ])
        let port = try freePort()
        let (process, _) = try startServe(site, port: port)
        defer { if process.isRunning { process.terminate() } }

        let page = try waitFor(port: port, path: "/notes/")
        XCTAssertTrue(page.contains("First version."), page)
        XCTAssertTrue(page.contains("/_waymark/events"), "the reload script is injected while serving")

        // Edit → reload event → new content.
        let events = try EventStream(port: port)
        try site.write("content/notes.md", "---\ntitle: Notes\n---\nSecond version.\n")
        XCTAssertTrue(try events.waitForEvent("reload", seconds: 10))
        XCTAssertTrue(try get(port: port, path: "/notes/").contains("Second version."))

        // Broken YAML → the overlay names the file and line; the last good page stays.
        try site.write("content/notes.md", "---\ntitle: [Notes\n---\nThird version.\n")
        XCTAssertTrue(try events.waitForEvent("reload", seconds: 10))
        let broken = try get(port: port, path: "/notes/")
        XCTAssertTrue(broken.contains("id=\"waymark-errors\""), broken)
        XCTAssertTrue(broken.contains("content/notes.md:3:1"), broken)
        XCTAssertEqual(BuildState.withCodeSpans("`date` is `14/03/2026`; write ``a `b` c``, not ` alone"),
                       "<code>date</code> is <code>14/03/2026</code>; write <code>a `b` c</code>, not ` alone")
        XCTAssertTrue(broken.contains("Second version."), "last good page stays browsable")

        // Fixed → overlay gone.
        try site.write("content/notes.md", "---\ntitle: Notes\n---\nFourth version.\n")
        XCTAssertTrue(try events.waitForEvent("reload", seconds: 10))
        let fixed = try get(port: port, path: "/notes/")
        XCTAssertFalse(fixed.contains("waymark-errors"), fixed)
        XCTAssertTrue(fixed.contains("Fourth version."), fixed)

        // An unknown address: the theme's 404 page, with status 404.
        let missing = try get(port: port, path: "/no/such/page/")
        XCTAssertTrue(missing.hasPrefix("HTTP/1.1 404"), missing)
        XCTAssertTrue(missing.contains("<h1>Page not found</h1>"), "the theme's 404.html: \(missing)")

        // Traversal over HTTP, and the theme's CSS with its content type.
        XCTAssertTrue(try get(port: port, path: "/%2e%2e/%2e%2e/etc/passwd").hasPrefix("HTTP/1.1 403"))
        XCTAssertTrue(try get(port: port, path: "/assets/style.css", headersOnly: true).lowercased().contains("content-type: text/css"))

        // SIGTERM with a browser still connected: stops within a second.
        let stopping = Date()
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        XCTAssertLessThan(Date().timeIntervalSince(stopping), 1.0, "shutdown must not wait for the open event stream")
        events.close()
    }

    /// A file with no extension is a file of the site: its edits and deletion reach the preview.
    /// What appears beside the site at its root (`.git/`, a notes file) rebuilds nothing.
    func testTheRootIsWatchedOnlyForTheSiteAndFilesWithoutAnExtensionCount() throws {
        let site = try TempSite(["content/index.md": "---\ntitle: Home\n---\nWelcome.\n",
                                 "content/guides/notes": "plain notes v1\n"])
        let port = try freePort()
        let (process, _) = try startServe(site, port: port)
        defer { if process.isRunning { process.terminate() } }
        XCTAssertTrue(try waitFor(port: port, path: "/guides/notes").contains("plain notes v1"))
        let events = try EventStream(port: port)
        defer { events.close() }
        try site.write("content/guides/notes", "plain notes v2\n")
        XCTAssertTrue(try events.waitForEvent("reload", seconds: 10))
        XCTAssertTrue(try get(port: port, path: "/guides/notes").contains("plain notes v2"))
        try FileManager.default.removeItem(at: site.root.appendingPathComponent("content/guides/notes"))
        XCTAssertTrue(try events.waitForEvent("reload", seconds: 10))
        XCTAssertTrue(try get(port: port, path: "/guides/notes").hasPrefix("HTTP/1.1 404"))
        // Beside the site: a repository made, a file of notes; then one edit of a page, one reload.
        try FileManager.default.createDirectory(at: site.root.appendingPathComponent(".git/objects"), withIntermediateDirectories: true)
        try site.write(".git/index.lock", "x")
        try site.write("NOTES.md", "to do\n")
        XCTAssertFalse(try events.waitForEvent("reload", seconds: 1.5), "nothing of the site changed")
        try site.write("content/index.md", "---\ntitle: Home\n---\nWelcome back.\n")
        XCTAssertTrue(try events.waitForEvent("reload", seconds: 10))
        try site.write(".git/index.lock", "y")
        XCTAssertFalse(try events.waitForEvent("reload", seconds: 1.5), "a folder made at the root later is not watched")
    }

    /// What a writer's browser needs from the preview beside the pages: one shared event stream for
    /// every tab (a browser opens six connections to a server at most), a reload only when something
    /// changed, the build a page was served from, and a second preview that does not overwrite the first.
    func testTabsShareOneStreamAndOnlyChangesReload() throws {
        let site = try TempSite(["content/index.md": "---\ntitle: Home\n---\nWelcome.\n",
                                 "content/notes.md": "---\ntitle: Notes\ndraft: true\n---\nA draft.\n"])
        let port = try freePort()
        let (process, _) = try startServe(site, port: port)
        defer { if process.isRunning { process.terminate() } }
        let page = try waitFor(port: port, path: "/")
        XCTAssertTrue(page.contains("new SharedWorker(\"/_waymark/live.js\""), page)
        let worker = try get(port: port, path: "/_waymark/live.js")
        XCTAssertTrue(worker.lowercased().contains("content-type: text/javascript"), worker)
        XCTAssertTrue(worker.contains("new EventSource(\"/_waymark/events\")"), worker)
        // The stream starts by naming the build being served; the page carries the same name.
        let events = try EventStream(port: port)
        defer { events.close() }
        XCTAssertTrue(try events.waitForText("event: hello\ndata: ", seconds: 5))
        let generation = try XCTUnwrap(events.pending.split(separator: "\n").first.map(String.init))
        XCTAssertTrue(page.contains("var g=\"\(generation)\""), "the page's build is \(generation)")
        // A save that changes nothing (an editor touching the file) reloads nothing; an edit reloads,
        // with the name of the new build.
        try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: site.root.appendingPathComponent("content/index.md").path)
        XCTAssertFalse(try events.waitForEvent("reload", seconds: 1.5), "nothing changed")
        try site.write("content/index.md", "---\ntitle: Home\n---\nWelcome back.\n")
        XCTAssertTrue(try events.waitForEvent("reload", seconds: 10))
        XCTAssertTrue(try events.waitForText("data: ", seconds: 1))
        XCTAssertFalse(events.pending.hasPrefix(generation), events.pending)
        // A folder without its slash keeps the query.
        XCTAssertTrue(try get(port: port, path: "/search?q=welcome", headersOnly: true).contains("Location: /search/?q=welcome"))
        // A second preview of the same knowledge base (without drafts) builds into a folder of its own.
        let other = try freePort()
        let (second, errors) = try startServe(site, port: other, arguments: ["--no-drafts"])
        defer { if second.isRunning { second.terminate() } }
        XCTAssertTrue(try waitFor(port: other, path: "/notes/").hasPrefix("HTTP/1.1 404"), "no drafts in the second")
        XCTAssertTrue(try get(port: port, path: "/notes/").contains("A draft."), "the first still shows its draft")
        XCTAssertTrue(FileManager.default.fileExists(atPath: site.root.appendingPathComponent(".waymark-cache/serve-\(other)/index.html").path))
        second.terminate()
        second.waitUntilExit()
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(said.contains("note: another waymark serve is previewing this knowledge base; this one builds into .waymark-cache/serve-\(other)"), said)
    }

    /// When no build has succeeded yet there is no page to show: the preview says so, over the errors,
    /// rather than "page not found" under "these pages are from the last good build".
    func testAFirstBuildThatFailsSaysThereIsNothingToShowYet() throws {
        let site = try TempSite(["content/index.md": "---\ntitle: Home\n---\nSee [[nowhere]].\n"])
        let port = try freePort()
        let (process, _) = try startServe(site, port: port)
        defer { if process.isRunning { process.terminate() } }
        let home = try waitFor(port: port, path: "/")
        XCTAssertTrue(home.hasPrefix("HTTP/1.1 404"), home)
        XCTAssertTrue(home.contains("<h1>Nothing to show yet</h1>"), home)
        XCTAssertTrue(home.contains("No build has succeeded yet: fix this error to see the site</summary>"), home)
        XCTAssertFalse(home.contains("last good build"), home)
    }

    func testTheOverlayShowsErrorsOpenAndWarningsFolded() async {
        let state = BuildState()
        let warning = Diagnostic.warning(SourceLocation(path: "content/a.md", line: 2, column: 1), "a `word` warned", hint: nil)
        let error = Diagnostic.error(SourceLocation(path: "content/b.md", line: 3, column: 4), "broken", hint: "fix it")
        let nothing = await state.overlay()
        XCTAssertEqual(nothing, "")
        let changed = await state.update([warning], hasPages: true)
        XCTAssertTrue(changed)
        let unchanged = await state.update([warning], hasPages: true)
        XCTAssertFalse(unchanged, "the same warnings again: nothing to reload for")
        let warned = await state.overlay()
        XCTAssertTrue(warned.hasPrefix("<details id=\"waymark-warnings\""), warned)
        XCTAssertTrue(warned.contains(">1 warning in the last build</summary>"), warned)
        XCTAssertTrue(warned.contains("a <code>word</code> warned"), warned)
        _ = await state.update([warning, error], hasPages: true)
        let failed = await state.overlay()
        XCTAssertTrue(failed.hasPrefix("<details open id=\"waymark-errors\""), failed)
        XCTAssertTrue(failed.contains("The last build failed with 1 error; these pages are from the last good build (and 1 warning)"), failed)
        let b = failed.range(of: "content/b.md:3:4"), a = failed.range(of: "content/a.md:2:1")
        XCTAssertTrue(b != nil && a != nil && b!.lowerBound < a!.lowerBound, "errors before warnings")
    }

    func testAddressesToOpen() {
        XCTAssertEqual(PreviewServer.url(host: "127.0.0.1", port: 8080), "http://127.0.0.1:8080/")
        XCTAssertEqual(PreviewServer.url(host: "::1", port: 8080), "http://[::1]:8080/")
        XCTAssertEqual(PreviewServer.url(host: "0.0.0.0", port: 9000), "http://localhost:9000/")
        XCTAssertTrue(PreviewServer.listensOnEveryInterface("::"))
    }

    /// A busy port is said at once, before any build: nothing is built into the preview folder.
    func testABusyPortIsSaidBeforeTheFirstBuild() throws {
        let port = try freePort()
        XCTAssertEqual(PreviewServer.portIsFree(host: "127.0.0.1", port: port), true)
        // Something else listening there.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        XCTAssertEqual(bound, 0)
        XCTAssertEqual(listen(fd, 1), 0)
        XCTAssertEqual(PreviewServer.portIsFree(host: "127.0.0.1", port: port), false)
        XCTAssertNil(PreviewServer.portIsFree(host: "no-such-host.invalid", port: port))

        let site = try TempSite(["content/index.md": "---\ntitle: Home\n---\nWelcome.\n"])
        let (process, errors) = try startServe(site, port: port)
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 1)
        XCTAssertEqual(said, "error: port \(port) on 127.0.0.1 is already in use\n  hint: try `waymark serve --port \(port + 1)`\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: site.root.appendingPathComponent(".waymark-cache/serve").path), "no build was made")
    }

    // MARK: Helpers: the server, a free port and a tiny HTTP client over POSIX sockets

    /// `waymark serve` on `site` and `port`, with its standard error; skips where the executable is
    /// not built next to the tests.
    func startServe(_ site: TempSite, port: Int, arguments: [String] = []) throws -> (Process, Pipe) {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("waymark")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw XCTSkip("the waymark executable is not built next to the tests (\(executable.path))")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = ["serve", "--root", site.root.path, "--port", String(port)] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (process, errors)
    }

    func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func connect(port: Int, timeout: Int = 5) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let ok = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if ok != 0 { close(fd); return nil }
        return fd
    }

    func get(port: Int, path: String, headersOnly: Bool = false) throws -> String {
        guard let fd = Self.connect(port: port) else { throw XCTSkip("cannot connect") }
        defer { close(fd) }
        let request = "\(headersOnly ? "HEAD" : "GET") \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: data, as: UTF8.self)
    }

    func waitFor(port: Int, path: String) throws -> String {
        for _ in 0..<150 {
            if let fd = Self.connect(port: port, timeout: 1) {
                close(fd)
                return try get(port: port, path: path)
            }
            usleep(100_000)
        }
        XCTFail("the server did not start")
        return ""
    }

    /// An open Server-Sent Events connection, read line by line.
    final class EventStream {
        let fd: Int32
        var pending = ""

        init(port: Int) throws {
            guard let fd = ServeTests.connect(port: port, timeout: 1) else { throw XCTSkip("cannot connect") }
            self.fd = fd
            let request = "GET /_waymark/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
            _ = request.withCString { send(fd, $0, strlen($0), 0) }
            _ = try waitForText(": connected", seconds: 5)
        }

        func waitForEvent(_ name: String, seconds: Double) throws -> Bool {
            try waitForText("event: \(name)", seconds: seconds)
        }

        func waitForText(_ text: String, seconds: Double) throws -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            var buffer = [UInt8](repeating: 0, count: 4096)
            while Date() < deadline {
                if let range = pending.range(of: text) {
                    pending = String(pending[range.upperBound...])
                    return true
                }
                let n = recv(fd, &buffer, buffer.count, 0)
                if n > 0 { pending += String(decoding: buffer[0..<n], as: UTF8.self) } else if n == 0 { return false }
            }
            return false
        }

        func close() { Glibc.close(fd) }
    }
}
