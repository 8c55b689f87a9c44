import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { NetworkAcl } from "@cdktf/provider-aws/lib/network-acl";
import { NetworkAclRule } from "@cdktf/provider-aws/lib/network-acl-rule";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { SecurityGroupRule } from "@cdktf/provider-aws/lib/security-group-rule";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import type { Construct } from "constructs";
import type { RuleCase } from "./support";

const LOG_GROUP_ARN = "arn:aws:logs:eu-west-1:123456789012:log-group:/acme/flow-logs";

function vpc(scope: Construct): Vpc {
  return new Vpc(scope, "vpc", { cidrBlock: "10.0.0.0/16" });
}

/** Two AZs, each with a public subnet + NAT and a private subnet routed to `natFor(index)`. */
function natLayout(scope: Construct, natFor: (index: number) => number): void {
  const network = vpc(scope);
  const zones = ["eu-west-1a", "eu-west-1b"];
  const nats = zones.map((zone, index) => {
    const subnet = new Subnet(scope, `public-${index}`, { vpcId: network.id, cidrBlock: `10.0.${index}.0/24`, availabilityZone: zone });
    return new NatGateway(scope, `nat-${index}`, { subnetId: subnet.id });
  });
  zones.forEach((zone, index) => {
    const subnet = new Subnet(scope, `private-${index}`, { vpcId: network.id, cidrBlock: `10.0.${10 + index}.0/24`, availabilityZone: zone });
    const table = new RouteTable(scope, `private-rt-${index}`, { vpcId: network.id });
    new Route(scope, `private-default-${index}`, { routeTableId: table.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nats[natFor(index)]?.id });
    new RouteTableAssociation(scope, `private-assoc-${index}`, { routeTableId: table.id, subnetId: subnet.id });
  });
}

function cacheWithIngress(scope: Construct, source: { cidrIpv4?: string; referencedSecurityGroupId?: string }): void {
  const network = vpc(scope);
  const workloads = new SecurityGroup(scope, "workloads", { vpcId: network.id });
  const group = new SecurityGroup(scope, "cache-sg", { vpcId: network.id });
  new VpcSecurityGroupIngressRule(scope, "cache-ingress", {
    securityGroupId: group.id,
    ipProtocol: "tcp",
    fromPort: 6379,
    toPort: 6379,
    ...(source.cidrIpv4 ? { cidrIpv4: source.cidrIpv4 } : { referencedSecurityGroupId: workloads.id }),
  });
  new ElasticacheReplicationGroup(scope, "cache", { replicationGroupId: "cache", description: "cache", securityGroupIds: [group.id] });
}

function edgeGroup(scope: Construct, options: { attached: boolean; port: number }): void {
  const network = vpc(scope);
  const group = new SecurityGroup(scope, "edge-sg", { vpcId: network.id });
  new VpcSecurityGroupIngressRule(scope, "edge-https", { securityGroupId: group.id, ipProtocol: "tcp", fromPort: options.port, toPort: options.port, cidrIpv4: "0.0.0.0/0" });
  new Lb(scope, "alb", { internal: false, loadBalancerType: "application", securityGroups: options.attached ? [group.id] : [] });
}

/** Ingress rules on one security group, one per CIDR, all to `port`. */
function halves(scope: Construct, port: number, cidrs: string[]): void {
  const group = new SecurityGroup(scope, "sg", { vpcId: vpc(scope).id });
  cidrs.forEach((cidr, index) => new SecurityGroupRule(scope, `ssh-${index}`, { type: "ingress", securityGroupId: group.id, protocol: "tcp", fromPort: port, toPort: port, cidrBlocks: [cidr] }));
}

/** A network ACL whose entries admit TCP 0-1024 (inline) or are separate aws_network_acl_rule resources. */
function nacl(scope: Construct, entries: { number: number; allow: boolean; cidr: string }[]): void {
  const acl = new NetworkAcl(scope, "acl", { vpcId: vpc(scope).id });
  entries.forEach((entry) =>
    new NetworkAclRule(scope, `entry-${entry.number}`, { networkAclId: acl.id, ruleNumber: entry.number, egress: false, protocol: "tcp", ruleAction: entry.allow ? "allow" : "deny", cidrBlock: entry.cidr, fromPort: 0, toPort: 1024 }),
  );
}

export const NETWORK_CASES: readonly RuleCase[] = [
  {
    rule: "VPC-FLOW-LOGS",
    compliant: (s) => new FlowLog(s, "flow-log", { vpcId: vpc(s).id, trafficType: "ALL", logDestination: LOG_GROUP_ARN }),
    violating: (s) => new FlowLog(s, "flow-log", { vpcId: vpc(s).id, trafficType: "REJECT", logDestination: LOG_GROUP_ARN }),
    expect: /not ALL traffic/,
  },
  {
    rule: "VPC-FLOW-LOGS",
    name: "no flow log",
    compliant: (s) => new FlowLog(s, "flow-log", { vpcId: vpc(s).id, trafficType: "ALL", logDestination: LOG_GROUP_ARN }),
    violating: (s) => vpc(s),
    expect: /no aws_flow_log references this VPC/,
  },
  {
    rule: "VPC-DEFAULT-SG-CLOSED",
    compliant: (s) => new DefaultSecurityGroup(s, "default-sg", { vpcId: vpc(s).id, ingress: [], egress: [] }),
    violating: (s) =>
      new DefaultSecurityGroup(s, "default-sg", { vpcId: vpc(s).id, ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["10.0.0.0/16"] }], egress: [] }),
    expect: /has ingress or egress rules/,
  },
  {
    rule: "SUBNET-NO-AUTO-PUBLIC-IP",
    compliant: (s) => new Subnet(s, "subnet", { vpcId: vpc(s).id, cidrBlock: "10.0.0.0/24" }),
    violating: (s) => new Subnet(s, "subnet", { vpcId: vpc(s).id, cidrBlock: "10.0.0.0/24", mapPublicIpOnLaunch: true }),
    expect: /map_public_ip_on_launch is true/,
  },
  {
    rule: "SG-NO-WORLD-ADMIN",
    compliant: (s) =>
      new SecurityGroupRule(s, "ssh", { type: "ingress", securityGroupId: new SecurityGroup(s, "sg", { vpcId: vpc(s).id }).id, protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/8"] }),
    violating: (s) =>
      new SecurityGroupRule(s, "ssh", { type: "ingress", securityGroupId: new SecurityGroup(s, "sg", { vpcId: vpc(s).id }).id, protocol: "tcp", fromPort: 0, toPort: 1024, cidrBlocks: ["0.0.0.0/0"] }),
    expect: /admits ports 0-1024 from 0\.0\.0\.0\/0/,
  },
  {
    rule: "SG-NO-WORLD-ADMIN",
    name: "rules of one group that add up to the internet",
    compliant: (s) => halves(s, 22, ["52.94.0.0/16", "10.0.0.0/8"]),
    violating: (s) => halves(s, 22, ["0.0.0.0/1", "128.0.0.0/1"]),
    expect: [/rule admits port 22 from 0\.0\.0\.0\/1, 128\.0\.0\.0\/1 \(together .* the whole internet\) \(together with fixture\/ssh-1 rule of the same security group\)/],
  },
  {
    rule: "SG-NO-WORLD-ADMIN",
    name: "IPv6 halves, a port range and an all-traffic rule",
    compliant: (s) => {
      const group = new SecurityGroup(s, "sg", { vpcId: vpc(s).id });
      new VpcSecurityGroupIngressRule(s, "v6", { securityGroupId: group.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv6: "::/1" });
      new VpcSecurityGroupIngressRule(s, "v6b", { securityGroupId: group.id, ipProtocol: "-1", cidrIpv6: "fc00::/7" });
    },
    violating: (s) => {
      const group = new SecurityGroup(s, "sg", { vpcId: vpc(s).id });
      new VpcSecurityGroupIngressRule(s, "v6", { securityGroupId: group.id, ipProtocol: "tcp", fromPort: 20, toPort: 30, cidrIpv6: "::/1" });
      new VpcSecurityGroupIngressRule(s, "v6b", { securityGroupId: group.id, ipProtocol: "-1", cidrIpv6: "8000::/1" });
    },
    expect: /admits ports 20-30 from ::\/1, 8000::\/1/,
  },
  {
    rule: "SG-NO-WORLD-ADMIN",
    name: "network ACL entries, evaluated in rule-number order",
    compliant: (s) => nacl(s, [{ number: 90, allow: false, cidr: "0.0.0.0/1" }, { number: 91, allow: false, cidr: "128.0.0.0/1" }, { number: 100, allow: true, cidr: "0.0.0.0/0" }]),
    violating: (s) => nacl(s, [{ number: 90, allow: false, cidr: "10.0.0.0/8" }, { number: 100, allow: true, cidr: "0.0.0.0/1" }, { number: 110, allow: true, cidr: "128.0.0.0/1" }]),
    expect: /network ACL entries 100, 110 allow TCP port 22 from 0\.0\.0\.0\/1, 128\.0\.0\.0\/1/,
  },
  {
    rule: "SG-WORLD-INGRESS-EDGE-ONLY",
    compliant: (s) => edgeGroup(s, { attached: true, port: 443 }),
    violating: (s) => edgeGroup(s, { attached: false, port: 443 }),
    expect: /to a group no internet-facing load balancer uses/,
  },
  {
    rule: "SG-WORLD-INGRESS-EDGE-ONLY",
    name: "non-web port",
    compliant: (s) => edgeGroup(s, { attached: true, port: 80 }),
    violating: (s) => edgeGroup(s, { attached: true, port: 8080 }),
    expect: /port 8080 from the internet \(only 80 or 443 may be\)/,
  },
  {
    rule: "SG-WORLD-INGRESS-EDGE-ONLY",
    name: "CIDRs that add up to the internet",
    compliant: (s) => halves(s, 8443, ["52.94.0.0/16", "10.0.0.0/8"]),
    violating: (s) => halves(s, 8443, ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"]),
    expect: /rule admits port 8443 from the internet: 0\.0\.0\.0\/2, 64\.0\.0\.0\/2, 128\.0\.0\.0\/2, 192\.0\.0\.0\/2 \(together .*\) \(only 80 or 443 may be\)/,
  },
  {
    rule: "SG-DATASTORE-SG-REFS",
    compliant: (s) => cacheWithIngress(s, { referencedSecurityGroupId: "workloads" }),
    violating: (s) => cacheWithIngress(s, { cidrIpv4: "10.0.0.0/16" }),
    expect: /security group of fixture\/cache admits 10\.0\.0\.0\/16/,
  },
  {
    rule: "NAT-PER-AZ",
    compliant: (s) => natLayout(s, (index) => index),
    violating: (s) => natLayout(s, () => 0),
    expect: /routes to NAT gateway fixture\/nat-0 in AZ "eu-west-1a"/,
  },
];
