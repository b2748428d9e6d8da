import NetloomModel
import NetloomPlanning
import NetloomSpec

/// Turns an expanded stack and its `usage` figures into monthly line items (SPEC.md section 4).
public struct CostEstimator: Sendable {
    public var prices: PriceTable

    public init(prices: PriceTable = .usEast1) {
        self.prices = prices
    }

    public func estimate(_ expanded: ExpandedStack) -> CostEstimate {
        let spec = expanded.spec
        let usage = spec.usage
        let hours = usage.hours
        var items: [CostItem] = []

        func priced(_ address: ResourceAddress, _ component: String, _ quantity: Double, _ price: Price, ipv4: Bool = false, note: String? = nil) {
            pricedText(address.description, component, quantity, price, ipv4: ipv4, note: note)
        }
        func pricedText(_ address: String, _ component: String, _ quantity: Double, _ price: Price, ipv4: Bool = false, note: String? = nil) {
            items.append(CostItem(address: address, component: component, quantity: quantity, unit: price.unit, unitUSD: price.usd,
                                  monthlyUSD: quantity * price.usd, isPublicIPv4: ipv4, note: note))
        }

        // NAT gateways: hours each, the data they process, and their Elastic IPs.
        let natAZs = AddressDemand.natAZs(spec)
        for az in natAZs {
            priced(.natGateway(az: az), "NAT gateway", hours, prices.natGatewayHour)
        }
        if !natAZs.isEmpty {
            priced(natAZs.count == 1 ? .natGateway(az: natAZs[0]) : .all(.natGateway), "NAT data processed (nat_gb)", usage.natGB, prices.natGatewayGB)
        }
        for az in natAZs {
            priced(.natElasticIP(az: az), "public IPv4 (NAT Elastic IP)", hours, prices.publicIPv4Hour, ipv4: true)
        }

        // Endpoints: gateway ones are free, interface ones bill per AZ-hour and per GB.
        for service in spec.network.gatewayEndpoints {
            priced(.vpcEndpoint(service), "gateway endpoint (free)", 1, prices.gatewayEndpoint)
        }
        if let subnetName = spec.network.endpointSubnet, let subnet = spec.subnet(named: subnetName), !spec.network.interfaceEndpoints.isEmpty {
            let azCount = Double(spec.azs(of: subnet).count)
            for service in spec.network.interfaceEndpoints {
                priced(.vpcEndpoint(service), "interface endpoint × \(Int(azCount)) AZ", azCount * hours, prices.interfaceEndpointAZHour)
            }
            priced(.all(.vpcEndpoint), "endpoint data (endpoint_gb)", usage.endpointGB, prices.interfaceEndpointGB)
        }

        // Instances: compute, public IPv4, root volumes.
        for instance in spec.instances {
            let count = Double(instance.count)
            let address = ResourceAddress.instance(instance.name)
            let label = instance.count > 1 ? "\(instance.type) × \(instance.count)" : instance.type
            if let price = prices.ec2Hour(InstanceTypes.ec2Name(instance.type)), !instance.type.hasPrefix("ml.") {
                priced(address, "EC2 \(label)", count * hours, price)
            } else {
                items.append(CostItem(address: address.description, component: "EC2 \(label)", quantity: count * hours, unit: "hour", unitUSD: nil, monthlyUSD: nil,
                                      note: "price unknown: \(instance.type) is not in the price table"))
            }
            if instance.publicIP {
                priced(address, "public IPv4 (instance)", count * hours, prices.publicIPv4Hour, ipv4: true)
            }
            let volumeType = instance.rootVolume.type
            if let price = prices.ebsGBMonth[volumeType] {
                priced(address, "EBS \(volumeType) root volume", count * Double(instance.rootVolume.sizeGB), price)
            } else {
                items.append(CostItem(address: address.description, component: "EBS \(volumeType) root volume", quantity: count * Double(instance.rootVolume.sizeGB),
                                      unit: "GB-month", unitUSD: nil, monthlyUSD: nil, note: "price unknown: volume type \(volumeType)"))
            }
        }

        // Auto Scaling groups: what they run when nothing has scaled them (`desired`, else `min`),
        // then the same at `max` as a ceiling outside the total.
        for group in spec.autoScalingGroups {
            let address = ResourceAddress.autoScalingGroup(group.name)
            let price = group.type.hasPrefix("ml.") ? nil : prices.ec2Hour(InstanceTypes.ec2Name(group.type))
            let volume = prices.ebsGBMonth[group.launch.rootVolume.type]
            for (count, ceiling) in [(group.startingCapacity, false), (group.max, true)] {
                // Short enough for the text table; the ceiling is marked in the data and shown in brackets.
                let what = ceiling ? "at max" : (group.desired != nil ? "desired" : "min")
                let instances = Double(count)
                if let price {
                    items.append(CostItem(address: address.description, component: "EC2 \(group.type) × \(count) (\(what))", quantity: instances * hours, unit: price.unit,
                                          unitUSD: price.usd, monthlyUSD: instances * hours * price.usd, isCeiling: ceiling))
                } else {
                    items.append(CostItem(address: address.description, component: "EC2 \(group.type) × \(count) (\(what))", quantity: instances * hours, unit: "hour",
                                          unitUSD: nil, monthlyUSD: nil, note: "price unknown: \(group.type) is not in the price table", isCeiling: ceiling))
                }
                let gb = instances * Double(group.launch.rootVolume.sizeGB)
                items.append(CostItem(address: address.description, component: "EBS \(group.launch.rootVolume.type) root × \(count) (\(what))", quantity: gb, unit: "GB-month",
                                      unitUSD: volume?.usd, monthlyUSD: volume.map { gb * $0.usd },
                                      note: volume == nil ? "price unknown: volume type \(group.launch.rootVolume.type)" : nil, isCeiling: ceiling))
            }
        }

        // Clusters: node-hours per group; SageMaker bills ml.* types itself, so they stay out of the total.
        for cluster in spec.clusters {
            for group in cluster.nodeGroups {
            let nodeHours = Double(group.count) * hours
            let address = cluster.hyperPod == nil ? ResourceAddress.cluster(cluster.name) : ResourceAddress.clusterGroup(cluster.name, group.name)
            // The address names the HyperPod group; the component stays short enough for the text table.
            let component = "\(group.count) × \(group.instanceType) (\(cluster.orchestrator.rawValue))"
            let ec2Price = prices.ec2Hour(InstanceTypes.ec2Name(group.instanceType))
            if group.instanceType.hasPrefix("ml.") {
                let equivalent = ec2Price.map { nodeHours * $0.usd }
                // The table holds no SageMaker rate, so the line says so rather than guessing one.
                items.append(CostItem(address: address.description, component: component, quantity: nodeHours, unit: "node-hour", unitUSD: nil, monthlyUSD: nil,
                                      billedBy: "sagemaker", ec2EquivalentUSD: equivalent,
                                      note: "price unknown: billed by SageMaker at its ml.* rate, which the price table lacks; not in the total" + (equivalent.map { "; EC2 on-demand equivalent $\($0.dollars)" } ?? "")))
            } else if let ec2Price {
                priced(address, component, nodeHours, ec2Price)
            } else {
                items.append(CostItem(address: address.description, component: component, quantity: nodeHours, unit: "node-hour", unitUSD: nil, monthlyUSD: nil,
                                      note: "price unknown: \(group.instanceType) is not in the price table"))
            }
            }
            if let fsx = cluster.hyperPod?.fsxLustre {
                let address = ResourceAddress.fsxFileSystem(cluster.name)
                let component = "FSx for Lustre PERSISTENT_2, \(fsx.capacityGiB.grouped) GiB at \(fsx.throughputMBPerTiB) MB/s/TiB"
                let gbMonths = Double(fsx.capacityGiB) * hours / prices.hoursPerMonth
                if let price = prices.fsxLustrePersistent2GBMonth[fsx.throughputMBPerTiB] {
                    priced(address, component, gbMonths, price)
                } else {
                    items.append(CostItem(address: address.description, component: component, quantity: gbMonths, unit: "GB-month", unitUSD: nil, monthlyUSD: nil,
                                          note: "price unknown: no FSx for Lustre price for \(fsx.throughputMBPerTiB) MB/s/TiB"))
                }
            }
        }

        // Load balancers: hours, capacity units, and one public IPv4 per AZ node when internet-facing.
        for lb in spec.loadBalancers {
            let address = ResourceAddress.loadBalancer(lb.name)
            let network = lb.type == "network"
            priced(address, network ? "Network Load Balancer" : "Application Load Balancer", hours,
                   network ? prices.networkLoadBalancerHour : prices.applicationLoadBalancerHour)
            priced(address, network ? "NLCU (lb_lcu)" : "LCU (lb_lcu)", usage.lbLCU * hours, network ? prices.networkLCUHour : prices.applicationLCUHour)
            if lb.isInternetFacing, let subnet = spec.subnet(named: lb.subnet) {
                let nodes = Double(spec.azs(of: subnet).count)
                priced(address, "public IPv4 (\(Int(nodes)) LB nodes)", nodes * hours, prices.publicIPv4Hour, ipv4: true)
            }
        }

        // S3 storage.
        if !spec.buckets.isEmpty {
            let share = usage.s3GB / Double(spec.buckets.count)
            for bucket in spec.buckets { priced(.bucket(bucket.name), "S3 Standard storage", share, prices.s3StandardGBMonth) }
        } else if usage.s3GB > 0 {
            priced(.all(.bucket), "S3 Standard storage", usage.s3GB, prices.s3StandardGBMonth)
        }

        // CloudWatch Logs (flow logs are delivered into a log group and billed like any ingestion) and alarms.
        var logGroups: [(address: ResourceAddress, component: String, retention: Int?)] = spec.logGroups.map { (.logGroup($0.name), "CloudWatch Logs", $0.retentionDays) }
        if spec.network.flowLogsEnabled {
            logGroups.append((.logGroup("netloom-flow-logs"), "flow logs (CloudWatch Logs)", spec.network.flowLogRetentionDays))
        }
        if !logGroups.isEmpty {
            let share = usage.logsGB / Double(logGroups.count)
            for group in logGroups {
                priced(group.address, "\(group.component) ingestion", share, prices.logsIngestGB)
                // Stored volume settles at a month's ingestion times the retention in months; a group
                // that never expires keeps growing, and a year of it is what the estimate assumes.
                let months = group.retention.map { Double($0) / 30 } ?? 12
                priced(group.address, "\(group.component) storage", share * months, prices.logsStorageGBMonth,
                       note: group.retention == nil ? "no retention: a year of logs assumed, and growing" : nil)
            }
        }
        let alarms = expanded.graph.resources(of: .alarm)
        for alarm in alarms { pricedText(alarm.address, "CloudWatch alarm", 1, prices.alarmMonth) }

        // DNS and certificates: zones netloom owns (an existing zone is billed where it was made),
        // queries to plain records (alias queries to a load balancer are free), ACM for free.
        for zone in spec.zones where !zone.existing {
            priced(.hostedZone(zone.name), zone.isPrivate ? "Route 53 private hosted zone" : "Route 53 hosted zone", 1, prices.hostedZoneMonth)
        }
        if !spec.records.isEmpty || usage.dnsQueriesMillions > 0 {
            let plain = spec.records.contains { $0.aliasLoadBalancer == nil }
            if plain || spec.records.isEmpty {
                priced(.all(.dnsRecord), "DNS queries (dns_queries_m)", usage.dnsQueriesMillions, prices.dnsQueriesMillion,
                       note: spec.records.contains { $0.aliasLoadBalancer != nil } ? "queries to alias records are free; all priced as standard queries" : nil)
            } else {
                priced(.all(.dnsRecord), "DNS queries to alias records (free)", usage.dnsQueriesMillions, prices.aliasQueriesMillion)
            }
        }
        for certificate in spec.certificates {
            priced(.certificate(certificate.name), "ACM public certificate (free)", 1, prices.publicCertificate)
        }

        if usage.internetEgressGB > 0 {
            priced(.internetGateway, "data out to internet (egress_gb)", usage.internetEgressGB, prices.internetEgressGB)
        }

        return CostEstimate(stack: spec.stack, items: items, advice: advice(expanded, natAZs: natAZs), usage: usage, prices: prices)
    }

    func advice(_ expanded: ExpandedStack, natAZs: [String]) -> [CostAdvice] {
        let spec = expanded.spec
        let hours = spec.usage.hours
        var advice: [CostAdvice] = []
        if let hit = Self.s3ThroughNAT(spec, natAZs: natAZs, prices: prices), spec.usage.natGB > 0 {
            advice.append(CostAdvice(address: ResourceAddress.vpcEndpoint("s3").description,
                                     message: "add network.endpoints.gateway: [s3]: S3 traffic from \(hit.subnets.joined(separator: ", ")) stops paying NAT processing ($\(prices.natGatewayGB.usd)/GB; the endpoint is free). At usage.nat_gb = \(format(spec.usage.natGB)) that is up to $\(hit.monthlyUSD.dollars)/month if it is all S3",
                                     monthlySavingsUSD: hit.monthlyUSD))
        }
        let privateKeys = spec.subnets.filter { $0.tier == .private }.flatMap { subnet in spec.azs(of: subnet).map { SubnetKey(subnet: subnet.name, az: $0) } }
        let idle = privateKeys.allSatisfy { key in
            (expanded.demand.placements[key] ?? []).allSatisfy { $0.kind != .cluster && $0.kind != .instance && $0.kind != .autoScalingGroup }
        }
        if !natAZs.isEmpty, idle {
            let saving = Double(natAZs.count) * hours * (prices.natGatewayHour.usd + prices.publicIPv4Hour.usd) + spec.usage.natGB * prices.natGatewayGB.usd
            advice.append(CostAdvice(address: (natAZs.count == 1 ? ResourceAddress.natGateway(az: natAZs[0]) : .all(.natGateway)).description,
                                     message: "no instance or cluster sits in a private subnet yet: nat: none saves $\(saving.dollars)/month until one does (a NAT instance is cheaper still, but less reliable)",
                                     monthlySavingsUSD: saving))
        } else if spec.network.nat == .perAZ, natAZs.count > 1 {
            let extra = Double(natAZs.count - 1)
            let saving = extra * hours * (prices.natGatewayHour.usd + prices.publicIPv4Hour.usd)
            advice.append(CostAdvice(address: ResourceAddress.all(.natGateway).description,
                                     message: "for a dev stack, nat: single saves $\(saving.dollars)/month (\(natAZs.count - 1) NAT gateway\(natAZs.count > 2 ? "s" : "") and Elastic IP\(natAZs.count > 2 ? "s" : "")); it costs availability: an outage of \(natAZs[0]) cuts off the private subnets of \(natAZs.dropFirst().joined(separator: ", ")), and their traffic then crosses AZs at $\(prices.crossAZGB.usd)/GB",
                                     monthlySavingsUSD: saving))
        }
        for instance in spec.instances where instance.rootVolume.type == "gp2" {
            if let gp2 = prices.ebsGBMonth["gp2"], let gp3 = prices.ebsGBMonth["gp3"] {
                let saving = Double(instance.count * instance.rootVolume.sizeGB) * (gp2.usd - gp3.usd)
                advice.append(CostAdvice(address: ResourceAddress.instance(instance.name).description,
                                         message: "root_volume.type: gp3 instead of gp2 is 20 % cheaper per GB with a higher baseline (3,000 IOPS); saves $\(saving.dollars)/month",
                                         monthlySavingsUSD: saving))
            }
        }
        return advice
    }

    /// Private subnets that send S3 traffic through NAT because there is no S3 gateway endpoint,
    /// and what that costs at most at `usage.nat_gb`. Shared with rule NL-COST-001.
    static func s3ThroughNAT(_ spec: StackSpec, natAZs: [String], prices: PriceTable) -> (subnets: [String], monthlyUSD: Double)? {
        guard !natAZs.isEmpty, !spec.network.gatewayEndpoints.contains("s3") else { return nil }
        let subnets = spec.subnets.filter { $0.tier == .private }.flatMap { subnet in spec.azs(of: subnet).map { ResourceAddress.subnet(SubnetKey(subnet: subnet.name, az: $0)).description } }
        guard !subnets.isEmpty else { return nil }
        return (subnets, spec.usage.natGB * prices.natGatewayGB.usd)
    }

    func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
