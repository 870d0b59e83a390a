import Foundation
import XCTest
@testable import Waymark

/// The write step under hostile conditions: a build killed half-way or a disk that fills up never
/// leaves the previous output incomplete, and the next build tidies up after a killed one.
final class BadInputOutputTests: XCTestCase {
    private var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("waymark")
    }

    /// A site big enough that writing it takes a while: `pages` pages that link to each other.
    private func largeSite(pages: Int) throws -> TempSite {
        var files: [String: String] = [:]
        for i in 0..<pages {
            let prose = String(repeating: "Every department describes this touchpoint in its own words. ", count: 40)
            files["content/notes/n\(i).md"] = "---\ntitle: Note \(i)\n---\n\(prose)\n\nNext: [[notes/n\((i + 1) % pages)]].\n"
        }
        return try TempSite(files)
    }

    private func build(_ site: TempSite) throws -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["build", "--root", site.root.path, "--output", site.output.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    private func leftovers(_ site: TempSite) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: site.scratch.path)) ?? []).filter { $0.hasPrefix(".out.") }.sorted()
    }

    /// Pages go to the staging folder as they are rendered; an error found on a later page (here a
    /// template that includes itself, only for pages that ask for it) still leaves the previous
    /// output exactly as it was, and no staging folder behind.
    func testAnErrorWhileRenderingKeepsThePreviousOutputAndLeavesNoStaging() throws {
        var templates = TempSite.minimalTemplates
        templates["page.mustache"] = "{{#page.params.loop}}{{> loop}}{{/page.params.loop}}" + (templates["page.mustache"] ?? "")
        templates["loop.mustache"] = "<div>{{> loop}}</div>"
        var files: [String: String] = [:]
        for i in 0..<40 { files["content/notes/n\(i).md"] = "# Note \(i)\n\nText.\n" }
        let site = try TempSite(files, templates: templates)
        assertNoDiagnostics(site.build())
        let before = snapshot(site.output)
        XCTAssertGreaterThan(before.count, 40)

        for i in 0..<40 { try site.write("content/notes/n\(i).md", "# Note \(i)\n\nChanged.\n") }
        try site.write("content/notes/zz-loop.md", "---\nloop: true\n---\n# Loop\n")
        var options = site.options()
        options.cacheFile = nil
        let report = BuildPipeline.run(options)
        XCTAssertTrue(report.diagnostics.contains { $0.severity == .error && $0.message.contains("partials nest") }, "\(report.diagnostics)")
        XCTAssertFalse(report.wrote)
        XCTAssertTrue(snapshot(site.output) == before, "the previous output changed")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: site.scratch.path).sorted(), ["out", "site"])
    }

    func testABuildKilledWhileWritingLeavesThePreviousOutputByteForByte() throws {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw XCTSkip("the waymark executable is not built next to the tests (\(executable.path))")
        }
        let site = try largeSite(pages: 600)
        let first = try build(site)
        first.waitUntilExit()
        XCTAssertEqual(first.terminationStatus, 0)
        let before = snapshot(site.output)
        XCTAssertGreaterThan(before.count, 600)

        // Change every page, start a rebuild and kill it as soon as it has begun writing.
        for i in 0..<600 { try site.write("content/notes/n\(i).md", "---\ntitle: Changed \(i)\n---\nChanged.\n") }
        let second = try build(site)
        let deadline = Date().addingTimeInterval(60)
        while second.isRunning, leftovers(site).isEmpty, Date() < deadline { usleep(500) }
        usleep(10_000)  // into the write step, not just its first mkdir
        guard second.isRunning else { throw XCTSkip("the build finished before it could be killed; nothing to check") }
        kill(second.processIdentifier, SIGKILL)
        second.waitUntilExit()
        XCTAssertEqual(second.terminationReason, .uncaughtSignal)

        let after = snapshot(site.output)
        XCTAssertEqual(after.count, before.count)
        XCTAssertTrue(after == before, "the previous output changed after the build was killed")
        XCTAssertFalse(leftovers(site).isEmpty, "a killed build cannot remove its staging folder")

        // The next build replaces the output and removes what the killed one left behind.
        let third = try build(site)
        third.waitUntilExit()
        XCTAssertEqual(third.terminationStatus, 0)
        XCTAssertEqual(leftovers(site), [])
        XCTAssertTrue(site.html("notes/n7/index.html")?.contains("Changed 7") ?? false)
    }

    func testTheNextBuildPutsBackAnOutputLeftAsideByAKilledSwap() throws {
        let site = try TempSite(["content/page.md": "# Page\n"])
        assertNoErrors(site.build())
        // What the two-rename fallback leaves when killed between its renames: the output moved aside, no output.
        let dead = deadProcessID()
        let aside = site.scratch.appendingPathComponent(".out.old-\(dead)")
        try FileManager.default.moveItem(at: site.output, to: aside)
        try FileManager.default.createDirectory(at: site.scratch.appendingPathComponent(".out.staging-\(dead)"), withIntermediateDirectories: true)
        OutputWriter.removeLeftovers(of: "out", in: site.scratch)
        XCTAssertNotNil(site.html("page/index.html"))
        XCTAssertEqual(leftovers(site), [])
    }

    func testFoldersOfABuildThatIsStillRunningAreLeftAlone() throws {
        let site = try TempSite(["content/page.md": "# Page\n"])
        let running = site.scratch.appendingPathComponent(".out.staging-1")  // pid 1 is always alive
        try FileManager.default.createDirectory(at: running, withIntermediateDirectories: true)
        assertNoErrors(site.build())
        XCTAssertTrue(FileManager.default.fileExists(atPath: running.path))
    }

    /// A pid no process has: the highest possible, checked.
    private func deadProcessID() -> pid_t {
        var pid: pid_t = 4_194_000
        while kill(pid, 0) == 0 || errno != ESRCH { pid -= 1 }
        return pid
    }

    func testAFullDiskFailsTheBuildAndLeavesThePreviousOutputIntact() throws {
        let mountPoint = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: mountPoint) }
        guard run("/bin/mount", ["-t", "tmpfs", "-o", "size=160k", "tmpfs", mountPoint.path]) == 0 else {
            throw XCTSkip("cannot mount a small tmpfs here (needs root and mount permission); the full-disk case is not checked")
        }
        defer { _ = run("/bin/umount", [mountPoint.path]) }

        let site = try TempSite(["content/page.md": "# Page\n\nSmall.\n"])
        var options = site.options()
        options.output = mountPoint.appendingPathComponent("public").path
        let first = BuildPipeline.run(options)
        assertNoDiagnostics(first)
        let before = snapshot(mountPoint.appendingPathComponent("public"))
        XCTAssertFalse(before.isEmpty)

        // 200 KB of pages do not fit in what is left of 160 KB (the first build, with the theme's assets, takes about 100 KB).
        for i in 0..<20 { try site.write("content/big\(i).md", "# Big \(i)\n\n" + String(repeating: "Filling the disk. ", count: 600)) }
        let second = BuildPipeline.run(options)
        let e = headlines(second.diagnostics)
        XCTAssertEqual(e.count, 1, "\(e)")
        XCTAssertTrue(e.first?.contains("No space left on device") ?? false, "\(e)")
        XCTAssertEqual(second.diagnostics.first?.hint, "the previous output was left as it was")
        XCTAssertFalse(second.wrote)
        XCTAssertTrue(snapshot(mountPoint.appendingPathComponent("public")) == before, "the previous output changed")
        let entries = try FileManager.default.contentsOfDirectory(atPath: mountPoint.path)
        XCTAssertEqual(entries, ["public"], "the staging folder was not removed")
    }

    private func run(_ tool: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
