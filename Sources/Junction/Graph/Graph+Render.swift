extension Graph {
    private struct Edge: Hashable {
        let from: String
        let to: String
        let label: String
    }

    /// Nodes and edges of the drawing: source → stage… → sink for each route.
    /// Edges into sinks carry the route's `when_full` when it is not `block`.
    private func drawing() -> [Edge] {
        var edges: [Edge] = []
        for route in routes {
            let c = route.config
            let policy = c.whenFull == .block ? "" : c.whenFull.rawValue
            let stageNodes = c.via.enumerated().map { "\(route.name).\($0.offset).\($0.element)" }
            let sinks = c.to.map { ("sink:" + $0, policy) } + (c.errors.map { [("sink:" + $0, "errors")] } ?? [])
            if let first = stageNodes.first, let last = stageNodes.last {
                edges += c.from.map { Edge(from: "source:" + $0, to: first, label: "") }
                edges += zip(stageNodes, stageNodes.dropFirst()).map { Edge(from: $0, to: $1, label: "") }
                edges += sinks.map { Edge(from: last, to: $0.0, label: $0.1) }
            } else {
                for source in c.from { edges += c.to.map { Edge(from: "source:" + source, to: "sink:" + $0, label: policy) } }
            }
        }
        return edges
    }

    private func label(_ node: String) -> String {
        if node.hasPrefix("source:") { return String(node.dropFirst(7)) }
        if node.hasPrefix("sink:") { return String(node.dropFirst(5)) }
        return String(node.split(separator: ".", maxSplits: 2).last ?? "")
    }

    private func typeName(_ node: String) -> String {
        if node.hasPrefix("source:") { return source(label(node))?.type.name ?? "" }
        if node.hasPrefix("sink:") { return sink(label(node))?.type.name ?? "" }
        return stage(label(node))?.type.name ?? ""
    }

    private func nodes(_ edges: [Edge]) -> [String] {
        var seen = Set<String>()
        return edges.flatMap { [$0.from, $0.to] }.filter { seen.insert($0).inserted }
    }

    /// Graphviz DOT: sources as boxes on the left, stages as ellipses, sinks as boxes on the right.
    public func dot() -> String {
        let edges = drawing()
        var ids: [String: String] = [:]
        var out = "digraph junction {\n  rankdir=LR;\n"
        for (i, node) in nodes(edges).enumerated() {
            ids[node] = "n\(i)"
            let shape = node.hasPrefix("source:") ? "box" : node.hasPrefix("sink:") ? "box3d" : "ellipse"
            out += "  n\(i) [label=\"\(label(node))\\n(\(typeName(node)))\", shape=\(shape)];\n"
        }
        for e in edges {
            out += "  \(ids[e.from]!) -> \(ids[e.to]!)" + (e.label.isEmpty ? "" : " [label=\"\(e.label)\"]") + ";\n"
        }
        return out + "}\n"
    }

    /// Mermaid flowchart, left to right.
    public func mermaid() -> String {
        let edges = drawing()
        var ids: [String: String] = [:]
        var out = "flowchart LR\n"
        for (i, node) in nodes(edges).enumerated() {
            ids[node] = "n\(i)"
            let text = "\(label(node)) (\(typeName(node)))"
            out += node.hasPrefix("source:") ? "  n\(i)[/\"\(text)\"/]\n" : node.hasPrefix("sink:") ? "  n\(i)[\\\"\(text)\"\\]\n" : "  n\(i)(\"\(text)\")\n"
        }
        for e in edges {
            out += "  \(ids[e.from]!) -->" + (e.label.isEmpty ? "" : "|\(e.label)|") + " \(ids[e.to]!)\n"
        }
        return out
    }
}

extension PluginRegistry {
    /// The reference text of `junction plugins`: every type and its fields, from the config declarations.
    public func reference() -> String {
        var out = ""
        for kind in Kind.allCases {
            out += "\(kind.rawValue.uppercased())S\n"
            for type in types(of: kind) {
                out += "  \(type.name) — \(type.doc)\n"
                for f in type.fields {
                    out += "    \(f.key): \(f.type) = \(f.defaultValue)\n      \(f.doc)\n"
                }
            }
            out += "\n"
        }
        if !sectionList.isEmpty {
            out += "SECTIONS\n"
            for s in sectionList {
                out += "  \(s.key) — \(s.doc)\n"
                for f in s.fields {
                    out += "    \(f.key): \(f.type) = \(f.defaultValue)\n      \(f.doc)\n"
                }
            }
        }
        return out
    }
}
