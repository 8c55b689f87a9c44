import { describe, expect, it } from "vitest";
import { RabbitMq, type RabbitMqProps } from "../../../constructs/rabbitmq";
import { resourceList, synthConstruct } from "../../support/synth";
import { connectionKeys, only, serviceProps, WORKLOAD_SG } from "../data-access/fixture";

type Overrides = Partial<Omit<RabbitMqProps, "naming" | "account" | "name" | "encryptionKey" | "logging">>;

function rabbitMq(overrides: Overrides = {}) {
  return synthConstruct((scope) => new RabbitMq(scope, "mq", { ...serviceProps(scope, "queue"), instanceType: "mq.m7g.large", ...overrides }));
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

  it("keeps the generated password out of the synthesized JSON: it comes from a Secrets Manager secret", () => {
    const [user] = broker.user as Record<string, unknown>[];
    expect(user?.password).toMatch(/^\$\{jsondecode\(aws_secretsmanager_secret_version\.\S+\.secret_string\)\.password\}$/);
    const version = only(json, "aws_secretsmanager_secret_version");
    expect(version.secret_string).toContain("data.aws_secretsmanager_random_password");
    expect(version.lifecycle).toEqual({ ignore_changes: ["secret_string"] });
    const secret = only(json, "aws_secretsmanager_secret");
    expect(secret).toMatchObject({ name: "/acme/test/services/queue/credentials", recovery_window_in_days: 30 });
    expect(secret.kms_key_id).toContain("aws_kms_key.data-key");
  });

  it("admits AMQPS and the management API only from the workload group and publishes the secret ARN", () => {
    expect(resourceList(json, "aws_vpc_security_group_ingress_rule").map((rule) => [rule.from_port, rule.referenced_security_group_id])).toEqual(
      expect.arrayContaining([
        [5671, WORKLOAD_SG],
        [443, WORKLOAD_SG],
      ]),
    );
    expect(resourceList(json, "aws_vpc_security_group_ingress_rule")).toHaveLength(2);
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
    ["RabbitMQ 4.2 off mq.m7g", { engineVersion: "4.2", instanceType: "mq.m5.large" }, /instanceType: RabbitMQ 4\.2 runs only on mq\.m7g instance types/],
    ["reserved user name", { username: "guest" }, /username: must be 2 to 100 letters/],
    ["cluster without enough subnets", { dataTier: { vpcId: "vpc-1", subnetIds: ["subnet-a"], availabilityZones: ["eu-west-1a"], dbSubnetGroupName: "x", cacheSubnetGroupName: "x" } }, /deployment: a cluster needs data subnets in at least 2 zones/],
    ["CIDR where only security groups are allowed", { allowedSecurityGroupIds: ["0.0.0.0/0"] }, /is a CIDR block/],
  ];
  it.each(cases)("rejects %s", (_what, overrides, message) => {
    expect(() => rabbitMq(overrides)).toThrow(message);
  });
});
