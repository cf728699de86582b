import Testing
import SimCore
@testable import Engine

/// The order agents act in within a slot: the radix sort of their indices gives what a
/// comparison sort gives, for every size and range (small lists, indices past 2^16 and 2^24).
struct RadixSortTests {
    @Test func sortsAsTheStandardLibraryDoes() {
        var rng = SimRandom(seed: 15)
        var scratch: [UInt32] = []
        for size in [0, 1, 2, 15, 16, 17, 100, 1_000, 5_000] {
            for bound: UInt64 in [10, 300, 70_000, 20_000_000, UInt64(UInt32.max)] {
                // Distinct indices, as a slot's due agents are.
                var seen = Set<UInt32>()
                while seen.count < min(size, Int(bound)) { seen.insert(UInt32(rng.uniform(below: bound))) }
                var a = Array(seen)
                let expected = a.sorted()
                RadixSort.sort(&a, scratch: &scratch)
                #expect(a == expected, "size \(size), bound \(bound)")
            }
        }
    }
}
