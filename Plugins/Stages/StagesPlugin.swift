import Junction

/// The in-tree stages: `jq`, `filter`, `switch`, `transform`, `rate_limit`,
/// `batch`, `split` and `dedupe`.
///
/// ```swift
/// var registry = PluginRegistry()
/// StagesPlugin.register(into: &registry)
/// ```
public enum StagesPlugin {
    /// Adds every stage type to `registry`.
    public static func register(into registry: inout PluginRegistry) {
        registry.registerStage("jq", config: JQConfig.self, doc: "Runs a jq program (libjq) on each JSON message; each output becomes a message, failures are rejected with jq's message.") { config, context in
            try JQStage(config: config, context: context)
        }
        registry.registerStage("filter", config: FilterConfig.self, doc: "Passes messages whose JSON fields meet a predicate, read natively with simdjson; invalid JSON is rejected.") { config, context in
            try FilterStage(config: config, context: context)
        }
        registry.registerStage("switch", config: SwitchConfig.self, doc: "Sends each message to the sinks of the first (or every) case whose predicate matches, else to default, else drops it.") { config, context in
            try SwitchStage(config: config, context: context)
        }
        registry.registerStage("transform", config: TransformConfig.self, doc: "Renames, sets, deletes and keeps JSON fields (in that order), or renders the payload from a {{field}}/{{meta.key}} template.") { config, context in
            try TransformStage(config: config, context: context)
        }
        registry.registerStage("rate_limit", config: RateLimitConfig.self, doc: "Delays messages to count per interval (token bucket with burst); never drops, holds messages and pauses its input instead.") { config, context in
            RateLimitStage(config: config, context: context)
        }
        registry.registerStage("batch", config: BatchConfig.self, doc: "Joins messages into one as lines or a JSON array, by count, bytes or period; adds batch_count metadata.") { config, context in
            BatchStage(config: config, context: context)
        }
        registry.registerStage("split", config: SplitConfig.self, doc: "Splits a message into one per line or one per JSON array element (the reverse of batch).") { config, context in
            try SplitStage(config: config, context: context)
        }
        registry.registerStage("dedupe", config: DedupeConfig.self, doc: "Drops messages whose key (a field, or the whole payload) passed within the window; remembers at most max_keys 64-bit hashes.") { config, context in
            try DedupeStage(config: config, context: context)
        }
    }
}
