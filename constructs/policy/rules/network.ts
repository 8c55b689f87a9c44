/**
 * Network rules: VPC flow logs, the default security group, subnets, security group ingress, NAT layout.
 */
import { type Block, blocks, describe, isExpression, isTrue, literal, numberOf, type StackModel, strings } from "../model";
import { coversWorld, describeWorld, type IpFamily, merge, parseCidr, type Range, subtract, touchesPublic, worldRanges } from "../public-space";
import type { Rule, Violation } from "../types";
import { each } from "./support";

/** One ingress permission, whichever resource type wrote it. */
interface Ingress {
  readonly block: Block;
  /** The security group it belongs to, when it is in this stack. */
  readonly group?: Block;
  readonly protocol: string;
  readonly from?: number;
  readonly to?: number;
  readonly cidrs: readonly string[];
  readonly prefixLists: readonly string[];
  readonly describe: string;
}

function groupOf(model: StackModel, value: unknown): Block | undefined {
  return model.refsIn(value).find((block) => block.type === "aws_security_group");
}

/** Every ingress permission in the stack (inline, aws_security_group_rule, aws_vpc_security_group_ingress_rule). */
export function ingressPermissions(model: StackModel): Ingress[] {
  const out: Ingress[] = [];
  for (const group of model.resources("aws_security_group")) {
    blocks(group.body.ingress).forEach((rule, index) =>
      out.push({
        block: group,
        group,
        protocol: String(rule.protocol ?? "tcp"),
        from: numberOf(rule.from_port),
        to: numberOf(rule.to_port),
        cidrs: [...strings(rule.cidr_blocks), ...strings(rule.ipv6_cidr_blocks)],
        prefixLists: strings(rule.prefix_list_ids),
        describe: `ingress[${index}]`,
      }),
    );
  }
  for (const rule of model.resources("aws_security_group_rule")) {
    if (rule.body.type !== "ingress") continue;
    out.push({
      block: rule,
      group: groupOf(model, rule.body.security_group_id),
      protocol: String(rule.body.protocol ?? "tcp"),
      from: numberOf(rule.body.from_port),
      to: numberOf(rule.body.to_port),
      cidrs: [...strings(rule.body.cidr_blocks), ...strings(rule.body.ipv6_cidr_blocks)],
      prefixLists: strings(rule.body.prefix_list_ids),
      describe: "rule",
    });
  }
  for (const rule of model.resources("aws_vpc_security_group_ingress_rule")) {
    out.push({
      block: rule,
      group: groupOf(model, rule.body.security_group_id),
      protocol: String(rule.body.ip_protocol ?? "tcp"),
      from: numberOf(rule.body.from_port),
      to: numberOf(rule.body.to_port),
      cidrs: [literal(rule.body.cidr_ipv4), literal(rule.body.cidr_ipv6)].filter((cidr): cidr is string => cidr !== undefined),
      prefixLists: rule.body.prefix_list_id === undefined ? [] : [String(rule.body.prefix_list_id)],
      describe: "rule",
    });
  }
  return out;
}

/** `-1` / `all` (every protocol), or the lower-case protocol name (`6` -> tcp, `17` -> udp, `1` -> icmp, `58` -> icmpv6). */
export function protocolName(protocol: string): string {
  const value = protocol.toLowerCase();
  const numbers: Record<string, string> = { "-1": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6" };
  return numbers[value] ?? value;
}

function allProtocols(protocol: string): boolean {
  return protocolName(protocol) === "all";
}

/** Whether a permission's port range is known (literal from/to); an unknown range is taken as every port. */
function portsKnown(ingress: Ingress): boolean {
  return ingress.from !== undefined && ingress.to !== undefined;
}

function hasPorts(protocol: string): boolean {
  return protocol === "tcp" || protocol === "udp";
}

/**
 * A protocol and port range of one security group that the internet reaches: the CIDRs of every permission of the
 * group that admits it, together, cover the world (public-space.ts). Two rules `0.0.0.0/1` and `128.0.0.0/1` on port
 * 22 are one opening.
 */
export interface WorldOpening {
  readonly protocol: string;
  /** First and last port (tcp/udp); undefined for protocols without ports. */
  readonly from?: number;
  readonly to?: number;
  /** The permissions that admit public addresses to it. */
  readonly permissions: readonly Ingress[];
  /** Their CIDRs. */
  readonly cidrs: readonly string[];
}

function groupKey(ingress: Ingress): string {
  return ingress.group?.address ?? ingress.block.address;
}

/** Every world opening of the stack's security groups (permissions of one group are judged together). */
export function worldOpenings(model: StackModel): WorldOpening[] {
  const byGroup = new Map<string, Ingress[]>();
  for (const ingress of ingressPermissions(model)) byGroup.set(groupKey(ingress), [...(byGroup.get(groupKey(ingress)) ?? []), ingress]);
  const out: WorldOpening[] = [];
  for (const permissions of byGroup.values()) {
    const named = [...new Set(permissions.map((ingress) => protocolName(ingress.protocol)).filter((protocol) => protocol !== "all"))];
    for (const protocol of named.length > 0 ? named : ["all"]) {
      const candidates = permissions.filter((ingress) => allProtocols(ingress.protocol) || protocolName(ingress.protocol) === protocol);
      const covers = (ingress: Ingress, port: number) => allProtocols(ingress.protocol) || !hasPorts(protocol) || !portsKnown(ingress) || ((ingress.from as number) <= port && port <= (ingress.to as number));
      const boundaries = hasPorts(protocol)
        ? [...new Set([0, ...candidates.filter(portsKnown).flatMap((ingress) => [ingress.from as number, (ingress.to as number) + 1])])].filter((port) => port >= 0 && port <= 65535).sort((a, b) => a - b)
        : [0];
      boundaries.forEach((port, index) => {
        const covering = candidates.filter((ingress) => covers(ingress, port));
        const cidrs = covering.flatMap((ingress) => ingress.cidrs);
        if (!coversWorld(cidrs)) return;
        const contributing = covering.filter((ingress) => ingress.cidrs.some(touchesPublic));
        const last = hasPorts(protocol) ? (boundaries[index + 1] ?? 65536) - 1 : undefined;
        const previous = out[out.length - 1];
        // Adjacent ranges opened by the same permissions are one opening.
        if (previous && previous.protocol === protocol && previous.to === port - 1 && previous.permissions.length === contributing.length && previous.permissions.every((item, i) => item === contributing[i])) {
          out[out.length - 1] = { ...previous, ...(last !== undefined ? { to: last } : {}) };
          return;
        }
        out.push({ protocol, ...(hasPorts(protocol) ? { from: port, to: last } : {}), permissions: contributing, cidrs: contributing.flatMap((ingress) => ingress.cidrs) });
      });
    }
  }
  return out;
}

function openingText(opening: WorldOpening): string {
  if (opening.protocol === "all") return "all traffic";
  if (opening.from === undefined || opening.to === undefined) return `${opening.protocol.toUpperCase()} traffic`;
  if (opening.from === 0 && opening.to === 65535) return `every ${opening.protocol.toUpperCase()} port`;
  return opening.from === opening.to ? `port ${opening.from}` : `ports ${opening.from}-${opening.to}`;
}

function openingCovers(opening: WorldOpening, port: number): boolean {
  if (opening.protocol === "all") return true;
  if (!hasPorts(opening.protocol) || opening.from === undefined || opening.to === undefined) return false;
  return opening.from <= port && port <= opening.to;
}

/** "rule admits port 22 from 0.0.0.0/1, 128.0.0.0/1 (together ...), with ingress[1] of the same group" */
function openingMessages(opening: WorldOpening, what: (ingress: Ingress) => string | undefined): Violation[] {
  return opening.permissions.flatMap((ingress) => {
    const message = what(ingress);
    if (message === undefined) return [];
    const others = opening.permissions.filter((other) => other !== ingress).map((other) => (other.block === ingress.block ? other.describe : `${other.block.path} ${other.describe}`));
    return [{ block: ingress.block, message: `${message}${others.length > 0 ? ` (together with ${others.join(", ")} of the same security group)` : ""}` }];
  });
}

/** NACL entries (inline ingress blocks and aws_network_acl_rule) of one ACL, for the admin-port check. */
interface NaclEntry {
  readonly block: Block;
  readonly number: number;
  readonly allow: boolean;
  readonly protocol: string;
  readonly from?: number;
  readonly to?: number;
  readonly cidrs: readonly string[];
}

function naclEntries(model: StackModel): Map<Block, NaclEntry[]> {
  const out = new Map<Block, NaclEntry[]>();
  for (const acl of model.resources("aws_network_acl")) {
    out.set(acl, blocks(acl.body.ingress).map((entry) => ({
      block: acl,
      number: numberOf(entry.rule_no) ?? 0,
      allow: String(entry.action).toLowerCase() === "allow",
      protocol: String(entry.protocol ?? "-1"),
      from: numberOf(entry.from_port),
      to: numberOf(entry.to_port),
      cidrs: [literal(entry.cidr_block), literal(entry.ipv6_cidr_block)].filter((cidr): cidr is string => cidr !== undefined),
    })));
  }
  for (const rule of model.resources("aws_network_acl_rule")) {
    if (isTrue(rule.body.egress)) continue;
    const acl = model.refsIn(rule.body.network_acl_id).find((block) => block.type === "aws_network_acl") ?? rule;
    out.set(acl, [...(out.get(acl) ?? []), {
      block: rule,
      number: numberOf(rule.body.rule_number) ?? 0,
      allow: String(rule.body.rule_action).toLowerCase() === "allow",
      protocol: String(rule.body.protocol ?? "-1"),
      from: numberOf(rule.body.from_port),
      to: numberOf(rule.body.to_port),
      cidrs: [literal(rule.body.cidr_block), literal(rule.body.ipv6_cidr_block)].filter((cidr): cidr is string => cidr !== undefined),
    }]);
  }
  return out;
}

/**
 * The addresses a network ACL lets reach a TCP port: entries are evaluated in rule-number order and the first entry
 * matching an address decides (AWS VPC User Guide, "Network ACL rules"), so a deny before an allow removes its
 * addresses. Entries with an unknown port range are taken to match every port.
 */
function naclAdmits(entries: readonly NaclEntry[], port: number): { allowed: Record<IpFamily, Range[]>; entries: NaclEntry[] } {
  const decided: Record<IpFamily, Range[]> = { 4: [], 6: [] };
  const allowed: Record<IpFamily, Range[]> = { 4: [], 6: [] };
  const contributing: NaclEntry[] = [];
  for (const entry of [...entries].sort((a, b) => a.number - b.number)) {
    const protocol = protocolName(entry.protocol);
    const matches = protocol === "all" || (protocol === "tcp" && (entry.from === undefined || entry.to === undefined || (entry.from <= port && port <= entry.to)));
    if (!matches) continue;
    for (const cidr of entry.cidrs) {
      const parsed = parseCidr(cidr);
      if (!parsed) continue;
      const fresh = subtract([parsed.range], decided[parsed.family]);
      if (entry.allow && fresh.length > 0) {
        allowed[parsed.family] = merge([...allowed[parsed.family], ...fresh]);
        if (!contributing.includes(entry)) contributing.push(entry);
      }
      decided[parsed.family] = merge([...decided[parsed.family], parsed.range]);
    }
  }
  return { allowed, entries: contributing };
}

function azOf(subnet: Block | undefined): unknown {
  return subnet ? (subnet.body.availability_zone ?? subnet.body.availability_zone_id) : undefined;
}

/** Security groups attached to data stores, by the attribute each data store type uses. */
const DATA_STORE_GROUP_ATTRIBUTES: readonly [string, string[]][] = [
  ["aws_rds_cluster", ["vpc_security_group_ids"]],
  ["aws_db_instance", ["vpc_security_group_ids"]],
  ["aws_docdb_cluster", ["vpc_security_group_ids"]],
  ["aws_elasticache_replication_group", ["security_group_ids"]],
  ["aws_elasticache_cluster", ["security_group_ids"]],
  ["aws_elasticache_serverless_cache", ["security_group_ids"]],
  ["aws_memorydb_cluster", ["security_group_ids"]],
  ["aws_opensearch_domain", ["vpc_options"]],
  ["aws_mq_broker", ["security_groups"]],
  ["aws_efs_mount_target", ["security_groups"]],
];

/** SSH and RDP. */
const ADMIN_PORTS = [22, 3389];

export function dataStoreGroups(model: StackModel): Map<string, { group: Block; store: Block }> {
  const out = new Map<string, { group: Block; store: Block }>();
  for (const [type, attributes] of DATA_STORE_GROUP_ATTRIBUTES) {
    for (const store of model.resources(type)) {
      for (const attribute of attributes) {
        for (const group of model.refsIn(store.body[attribute]).filter((block) => block.type === "aws_security_group")) {
          out.set(group.address, { group, store });
        }
      }
    }
  }
  return out;
}

export const NETWORK_RULES: readonly Rule[] = [
  {
    id: "VPC-FLOW-LOGS",
    title: "Every VPC has flow logs for all traffic",
    severity: "medium",
    scope: "all",
    upstream: "CKV2_AWS_11; TV AWS-0178; NAG VPC7",
    unknown: { decision: "finding", reason: "A flow log counts only when it references the VPC and its traffic_type is the literal ALL; an expression is reported." },
    fix: "Add an aws_flow_log with vpc_id referencing the VPC and traffic_type \"ALL\" (the Network construct does this).",
    check: ({ model }) =>
      each(model.resources("aws_vpc"), (vpc) => {
        const logs = model.referrers(vpc, ["aws_flow_log"], "vpc_id");
        if (logs.length === 0) return "no aws_flow_log references this VPC";
        return logs.some((log) => log.body.traffic_type === "ALL")
          ? undefined
          : `flow logs capture ${logs.map((log) => describe(log.body.traffic_type)).join(", ")}, not ALL traffic`;
      }),
  },
  {
    id: "VPC-DEFAULT-SG-CLOSED",
    title: "The default security group of every VPC has no rules",
    severity: "medium",
    scope: "all",
    upstream: "CKV2_AWS_12; TV AWS-0173",
    unknown: { decision: "finding", reason: "Ingress or egress given as an expression (dynamic rules) is reported as rules." },
    fix: "Manage the VPC's default security group with an aws_default_security_group that has empty ingress and egress.",
    check: ({ model }) =>
      each(model.resources("aws_vpc"), (vpc) => {
        const defaults = model.referrers(vpc, ["aws_default_security_group"], "vpc_id");
        if (defaults.length === 0) return "the default security group is not managed (AWS creates it with allow-all rules between members)";
        if (defaults.some((group) => isExpression(group.body.ingress) || isExpression(group.body.egress) || group.body.dynamic !== undefined)) return "the default security group's rules are an expression, known only at plan time";
        return defaults.some((group) => blocks(group.body.ingress).length > 0 || blocks(group.body.egress).length > 0)
          ? "the default security group has ingress or egress rules"
          : undefined;
      }),
  },
  {
    id: "SUBNET-NO-AUTO-PUBLIC-IP",
    title: "Subnets do not assign public IPs on launch",
    severity: "medium",
    scope: "all",
    upstream: "CKV_AWS_130; TV AWS-0164",
    unknown: { decision: "finding", reason: "map_public_ip_on_launch that is an expression may be true and is reported." },
    fix: "Remove map_public_ip_on_launch (or set it to false); only load balancers and NAT gateways belong in public subnets.",
    check: ({ model }) =>
      each(model.resources("aws_subnet"), (subnet) =>
        isTrue(subnet.body.map_public_ip_on_launch) ? "map_public_ip_on_launch is true" : isExpression(subnet.body.map_public_ip_on_launch) ? `map_public_ip_on_launch is ${describe(subnet.body.map_public_ip_on_launch)}, known only at plan time` : undefined,
      ),
  },
  {
    id: "SG-NO-WORLD-ADMIN",
    title: "No SSH or RDP from the internet (security groups and network ACLs)",
    severity: "critical",
    scope: "all",
    upstream: "CKV_AWS_24/25/229-232; TV AWS-0107/0105; NAG EC23",
    unknown: { decision: "safe", reason: "A CIDR computed at plan time is an attribute of the platform's own VPC, subnets or peer networks (CIDRs from configuration are literals and judged), so it is not counted as world; a port range that is an expression counts as every port." },
    fix: "Remove the ingress that lets public address space (0.0.0.0/0, ::/0, or CIDRs that together cover it) reach ports 22/3389; use SSM Session Manager or a bastion reached by security-group reference.",
    check: ({ model }) => [
      ...worldOpenings(model)
        .filter((opening) => ADMIN_PORTS.some((port) => openingCovers(opening, port)))
        .flatMap((opening) => openingMessages(opening, (ingress) => `${ingress.describe} admits ${openingText(opening)} from ${describeWorld(opening.cidrs)}`)),
      ...[...naclEntries(model)].flatMap(([acl, entries]) =>
        ADMIN_PORTS.flatMap((port): Violation[] => {
          const admitted = naclAdmits(entries, port);
          if (!worldRanges(admitted.allowed)) return [];
          const cidrs = admitted.entries.flatMap((entry) => entry.cidrs);
          return [{ block: acl, message: `network ACL entries ${admitted.entries.map((entry) => entry.number).join(", ")} allow TCP port ${port} from ${describeWorld(cidrs)}` }];
        }),
      ),
    ],
  },
  {
    id: "SG-WORLD-INGRESS-EDGE-ONLY",
    title: "Internet ingress only on internet-facing load balancers, ports 80/443",
    severity: "high",
    scope: "all",
    upstream: "CKV_AWS_277/260",
    unknown: { decision: "safe", reason: "As SG-NO-WORLD-ADMIN: computed CIDRs are the platform's own network attributes; ports that are expressions count as every port." },
    fix: "Restrict the source to known CIDRs or security groups; world ingress (0.0.0.0/0, ::/0, or CIDRs that together cover public address space) belongs only on an internet-facing load balancer's security group, TCP 80/443.",
    check: ({ model }) => {
      const edgeGroups = new Set(
        model
          .resources("aws_lb", "aws_alb", "aws_elb")
          .filter((lb) => !isTrue(lb.body.internal))
          .flatMap((lb) => model.refsIn(lb.body.security_groups))
          .map((group) => group.address),
      );
      const seen = new Set<string>();
      const out: Violation[] = [];
      for (const opening of worldOpenings(model)) {
        const web = opening.protocol === "tcp" && opening.from === opening.to && (opening.from === 80 || opening.from === 443);
        const from = opening.cidrs.length === 1 && ["0.0.0.0/0", "::/0"].includes(opening.cidrs[0] as string) ? "the internet" : `the internet: ${describeWorld(opening.cidrs)}`;
        const violations = openingMessages(opening, (ingress) => {
          if (opening.protocol === "all") return `${ingress.describe} admits all protocols from ${from}`;
          if (!web) return `${ingress.describe} admits ${openingText(opening)} from ${from} (only 80 or 443 may be)`;
          return !ingress.group || !edgeGroups.has(ingress.group.address) ? `${ingress.describe} admits ${openingText(opening)} from ${from} to a group no internet-facing load balancer uses` : undefined;
        });
        for (const violation of violations) {
          const key = `${violation.block?.address}|${violation.message}`;
          if (!seen.has(key)) out.push(violation);
          seen.add(key);
        }
      }
      return out;
    },
  },
  {
    id: "SG-DATASTORE-SG-REFS",
    title: "Data store security groups admit only security-group references",
    severity: "high",
    scope: "all",
    upstream: "NAG RDS8",
    unknown: { decision: "finding", reason: "Any CIDR or prefix list source, literal or computed, is reported: data stores admit security-group references only." },
    fix: "Replace CIDR or prefix-list sources with referenced_security_group_id (the workload security group).",
    check: ({ model }) => {
      const groups = dataStoreGroups(model);
      return ingressPermissions(model)
        .filter((ingress) => ingress.group && groups.has(ingress.group.address) && (ingress.cidrs.length > 0 || ingress.prefixLists.length > 0))
        .map((ingress) => ({
          block: ingress.block,
          message: `${ingress.describe} of the security group of ${groups.get(ingress.group?.address ?? "")?.store.path} admits ${[...ingress.cidrs, ...ingress.prefixLists].join(", ")}`,
        }));
    },
  },
  {
    id: "NAT-PER-AZ",
    title: "Private subnets route to a NAT gateway in their own AZ",
    severity: "medium",
    scope: "prod",
    upstream: "custom",
    unknown: { decision: "finding", reason: "Availability zones that are expressions are compared as written: different expressions count as different zones." },
    fix: "Use one NAT gateway per AZ (network.natGateways: per-az) and route each private subnet to the NAT of its AZ.",
    check: ({ model }) => {
      const natAz = (nat: Block) => azOf(model.refsIn(nat.body.subnet_id).find((block) => block.type === "aws_subnet"));
      // route table address -> NAT gateways of its default route
      const defaultRoutes = new Map<string, { route: Block; nat: Block }>();
      for (const route of model.resources("aws_route")) {
        if (route.body.destination_cidr_block !== "0.0.0.0/0") continue;
        const nat = model.refsIn(route.body.nat_gateway_id).find((block) => block.type === "aws_nat_gateway");
        const table = model.refsIn(route.body.route_table_id).find((block) => block.type === "aws_route_table");
        if (nat && table) defaultRoutes.set(table.address, { route, nat });
      }
      for (const table of model.resources("aws_route_table")) {
        for (const inline of blocks(table.body.route)) {
          const nat = inline.cidr_block === "0.0.0.0/0" ? model.refsIn(inline.nat_gateway_id).find((block) => block.type === "aws_nat_gateway") : undefined;
          if (nat) defaultRoutes.set(table.address, { route: table, nat });
        }
      }
      const out: Violation[] = [];
      for (const association of model.resources("aws_route_table_association")) {
        const table = model.refsIn(association.body.route_table_id).find((block) => block.type === "aws_route_table");
        const subnet = model.refsIn(association.body.subnet_id).find((block) => block.type === "aws_subnet");
        const target = table && defaultRoutes.get(table.address);
        if (!target || !subnet) continue;
        const subnetAz = azOf(subnet);
        const gatewayAz = natAz(target.nat);
        if (subnetAz !== undefined && gatewayAz !== undefined && JSON.stringify(subnetAz) !== JSON.stringify(gatewayAz)) {
          out.push({
            block: target.route,
            message: `private subnet ${subnet.path} (AZ ${describe(subnetAz)}) routes to NAT gateway ${target.nat.path} in AZ ${describe(gatewayAz)}; losing that AZ cuts its egress`,
          });
        }
      }
      return out;
    },
  },
];
