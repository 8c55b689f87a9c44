/**
 * `account-<name>`: the baseline of every account holding a stack, applied by an administrator: the CI identity of
 * the environments deploying there, the permissions boundary, the service-linked roles and the detective controls
 * (or their declaration as the organization's).
 */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../config/loader";
import { exceptionsIn } from "../../constructs/policy/exceptions";
import { stackCatalog } from "../../stacks/app";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { accountDeployments, stateBucketName } from "../../stacks/context";
import { BUNDLED_CONFIG_DIR, buildStacks, bundledStackJson, bundledConfig, resourceList, synthJson, tempConfig, type Synthesized } from "../support/synth";
import { twoAccountConfigDir } from "../support/accounts";

const json = bundledStackJson("account-main");

describe("account-main (the bundled configuration's one account)", () => {
  it("is applied by an administrator after bootstrap, before every stack CI applies in the account", () => {
    const catalog = stackCatalog(bundledConfig());
    const entry = catalog.find((item) => item.name === "account-main")!;
    expect(entry).toMatchObject({ stage: "account", appliedBy: "administrator", accountName: "main", dependsOn: ["bootstrap"] });
    expect(entry.environment).toBeUndefined();
    for (const infra of catalog.filter((item) => item.stage === "infra")) expect(infra.dependsOn, infra.name).toContain("account-main");
    expect((json.terraform as { backend: { s3: { key: string } } }).backend.s3.key).toBe("stacks/account-main/terraform.tfstate");
  });

  it("holds the GitHub OIDC provider once and each environment's plan and deploy role, bounded", () => {
    expect(resourceList(json, "aws_iam_openid_connect_provider")).toHaveLength(1);
    const roles = resourceList(json, "aws_iam_role");
    expect(roles.map((role) => role.name).sort()).toEqual(["acme-dev-ci-deploy", "acme-dev-ci-plan", "acme-prod-ci-deploy", "acme-prod-ci-plan", "acme-staging-ci-deploy", "acme-staging-ci-plan"]);
    for (const role of roles) expect(role.permissions_boundary).toMatch(/^\$\{aws_iam_policy\.boundary_policy_/);
    expect(resourceList(json, "aws_iam_policy")).toEqual([expect.objectContaining({ name: "acme-platform-boundary" })]);
  });

  it("creates the service-linked roles the account's stacks need and the detective controls", () => {
    expect(resourceList(json, "aws_iam_service_linked_role").map((role) => role.aws_service_name).sort()).toEqual(["config.amazonaws.com", "opensearchservice.amazonaws.com", "spot.amazonaws.com"]);
    expect(resourceList(json, "aws_cloudtrail")).toHaveLength(1);
    expect(resourceList(json, "aws_guardduty_detector")).toHaveLength(1);
    expect(resourceList(json, "aws_config_configuration_recorder")).toEqual([expect.objectContaining({ depends_on: [expect.stringMatching(/^aws_iam_service_linked_role\.service-linked-roles_config_/)] })]);
    expect(resourceList(json, "aws_accessanalyzer_analyzer")).toHaveLength(1);
    expect(resourceList(json, "aws_s3_bucket")).toEqual([expect.objectContaining({ bucket: "acme-audit-logs-111111111111-eu-west-1", object_lock_enabled: true })]);
    // The bootstrap account's trail records every object-level call on the Terraform state bucket.
    expect(JSON.stringify(resourceList(json, "aws_cloudtrail")[0]!.advanced_event_selector)).toContain('"starts_with":["arn:aws:s3:::acme-tfstate-111111111111-eu-west-1/"]');
  });
});

describe("the state bucket's access logging exception points at the trail that records it", () => {
  it("names the account stack's trail, which records S3 data events of the state bucket", () => {
    // The exception is declared in code next to the bucket (constructs/state-store: acceptPolicyFinding), so every
    // configuration directory has it; the bundled suppressions file holds none of the platform's own.
    const bootstrap = bundledStackJson("bootstrap");
    const buckets = Object.values(bootstrap.resource?.aws_s3_bucket ?? {}) as { "//": { metadata: { path: string } } & Record<string, unknown> }[];
    const bucket = buckets.find((candidate) => candidate["//"].metadata.path === "bootstrap/state/bucket")!;
    const accessLogs = exceptionsIn(bucket["//"]).find((entry) => entry.rule === "ACCESS-LOGS")!;
    expect(accessLogs.reason).toMatch(/account-<bootstrap account>, detective-controls\/trail: S3 data events of this bucket/);
    const suppressions = (parse(readFileSync(join(BUNDLED_CONFIG_DIR, "policy", "suppressions.yaml"), "utf8")) as { suppressions: { rule: string; path: string }[] }).suppressions;
    expect(suppressions.filter((entry) => entry.rule === "ACCESS-LOGS" && entry.path.startsWith("bootstrap/"))).toEqual([]);
    const config = bundledConfig();
    const stack = bundledStackJson(`account-${config.project.bootstrap.account}`);
    const [trail] = Object.entries(stack.resource?.aws_cloudtrail ?? {});
    expect((trail![1] as { "//": { metadata: { path: string } } })["//"].metadata.path).toBe(`account-${config.project.bootstrap.account}/detective-controls/trail`);
    expect(JSON.stringify(trail![1])).toContain(`"starts_with":["arn:aws:s3:::${stateBucketName(config.project)}/"]`);
  });
});

describe("account stacks from configuration", () => {
  it("make one stack per account holding a stack, each with the environments deploying there", () => {
    const config = loadConfig(twoAccountConfigDir());
    const deployments = accountDeployments(config);
    expect([...deployments.keys()]).toEqual(["main", "prod"]);
    expect([...deployments.get("main")!.environments.keys()].sort()).toEqual(["dev", "prod", "staging"]);
    expect([...deployments.get("prod")!.environments.keys()]).toEqual(["prod"]);
    expect(stackCatalog(config).filter((entry) => entry.stage === "account").map((entry) => [entry.name, entry.account.accountId])).toEqual([["account-main", "111111111111"], ["account-prod", "222222222222"]]);
  });

  it("pin every stack to its account, where its environment's deploy role is cluster admin and its roles carry that account's boundary", async () => {
    const config = loadConfig(twoAccountConfigDir());
    const stacks = await buildStacks(config, { stackPatterns: ["prod-infra", "tenant-initech-infra"] });
    for (const [name, account] of [["prod-infra", "222222222222"], ["tenant-initech-infra", "111111111111"]] as const) {
      const stack = synthJson(stacks.get(name)!) as Synthesized;
      expect(stack.provider?.aws?.[0], name).toMatchObject({ allowed_account_ids: [account] });
      expect(resourceList(stack, "aws_eks_access_entry").map((entry) => entry.principal_arn), name).toContain(`arn:aws:iam::${account}:role/acme-prod-ci-deploy`);
      for (const role of resourceList(stack, "aws_iam_role")) expect(role.permissions_boundary, name).toBe(`arn:aws:iam::${account}:policy/acme-platform-boundary`);
      expect((stack.terraform as { backend: { s3: { key: string; bucket: string } } }).backend.s3).toMatchObject({ key: `environments/prod/${name}/terraform.tfstate`, bucket: "acme-tfstate-111111111111-eu-west-1" });
    }
  });

  it("declare organization-managed controls instead of creating duplicates, and leave existing service-linked roles alone", async () => {
    const dir = tempConfig({
      set: {
        "project.yaml": {
          accounts: {
            main: {
              controls: {
                cloudTrail: { managedBy: "organization", reason: "Control Tower organization trail (log archive account)" },
                config: { managedBy: "organization", reason: "Control Tower recorder: one per account and region" },
              },
              serviceLinkedRoles: { existing: ["opensearchservice.amazonaws.com"] },
            },
          },
        },
      },
    });
    const stack = synthJson((await buildStacks(loadConfig(dir), { stackPatterns: ["account-main"] })).get("account-main")!) as Synthesized;
    expect(resourceList(stack, "aws_cloudtrail")).toEqual([]);
    expect(resourceList(stack, "aws_config_configuration_recorder")).toEqual([]);
    expect(resourceList(stack, "aws_s3_bucket")).toEqual([]); // no trail and no recorder deliver here: no audit bucket
    expect(resourceList(stack, "aws_guardduty_detector")).toHaveLength(1);
    expect(resourceList(stack, "aws_iam_service_linked_role").map((role) => role.aws_service_name)).toEqual(["spot.amazonaws.com"]);
    expect((stack.output!.detective_controls as { value: Record<string, string> }).value).toEqual({
      cloudTrail: "organization: Control Tower organization trail (log archive account)",
      guardDuty: "platform",
      config: "organization: Control Tower recorder: one per account and region",
      accessAnalyzer: "platform",
    });
  });

  it("give an account holding only the state bucket its controls and no CI identity", async () => {
    const dir = tempConfig({
      set: {
        "project.yaml": { accounts: { state: { id: "444444444444", region: "eu-west-1" } }, bootstrap: { account: "state" } },
      },
    });
    const config = loadConfig(dir);
    expect([...accountDeployments(config).keys()]).toEqual(["main", "state"]);
    const stack = synthJson((await buildStacks(config, { stackPatterns: ["account-state"] })).get("account-state")!) as Synthesized;
    expect(resourceList(stack, "aws_iam_role")).toEqual([]);
    expect(resourceList(stack, "aws_iam_openid_connect_provider")).toEqual([]);
    expect(resourceList(stack, "aws_cloudtrail")).toHaveLength(1);
    expect(JSON.stringify(resourceList(stack, "aws_cloudtrail")[0]!.advanced_event_selector)).toContain("acme-tfstate-444444444444-eu-west-1");
  });
});
