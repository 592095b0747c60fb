import Foundation
import Yams

/// The variables `${VAR}` and `${VAR:-default}` expand from: the process
/// environment, filled in by an optional env file (the process wins, as with dotenv).
///
/// ```swift
/// var env = ConfigEnvironment.process()
/// try env.load(envFile: ".env")
/// ```
public struct ConfigEnvironment: Sendable {
    public var variables: [String: String]

    public init(_ variables: [String: String] = [:]) { self.variables = variables }

    /// The current process environment.
    public static func process() -> ConfigEnvironment { ConfigEnvironment(ProcessInfo.processInfo.environment) }

    /// Adds the `KEY=VALUE` lines of an env file for keys not already set.
    public mutating func load(envFile path: String) throws {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigDiagnostic("cannot read env file '\(path)': \(error.localizedDescription)")
        }
        for (key, value) in try Self.parseEnvFile(text, file: path) where variables[key] == nil {
            variables[key] = value
        }
    }

    /// Parses dotenv text: `KEY=VALUE`, `export KEY=VALUE`, `# comments`, single or double quotes.
    public static func parseEnvFile(_ text: String, file: String = ".env") throws -> [(String, String)] {
        var result: [(String, String)] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasSuffix("\r") { line.removeLast() }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            guard let eq = line.firstIndex(of: "=") else {
                throw ConfigDiagnostic("expected KEY=VALUE", at: ConfigLocation(file: file, line: index + 1, column: 1))
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let q = value.first, q == "\"" || q == "'", value.last == q {
                value = String(value.dropFirst().dropLast())
                if q == "\"" {
                    value = value.replacingOccurrences(of: "\\n", with: "\n").replacingOccurrences(of: "\\\"", with: "\"")
                }
            } else if let hash = value.range(of: " #") {
                value = value[..<hash.lowerBound].trimmingCharacters(in: .whitespaces)
            }
            result.append((key, value))
        }
        return result
    }

    /// Expands `${VAR}`, `${VAR:-default}` and `$${` (a literal `${`) in one string.
    /// Throws a message naming the first unset variable without a default.
    public func expand(_ text: String) throws -> String {
        guard text.contains("${") else { return text }
        var out = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            if start.lowerBound > rest.startIndex, rest[rest.index(before: start.lowerBound)] == "$" {
                out += rest[..<rest.index(before: start.lowerBound)] + "${"
                rest = rest[start.upperBound...]
                continue
            }
            out += rest[..<start.lowerBound]
            guard let close = rest[start.upperBound...].firstIndex(of: "}") else {
                throw ConfigDiagnostic("unterminated '${' in '\(text)'")
            }
            let body = rest[start.upperBound..<close]
            if let sep = body.range(of: ":-") {
                let name = String(body[..<sep.lowerBound])
                let value = variables[name] ?? ""
                out += value.isEmpty ? String(body[sep.upperBound...]) : value
            } else {
                let name = String(body)
                guard let value = variables[name] else {
                    throw ConfigDiagnostic("environment variable '\(name)' is not set", hint: "set it, or give a default with ${\(name):-default}")
                }
                out += value
            }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// Expands every scalar of a YAML tree, recording errors with their locations.
    func expand(_ node: Node, session: ConfigSession) -> Node {
        switch node {
        case var .scalar(s):
            do { s.string = try expand(s.string) } catch { session.report(error, at: node) }
            return .scalar(s)
        case var .mapping(m):
            m = Node.Mapping(m.map { ($0.0, expand($0.1, session: session)) }, m.tag, m.style, m.mark)
            return .mapping(m)
        case var .sequence(q):
            q = Node.Sequence(q.map { expand($0, session: session) }, q.tag, q.style, q.mark)
            return .sequence(q)
        case .alias:
            return node
        }
    }
}
