import Testing
import Ledger
import Engine

/// Events are plain data: the engine copies every event a few times on its way through decide,
/// evolve and the metrics, and a payload with a reference (an array, a `String`) made each copy
/// an outlined value-witness call with reference counting (about 14 % of a launch-frenzy run,
/// until a compressed move's inputs went inline).
struct EventLayoutTests {
    @Test func eventsHoldNoReferences() {
        #expect(_isPOD(Event.self))
        #expect(_isPOD(EventRecord.self))
        #expect(_isPOD(LedgerEvent.self))
        #expect(_isPOD(Transaction.self))
    }

    @Test func compressedInputsKeepOrderAndCompareByLeaves() {
        var a = CompressedInputs()
        for leaf: UInt32 in [7, 3, 9] { a.append(leaf) }
        #expect(Array(a) == [7, 3, 9])
        #expect(a == [7, 3, 9])
        #expect(a != [7, 3])
        #expect(a != [7, 3, 9, 0])
        #expect(CompressedInputs(Array(0..<8)).count == CompressedInputs.capacity)
        #expect(Set([a, CompressedInputs([7, 3, 9])]).count == 1)
    }
}
