import Testing
@testable import Junction

@Suite struct FIFOTests {
    @Test func firstInFirstOutAcrossCompactions() {
        var q = FIFO<Int>()
        var next = 0
        for round in 0..<5 {
            for i in 0..<3000 { q.append(round * 3000 + i) }
            while q.count > 1000 { #expect(q.popFirst() == next); next += 1 }
        }
        #expect(q.first == next)
        while let v = q.popFirst() { #expect(v == next); next += 1 }
        #expect(next == 15_000 && q.isEmpty && q.popFirst() == nil)
    }

    @Test func poppedElementsAreReleased() {
        final class Box {}
        var q = FIFO<Box>()
        weak var weakBox: Box?
        do {
            let b = Box()
            weakBox = b
            q.append(b)
            q.append(Box())
        }
        _ = q.popFirst()
        #expect(weakBox == nil)
        #expect(q.count == 1)
    }
}
