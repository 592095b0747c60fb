import Testing
@testable import XRTCPlugin

@Suite("XRTC ring")
struct XRTCRingTests {
    @Test("Keeps the newest items, oldest first, through many wrap-arounds")
    func keepsNewest() {
        for capacity in [1, 3, 10] {
            var ring = XRTCRing<Int>(capacity: capacity)
            #expect(ring.isEmpty && ring.last == nil && Array(ring).isEmpty)
            for n in 1...(capacity * 5 + 2) {
                ring.append(n)
                let expected = Array(max(1, n - capacity + 1)...n)
                #expect(Array(ring) == expected, "capacity \(capacity) after \(n)")
                #expect(ring.count == expected.count)
                #expect(ring.last == n)
            }
        }
    }
}
