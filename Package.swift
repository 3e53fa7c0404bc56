// swift-tools-version:6.0
// Diptych: a multimodal diffusion studio (Gaussian latent diffusion for images, masked diffusion
// for text, one transformer backbone) that trains and runs on a CPU with OpenBLAS.
import PackageDescription

/// Release builds: no bounds checks, whole-module and cross-module optimisation, and a target CPU
/// that vectorizes at AVX2 width while still running on any AVX2 machine.
let fast: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-wmo", "-cross-module-optimization", "-target-cpu", "haswell"],
                 .when(configuration: .release)),
]
let fastC: [CSetting] = [.unsafeFlags(["-O3", "-march=haswell"], .when(configuration: .release))]

let package = Package(
    name: "Diptych",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "diptych", targets: ["diptych"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    ],
    targets: [
        // C libraries from Debian packages.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", providers: [.apt(["libpng-dev", "zlib1g-dev"])]),
        .systemLibrary(name: "CJPEG", path: "Sources/CJPEG", providers: [.apt(["libjpeg-dev"])]),
        // setjmp/longjmp error handling of libpng and libjpeg lives in C: Swift frames cannot be jumped over.
        .target(name: "CImageCodecs", dependencies: ["CPNG", "CJPEG"], path: "Sources/CImageCodecs", cSettings: fastC,
                linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("jpeg"), .linkedLibrary("z")]),

        .target(name: "Core", dependencies: ["CBLAS"], swiftSettings: fast),
        .target(name: "NN", dependencies: ["Core"], swiftSettings: fast),
        .target(name: "Media", dependencies: ["Core", "CImageCodecs"], swiftSettings: fast),
        .target(name: "Data", dependencies: ["Core", "Media"], swiftSettings: fast),
        .target(name: "Models", dependencies: ["Core", "NN", "Media", "Data"], swiftSettings: fast),
        .target(name: "Diffusion", dependencies: ["Core", "NN", "Models"], swiftSettings: fast),
        .target(name: "Studio", dependencies: ["Core", "NN", "Media", "Data", "Models", "Diffusion",
                                               "Yams", .product(name: "GRDB", package: "GRDB.swift")],
                swiftSettings: fast),
        .executableTarget(name: "diptych", dependencies: [
            "Core", "NN", "Media", "Data", "Models", "Diffusion", "Studio",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: fast),

        .testTarget(name: "CoreTests", dependencies: ["Core"]),
        .testTarget(name: "NNTests", dependencies: ["Core", "NN"], resources: [.copy("Fixtures")]),
        .testTarget(name: "MediaTests", dependencies: ["Core", "Media"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DataTests", dependencies: ["Core", "Media", "Data"]),
        .testTarget(name: "ModelsTests", dependencies: ["Core", "NN", "Data", "Models"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DiffusionTests", dependencies: ["Core", "NN", "Models", "Diffusion"]),
        .testTarget(name: "StudioTests", dependencies: ["Core", "NN", "Media", "Data", "Models", "Diffusion", "Studio"]),
    ],
    // Swift 5 language mode: the numeric kernels share raw buffers across threads by design.
    swiftLanguageModes: [.v5]
)
