/**
 * The CI runner of a VPC (constructs/ci-runner): a CodeBuild-hosted GitHub Actions runner in the private subnets,
 * started by the repository's workflow_job webhook, reaching the cluster endpoint, with a service role that can do
 * nothing but run the build; the GitHub connection must be AVAILABLE (a plan-time check and the preflight's rule).
 */
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { describe, expect, it } from "vitest";
import { CiRunner, type CiRunnerProps } from "../../../constructs/ci-runner";
import { connectionProblem, runnerConnectionName, runnerCountProblem, runnerLabelPrefix, RUNNER_IMAGE } from "../../../constructs/ci-runner/rules";
import { Naming } from "../../../constructs/core/naming";
import { runnerProject, stackCatalog } from "../../../stacks/app";
import { bundledConfig, bundledStackJson, resourceList, synthConstruct, TEST_ACCOUNT } from "../../support/synth";

const naming = new Naming({ project: "acme", environment: "test" });

function runner(props: Partial<CiRunnerProps> = {}) {
  return synthConstruct((scope) => {
    const key = new KmsKey(scope, "logs-key", {});
    return new CiRunner(scope, "ci-runner", {
      naming,
      account: TEST_ACCOUNT,
      repository: { owner: "example-org", repository: "platform-iac" },
      vpcId: "vpc-1",
      subnetIds: ["subnet-a", "subnet-b"],
      clusterSecurityGroupId: "sg-cluster",
      logsKey: key,
      logRetentionDays: 30,
      computeType: "BUILD_GENERAL1_MEDIUM",
      ...props,
    });
  });
}

describe("CiRunner defaults", () => {
  const { json, construct } = runner();
  const project = resourceList(json, "aws_codebuild_project")[0] as Record<string, never>;

  it("is a CodeBuild project in the private subnets with its own security group, GitHub through the account's connection", () => {
    expect(construct.projectName).toBe("acme-test-ci-runner");
    expect(project).toMatchObject({
      name: "acme-test-ci-runner",
      source: { type: "GITHUB", location: "https://github.com/example-org/platform-iac.git", auth: { type: "CODECONNECTIONS" } },
      artifacts: { type: "NO_ARTIFACTS" },
      environment: { compute_type: "BUILD_GENERAL1_MEDIUM", image: RUNNER_IMAGE, type: "LINUX_CONTAINER" },
      vpc_config: { vpc_id: "vpc-1", subnets: ["subnet-a", "subnet-b"] },
      logs_config: { cloudwatch_logs: { status: "ENABLED" }, s3_logs: { status: "DISABLED" } },
    });
    expect(JSON.stringify(project)).toContain("data.aws_codestarconnections_connection");
    expect(resourceList(json, "aws_codebuild_webhook")).toEqual([expect.objectContaining({ build_type: "BUILD", filter_group: [{ filter: [{ type: "EVENT", pattern: "WORKFLOW_JOB_QUEUED" }] }] })]);
    expect(runnerLabelPrefix(construct.projectName)).toBe("codebuild-acme-test-ci-runner");
  });

  it("refuses to plan while the GitHub connection is not AVAILABLE (a person completes it once)", () => {
    const connection = Object.values((json.data as Record<string, Record<string, Record<string, unknown>>>).aws_codestarconnections_connection ?? {})[0];
    expect(connection?.name).toBe("acme-github");
    expect(connection?.lifecycle).toEqual({ postcondition: [{ condition: '${self.connection_status == "AVAILABLE"}', error_message: expect.stringContaining("Update pending connection") }] });
  });

  it("leaves its security group only on HTTPS and is admitted by the cluster's on 443", () => {
    expect(resourceList(json, "aws_vpc_security_group_egress_rule")).toEqual([expect.objectContaining({ ip_protocol: "tcp", from_port: 443, to_port: 443, cidr_ipv4: "0.0.0.0/0" })]);
    expect(resourceList(json, "aws_vpc_security_group_ingress_rule")).toEqual([expect.objectContaining({ security_group_id: "sg-cluster", from_port: 443, to_port: 443, referenced_security_group_id: expect.stringContaining("aws_security_group.") })]);
  });

  it("gives its service role logs, the build's network interfaces in the private subnets and the connection: nothing else", () => {
    const trust = JSON.stringify(Object.values((json.data as Record<string, Record<string, unknown>>).aws_iam_policy_document ?? {}));
    expect(trust).toContain("codebuild.amazonaws.com");
    expect(trust).toContain("arn:aws:codebuild:eu-west-1:123456789012:project/acme-test-ci-runner");
    const documents = (json.data as Record<string, Record<string, { statement?: { sid?: string; actions?: string[]; resources?: string[]; condition?: unknown[] }[] }>>).aws_iam_policy_document ?? {};
    const permissions = Object.entries(documents).find(([id]) => id.includes("permissions"))?.[1].statement ?? [];
    expect(permissions.map((statement) => statement.sid)).toEqual(["WriteOwnLogs", "DescribeNetwork", "NetworkInterfacesInPrivateSubnets", "UseGithubConnection"]);
    const actions = permissions.flatMap((statement) => statement.actions ?? []);
    expect(actions.some((action) => action.startsWith("sts:") || action.startsWith("iam:") || action.startsWith("s3:") || action.endsWith("*"))).toBe(false);
    expect(permissions.find((statement) => statement.sid === "NetworkInterfacesInPrivateSubnets")?.condition).toEqual(
      expect.arrayContaining([expect.objectContaining({ variable: "ec2:Subnet", values: ["arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-a", "arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-b"] })]),
    );
  });
});

describe("CiRunner rules", () => {
  it("rejects a runner without subnets", () => {
    expect(() => runner({ subnetIds: [] })).toThrow(/subnetIds must name the private subnets/);
  });

  it("rejects a connection name longer than CodeConnections allows", () => {
    expect(() => runnerConnectionName("a".repeat(30))).toThrow(/longer than 32 characters/);
  });

  it("explains a missing or pending connection, and too many runners for one repository's webhooks", () => {
    expect(connectionProblem({ name: "acme-github", accountId: "111111111111", region: "eu-west-1" })).toMatch(/does not exist in account 111111111111/);
    expect(connectionProblem({ name: "acme-github", accountId: "111111111111", region: "eu-west-1", status: "PENDING" })).toMatch(/is PENDING, not AVAILABLE: .*Update pending connection/);
    expect(connectionProblem({ name: "acme-github", accountId: "111111111111", region: "eu-west-1", status: "AVAILABLE" })).toBeUndefined();
    expect(runnerCountProblem(Array.from({ length: 21 }, (_, index) => `p${index}`))).toMatch(/GitHub allows 20 per event/);
    expect(runnerCountProblem(["a"])).toBeUndefined();
  });
});

describe("the runners of the bundled configuration", () => {
  it("exist in the infra stack of every environment and dedicated tenant whose platform and tenant stacks name them", () => {
    const catalog = stackCatalog(bundledConfig());
    const named = new Set(catalog.flatMap((entry) => (entry.runner ? [entry.runner] : [])));
    expect([...named].sort()).toEqual(["acme-dev-ci-runner", "acme-prod-ci-runner", "acme-prod-initech-ci-runner", "acme-staging-ci-runner"]);
    for (const entry of catalog.filter((item) => item.stage === "infra")) {
      const projects = resourceList(bundledStackJson(entry.name), "aws_codebuild_project").map((project) => project.name);
      expect(projects.length, entry.name).toBe(1);
      expect(named.has(projects[0] as string), entry.name).toBe(true);
    }
    // Stacks that reach a cluster run on its runner; the others on GitHub-hosted runners.
    for (const entry of catalog) expect(entry.runner !== undefined, entry.name).toBe(entry.stage === "platform" || entry.stage === "tenant");
    expect(runnerProject(new Naming({ project: "acme", environment: "prod", tenant: "initech" }))).toBe("acme-prod-initech-ci-runner");
  });
});
