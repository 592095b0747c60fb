import Junction
import JunctionJSON

/// Edits JSON payloads (rename, set, delete, keep, in that order) and/or
/// renders them through a template.
///
/// Output payloads are text: compact JSON after edits, or the rendered
/// template. A payload that is not valid JSON is rejected when JSON edits
/// are configured; with only a template, its field references render empty.
/// An edit that cannot apply (setting a field inside a string) rejects the
/// message with the reason.
public final class TransformStage: Stage {
    private enum SetAction {
        case constant(JSONDocument)
        case copy(JSONPath)
        case render(Template)
    }

    private let renames: [(JSONPath, JSONPath)]
    private let sets: [(JSONPath, SetAction)]
    private let deletes: [JSONPath]
    private let keep: [JSONPath]?
    private let template: Template?
    private let hasEdits: Bool
    private let needsDocument: Bool

    /// Compiles the edits and templates.
    /// - Throws: `ConfigDiagnostic` for a bad template.
    public init(config: TransformConfig, context: ComponentContext) throws {
        renames = config.rename.entries.map { (JSONPath($0.key), JSONPath($0.value)) }
        sets = try config.set.entries.map { entry -> (JSONPath, SetAction) in
            let path = JSONPath(entry.key)
            let value = entry.value
            if case .string = value.jsonScalar {
                let t = try Template(value.text)
                if let source = t.singleField { return (path, .copy(source)) }
                if t.hasReferences { return (path, .render(t)) }
            }
            return (path, .constant(JSONDocument(value.jsonScalar)))
        }
        deletes = config.delete.map(JSONPath.init)
        keep = config.keep.map { $0.map(JSONPath.init) }
        template = try config.template.map(Template.init)
        hasEdits = config.hasEdits
        needsDocument = config.hasEdits || (template?.usesFields ?? false)
    }

    public func process(_ message: Message, into output: inout StageOutput) {
        var document: JSONDocument?
        if needsDocument {
            do {
                document = try JSONDocument(parsing: message.payload)
            } catch {
                if hasEdits {
                    output.reject(message, reason: error.message)
                    return
                }
            }
        }
        if let document {
            do {
                try edit(document, metadata: message.metadata)
            } catch {
                output.reject(message, reason: error.message)
                return
            }
        }
        var m = message
        if let template {
            var text: [UInt8] = []
            template.render(document: document, metadata: message.metadata, payload: document == nil ? message.payload : [], into: &text)
            m.payload = text
            m.kind = .text
        } else if hasEdits, let document {
            m.payload = document.serialized()
            m.kind = .text
        }
        output.emit(m)
    }

    private func edit(_ doc: JSONDocument, metadata: [String: String]) throws(JSONError) {
        for (from, to) in renames { try doc.rename(from, to: to) }
        for (path, action) in sets {
            switch action {
            case let .constant(value):
                try doc.set(path, to: value)
            case let .copy(source):
                if let value = doc.value(at: source) { try doc.set(path, to: value) }
            case let .render(t):
                var text: [UInt8] = []
                t.render(document: doc, metadata: metadata, into: &text)
                try doc.set(path, to: .string(String(decoding: text, as: UTF8.self)))
            }
        }
        for path in deletes { doc.remove(path) }
        if let keep { doc.keep(only: keep) }
    }
}
