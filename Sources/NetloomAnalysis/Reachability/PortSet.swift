import NetloomModel

/// A set of ports as sorted, disjoint, non-adjacent closed ranges. The fast analyzer works on
/// whole sets of ports at once, so that "any port" questions and first-match network ACL
/// evaluation never enumerate ports one by one.
struct PortSet: Sendable, Hashable, CustomStringConvertible {
    private(set) var ranges: [ClosedRange<Int>]

    static let empty = PortSet(ranges: [])
    static let all = PortSet(0...65535)

    init(_ range: ClosedRange<Int>) { ranges = [range] }
    init(_ range: PortRange) { ranges = [range.lower...range.upper] }
    private init(ranges: [ClosedRange<Int>]) { self.ranges = ranges }

    var isEmpty: Bool { ranges.isEmpty }
    var first: Int? { ranges.first?.lowerBound }

    func contains(_ port: Int) -> Bool { ranges.contains { $0.contains(port) } }

    var isAll: Bool { ranges.count == 1 && ranges[0].lowerBound == 0 && ranges[0].upperBound == 65535 }

    func intersection(_ other: PortSet) -> PortSet {
        // Most filters allow everything (default ACLs, "all" rules): skip the merge.
        if other.isAll || isEmpty { return self }
        if isAll || other.isEmpty { return other }
        var result: [ClosedRange<Int>] = []
        var left = 0, right = 0
        while left < ranges.count, right < other.ranges.count {
            let a = ranges[left], b = other.ranges[right]
            let low = max(a.lowerBound, b.lowerBound), high = min(a.upperBound, b.upperBound)
            if low <= high { result.append(low...high) }
            if a.upperBound < b.upperBound { left += 1 } else { right += 1 }
        }
        return PortSet(ranges: result)
    }

    func union(_ other: PortSet) -> PortSet {
        if other.isEmpty || isAll { return self }
        if isEmpty || other.isAll { return other }
        let sorted = (ranges + other.ranges).sorted { $0.lowerBound < $1.lowerBound }
        var result: [ClosedRange<Int>] = []
        for range in sorted {
            if let last = result.last, range.lowerBound <= last.upperBound + 1 {
                result[result.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                result.append(range)
            }
        }
        return PortSet(ranges: result)
    }

    func subtracting(_ other: PortSet) -> PortSet {
        var result: [ClosedRange<Int>] = []
        for range in ranges {
            var pieces = [range]
            for cut in other.ranges where cut.overlaps(range) {
                pieces = pieces.flatMap { piece -> [ClosedRange<Int>] in
                    guard piece.overlaps(cut) else { return [piece] }
                    var kept: [ClosedRange<Int>] = []
                    if piece.lowerBound < cut.lowerBound { kept.append(piece.lowerBound...(cut.lowerBound - 1)) }
                    if piece.upperBound > cut.upperBound { kept.append((cut.upperBound + 1)...piece.upperBound) }
                    return kept
                }
            }
            result += pieces
        }
        return PortSet(ranges: result)
    }

    var description: String {
        ranges.isEmpty ? "none" : ranges.map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: ",")
    }
}
