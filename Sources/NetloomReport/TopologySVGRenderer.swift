import NetloomModel
import NetloomSpec

/// Draws a `TopologyDiagram` as inline SVG: the VPC with one column per AZ, subnets stacked by
/// tier (a subnet set lines up across the AZs), what sits in each subnet, the internet gateway
/// and load balancers above, the gateway and interface endpoints below, and the routes out as
/// arrows running in each column's left gutter.
///
/// Every drawn element that stands for something in the stack carries `data-address` and a
/// `<title>` with its properties, and is focusable, so hover and keyboard both reveal it.
public struct TopologySVGRenderer: Sendable {
    /// Items listed in one subnet before the rest are summed up as "+N more": keeps a subnet
    /// of a 500-instance stack as tall as one of a 5-instance stack.
    public var maximumItemsPerSubnet = 8

    public init() {}

    static let margin = 20.0
    static let columnWidth = 280.0
    /// Left of each column: three lanes for the route arrows (internet gateway, NAT, endpoints).
    static let gutter = 40.0
    static let lanes = (internet: 10.0, nat: 20.0, endpoint: 30.0)
    static let tierHeader = 22.0
    static let subnetHeader = 40.0
    static let itemHeight = 20.0
    static let boxGap = 12.0

    struct Row: Hashable {
        var tier: SubnetTier
        var subnet: String
    }

    public func render(_ diagram: TopologyDiagram) -> String {
        let azCount = max(diagram.azs.count, 1)
        // The VPC's box runs 12 past the last column so the column's own dashed box stays inside,
        // and is at least as wide as its title (about 8 px per character of the 14 px bold title).
        let vpcTitle = "\(diagram.stack) · \(diagram.region) · \(diagram.vpc.label)"
        let columnsWidth = max(Double(azCount) * (Self.columnWidth + Self.gutter) + 12, 150 + Double(vpcTitle.count) * 8 + 12)
        var body = ""
        var edges = ""

        // Rows: each subnet set once per tier, in the order the AZs list them; the row is as
        // tall as the set's fullest subnet.
        var rows: [Row] = []
        var rowHeights: [Row: Double] = [:]
        for az in diagram.azs {
            for group in az.tiers {
                for box in group.subnets {
                    let row = Row(tier: box.tier, subnet: box.key.subnet)
                    if rowHeights[row] == nil { rows.append(row) }
                    rowHeights[row] = max(rowHeights[row] ?? 0, boxHeight(box))
                }
            }
        }
        // Tiers top to bottom: public, private, isolated (a stable regrouping, not a sort).
        rows = SubnetTier.allCases.flatMap { tier in rows.filter { $0.tier == tier } }

        // Load balancers sit in rows right of the internet, wrapping when the picture is full.
        let width = Self.margin * 2 + max(columnsWidth, 700)
        var lbPlaces: [(x: Double, y: Double)] = []
        var placeX = Self.margin + 158, placeY = Self.margin, rowHeight = 36.0
        for balancer in diagram.loadBalancers {
            if placeX + lbWidth(balancer) > width - Self.margin, placeX > Self.margin + 158 {
                placeX = Self.margin + 158
                placeY += rowHeight + 12
                rowHeight = 36
            }
            lbPlaces.append((placeX, placeY))
            rowHeight = max(rowHeight, lbHeight(balancer))
            placeX += lbWidth(balancer) + 16
        }
        let vpcTop = placeY + rowHeight + 50

        // Vertical positions of rows and tier headers.
        var y = vpcTop + 34
        var rowTop: [Row: Double] = [:]
        var tierTops: [(SubnetTier, Double)] = []
        var currentTier: SubnetTier?
        for row in rows {
            if row.tier != currentTier {
                tierTops.append((row.tier, y))
                y += Self.tierHeader
                currentTier = row.tier
            }
            rowTop[row] = y
            y += (rowHeights[row] ?? 0) + Self.boxGap
        }
        let vpcBottom = y + 8

        // The VPC and the AZ columns.
        body += group(diagram.vpc, classes: "vpc") {
            rect(x: Self.margin, y: vpcTop, width: columnsWidth, height: vpcBottom - vpcTop, classes: "vpc-box", radius: 10)
                + text(Self.margin + 150, vpcTop + 20, vpcTitle, classes: "title")
        }
        for (index, az) in diagram.azs.enumerated() {
            let x = columnX(index)
            body += "<rect x=\"\(n(x - 4))\" y=\"\(n(vpcTop + 26))\" width=\"\(n(Self.columnWidth + 8))\" height=\"\(n(vpcBottom - vpcTop - 30))\" class=\"az-box\" rx=\"6\"/>"
            body += text(x + 4, vpcTop + 40 - 2, az.name, classes: "az-label")
        }
        for (tier, top) in tierTops {
            body += text(Self.margin + 8, top + 15, tier.rawValue.uppercased(), classes: "tier-label tier-\(tier.rawValue)")
        }

        // Subnets and their contents; remember where things landed for the arrows.
        var anchors: [String: (x: Double, y: Double)] = [:]
        for (index, az) in diagram.azs.enumerated() {
            let x = columnX(index)
            for tierGroup in az.tiers {
                for box in tierGroup.subnets {
                    guard let top = rowTop[Row(tier: box.tier, subnet: box.key.subnet)] else { continue }
                    body += subnet(box, x: x, y: top, height: rowHeights[Row(tier: box.tier, subnet: box.key.subnet)] ?? boxHeight(box), anchors: &anchors)
                    anchors[box.node.address] = (x, top + 14)
                }
            }
        }

        // Top band: the internet, its gateway on the VPC's edge, the load balancers.
        let internetX = Self.margin + 8
        body += "<g class=\"node internet\" data-address=\"internet\" tabindex=\"0\"><title>internet\nanything outside the VPC and AWS's service ranges</title>"
            + rect(x: internetX, y: Self.margin, width: 120, height: 36, classes: "internet-box", radius: 18)
            + text(internetX + 60, Self.margin + 23, "Internet", classes: "center") + "</g>"
        let igwPoint = (x: internetX + 60, y: vpcTop)
        if let igw = diagram.internetGateway {
            body += group(igw, classes: "gateway") {
                rect(x: igwPoint.x - 60, y: vpcTop - 16, width: 120, height: 32, classes: "gateway-box", radius: 4)
                    + text(igwPoint.x, vpcTop + 4, "Internet gateway", classes: "center small")
            }
            body += "<line x1=\"\(n(igwPoint.x))\" y1=\"\(n(Self.margin + 36))\" x2=\"\(n(igwPoint.x))\" y2=\"\(n(vpcTop - 16))\" class=\"edge edge-internet\"/>"
        }
        for (balancer, place) in zip(diagram.loadBalancers, lbPlaces) {
            let lbX = place.x, lbY = place.y, lbBoxWidth = lbWidth(balancer), lbBoxHeight = lbHeight(balancer)
            body += group(balancer.node, classes: "load-balancer") {
                var inner = rect(x: lbX, y: lbY, width: lbBoxWidth, height: lbBoxHeight, classes: "lb-box", radius: 6)
                inner += text(lbX + 8, lbY + 18, "LB " + balancer.node.label, classes: "strong")
                for (index, listener) in balancer.listeners.prefix(4).enumerated() {
                    inner += group(listener, classes: "listener") {
                        text(lbX + 16, lbY + 36 + Double(index) * 18, listener.label, classes: "small")
                    }
                }
                if balancer.listeners.count > 4 {
                    inner += text(lbX + 16, lbY + 36 + 4 * 18, "+\(balancer.listeners.count - 4) more listeners", classes: "small muted")
                }
                return inner
            }
            // A dashed line to each subnet the load balancer has a node in.
            for subnetAddress in balancer.subnetAddresses {
                guard let anchor = anchors[subnetAddress] else { continue }
                edges += "<path d=\"M\(n(lbX + lbBoxWidth / 2)),\(n(lbY + lbBoxHeight)) L\(n(anchor.x + Self.columnWidth / 2)),\(n(anchor.y - 14))\" class=\"edge edge-lb\" data-address=\"\(esc(balancer.node.address))\"><title>\(esc(balancer.node.address)) has a node in \(esc(subnetAddress))</title></path>"
            }
        }

        // Bottom band: gateway endpoints (targets of routes), then interface endpoints, wrapping.
        var endpointX = Self.margin + 8
        var endpointY = vpcBottom + 40
        let firstEndpointY = endpointY
        var endpointAnchors: [String: Double] = [:]
        for endpoint in diagram.gatewayEndpoints + diagram.interfaceEndpoints {
            let endpointWidth = max(120, Double(endpoint.label.count) * 7 + 20)
            if endpointX + endpointWidth > width - Self.margin, endpointX > Self.margin + 8 {
                endpointX = Self.margin + 8
                endpointY += 42
            }
            let (boxX, boxY) = (endpointX, endpointY)
            body += group(endpoint, classes: "endpoint") {
                rect(x: boxX, y: boxY, width: endpointWidth, height: 30, classes: "endpoint-box", radius: 4)
                    + text(boxX + endpointWidth / 2, boxY + 19, endpoint.label, classes: "center small")
            }
            if endpointY == firstEndpointY { endpointAnchors[endpoint.address] = endpointX + endpointWidth / 2 }
            endpointX += endpointWidth + 12
        }
        let endpointCount = diagram.gatewayEndpoints.count + diagram.interfaceEndpoints.count
        let height = endpointCount == 0 ? vpcBottom + Self.margin : endpointY + 30 + Self.margin

        // Routes out: from the subnet's left edge into its column's lane, then to the target.
        for edge in diagram.routes {
            guard let from = anchors[edge.from] else { continue }
            let laneX: Double
            var path: String
            switch edge.target {
            case .internetGateway:
                laneX = from.x - Self.gutter + Self.lanes.internet
                path = "M\(n(from.x)),\(n(from.y)) H\(n(laneX)) V\(n(vpcTop + 22)) H\(n(igwPoint.x)) V\(n(vpcTop + 16))"
            case .natGateway:
                laneX = from.x - Self.gutter + Self.lanes.nat
                guard let nat = anchors[edge.to] else { continue }
                path = "M\(n(from.x)),\(n(from.y + 6)) H\(n(laneX)) V\(n(nat.y)) H\(n(nat.x))"
            case .gatewayEndpoint:
                laneX = from.x - Self.gutter + Self.lanes.endpoint
                guard let endpointCenter = endpointAnchors[edge.to] else { continue }
                path = "M\(n(from.x)),\(n(from.y + 12)) H\(n(laneX)) V\(n(firstEndpointY - 12)) H\(n(endpointCenter)) V\(n(firstEndpointY))"
            }
            let kind = switch edge.target {
            case .internetGateway: "internet"
            case .natGateway: "nat"
            case .gatewayEndpoint: "endpoint"
            }
            edges += "<path d=\"\(path)\" class=\"edge edge-\(kind)\" data-address=\"\(esc(edge.routeAddress))\" marker-end=\"url(#arrow-\(kind))\">"
                + "<title>\(esc("\(edge.from): \(edge.destination) → \(edge.to)"))</title></path>"
        }

        let defs = """
        <defs>\
        <marker id="arrow-internet" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrow-internet"/></marker>\
        <marker id="arrow-nat" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrow-nat"/></marker>\
        <marker id="arrow-endpoint" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrow-endpoint"/></marker>\
        </defs>
        """
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"topology\" viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"\(n(width))\" height=\"\(n(height))\" role=\"group\" aria-label=\"\(esc("Topology of \(diagram.stack)"))\">"
            + defs + body + "<g class=\"edges\">" + edges + "</g></svg>"
    }

    /// Wide enough for its name line and its longest listener (about 6.6 px per character of
    /// the 12 px sans-serif the diagram uses).
    func lbWidth(_ balancer: TopologyDiagram.LoadBalancer) -> Double {
        let longest = max(("LB " + balancer.node.label).count, (balancer.listeners.map(\.label.count).max() ?? 0) + 2)
        return max(200, Double(longest) * 6.6 + 24)
    }

    func lbHeight(_ balancer: TopologyDiagram.LoadBalancer) -> Double {
        28 + Double(min(balancer.listeners.count, 4)) * 18 + (balancer.listeners.count > 4 ? 18 : 0)
    }

    func columnX(_ index: Int) -> Double {
        Self.margin + Self.gutter + Double(index) * (Self.columnWidth + Self.gutter)
    }

    func visibleItemCount(_ box: TopologyDiagram.SubnetBox) -> Int {
        box.contents.count <= maximumItemsPerSubnet ? box.contents.count : maximumItemsPerSubnet - 1
    }

    func boxHeight(_ box: TopologyDiagram.SubnetBox) -> Double {
        let lines = box.contents.count <= maximumItemsPerSubnet ? box.contents.count : maximumItemsPerSubnet
        return Self.subnetHeader + Double(lines) * Self.itemHeight + 8
    }

    func subnet(_ box: TopologyDiagram.SubnetBox, x: Double, y: Double, height: Double, anchors: inout [String: (x: Double, y: Double)]) -> String {
        let used = box.usableAddresses > 0 ? min(1, Double(box.usedAddresses) / Double(box.usableAddresses)) : 0
        let barWidth = Self.columnWidth - 20
        let fullness = used > 0.8 ? "bar-high" : (used > 0.5 ? "bar-mid" : "bar-low")
        var out = "<g class=\"node subnet tier-\(box.tier.rawValue)\" data-address=\"\(esc(box.node.address))\" tabindex=\"0\">"
        out += "<title>\(esc(([box.node.address, "\(box.usedAddresses) of \(box.usableAddresses) usable addresses used"] + box.node.details).joined(separator: "\n")))</title>"
        out += rect(x: x, y: y, width: Self.columnWidth, height: height, classes: "subnet-box", radius: 5)
        out += text(x + 10, y + 16, box.key.subnet, classes: "strong")
        out += text(x + Self.columnWidth - 10, y + 16, box.cidr, classes: "end mono")
        out += rect(x: x + 10, y: y + 23, width: barWidth, height: 7, classes: "bar-track", radius: 3)
        out += rect(x: x + 10, y: y + 23, width: max(used > 0 ? 2 : 0, barWidth * used), height: 7, classes: "bar-fill \(fullness)", radius: 3)
        out += text(x + Self.columnWidth - 10, y + 38, "\(box.usedAddresses)/\(box.usableAddresses) IPs", classes: "end tiny muted")
        out += "</g>"
        let visible = visibleItemCount(box)
        var itemY = y + Self.subnetHeader
        for content in box.contents.prefix(visible) {
            out += item(content, x: x + 8, y: itemY)
            anchors[content.node.address] = (x, itemY + 10)
            itemY += Self.itemHeight
        }
        if box.contents.count > visible {
            let rest = box.contents.dropFirst(visible)
            // Hidden items still get anchors (the subnet's) so that arrows to them are drawn.
            for content in rest where anchors[content.node.address] == nil { anchors[content.node.address] = (x, itemY + 10) }
            let summary = Dictionary(grouping: rest, by: \.kind).map { "\($0.value.count) \($0.key.rawValue)" }.sorted().joined(separator: ", ")
            out += "<g class=\"more\" tabindex=\"0\"><title>\(esc(rest.map(\.node.address).joined(separator: "\n")))</title>"
            out += text(x + 14, itemY + 14, "+\(rest.count) more (\(summary))", classes: "small muted") + "</g>"
        }
        return out
    }

    func item(_ content: TopologyDiagram.Content, x: Double, y: Double) -> String {
        let width = Self.columnWidth - 16
        var out = "<g class=\"node item item-\(content.kind.rawValue)\" data-address=\"\(esc(content.node.address))\" tabindex=\"0\">"
        out += "<title>\(esc(([content.node.address] + content.node.details).joined(separator: "\n")))</title>"
        out += rect(x: x, y: y + 1, width: width, height: Self.itemHeight - 3, classes: "item-box", radius: 3)
        let icon = switch content.kind {
        case .cluster: "▦"
        case .instance: "▪"
        case .natGateway: "⇄"
        case .interfaceEndpoint: "◆"
        case .loadBalancer: "⚖"
        case .fileSystem: "⛁"
        }
        var label = "\(icon) \(content.node.label)"
        if label.count > 36 { label = String(label.prefix(35)) + "…" }
        out += text(x + 6, y + 14, label, classes: "small")
        out += "</g>"
        // Parts sit at the item's right end: a placement group badge, an endpoint's services.
        // When they do not all fit, the first few are drawn and "+N" counts the rest (the
        // endpoints band below the VPC has every one).
        var partX = x + width - 6
        let widths = content.parts.map { (content.kind == .cluster ? 2 : Double($0.label.count)) * 6.5 + 14 }
        var fitting = content.parts.count
        while fitting > 0, widths.prefix(fitting).reduce(0, +) + (fitting < content.parts.count ? 30 : 0) > width - 110 { fitting -= 1 }
        if fitting < content.parts.count {
            partX -= 24
            out += text(partX + 12, y + 13.5, "+\(content.parts.count - fitting)", classes: "center tiny muted")
            partX -= 4
        }
        for part in content.parts.prefix(fitting).reversed() {
            let partLabel = content.kind == .cluster ? "PG" : part.label
            let partWidth = Double(partLabel.count) * 6.5 + 10
            partX -= partWidth
            out += group(part, classes: "part") {
                rect(x: partX, y: y + 3, width: partWidth, height: Self.itemHeight - 7, classes: "part-box", radius: 6)
                    + text(partX + partWidth / 2, y + 13.5, partLabel, classes: "center tiny")
            }
            partX -= 4
        }
        return out
    }

    func group(_ node: TopologyDiagram.Node, classes: String, _ content: () -> String) -> String {
        "<g class=\"node \(classes)\" data-address=\"\(esc(node.address))\" tabindex=\"0\"><title>\(esc(([node.address] + node.details).joined(separator: "\n")))</title>"
            + content() + "</g>"
    }

    func rect(x: Double, y: Double, width: Double, height: Double, classes: String, radius: Double = 0) -> String {
        "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(width))\" height=\"\(n(height))\" rx=\"\(n(radius))\" class=\"\(classes)\"/>"
    }

    func text(_ x: Double, _ y: Double, _ content: String, classes: String = "") -> String {
        "<text x=\"\(n(x))\" y=\"\(n(y))\"\(classes.isEmpty ? "" : " class=\"\(classes)\"")>\(esc(content))</text>"
    }

    func esc(_ text: String) -> String { HTMLText.escape(text) }

    /// Coordinates with at most one decimal: short output, no float noise.
    func n(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? String(Int(tenths / 10)) : String(tenths / 10)
    }
}
