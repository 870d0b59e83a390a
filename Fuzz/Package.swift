// swift-tools-version: 6.1
// Fuzz targets for Waymark, kept out of the main package so its build and tests never need a fuzzer.
// See scripts/fuzz.
import PackageDescription

let package = Package(
    name: "WaymarkFuzz",
    dependencies: [.package(name: "Waymark", path: "..")],
    targets: [
        // libFuzzer: build with -sanitize=fuzzer; its main hands libFuzzer's driver the input callback.
        .executableTarget(
            name: "WaymarkFuzzer",
            dependencies: [.product(name: "Waymark", package: "Waymark")]
        ),
        // Where the toolchain has no libFuzzer: seeded, deterministic mutations of the seed inputs.
        .executableTarget(
            name: "waymark-fuzz-seeded",
            dependencies: [.product(name: "Waymark", package: "Waymark")]
        ),
    ]
)
