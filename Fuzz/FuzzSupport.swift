// Shared by every fuzz target (scripts/fuzz.sh compiles it into each one).

/// A broken invariant: trap with the reason (`precondition` drops its message at -O).
func expect(_ holds: Bool, _ what: @autoclosure () -> String) {
    if !holds { fatalError(what()) }
}
