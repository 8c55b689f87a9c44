import { describe, expect, it } from "vitest";
import { RabbitMq, type RabbitMqProps } from "../../../constructs/rabbitmq";
import { resourceList, synthConstruct } from "../../support/synth";
import { connectionKeys, only, serviceProps, WORKLOAD_SG } from "../data-access/fixture";

const PRIVATE_SUBNETS = ["subnet-private-a", "subnet-private-b", "subnet-private-c"];

type Overrides = Partial<Omit<RabbitMqProps, "naming" | "account" | "name" | "encryptionKey" | "logging">>;

function rabbitMq(overrides: Overrides = {}) {
  return synthConstruct((scope) => new RabbitMq(scope, "mq", { ...serviceProps(scope, "queue"), instanceType: "mq.m7g.large", functionSubnetIds: PRIVATE_SUBNETS, ...overrides }));
}

describe("RabbitMq defaults (cluster, protected)", () => {
  const { json } = rabbitMq();
  const broker = only(json, "aws_mq_broker");

  it("runs a private three-zone cluster with logs and a maintenance window, encrypted with the AWS-owned key (no encryption_options)", () => {
    expect(broker).toMatchObject({
      broker_name: "acme-test-rabbitmq-queue",
      engine_type: "RabbitMQ",
      engine_version: "3.13",
      deployment_mode: "CLUSTER_MULTI_AZ",
      publicly_accessible: false,
      auto_minor_version_upgrade: true,
      logs: { general: true },
      maintenance_window_start_time: { day_of_week: "SUNDAY", time_of_day: "03:00", time_zone: "UTC" },
      lifecycle: { prevent_destroy: true },
    });
    expect(broker.subnet_ids).toHaveLength(3);
    // Amazon MQ rejects encryptionOptions for RabbitMQ (terraform-provider-aws#25998): the block must be absent.
    expect(broker.encryption_options).toBeUndefined();
  });

  it("creates the broker with a bootstrap password that Terraform writes to the secret write-only and never stores there", () => {
    const [user] = broker.user as Record<string, unknown>[];
    expect(user).toMatchObject({ username: "platformadmin", password: expect.stringMatching(/^\$\{data\.aws_secretsmanager_random_password\.\S+\.random_password\}$/) });
    // The rotation function owns the password after creation; Amazon MQ does not return RabbitMQ users anyway.
    expect(broker.lifecycle).toEqual({ prevent_destroy: true, ignore_changes: ["user"] });
    const version = only(json, "aws_secretsmanager_secret_version");
    expect(version.secret_string).toBeUndefined();
    expect(version).toMatchObject({ secret_string_wo_version: 1, secret_string_wo: expect.stringContaining("data.aws_secretsmanager_random_password") });
    // Never pruned (a label of its own) and its labels left to the rotation (constructs/core/secret-versions.ts).
    expect(version).toMatchObject({ version_stages: ["AWSCURRENT", "PLATFORM_INITIAL"], lifecycle: { ignore_changes: ["version_stages"] } });
    const secret = only(json, "aws_secretsmanager_secret");
    expect(secret).toMatchObject({ name: "/acme/test/services/queue/credentials", recovery_window_in_days: 30 });
    expect(secret.kms_key_id).toContain("aws_kms_key.data-key");
  });

  it("rotates the password right after the broker exists and every 90 days, with a function scoped to this secret", () => {
    const rotation = only(json, "aws_secretsmanager_secret_rotation");
    expect(rotation).toMatchObject({ rotate_immediately: true, rotation_rules: { automatically_after_days: 90 } });
    expect(rotation.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_mq_broker\./), expect.stringMatching(/^aws_secretsmanager_secret_version\./), expect.stringMatching(/^aws_lambda_permission\./)]));
    const fn = only(json, "aws_lambda_function");
    expect(fn).toMatchObject({
      function_name: "acme-test-rabbitmq-queue-rotation",
      runtime: "nodejs22.x",
      handler: "index.handler",
      architectures: ["arm64"],
      vpc_config: { subnet_ids: ["subnet-private-a", "subnet-private-b", "subnet-private-c"] },
      logging_config: { log_format: "JSON" },
    });
    expect((fn.environment as { variables: Record<string, string> }).variables.MANAGEMENT_URL).toMatch(/^\$\{aws_mq_broker\.\S+\.instances\[0\]\.console_url\}$/);
    expect(String(fn.filename)).toMatch(/^assets\/.+\.zip$/);
    expect(only(json, "aws_lambda_permission")).toMatchObject({ principal: "secretsmanager.amazonaws.com", action: "lambda:InvokeFunction", source_account: "123456789012" });
    expect(only(json, "aws_cloudwatch_log_group")).toMatchObject({ name: "/aws/lambda/acme-test-rabbitmq-queue-rotation", retention_in_days: 30 });
    const statements = (json.data?.aws_iam_policy_document ?? {}) as Record<string, { statement: { sid?: string; actions: string[]; resources: string[] }[] }>;
    const permissions = Object.entries(statements).find(([id]) => id.includes("rotation-permissions"))?.[1].statement ?? [];
    expect(permissions.find((statement) => statement.sid === "RotateTheCredentials")?.resources).toEqual([expect.stringMatching(/^\$\{aws_secretsmanager_secret\.\S+\.arn\}$/)]);
  });

  it("admits AMQPS and the management API only from the workload group and publishes the secret ARN", () => {
    expect(resourceList(json, "aws_vpc_security_group_ingress_rule").map((rule) => [rule.from_port, rule.referenced_security_group_id])).toEqual(
      expect.arrayContaining([
        [5671, WORKLOAD_SG],
        [443, WORKLOAD_SG],
      ]),
    );
    // Plus the management API from the rotation function's own group.
    expect(resourceList(json, "aws_vpc_security_group_ingress_rule")).toHaveLength(3);
    expect(resourceList(json, "aws_vpc_security_group_ingress_rule").filter((rule) => String(rule.referenced_security_group_id).includes("rotation-security-group")).map((rule) => rule.from_port)).toEqual([443]);
    const keys = connectionKeys(only(json, "aws_ssm_parameter").value);
    expect(keys).toMatchObject({ kind: '"rabbitmq"', port: "5671", tls: "true" });
    expect(keys.host).toMatch(/aws_mq_broker\.\S+\.id\}\.mq\.eu-west-1\.amazonaws\.com/);
    expect(keys.secretArn).toContain("aws_secretsmanager_secret.");
  });
});

describe("RabbitMq: production vs development", () => {
  it("development runs a single small broker in one subnet", () => {
    const { json } = rabbitMq({ deployment: "single", instanceType: "mq.t3.micro", protectState: false, highAvailability: false });
    const broker = only(json, "aws_mq_broker");
    expect(broker).toMatchObject({ deployment_mode: "SINGLE_INSTANCE", host_instance_type: "mq.t3.micro", publicly_accessible: false, lifecycle: { prevent_destroy: false } });
    expect(broker.subnet_ids).toHaveLength(1);
    expect(only(json, "aws_secretsmanager_secret").recovery_window_in_days).toBe(7);
  });

  it("production refuses a single broker", () => {
    expect(() => rabbitMq({ deployment: "single" })).toThrow(/deployment: production needs a cluster deployment/);
  });
});

describe("RabbitMq validation (one failing input per rule)", () => {
  const cases: [string, Overrides, RegExp][] = [
    ["unsupported engine version", { engineVersion: "3.8" }, /engineVersion: Amazon MQ for RabbitMQ 3\.8 is not in the version catalog .*allowed: 3\.13, 4\.2/],
    ["unknown instance type", { instanceType: "mq.r5.large" }, /instanceType: is not an instance class Amazon MQ for RabbitMQ offers/],
    ["t3.micro in a cluster", { instanceType: "mq.t3.micro" }, /instanceType: mq\.t3\.micro supports only a single-instance broker/],
    ["unknown deployment", { deployment: "active-standby" as never }, /deployment: deployment must be one of single, cluster/],
    ["unknown maintenance day", { maintenanceWindow: { dayOfWeek: "FUNDAY" as never, timeOfDay: "03:00", timeZone: "UTC" } }, /maintenanceWindow\.dayOfWeek: maintenance day must be one of MONDAY/],
    ["malformed maintenance time", { maintenanceWindow: { dayOfWeek: "SUNDAY", timeOfDay: "3am", timeZone: "UTC" } }, /maintenanceWindow\.timeOfDay: must be hh:mm/],
    ["malformed time zone", { maintenanceWindow: { dayOfWeek: "SUNDAY", timeOfDay: "03:00", timeZone: "CET+1" } }, /maintenanceWindow\.timeZone: must be UTC or an IANA time zone/],
    ["rotation period Secrets Manager refuses", { passwordRotationDays: 0 }, /passwordRotationDays: password rotation \(days\) must be an integer from 1 to 1000/],
    ["RabbitMQ 4.2 off mq.m7g", { engineVersion: "4.2", instanceType: "mq.m5.large" }, /instanceType: RabbitMQ 4\.2 runs only on mq\.m7g instance types/],
    ["reserved user name", { username: "guest" }, /username: must be 2 to 100 letters/],
    ["cluster without enough subnets", { dataTier: { vpcId: "vpc-1", subnetIds: ["subnet-a"], availabilityZones: ["eu-west-1a"], dbSubnetGroupName: "x", cacheSubnetGroupName: "x" } }, /deployment: a cluster needs data subnets in at least 2 zones/],
    ["CIDR where only security groups are allowed", { allowedSecurityGroupIds: ["0.0.0.0/0"] }, /is a CIDR block/],
  ];
  it.each(cases)("rejects %s", (_what, overrides, message) => {
    expect(() => rabbitMq(overrides)).toThrow(message);
  });
});
