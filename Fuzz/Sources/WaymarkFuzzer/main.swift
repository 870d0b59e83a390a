import Foundation
import Waymark

// libFuzzer target: build with `-sanitize=fuzzer,address` (see scripts/fuzz). SwiftPM gives every
// executable its own entry point, so instead of libFuzzer's main this one hands libFuzzer's
// driver the command line and the function below.

/// One input through the whole single-page pipeline. A broken invariant aborts, so libFuzzer keeps
/// the input as a crash; crashes, hangs (-timeout) and memory blow-ups (-rss_limit_mb) it catches itself.
@_cdecl("LLVMFuzzerTestOneInput")
public func waymarkFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let broken = FuzzEntry.run(input)
    if !broken.isEmpty {
        FileHandle.standardError.write(Data(("waymark invariant broken:\n  " + broken.joined(separator: "\n  ") + "\n").utf8))
        abort()
    }
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, waymarkFuzzOneInput))
