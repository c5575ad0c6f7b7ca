/// The ids of one register file as it is read, in one byte buffer (about 24 bytes an id instead
/// of a dictionary entry's hundred): enough to find its duplicate ids once the file is read, and
/// to keep the ids that later files refer to as a `SortedIds`.
struct FileIds {
    private var bytes: [UInt8] = []
    /// Where each id ends in `bytes`; it starts where the one before ends.
    private var ends: [UInt32] = []
    private var lines: [UInt32] = []
    /// For each id, how many diagnostics there were when its row's duplicate check ran: a
    /// duplicate's diagnostic goes there, where the row-by-row check used to put it.
    private var positions: [UInt32] = []
    /// True while every id is after the one before in byte order, as a register written in id
    /// order has them: then there is no duplicate, and the bytes are already a `SortedIds`.
    private var increasing = true

    var count: Int { ends.count }

    mutating func append(_ id: String, line: Int, position: Int) {
        let start = bytes.count
        bytes.append(contentsOf: id.utf8)
        if increasing, !ends.isEmpty {
            increasing = bytes[range(ends.count - 1)].lexicographicallyPrecedes(bytes[start...])
        }
        ends.append(UInt32(bytes.count))
        lines.append(UInt32(line))
        positions.append(UInt32(position))
    }

    private func range(_ i: Int) -> Range<Int> { (i == 0 ? 0 : Int(ends[i - 1]))..<Int(ends[i]) }

    private func id(_ i: Int) -> String { String(decoding: bytes[range(i)], as: UTF8.self) }

    /// Byte order of the ids at `i` and `j`, then file order.
    private func precedes(_ i: Int, _ j: Int) -> Bool {
        let a = range(i), b = range(j)
        let n = min(a.count, b.count)
        for k in 0..<n where bytes[a.lowerBound + k] != bytes[b.lowerBound + k] {
            return bytes[a.lowerBound + k] < bytes[b.lowerBound + k]
        }
        if a.count != b.count { return a.count < b.count }
        return i < j
    }

    /// The indices in id order (equal ids in file order); registers are usually written in id
    /// order, which is checked first.
    private func order() -> [Int] {
        let indices = Array(0..<count)
        var sorted = true
        for i in indices.dropFirst() where !precedes(i - 1, i) {
            sorted = false
            break
        }
        return sorted ? indices : indices.sorted(by: precedes)
    }

    /// Every id seen before on an earlier line of the file, in file order: (the id, its line,
    /// the line it was first on, the diagnostics position of its row's check).
    func duplicates(in sortedOrder: [Int]) -> [(id: String, line: Int, first: Int, position: Int)] {
        var found: [(index: Int, first: Int)] = []
        var start = 0
        while start < sortedOrder.count {
            var end = start + 1
            while end < sortedOrder.count, bytes[range(sortedOrder[end])].elementsEqual(bytes[range(sortedOrder[start])]) { end += 1 }
            for k in (start + 1)..<end { found.append((sortedOrder[k], Int(lines[sortedOrder[start]]))) }
            start = end
        }
        return found.sorted { $0.index < $1.index }.map { (id($0.index), Int(lines[$0.index]), $0.first, Int(positions[$0.index])) }
    }

    /// Finishes the file: its duplicate ids, and (when `keep`) its ids for later lookups.
    consuming func finish(keep: Bool) -> (duplicates: [(id: String, line: Int, first: Int, position: Int)], ids: SortedIds?) {
        // In id order already: the ids are kept as they are, not sorted into a second copy.
        if increasing { return ([], keep ? SortedIds(bytes: bytes, ends: ends) : nil) }
        let sortedOrder = order()
        let duplicates = duplicates(in: sortedOrder)
        guard keep else { return (duplicates, nil) }
        var sortedBytes: [UInt8] = []
        sortedBytes.reserveCapacity(bytes.count)
        var sortedEnds: [UInt32] = []
        sortedEnds.reserveCapacity(count)
        var previous: Range<Int>?
        for i in sortedOrder {
            let r = range(i)
            if let previous, bytes[previous].elementsEqual(bytes[r]) { continue }
            sortedBytes.append(contentsOf: bytes[r])
            sortedEnds.append(UInt32(sortedBytes.count))
            previous = r
        }
        return (duplicates, SortedIds(bytes: sortedBytes, ends: sortedEnds))
    }
}

/// A file's distinct ids in byte order, for the references of the files read after it.
struct SortedIds {
    let bytes: [UInt8]
    let ends: [UInt32]

    func contains(_ id: String) -> Bool {
        var id = id
        return id.withUTF8 { key in
            var low = 0, high = ends.count
            while low < high {
                let mid = (low + high) / 2
                let start = mid == 0 ? 0 : Int(ends[mid - 1]), end = Int(ends[mid])
                let order = bytes.withUnsafeBufferPointer { Self.compare(UnsafeBufferPointer(rebasing: $0[start..<end]), key) }
                if order == 0 { return true }
                if order < 0 { low = mid + 1 } else { high = mid }
            }
            return false
        }
    }

    private static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let n = min(a.count, b.count)
        for k in 0..<n where a[k] != b[k] { return a[k] < b[k] ? -1 : 1 }
        return a.count == b.count ? 0 : a.count < b.count ? -1 : 1
    }
}
