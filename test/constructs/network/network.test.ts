import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { describe, expect, it } from "vitest";
import { Naming } from "../../../constructs/core/naming";
import { Network, type NetworkProps } from "../../../constructs/network";
import { bundledStackJson, resourceList, resourcesOf, synthConstruct, TEST_ACCOUNT, type Synthesized } from "../../support/synth";

const naming = new Naming({ project: "acme", environment: "test" });

function network(props: Partial<NetworkProps> = {}) {
  return synthConstruct((scope) => {
    const key = new KmsKey(scope, "logs-key", {});
    return new Network(scope, "network", {
      naming,
      account: TEST_ACCOUNT,
      cidr: "10.40.0.0/16",
      availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
      flowLogs: { retentionDays: 30, kmsKey: key },
      clusterName: naming.clusterName,
      ...props,
    });
  });
}

const routesTo = (json: Synthesized, target: "nat_gateway_id" | "gateway_id") =>
  resourceList(json, "aws_route").filter((route) => route[target] !== undefined);

describe("Network defaults", () => {
  const { json, construct } = network();
  const subnets = resourceList(json, "aws_subnet");

  it("creates public, private and data subnets in each of 3 AZs without public IPs", () => {
    expect(subnets).toHaveLength(9);
    expect(subnets.every((subnet) => subnet.map_public_ip_on_launch === false)).toBe(true);
    expect(construct.privateSubnets).toHaveLength(3);
    expect(construct.layout.private).toEqual(["10.40.0.0/19", "10.40.32.0/19", "10.40.64.0/19"]);
    expect(subnets.map((subnet) => subnet.availability_zone)).toEqual(expect.arrayContaining(["eu-west-1a", "eu-west-1b", "eu-west-1c"]));
  });

  it("tags subnets for load balancer and Karpenter discovery", () => {
    const tags = (tier: string) => subnets.filter((s) => (s.tags as Record<string, string>)["platform:tier"] === tier).map((s) => s.tags as Record<string, string>);
    for (const tag of tags("public")) expect(tag).toMatchObject({ "kubernetes.io/role/elb": "1", "kubernetes.io/cluster/acme-test-eks": "shared" });
    for (const tag of tags("private")) expect(tag).toMatchObject({ "kubernetes.io/role/internal-elb": "1", "karpenter.sh/discovery": "acme-test-eks" });
    for (const tag of tags("data")) expect(Object.keys(tag).some((key) => key.startsWith("kubernetes.io") || key.startsWith("karpenter"))).toBe(false);
  });

  it("uses one NAT gateway per AZ and routes each private subnet to its own AZ's NAT", () => {
    expect(resourceList(json, "aws_nat_gateway")).toHaveLength(3);
    const natRoutes = routesTo(json, "nat_gateway_id");
    expect(natRoutes).toHaveLength(3);
    expect(new Set(natRoutes.map((route) => route.nat_gateway_id)).size).toBe(3);
    natRoutes.forEach((route, index) => {
      expect(route.nat_gateway_id).toContain(`network_nat-${index}_`);
      expect(route.route_table_id).toContain(`network_private-rt-${index}_`);
    });
  });

  it("gives the data tier no route to the internet", () => {
    const dataTables = Object.keys(resourcesOf(json, "aws_route_table")).filter((id) => id.includes("data-rt"));
    expect(dataTables).toHaveLength(3);
    for (const route of resourceList(json, "aws_route")) {
      expect(dataTables.some((id) => String(route.route_table_id).includes(id))).toBe(false);
    }
    expect(routesTo(json, "gateway_id")).toHaveLength(1); // the public route table only
  });

  it("keeps the default security group empty", () => {
    expect(resourceList(json, "aws_default_security_group")).toEqual([expect.objectContaining({ ingress: [], egress: [] })]);
  });

  it("logs ALL traffic to a KMS-encrypted log group with retention", () => {
    const [flowLog] = resourceList(json, "aws_flow_log");
    expect(flowLog).toMatchObject({ traffic_type: "ALL", log_destination_type: "cloud-watch-logs", max_aggregation_interval: 600 });
    expect(resourceList(json, "aws_cloudwatch_log_group")).toEqual([
      expect.objectContaining({ name: "/acme/test/vpc/flow-logs", retention_in_days: 30, kms_key_id: expect.stringContaining("aws_kms_key.logs-key") }),
    ]);
    const trust = JSON.stringify(json.data?.aws_iam_policy_document ?? {});
    expect(trust).toContain("vpc-flow-logs.amazonaws.com");
    expect(trust).toContain("aws:SourceAccount");
  });

  it("adds S3 and DynamoDB gateway endpoints to the private and data route tables", () => {
    const gateways = resourceList(json, "aws_vpc_endpoint").filter((endpoint) => endpoint.vpc_endpoint_type === "Gateway");
    expect(gateways.map((endpoint) => endpoint.service_name).sort()).toEqual(["com.amazonaws.eu-west-1.dynamodb", "com.amazonaws.eu-west-1.s3"]);
    for (const endpoint of gateways) expect(endpoint.route_table_ids).toHaveLength(6);
  });

  it("puts DB and cache subnet groups on the data tier", () => {
    const data = (ids: unknown) => (ids as string[]).every((id) => id.includes("network_data-"));
    expect(data(resourceList(json, "aws_db_subnet_group")[0]!.subnet_ids)).toBe(true);
    expect(data(resourceList(json, "aws_elasticache_subnet_group")[0]!.subnet_ids)).toBe(true);
  });

  it("creates a workload security group with no ingress for data services to reference", () => {
    const groups = resourceList(json, "aws_security_group").map((group) => group.name);
    expect(groups).toEqual(expect.arrayContaining(["acme-test-workloads", "acme-test-vpc-endpoints"]));
    const ingress = resourceList(json, "aws_vpc_security_group_ingress_rule");
    expect(ingress.every((rule) => !String(rule.security_group_id).includes("workloads"))).toBe(true);
  });
});

describe("Network options", () => {
  it("shares one NAT gateway in single mode", () => {
    const { json } = network({ natGateways: "single" });
    expect(resourceList(json, "aws_nat_gateway")).toHaveLength(1);
    const natRoutes = routesTo(json, "nat_gateway_id");
    expect(natRoutes).toHaveLength(3);
    expect(new Set(natRoutes.map((route) => route.nat_gateway_id)).size).toBe(1);
  });

  it("creates no NAT gateway and no private default route in none mode", () => {
    const { json } = network({ natGateways: "none" });
    expect(resourceList(json, "aws_nat_gateway")).toHaveLength(0);
    expect(resourceList(json, "aws_eip")).toHaveLength(0);
    expect(routesTo(json, "nat_gateway_id")).toHaveLength(0);
  });

  it("creates interface endpoints in the private subnets with private DNS and the endpoint security group", () => {
    const { json } = network({ interfaceEndpoints: ["ecr.api", "sts"] });
    const interfaces = resourceList(json, "aws_vpc_endpoint").filter((endpoint) => endpoint.vpc_endpoint_type === "Interface");
    expect(interfaces.map((endpoint) => endpoint.service_name)).toEqual(["com.amazonaws.eu-west-1.ecr.api", "com.amazonaws.eu-west-1.sts"]);
    for (const endpoint of interfaces) {
      expect(endpoint.private_dns_enabled).toBe(true);
      expect((endpoint.subnet_ids as string[]).every((id) => id.includes("network_private-"))).toBe(true);
    }
    expect(resourceList(json, "aws_vpc_security_group_ingress_rule")).toEqual([
      expect.objectContaining({ from_port: 443, to_port: 443, cidr_ipv4: "10.40.0.0/16" }),
    ]);
  });

  it("looks availability zones up when they are not given", () => {
    const { json } = network({ availabilityZones: undefined, azCount: 2 });
    expect(json.data?.aws_availability_zones).toBeDefined();
    expect(resourceList(json, "aws_subnet")).toHaveLength(6);
    expect(String(resourceList(json, "aws_subnet")[0]!.availability_zone)).toMatch(/element\(data\.aws_availability_zones/);
  });

  it("rejects invalid input", () => {
    expect(() => network({ cidr: "10.40.0.0" })).toThrow(/cidr "10\.40\.0\.0" is not an IPv4 CIDR/);
    expect(() => network({ availabilityZones: undefined, azCount: 7 })).toThrow(/azCount must be an integer from 2 to 6, got 7/);
    expect(() => network({ flowLogs: { retentionDays: 42, kmsKey: undefined as never } })).toThrow(/retentionDays 42 is not a CloudWatch Logs retention value/);
  });
});

describe("bundled environments", () => {
  const nats = (name: string) => resourceList(bundledStackJson(name), "aws_nat_gateway").length;

  it("give prod a NAT gateway per AZ and dev a single one", () => {
    expect(nats("prod-infra")).toBe(3);
    expect(nats("dev-infra")).toBe(1);
  });

  it("give prod the interface endpoints of its profile", () => {
    const services = resourceList(bundledStackJson("prod-infra"), "aws_vpc_endpoint").map((endpoint) => String(endpoint.service_name).split(".").slice(3).join("."));
    expect(services).toEqual(expect.arrayContaining(["ecr.api", "ecr.dkr", "sts", "logs", "secretsmanager", "kms", "ec2"]));
  });
});
