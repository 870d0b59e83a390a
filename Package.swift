// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Waymark",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "waymark", targets: ["waymark"]),
        .library(name: "Waymark", targets: ["Waymark"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // Debian's libcmark-dev; only Sources/Waymark/Markdown/CmarkTree.swift imports it.
        .systemLibrary(
            name: "CCmark",
            pkgConfig: "libcmark",
            providers: [.apt(["libcmark-dev"])]
        ),
        // Small C helpers: 64 bytes of text sorted into letters, joiners and UTF-8 at once (the glossary's
        // word scanner), and numbers printed with printf without a va_list (journey maps).
        .target(name: "CWaymark"),
        .target(
            name: "Waymark",
            dependencies: [
                "CCmark",
                "CWaymark",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The preview server (`waymark serve`): static files, live reload, error overlay.
        .target(
            name: "WaymarkServe",
            dependencies: [
                "Waymark",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "waymark",
            dependencies: [
                "Waymark",
                "WaymarkServe",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // jemalloc (Debian's libjemalloc-dev) instead of glibc's malloc: a cold 10,000-page build
            // spends about a sixth of its CPU in malloc and free, and is 10-15 % faster with it.
            linkerSettings: [.linkedLibrary("jemalloc", .when(platforms: [.linux]))]
        ),
        .testTarget(
            name: "WaymarkTests",
            dependencies: ["Waymark", "WaymarkServe", .product(name: "Yams", package: "Yams")],
            resources: [.copy("Fixtures")]
        ),
    ]
)
