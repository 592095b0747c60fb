extension GraphBuilder {
    /// Checks names, switch targets and cycles; warns about unused components.
    func validate(_ graph: inout Graph, _ session: ConfigSession) {
        var used = Set<String>()
        let sourceNames = graph.sources.map(\.name), stageNames = graph.stages.map(\.name), sinkNames = graph.sinks.map(\.name)
        let kindOf = Dictionary((graph.sources + graph.stages + graph.sinks).map { ($0.name, $0.kind) }, uniquingKeysWith: { a, _ in a })

        func check(_ route: RouteDecl, _ field: String, _ names: [String], _ kind: PluginRegistry.Kind, _ candidates: [String]) {
            for (i, name) in names.enumerated() {
                used.insert(name)
                if candidates.contains(name) || graph.failedNames[name] == kind { continue }
                let at = route.nameLocations[field]?[safe: i] ?? route.location
                if let other = kindOf[name] {
                    session.report(ConfigDiagnostic("'\(name)' in '\(field)' of \(route.name) is a \(other.rawValue), not a \(kind.rawValue)", at: at))
                } else {
                    session.report(ConfigDiagnostic("unknown \(kind.rawValue) '\(name)' in '\(field)' of \(route.name)", at: at,
                                                    hint: ConfigDiagnostic.suggestion(for: name, among: candidates + graph.failedNames.filter { $0.value == kind }.map(\.key),
                                                                                      listName: "declared \(kind.rawValue)s")))
                }
            }
        }

        for route in graph.routes {
            let c = route.config
            if c.from.isEmpty { session.report(ConfigDiagnostic("\(route.name) has an empty 'from'", at: route.location)) }
            if c.to.isEmpty { session.report(ConfigDiagnostic("\(route.name) has an empty 'to'", at: route.location)) }
            check(route, "from", c.from, .source, sourceNames)
            check(route, "via", c.via, .stage, stageNames)
            check(route, "to", c.to, .sink, sinkNames)
            if let errors = c.errors { check(route, "errors", [errors], .sink, sinkNames) }
            for (field, names) in [("from", c.from), ("to", c.to)] {
                var seen = Set<String>()
                for name in names where !seen.insert(name).inserted {
                    session.report(ConfigDiagnostic("'\(name)' appears twice in '\(field)' of \(route.name)", at: route.location))
                }
            }
            for (i, stageName) in c.via.enumerated() {
                guard let stage = graph.stage(stageName), let routing = stage.config as? any RoutingStageConfig else { continue }
                for target in routing.routeTargets where !c.to.contains(target) {
                    session.report(ConfigDiagnostic("switch '\(stageName)' sends to '\(target)', which is not in 'to' of \(route.name)",
                                                    at: route.nameLocations["via"]?[safe: i] ?? route.location,
                                                    hint: "add '\(target)' to the route's 'to'"))
                }
            }
        }
        checkCycles(graph, session)
        for decl in graph.sources + graph.stages + graph.sinks where !used.contains(decl.name) {
            session.report(ConfigDiagnostic("\(decl.kind.rawValue) '\(decl.name)' is not used by any route", at: decl.location, severity: .warning))
        }
    }

    /// A sink that writes what a source reads (same loopback key) closes a loop; routes through it must not cycle.
    private func checkCycles(_ graph: Graph, _ session: ConfigSession) {
        var next: [String: [String]] = [:]
        for route in graph.routes {
            for s in route.config.from { next[s, default: []] += route.config.to.map { "sink:" + $0 } }
        }
        func loopbackKey(_ decl: ComponentDecl) -> String? {
            (decl.config as? any LoopbackResource)?.loopbackKey(relativeTo: graph.baseDirectory)
        }
        for sink in graph.sinks {
            guard let key = loopbackKey(sink) else { continue }
            for source in graph.sources where loopbackKey(source) == key {
                next["sink:" + sink.name, default: []].append(source.name)
            }
        }
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var stack: [String] = []
        var reported = false
        func visit(_ node: String) {
            guard !reported else { return }
            state[node] = 1
            stack.append(node)
            for n in next[node] ?? [] {
                if state[n] == 1 {
                    let cycle = stack[stack.lastIndex(of: n)!...] + [n]
                    let names = cycle.map { $0.hasPrefix("sink:") ? String($0.dropFirst(5)) : $0 }
                    let at = graph.source(names[0])?.location ?? graph.sink(names[0])?.location
                    session.report(ConfigDiagnostic("routes form a cycle: " + names.joined(separator: " → "), at: at,
                                                    hint: "a sink writes what a source of the same routes reads"))
                    reported = true
                    return
                } else if state[n] == nil {
                    visit(n)
                }
            }
            stack.removeLast()
            state[node] = 2
        }
        for source in graph.sources where state[source.name] == nil { visit(source.name) }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
