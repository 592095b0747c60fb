import Junction
import JunctionJSON

/// `{type: transform, rename: {old: new}, set: {path: value}, delete: [paths], keep: [paths], template: "…"}`
///
/// Applied in that order. Paths are dotted (`a.b.c`).
public struct TransformConfig: ComponentConfig {
    /// Fields to move: `{old.path: new.path}`, in order.
    public var rename = ConfigMap<String>()
    /// Fields to set: `{path: scalar}`; strings may hold `{{path}}`/`{{meta.key}}`.
    public var set = ConfigMap<ScalarLiteral>()
    /// Fields to remove.
    public var delete: [String] = []
    /// When given, only these fields are kept.
    public var keep: [String]?
    /// Renders the whole output payload as text.
    public var template: String?

    public init() {}

    public static let fields: [ConfigField<TransformConfig>] = [
        .field("rename", \.rename, "Fields to move, {old: new}; within one object the key keeps its place."),
        .field("set", \.set, "Fields to set, {path: value}; null, true/false and numbers are typed, strings may hold {{path}} and {{meta.key}}; exactly '{{path}}' copies the value with its type (nothing when missing)."),
        .field("delete", \.delete, "Fields to remove."),
        .field("keep", \.keep, "Keep only these fields (in the document's order)."),
        .field("template", \.template, "Render the output payload as text from {{path}}, {{meta.key}} and {{.}}; a missing field renders empty."),
    ]

    /// True when any JSON edit is configured.
    public var hasEdits: Bool { !rename.isEmpty || !set.isEmpty || !delete.isEmpty || keep != nil }

    public func validate() throws {
        for path in rename.entries.flatMap({ [$0.key, $0.value] }) + set.entries.map(\.key) + delete + (keep ?? []) {
            let p = JSONPath(path)
            if p.isRoot || p.hasEmptyComponent {
                throw ConfigDiagnostic("invalid field path '\(path)'", hint: "use dotted keys such as 'level' or 'user.name'")
            }
        }
        for entry in set.entries where !entry.value.isNull { _ = try Template(entry.value.text) }
        if let template { _ = try Template(template) }
        if !hasEdits, template == nil {
            throw ConfigDiagnostic("transform does nothing", hint: "give rename, set, delete, keep or template")
        }
    }
}
