/// The nested shape both text renderers (Mermaid, Graphviz) print: groups inside groups, nodes,
/// and edges between node ids. Built from a `TopologyDiagram` once, so the two formats share
/// the walk and differ only in syntax.
struct DiagramOutline {
    struct Node {
        var id: String
        var address: String
        var lines: [String]
        var shape: Shape
    }

    enum Shape { case box, rounded, cylinder, ellipse, note }

    struct Group {
        var id: String
        var label: String
        var nodes: [Node] = []
        var groups: [Group] = []
    }

    struct Edge {
        var from: String
        var to: String
        var label: String
        var dashed: Bool
    }

    var title: String
    var top: [Node] = []
    var root: Group
    var edges: [Edge] = []

    /// Ids are `n0`, `n1`, ... (valid in both languages without quoting); the first node for an
    /// address is the one edges point at.
    init(_ diagram: TopologyDiagram, maximumItemsPerSubnet: Int = 8) {
        var counter = 0
        var idByAddress: [String: String] = [:]
        func makeNode(_ address: String, _ lines: [String], _ shape: Shape) -> Node {
            let id = "n\(counter)"
            counter += 1
            if idByAddress[address] == nil { idByAddress[address] = id }
            return Node(id: id, address: address, lines: lines, shape: shape)
        }
        var groupCounter = 0
        func makeGroup(_ label: String) -> Group {
            defer { groupCounter += 1 }
            return Group(id: "g\(groupCounter)", label: label)
        }

        title = "\(diagram.stack) (\(diagram.region))"
        top.append(makeNode("internet", ["Internet"], .ellipse))
        if let igw = diagram.internetGateway { top.append(makeNode(igw.address, [igw.label], .box)) }
        for balancer in diagram.loadBalancers {
            top.append(makeNode(balancer.node.address, ["LB " + balancer.node.label] + balancer.listeners.map(\.label), .rounded))
        }
        var vpc = makeGroup("\(diagram.vpc.label)")
        for az in diagram.azs {
            var azGroup = makeGroup(az.name)
            for tier in az.tiers {
                var tierGroup = makeGroup("\(az.name) \(tier.tier.rawValue)")
                for box in tier.subnets {
                    var subnetGroup = makeGroup("\(box.key.subnet) \(box.cidr)")
                    subnetGroup.nodes.append(makeNode(box.node.address, ["\(box.key.subnet) \(box.cidr)", "\(box.usedAddresses)/\(box.usableAddresses) IPs used"], .note))
                    let visible = box.contents.count <= maximumItemsPerSubnet ? box.contents.count : maximumItemsPerSubnet - 1
                    for content in box.contents.prefix(visible) {
                        var lines = [content.node.label]
                        if !content.parts.isEmpty { lines.append(content.parts.map(\.label).joined(separator: ", ")) }
                        subnetGroup.nodes.append(makeNode(content.node.address, lines, content.kind == .cluster ? .cylinder : .rounded))
                    }
                    if box.contents.count > visible {
                        subnetGroup.nodes.append(makeNode("\(box.node.address)#more", ["+\(box.contents.count - visible) more"], .rounded))
                    }
                    tierGroup.groups.append(subnetGroup)
                }
                azGroup.groups.append(tierGroup)
            }
            vpc.groups.append(azGroup)
        }
        var endpoints = makeGroup("endpoints")
        for endpoint in diagram.gatewayEndpoints + diagram.interfaceEndpoints {
            endpoints.nodes.append(makeNode(endpoint.address, [endpoint.label], .box))
        }
        if !endpoints.nodes.isEmpty { vpc.groups.append(endpoints) }
        root = vpc

        if let igw = diagram.internetGateway, let igwID = idByAddress[igw.address], let internetID = idByAddress["internet"] {
            edges.append(Edge(from: igwID, to: internetID, label: "", dashed: false))
        }
        for balancer in diagram.loadBalancers {
            guard let from = idByAddress[balancer.node.address] else { continue }
            for subnet in balancer.subnetAddresses {
                if let to = idByAddress[subnet] { edges.append(Edge(from: from, to: to, label: "", dashed: true)) }
            }
        }
        for route in diagram.routes {
            guard let from = idByAddress[route.from], let to = idByAddress[route.to] else { continue }
            edges.append(Edge(from: from, to: to, label: route.destination, dashed: false))
        }
    }
}
