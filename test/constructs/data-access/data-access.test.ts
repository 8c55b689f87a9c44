import { describe, expect, it } from "vitest";
import { publishConnection, securityGroupSourceProblems, ServiceSecurityGroup } from "../../../constructs/data-access";
import { InvalidSettingsError, throwIfProblems } from "../../../constructs/data-access/problems";
import { dailyWindowMinutes, weeklyWindowMinutes, windowsOverlap } from "../../../constructs/data-access/windows";
import { instanceClassProblem, sizes } from "../../../constructs/data-access/instance-classes";
import { resourceList, synthConstruct } from "../../support/synth";
import { connectionKeys, naming, only, WORKLOAD_SG } from "./fixture";

describe("ServiceSecurityGroup", () => {
  const { json } = synthConstruct((scope) => {
    new ServiceSecurityGroup(scope, "sg", {
      naming,
      vpcId: "vpc-1",
      component: "redis-cache",
      description: "test",
      ports: [6379, 443],
      sources: [WORKLOAD_SG],
    });
  });

  it("admits each port from the source security group only, with no egress rules", () => {
    const group = only(json, "aws_security_group");
    expect(group).toMatchObject({ name: "acme-test-redis-cache", vpc_id: "vpc-1" });
    expect(group.egress).toBeUndefined();
    const rules = resourceList(json, "aws_vpc_security_group_ingress_rule");
    expect(rules.map((rule) => rule.from_port).sort()).toEqual([443, 6379]);
    for (const rule of rules) {
      expect(rule.referenced_security_group_id).toBe(WORKLOAD_SG);
      expect(rule.cidr_ipv4).toBeUndefined();
      expect(rule.cidr_ipv6).toBeUndefined();
    }
    expect(resourceList(json, "aws_vpc_security_group_egress_rule")).toHaveLength(0);
  });

  it("rejects a CIDR source with a clear error", () => {
    expect(() =>
      synthConstruct((scope) => new ServiceSecurityGroup(scope, "sg", { naming, vpcId: "vpc-1", component: "pg-main", description: "x", ports: [5432], sources: ["10.0.0.0/8"] })),
    ).toThrow(/"10.0.0.0\/8" is a CIDR block; data services admit only security groups/);
    expect(securityGroupSourceProblems(["::/0"])[0]).toMatch(/is a CIDR block/);
  });

  it("rejects a source that is neither a security group id nor a reference, and an empty list", () => {
    expect(securityGroupSourceProblems(["my-group"])[0]).toMatch(/not a security group id/);
    expect(securityGroupSourceProblems([])[0]).toMatch(/at least one source security group is required/);
  });
});

describe("publishConnection", () => {
  const { json } = synthConstruct((scope) => {
    publishConnection(scope, "connection", naming, { kind: "postgres", name: "main", host: "db.internal", port: 5432, tls: true, secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x" });
  });

  it("writes a String parameter at the contract's name with the ARN of the secret, never a value", () => {
    const parameter = only(json, "aws_ssm_parameter");
    expect(parameter).toMatchObject({ name: "/acme/test/services/main/connection", type: "String" });
    const keys = connectionKeys(parameter.value);
    expect(keys).toMatchObject({ kind: '"postgres"', host: '"db.internal"', port: "5432", tls: "true" });
    expect(keys.secretArn).toContain("arn:aws:secretsmanager");
    expect(Object.keys(keys)).not.toContain("password");
  });
});

describe("windows", () => {
  it("measures daily and weekly windows, across midnight and the week's end", () => {
    expect(dailyWindowMinutes("23:30-00:30")).toBe(60);
    expect(dailyWindowMinutes("2:00-3:00")).toBeUndefined();
    expect(weeklyWindowMinutes("sun:23:00-mon:01:00")).toBe(120);
    expect(weeklyWindowMinutes("Sun:03:00-Sun:04:00")).toBeUndefined();
  });

  it("detects a backup window overlapping the maintenance window", () => {
    expect(windowsOverlap("03:00-04:00", "sun:03:30-sun:04:30")).toBe(true);
    expect(windowsOverlap("01:00-02:00", "sun:03:30-sun:04:30")).toBe(false);
    expect(windowsOverlap("23:30-00:30", "mon:00:00-mon:01:00")).toBe(true);
  });
});

describe("instance class tables", () => {
  const table = { "db.r6g": sizes("large", "16xlarge") };

  it("accepts a known class and names the allowed families or sizes otherwise", () => {
    expect(instanceClassProblem("db.r6g.2xlarge", table, "aurora-postgresql")).toBeUndefined();
    expect(instanceClassProblem("db.m9z.large", table, "aurora-postgresql")).toMatch(/not an instance class aurora-postgresql offers; allowed families: db\.r6g\.\*/);
    expect(instanceClassProblem("db.r6g.micro", table, "aurora-postgresql")).toMatch(/db\.r6g has no size "micro"/);
  });

  it("reports every problem at once", () => {
    expect(() => throwIfProblems("X", [{ path: ["a"], message: "one" }, { path: ["b", 0], message: "two", value: 3 }])).toThrow(InvalidSettingsError);
    expect(() => throwIfProblems("X", [{ path: ["a"], message: "one" }, { path: ["b", 0], message: "two", value: 3 }])).toThrow(/a: one[\s\S]*b\.0: two \(found 3\)/);
  });
});
