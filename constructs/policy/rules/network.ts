/**
 * Network rules: VPC flow logs, the default security group, subnets, security group ingress, NAT layout.
 */
import { type Block, blocks, describe, isTrue, literal, numberOf, type StackModel, strings } from "../model";
import type { Rule, Violation } from "../types";
import { each, WORLD_CIDRS } from "./support";

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

function allProtocols(protocol: string): boolean {
  return protocol === "-1" || protocol.toLowerCase() === "all";
}

function coversPort(ingress: Ingress, port: number): boolean {
  if (allProtocols(ingress.protocol)) return true;
  if (ingress.from === undefined || ingress.to === undefined) return false;
  return ingress.from <= port && port <= ingress.to;
}

function fromWorld(ingress: Ingress): boolean {
  return ingress.cidrs.some((cidr) => WORLD_CIDRS.includes(cidr));
}

function portText(ingress: Ingress): string {
  if (allProtocols(ingress.protocol)) return "all traffic";
  return ingress.from === ingress.to ? `port ${ingress.from}` : `ports ${ingress.from}-${ingress.to}`;
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
    fix: "Manage the VPC's default security group with an aws_default_security_group that has empty ingress and egress.",
    check: ({ model }) =>
      each(model.resources("aws_vpc"), (vpc) => {
        const defaults = model.referrers(vpc, ["aws_default_security_group"], "vpc_id");
        if (defaults.length === 0) return "the default security group is not managed (AWS creates it with allow-all rules between members)";
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
    fix: "Remove map_public_ip_on_launch (or set it to false); only load balancers and NAT gateways belong in public subnets.",
    check: ({ model }) =>
      each(model.resources("aws_subnet"), (subnet) =>
        isTrue(subnet.body.map_public_ip_on_launch) ? "map_public_ip_on_launch is true" : undefined,
      ),
  },
  {
    id: "SG-NO-WORLD-ADMIN",
    title: "No SSH or RDP from the internet",
    severity: "critical",
    scope: "all",
    upstream: "CKV_AWS_24/25; TV AWS-0107; NAG EC23",
    fix: "Remove the 0.0.0.0/0 or ::/0 ingress to ports 22/3389; use SSM Session Manager or a bastion reached by security-group reference.",
    check: ({ model }) =>
      ingressPermissions(model)
        .filter((ingress) => fromWorld(ingress) && (coversPort(ingress, 22) || coversPort(ingress, 3389)))
        .map((ingress) => ({ block: ingress.block, message: `${ingress.describe} admits ${portText(ingress)} from ${ingress.cidrs.join(", ")}` })),
  },
  {
    id: "SG-WORLD-INGRESS-EDGE-ONLY",
    title: "Internet ingress only on internet-facing load balancers, ports 80/443",
    severity: "high",
    scope: "all",
    upstream: "CKV_AWS_277/260",
    fix: "Restrict the source to known CIDRs or security groups; world ingress belongs only on an internet-facing load balancer's security group, TCP 80/443.",
    check: ({ model }) => {
      const edgeGroups = new Set(
        model
          .resources("aws_lb", "aws_alb", "aws_elb")
          .filter((lb) => !isTrue(lb.body.internal))
          .flatMap((lb) => model.refsIn(lb.body.security_groups))
          .map((group) => group.address),
      );
      const out: Violation[] = [];
      for (const ingress of ingressPermissions(model).filter(fromWorld)) {
        if (allProtocols(ingress.protocol)) {
          out.push({ block: ingress.block, message: `${ingress.describe} admits all protocols from the internet` });
        } else if (!(ingress.from === ingress.to && (ingress.from === 80 || ingress.from === 443))) {
          out.push({ block: ingress.block, message: `${ingress.describe} admits ${portText(ingress)} from the internet (only 80 or 443 may be)` });
        } else if (!ingress.group || !edgeGroups.has(ingress.group.address)) {
          out.push({ block: ingress.block, message: `${ingress.describe} admits ${portText(ingress)} from the internet to a group no internet-facing load balancer uses` });
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
