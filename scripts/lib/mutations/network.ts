/** Regressions of the network and the edge (security groups, VPC, EKS endpoint, launch templates, WAF, CDN). */
import { addResource, blocksAt, child, resource, resourceKey, removeResources, resourcesOf } from "./json";
import type { StackMutation } from "./types";

const INFRA = "prod-infra";

function workloadsSg(json: Parameters<StackMutation["apply"]>[0]): string {
  return `\${aws_security_group.${resourceKey(json, "aws_security_group", "network_workloads-sg")}.id}`;
}

export const NETWORK_MUTATIONS: readonly StackMutation[] = [
  {
    kind: "stack",
    id: "sg-ssh-from-world",
    description: "SSH (22) opened to 0.0.0.0/0 on the workloads security group",
    stack: INFRA,
    expect: "SG-NO-WORLD-ADMIN",
    apply: (json) => addResource(json, INFRA, "aws_vpc_security_group_ingress_rule", "ssh-world", { security_group_id: workloadsSg(json), ip_protocol: "tcp", from_port: 22, to_port: 22, cidr_ipv4: "0.0.0.0/0" }),
  },
  {
    kind: "stack",
    id: "sg-ssh-from-two-halves",
    description: "SSH opened to 0.0.0.0/1 and 128.0.0.0/1 (the whole internet in two rules, no 0.0.0.0/0 string)",
    stack: INFRA,
    expect: "SG-NO-WORLD-ADMIN",
    apply: (json) => {
      const sg = workloadsSg(json);
      addResource(json, INFRA, "aws_vpc_security_group_ingress_rule", "ssh-low-half", { security_group_id: sg, ip_protocol: "tcp", from_port: 22, to_port: 22, cidr_ipv4: "0.0.0.0/1" });
      addResource(json, INFRA, "aws_vpc_security_group_ingress_rule", "ssh-high-half", { security_group_id: sg, ip_protocol: "tcp", from_port: 22, to_port: 22, cidr_ipv4: "128.0.0.0/1" });
    },
  },
  {
    kind: "stack",
    id: "sg-rdp-from-ipv6-world",
    description: "RDP (3389) opened to ::/0",
    stack: INFRA,
    expect: "SG-NO-WORLD-ADMIN",
    apply: (json) => addResource(json, INFRA, "aws_vpc_security_group_ingress_rule", "rdp-world6", { security_group_id: workloadsSg(json), ip_protocol: "tcp", from_port: 3389, to_port: 3389, cidr_ipv6: "::/0" }),
  },
  {
    kind: "stack",
    id: "sg-all-ports-from-world",
    description: "every port (ip_protocol -1) opened to the internet on the workloads security group",
    stack: INFRA,
    expect: "SG-NO-WORLD-ADMIN",
    apply: (json) => addResource(json, INFRA, "aws_vpc_security_group_ingress_rule", "all-world", { security_group_id: workloadsSg(json), ip_protocol: "-1", cidr_ipv4: "0.0.0.0/0" }),
  },
  {
    kind: "stack",
    id: "sg-database-from-world",
    description: "PostgreSQL (5432) opened to 0.0.0.0/0 on a database security group",
    stack: INFRA,
    expect: "SG-WORLD-INGRESS-EDGE-ONLY",
    apply: (json) => {
      const sg = `\${aws_security_group.${resourceKey(json, "aws_security_group", "services_postgres-noor-db_security-group")}.id}`;
      addResource(json, INFRA, "aws_vpc_security_group_ingress_rule", "postgres-world", { security_group_id: sg, ip_protocol: "tcp", from_port: 5432, to_port: 5432, cidr_ipv4: "0.0.0.0/0" });
    },
  },
  {
    kind: "stack",
    id: "sg-cache-from-cidr",
    description: "the Redis security group admits the VPC CIDR instead of the workloads security group",
    stack: INFRA,
    expect: "SG-DATASTORE-SG-REFS",
    apply: (json) => {
      const rule = resource(json, "aws_vpc_security_group_ingress_rule", "services_redis-noor-cache_security-group_ingress");
      delete rule.referenced_security_group_id;
      rule.cidr_ipv4 = "10.30.0.0/16";
    },
  },
  {
    kind: "stack",
    id: "vpc-default-sg-open",
    description: "the default security group gets an allow-all ingress rule",
    stack: INFRA,
    expect: "VPC-DEFAULT-SG-CLOSED",
    apply: (json) => {
      resource(json, "aws_default_security_group").ingress = [{ protocol: "-1", from_port: 0, to_port: 0, self: true, cidr_blocks: [], ipv6_cidr_blocks: [], prefix_list_ids: [], security_groups: [], description: "all" }];
    },
  },
  {
    kind: "stack",
    id: "vpc-flow-logs-removed",
    description: "the VPC flow log is removed",
    stack: INFRA,
    expect: "VPC-FLOW-LOGS",
    apply: (json) => removeResources(json, "aws_flow_log"),
  },
  {
    kind: "stack",
    id: "subnet-auto-public-ip",
    description: "a private subnet assigns public IPs on launch",
    stack: INFRA,
    expect: "SUBNET-NO-AUTO-PUBLIC-IP",
    apply: (json) => {
      resource(json, "aws_subnet", "network_private-0").map_public_ip_on_launch = true;
    },
  },
  {
    kind: "stack",
    id: "nat-single-in-production",
    description: "production routes every private subnet through one NAT gateway (the others removed)",
    stack: INFRA,
    expect: "NAT-PER-AZ",
    apply: (json) => {
      const [first, ...others] = Object.keys(resourcesOf(json, "aws_nat_gateway"));
      if (!first || others.length === 0) throw new Error("prod-infra has a single NAT gateway already");
      for (const route of Object.values(resourcesOf(json, "aws_route"))) {
        if (typeof route.nat_gateway_id === "string") route.nat_gateway_id = `\${aws_nat_gateway.${first}.id}`;
      }
      removeResources(json, "aws_nat_gateway", (key) => others.includes(key));
    },
  },
  {
    kind: "stack",
    id: "eks-public-endpoint-world",
    description: "the EKS API endpoint is made public to 0.0.0.0/0",
    stack: INFRA,
    expect: "EKS-ENDPOINT",
    apply: (json) => {
      const vpc = child(resource(json, "aws_eks_cluster"), "vpc_config");
      vpc.endpoint_public_access = true;
      vpc.public_access_cidrs = ["0.0.0.0/0"];
    },
  },
  {
    kind: "stack",
    id: "eks-secrets-unencrypted",
    description: "envelope encryption of Kubernetes secrets is removed",
    stack: INFRA,
    expect: "EKS-SECRETS-KMS",
    apply: (json) => {
      delete resource(json, "aws_eks_cluster").encryption_config;
    },
  },
  {
    kind: "stack",
    id: "eks-audit-logs-off",
    description: "the EKS control plane stops logging (audit and authenticator logs off)",
    stack: INFRA,
    expect: "EKS-CP-LOGS",
    apply: (json) => {
      resource(json, "aws_eks_cluster").enabled_cluster_log_types = ["api"];
    },
  },
  {
    kind: "stack",
    id: "launch-template-imdsv1",
    description: "nodes accept IMDSv1 (http_tokens optional)",
    stack: INFRA,
    expect: "LT-IMDSV2",
    apply: (json) => {
      child(resource(json, "aws_launch_template"), "metadata_options").http_tokens = "optional";
    },
  },
  {
    kind: "stack",
    id: "launch-template-unencrypted-volume",
    description: "the nodes' root volume is no longer encrypted",
    stack: INFRA,
    expect: "LT-EBS-ENCRYPTED",
    apply: (json) => {
      const [mapping] = blocksAt(resource(json, "aws_launch_template"), "block_device_mappings");
      if (mapping) child(mapping, "ebs").encrypted = "false";
    },
  },
  {
    kind: "stack",
    id: "waf-rule-count-mode-in-production",
    description: "a managed rule group of the production web ACL is switched to count mode",
    stack: INFRA,
    expect: "WAF-COUNT-MODE-PROD",
    apply: (json) => {
      const managed = blocksAt(resource(json, "aws_wafv2_web_acl"), "rule").find((rule) => rule.override_action !== undefined);
      if (!managed) throw new Error("no managed rule group in the production web ACL");
      managed.override_action = { count: {} };
    },
  },
  {
    kind: "stack",
    id: "cloudfront-allows-http",
    description: "the CDN serves plain HTTP (viewer_protocol_policy allow-all)",
    stack: INFRA,
    expect: "CF-HTTPS-TLS",
    apply: (json) => {
      child(resource(json, "aws_cloudfront_distribution"), "default_cache_behavior").viewer_protocol_policy = "allow-all";
    },
  },
  {
    kind: "stack",
    id: "cloudfront-without-waf",
    description: "the CDN loses its web ACL",
    stack: INFRA,
    expect: "EDGE-WAF",
    apply: (json) => {
      delete resource(json, "aws_cloudfront_distribution").web_acl_id;
    },
  },
];
