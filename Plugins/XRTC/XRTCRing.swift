/// A portal's newest items, at most `capacity` of them: once full, each
/// append overwrites the oldest in place, so a store moves no other item.
/// Iterates oldest first.
///
/// ```swift
/// var ring = XRTCRing<Int>(capacity: 2)
/// ring.append(1); ring.append(2); ring.append(3)
/// Array(ring)  // [2, 3]
/// ring.last    // 3
/// ```
struct XRTCRing<Element>: Sequence {
    private var slots: [Element] = []
    /// Index of the oldest element once `slots` is full.
    private var head = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = Swift.max(1, capacity)
    }

    var count: Int { slots.count }
    var isEmpty: Bool { slots.isEmpty }
    var underestimatedCount: Int { slots.count }

    /// The newest element.
    var last: Element? {
        guard !slots.isEmpty else { return nil }
        return slots[(head + slots.count - 1) % slots.count]
    }

    mutating func append(_ element: Element) {
        if slots.count < capacity {
            slots.append(element)
        } else {
            slots[head] = element
            head = (head + 1) % capacity
        }
    }

    func makeIterator() -> Iterator { Iterator(slots: slots, index: head, left: slots.count) }

    struct Iterator: IteratorProtocol {
        let slots: [Element]
        var index: Int
        var left: Int

        mutating func next() -> Element? {
            guard left > 0 else { return nil }
            let element = slots[index]
            index = index + 1 == slots.count ? 0 : index + 1
            left -= 1
            return element
        }
    }
}
