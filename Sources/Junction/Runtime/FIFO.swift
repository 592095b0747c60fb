/// A first-in, first-out queue: an array with a moving head, compacted as it
/// drains. Popped elements are released at once.
///
/// ```swift
/// var q = FIFO<Int>()
/// q.append(1); q.append(2)
/// q.popFirst()  // 1
/// ```
public struct FIFO<Element> {
    private var items: [Element?] = []
    private var head = 0

    public init() {}

    public var count: Int { items.count - head }
    public var isEmpty: Bool { head == items.count }
    /// The oldest element, without removing it.
    public var first: Element? { isEmpty ? nil : items[head] }

    public mutating func append(_ element: Element) { items.append(element) }

    /// Removes and returns the oldest element.
    public mutating func popFirst() -> Element? {
        guard !isEmpty else { return nil }
        let element = items[head]
        items[head] = nil
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1024, head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return element
    }

    /// Slots held by the storage, popped ones included (tests check that it stays bounded).
    var storageCount: Int { items.count }

    public mutating func removeAll() {
        items.removeAll(keepingCapacity: true)
        head = 0
    }
}
