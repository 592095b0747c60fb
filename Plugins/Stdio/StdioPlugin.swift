import Junction

/// Registers `stdin`, `stdout`, `file` (source and sink) and `generate`.
///
/// ```swift
/// var registry = PluginRegistry()
/// StdioPlugin.register(into: &registry)
/// ```
public enum StdioPlugin {
    public static func register(into registry: inout PluginRegistry) {
        registry.registerSource("stdin", config: StdinConfig.self, doc: "Reads standard input; pausing stops reading.") { config, context in
            StdinSource(config: config, context: context)
        }
        registry.registerSink("stdout", config: StdoutConfig.self, doc: "Writes to standard output.") { config, context in
            StdoutSink(config: config, context: context)
        }
        registry.registerSource("file", config: FileSourceConfig.self, doc: "Reads a file, or follows it across rotation like tail -F.") { config, context in
            FileSource(config: config, context: context)
        }
        registry.registerSink("file", config: FileSinkConfig.self, doc: "Appends to a file with an optional fsync policy.") { config, context in
            FileSink(config: config, context: context)
        }
        registry.registerSource("generate", config: GenerateConfig.self, doc: "Emits templated messages: a count, a rate, forever.") { config, context in
            try GenerateSource(config: config, context: context)
        }
    }
}
