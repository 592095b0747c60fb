// swift-tools-version:6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Junction",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "junction", targets: ["junction"]),
        .library(name: "Junction", targets: ["Junction"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
    ],
    targets: [
        // C engines: system libraries and shims. C stays here and nowhere else.
        .systemLibrary(name: "CJQ", path: "Sources/CJQ", providers: [.apt(["libjq-dev"])]),
        .systemLibrary(
            name: "CWebSockets",
            path: "Sources/CWebSockets",
            pkgConfig: "libwebsockets",
            providers: [.apt(["libwebsockets-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            path: "Sources/CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "COpenSSL",
            path: "Sources/COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            path: "Sources/CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // usrsctp links through its module map alone: its pkg-config adds -DINET -DINET6,
        // which usrsctp.h does not need and which SwiftPM warns about on every build.
        .systemLibrary(name: "CUsrsctp", path: "Sources/CUsrsctp", providers: [.apt(["libusrsctp-dev"])]),
        // libwebsockets' _lws_log with the level test in front (see the file's comment).
        .target(name: "CWebSocketsLog", path: "Sources/CWebSocketsLog", linkerSettings: [.linkedLibrary("websockets")]),
        .target(
            name: "CSimdJSON",
            path: "Sources/CSimdJSON",
            cxxSettings: [.unsafeFlags(["-O3"])],
            linkerSettings: [.linkedLibrary("simdjson")]
        ),

        // Core library: messages, plugin protocols, config, graph, pipeline, backpressure.
        .target(
            name: "Junction",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Sources/Junction",
            swiftSettings: swiftSettings
        ),
        // Swift face of the JSON engines (libjq, simdjson).
        .target(
            name: "JunctionJSON",
            dependencies: ["CJQ", "CSimdJSON"],
            path: "Sources/JunctionJSON",
            swiftSettings: swiftSettings
        ),

        // Swift face of libwebsockets: the shared HTTP listener (and later WebSocket).
        .target(
            name: "JunctionNet",
            dependencies: [
                "Junction", "CWebSockets", "CWebSocketsLog", "CCurl",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/JunctionNet",
            swiftSettings: swiftSettings
        ),

        // Durable queues on SQLite (WAL): the webhook sink's delivery outbox.
        .target(
            name: "JunctionStore",
            dependencies: ["CSQLite"],
            path: "Sources/JunctionStore",
            swiftSettings: swiftSettings
        ),

        // WebRTC data channels: SDP, STUN (ICE-lite), and later DTLS, SCTP, DCEP.
        .target(
            name: "JunctionRTC",
            dependencies: ["COpenSSL", "CZlib", "CUsrsctp"],
            path: "Sources/JunctionRTC",
            swiftSettings: swiftSettings
        ),

        // In-tree plugins: one target each, explicit path, depending on the core only.
        .target(
            name: "StdioPlugin",
            dependencies: ["Junction"],
            path: "Plugins/Stdio",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "XRTCPlugin",
            dependencies: ["Junction", "JunctionNet", "JunctionJSON", .product(name: "Metrics", package: "swift-metrics")],
            path: "Plugins/XRTC",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DataChannelPlugin",
            dependencies: ["Junction", "JunctionNet", "JunctionRTC", .product(name: "Metrics", package: "swift-metrics")],
            path: "Plugins/DataChannel",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "WebhookPlugin",
            dependencies: ["Junction", "JunctionNet", "JunctionRTC", "JunctionStore", .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics")],
            path: "Plugins/Webhook",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "WebSocketPlugin",
            dependencies: ["Junction", "JunctionNet", .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics")],
            path: "Plugins/WebSocket",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "StagesPlugin",
            dependencies: ["Junction", "JunctionJSON"],
            path: "Plugins/Stages",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "junction",
            dependencies: [
                "Junction", "JunctionNet", "JunctionStore", "StdioPlugin", "StagesPlugin", "XRTCPlugin", "DataChannelPlugin", "WebhookPlugin", "WebSocketPlugin", "RTMPlugin",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Sources/junction",
            swiftSettings: swiftSettings
        ),

        .testTarget(name: "JunctionTests", dependencies: ["Junction"], path: "Tests/JunctionTests"),
        .testTarget(name: "JunctionNetTests", dependencies: ["Junction", "JunctionNet"], path: "Tests/JunctionNetTests"),
        .testTarget(name: "JunctionRTCTests", dependencies: ["JunctionRTC"], path: "Tests/JunctionRTCTests"),
        .testTarget(name: "JunctionStoreTests", dependencies: ["JunctionStore"], path: "Tests/JunctionStoreTests"),
        // RTM (realtime messaging) over WebSocket: the protocol, sessions, recordings.
        .target(
            name: "RTMPlugin",
            dependencies: [
                "Junction", "JunctionJSON", "JunctionNet", "JunctionRTC", "DataChannelPlugin", "WebhookPlugin",
                .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Plugins/RTM",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "RTMPluginTests", dependencies: ["Junction", "JunctionJSON", "RTMPlugin"], path: "Tests/RTMPluginTests"),
        .testTarget(name: "XRTCPluginTests", dependencies: ["Junction", "JunctionNet", "XRTCPlugin"], path: "Tests/XRTCPluginTests"),
        .testTarget(name: "StdioPluginTests", dependencies: ["Junction", "StdioPlugin"], path: "Tests/StdioPluginTests"),
        .testTarget(
            name: "WebhookPluginTests",
            dependencies: ["Junction", "JunctionNet", "JunctionRTC", "JunctionStore", "WebhookPlugin", .product(name: "Yams", package: "Yams")],
            path: "Tests/WebhookPluginTests"
        ),
        .testTarget(
            name: "StagesPluginTests",
            dependencies: ["Junction", "JunctionJSON", "StagesPlugin", .product(name: "Yams", package: "Yams")],
            path: "Tests/StagesPluginTests"
        ),
    ],
    swiftLanguageModes: [.v6]
)
