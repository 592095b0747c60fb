/// A binary min-heap of deliveries by due time (milliseconds since the epoch).
///
/// ```swift
/// var heap = RetryHeap()
/// heap.push(delivery, due: now + 5_000)
/// while let d = heap.popDue(now: clock()) { send(d) }
/// ```
struct RetryHeap {
    private var items: [(due: Int64, delivery: WebhookDelivery)] = []

    var count: Int { items.count }
    var isEmpty: Bool { items.isEmpty }
    /// When the earliest delivery is due.
    var nextDue: Int64? { items.first?.due }

    mutating func push(_ delivery: WebhookDelivery, due: Int64) {
        items.append((due, delivery))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].due < items[parent].due else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    /// The earliest delivery if it is due at `now`.
    mutating func popDue(now: Int64) -> WebhookDelivery? {
        guard let first = items.first, first.due <= now else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var smallest = i
                if l < items.count, items[l].due < items[smallest].due { smallest = l }
                if r < items.count, items[r].due < items[smallest].due { smallest = r }
                if smallest == i { break }
                items.swapAt(i, smallest)
                i = smallest
            }
        }
        return first.delivery
    }
}
