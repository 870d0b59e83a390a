import Foundation
import Waymark

// A seeded random-input driver for toolchains without libFuzzer: mutates the seed inputs
// deterministically (same --seed, same inputs) and runs each through FuzzEntry. A broken invariant
// or an input that takes longer than --timeout seconds is saved and reported; a crash leaves the
// input in the file named by "current input" below.
//
//   waymark-fuzz-seeded [--seconds N] [--runs N] [--seed N] [--timeout S] [--out DIR] SEED_DIR...

struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
}

/// Fragments that matter to Waymark's parsers: fences, YAML anchors and aliases, wikilinks,
/// Markdown nesting, HTML and URL payloads, and bytes that are not UTF-8.
let tokens: [[UInt8]] = [
    "---\n", "...\n", "\n", "[[", "]]", "|", "#", "[[#", "![", "](", ")", "<", ">", "> ", "- ", "* ", "*", "**", "_", "`", "```\n",
    "&a ", "*a", "<<: *a\n", "? ", ": ", "{", "}", "[", "]", ",", "'", "\"", "!!str ", "&#91;", "&amp;", "\\",
    "title: ", "type: journey\n", "stages:\n  - name: ", "touchpoints:\n", "emotion: 9\n", "personas: [", "parent: journeys/fuzz\n",
    "synonyms:\n  it: [", "term: ", "definition: ", "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>",
    "javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "JaVa\tScRiPt:", "| a | b |\n|---|---|\n",
    "[x](../personas/sam.md)", "[[personas/sam]]", "[[journeys/asthma#diagnosis/gp-appointment]]", "[[Persona|user]]",
    "user ", "persona ", "\u{0}", "\r\n", "\u{FEFF}", "\u{E000}", "\u{E001}", "é", "👩‍👩‍👧",
].map { Array($0.utf8) } + [[0xFF], [0xFE, 0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80]]

func mutate(_ input: [UInt8], seeds: [[UInt8]], rng: inout SplitMix64) -> [UInt8] {
    var b = input
    for _ in 0...rng.below(6) {
        switch rng.below(9) {
        case 0 where !b.isEmpty:  // flip a bit
            let i = rng.below(b.count); b[i] ^= UInt8(1 << rng.below(8))
        case 1, 2:  // insert a token
            let t = tokens[rng.below(tokens.count)]; b.insert(contentsOf: t, at: rng.below(b.count + 1))
        case 3 where !b.isEmpty:  // delete a chunk
            let i = rng.below(b.count); b.removeSubrange(i..<min(b.count, i + 1 + rng.below(32)))
        case 4 where !b.isEmpty:  // repeat a chunk, sometimes many times (nesting, long lines)
            let i = rng.below(b.count), n = 1 + rng.below(16)
            let chunk = Array(b[i..<min(b.count, i + n)])
            let times = rng.below(4) == 0 ? 1 + rng.below(2000) : 1 + rng.below(8)
            b.insert(contentsOf: Array([[UInt8]](repeating: chunk, count: times).joined()), at: i)
        case 5:  // splice in part of another seed
            let other = seeds[rng.below(seeds.count)]
            guard !other.isEmpty else { continue }
            let i = rng.below(other.count)
            b.insert(contentsOf: other[i..<min(other.count, i + 1 + rng.below(200))], at: rng.below(b.count + 1))
        case 6 where !b.isEmpty:  // replace a byte
            b[rng.below(b.count)] = UInt8(truncatingIfNeeded: rng.next())
        case 7 where b.count > 1:  // truncate
            b.removeLast(rng.below(b.count))
        default:  // change the folder byte (page type)
            if b.isEmpty { b = [0] } else { b[0] = UInt8(truncatingIfNeeded: rng.next()) }
        }
    }
    // Keep inputs small enough that one run stays quick; extremes are in the bad-input tests.
    if b.count > 64 * 1024 { b.removeLast(b.count - 64 * 1024) }
    return b
}

/// Notices an input that runs too long (a hang) from another thread.
final class Watchdog: @unchecked Sendable {
    private let lock = NSLock()
    private var started: Date?
    private var iteration = 0
    func start(_ n: Int) { lock.lock(); started = Date(); iteration = n; lock.unlock() }
    func stop() { lock.lock(); started = nil; lock.unlock() }
    func overdue(after seconds: Double) -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard let started, Date().timeIntervalSince(started) > seconds else { return nil }
        return iteration
    }
}

var seconds = 60.0, runs = Int.max, seed: UInt64 = 1, timeout = 10.0
var out = URL(fileURLWithPath: "fuzz-findings")
var seedDirs: [String] = []
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    switch a {
    case "--seconds": seconds = Double(args.popFirst() ?? "") ?? seconds
    case "--runs": runs = Int(args.popFirst() ?? "") ?? runs
    case "--seed": seed = UInt64(args.popFirst() ?? "") ?? seed
    case "--timeout": timeout = Double(args.popFirst() ?? "") ?? timeout
    case "--out": out = URL(fileURLWithPath: args.popFirst() ?? "fuzz-findings")
    default: seedDirs.append(a)
    }
}

var seeds: [[UInt8]] = []
for dir in seedDirs {
    let base = URL(fileURLWithPath: dir)
    guard let e = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { continue }
    for case let url as URL in e.sorted(by: { ($0 as! URL).path < ($1 as! URL).path }) {
        if let d = try? Data(contentsOf: url), !d.isEmpty, d.count < 256 * 1024 { seeds.append([UInt8](d)) }
    }
}
if seeds.isEmpty { seeds = [Array("---\ntitle: T\n---\n# T\n\nSee [[personas/sam]].\n".utf8)] }

try? FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
let current = out.appendingPathComponent("current-input")
let watchdog = Watchdog()
let limit = timeout, currentPath = current.path
Thread.detachNewThread {
    while true {
        Thread.sleep(forTimeInterval: 0.5)
        if let n = watchdog.overdue(after: limit) {
            FileHandle.standardError.write(Data("hang: run \(n) took over \(limit) s; input in \(currentPath)\n".utf8))
            exit(2)
        }
    }
}

var rng = SplitMix64(state: seed)
let deadline = Date().addingTimeInterval(seconds)
var executions = 0, findings = 0
var corpus = seeds
print("waymark-fuzz-seeded: \(seeds.count) seeds, seed \(seed), up to \(Int(seconds)) s")
while executions < runs && Date() < deadline {
    let parent = corpus[rng.below(corpus.count)]
    let input = executions < seeds.count ? seeds[executions] : mutate(parent, seeds: seeds, rng: &rng)
    try? Data(input).write(to: current)
    watchdog.start(executions)
    let broken = FuzzEntry.run(input)
    watchdog.stop()
    executions += 1
    if !broken.isEmpty {
        findings += 1
        let file = out.appendingPathComponent("finding-\(findings).bin")
        try? Data(input).write(to: file)
        print("finding \(findings) (run \(executions), saved to \(file.path)):\n  " + broken.prefix(5).joined(separator: "\n  "))
    }
    // Keep some mutants as parents so changes accumulate (bounded, deterministic).
    if executions % 7 == 0 { if corpus.count < 512 { corpus.append(input) } else { corpus[rng.below(corpus.count)] = input } }
}
try? FileManager.default.removeItem(at: current)
print("executions: \(executions), findings: \(findings)")
exit(findings == 0 ? 0 : 1)
