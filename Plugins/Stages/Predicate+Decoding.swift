import Junction
import JunctionJSON

extension Predicate: Decodable {
    /// Keys that compare a field.
    static let operators = ["equals", "not_equals", "in", "exists", "regex", "gt", "gte", "lt", "lte"]
    /// Keys that combine predicates; each stands alone in its mapping.
    static let combinators = ["all", "any", "not"]
    private static let example = "write {field: level, equals: alert}, or combine with {all: [...]}, {any: [...]} or {not: {...}}"

    /// Decodes `{field: f, <operator>: value}` or `{all|any: [predicates]}` or
    /// `{not: predicate}`, with file:line:column on every mistake.
    public init(from decoder: any Decoder) throws {
        let location = decoder.configLocation
        guard let container = try? decoder.container(keyedBy: ConfigKey.self) else {
            throw ConfigDiagnostic("expected a predicate mapping", at: location, hint: Self.example)
        }
        func at(_ key: ConfigKey) -> ConfigLocation? { (try? container.superDecoder(forKey: key))?.configLocation ?? location }

        let keys = container.allKeys
        let names = keys.map(\.stringValue)
        let known = ["field"] + Self.operators + Self.combinators
        for key in keys where !known.contains(key.stringValue) {
            throw ConfigDiagnostic(
                "unknown predicate key '\(key.stringValue)'", at: at(key),
                hint: ConfigDiagnostic.suggestion(for: key.stringValue, among: known, listName: "known keys")
            )
        }

        if let combinator = names.first(where: { Self.combinators.contains($0) }) {
            guard names.count == 1 else {
                throw ConfigDiagnostic(
                    "'\(combinator)' must be the only key of its predicate (found \(names.joined(separator: ", ")))", at: location,
                    hint: "nest the other conditions inside it, e.g. {all: [{field: a, equals: 1}, {field: b, exists: true}]}"
                )
            }
            let key = ConfigKey(combinator)
            if combinator == "not" {
                self = .not(try container.decode(Predicate.self, forKey: key))
                return
            }
            let list = try container.decode([Predicate].self, forKey: key)
            guard !list.isEmpty else {
                throw ConfigDiagnostic("'\(combinator)' needs at least one predicate", at: at(key), hint: Self.example)
            }
            self = combinator == "all" ? .all(list) : .any(list)
            return
        }

        let fieldKey = ConfigKey("field")
        guard container.contains(fieldKey) else {
            throw ConfigDiagnostic("predicate has no 'field'", at: location, hint: Self.example)
        }
        let field = try container.decode(String.self, forKey: fieldKey)
        let path = JSONPath(field)
        if path.isRoot || path.hasEmptyComponent {
            throw ConfigDiagnostic("invalid field path '\(field)'", at: at(fieldKey), hint: "use dotted keys such as 'level' or 'user.name'")
        }
        let ops = keys.filter { $0.stringValue != "field" }
        guard !ops.isEmpty else {
            throw ConfigDiagnostic("predicate on '\(field)' has no operator", at: location, hint: "add one of: \(Self.operators.joined(separator: ", "))")
        }
        var tests: [Predicate] = []
        for key in ops {
            let comparison: Comparison
            switch key.stringValue {
            case "equals": comparison = .equals(try container.decode(ScalarLiteral.self, forKey: key))
            case "not_equals": comparison = .notEquals(try container.decode(ScalarLiteral.self, forKey: key))
            case "in":
                let list = try container.decode([ScalarLiteral].self, forKey: key)
                guard !list.isEmpty else { throw ConfigDiagnostic("'in' needs at least one value", at: at(key)) }
                comparison = .oneOf(list)
            case "exists": comparison = .exists(try container.decode(Bool.self, forKey: key))
            case "regex":
                let pattern = try container.decode(String.self, forKey: key)
                do {
                    _ = try PredicateSet.regex(pattern)
                } catch var d as ConfigDiagnostic {
                    d.location = at(key)
                    throw d
                }
                comparison = .matches(pattern)
            case "gt": comparison = .greaterThan(try container.decode(Double.self, forKey: key))
            case "gte": comparison = .atLeast(try container.decode(Double.self, forKey: key))
            case "lt": comparison = .lessThan(try container.decode(Double.self, forKey: key))
            default: comparison = .atMost(try container.decode(Double.self, forKey: key))
            }
            tests.append(.test(field: field, comparison))
        }
        self = tests.count == 1 ? tests[0] : .all(tests)
    }
}
