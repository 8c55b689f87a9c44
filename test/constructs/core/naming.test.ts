import { describe, expect, it } from "vitest";
import { NAME_RULES, NameError, Naming, shorten, validateName } from "../../../constructs/core/naming";

describe("Naming", () => {
  const env = new Naming({ project: "acme", environment: "prod" });

  it("builds <project>-<environment>[-<tenant>]-<component> names", () => {
    expect(env.name("iam-role", "vpc-flow-logs")).toBe("acme-prod-vpc-flow-logs");
    expect(env.forTenant("globex").name("db-cluster", "main")).toBe("acme-prod-globex-main");
    expect(new Naming({ project: "acme" }).name("iam-role", "ci-plan")).toBe("acme-ci-plan");
  });

  it("builds KMS aliases, log groups and the cluster name", () => {
    expect(env.kmsAlias("data")).toBe("alias/acme-prod-data");
    expect(env.logGroup("vpc", "flow-logs")).toBe("/acme/prod/vpc/flow-logs");
    expect(env.forTenant("globex").logGroup("app")).toBe("/acme/prod/globex/app");
    expect(env.clusterName).toBe("acme-prod-eks");
  });

  it("takes a dedicated tenant's own cluster name, leaving every other name derived", () => {
    const tenant = env.forTenant("tenant123", "murima-tenant123");
    expect(tenant.clusterName).toBe("murima-tenant123");
    expect(tenant.name("iam-role", "eks-node")).toBe("acme-prod-tenant123-eks-node");
    expect(tenant.withoutTenant().clusterName).toBe("acme-prod-eks");
    expect(env.forTenant("initech").clusterName).toBe("acme-prod-initech-eks");
    expect(() => env.forTenant("x", "bad name")).toThrow(/invalid eks-cluster name "bad name"/);
  });

  it("rejects components and scopes that are not lowercase hyphenated words", () => {
    expect(() => env.name("iam-role", "Bad_Name")).toThrow(/must be lowercase letters, digits and single hyphens/);
    expect(() => new Naming({ project: "Acme" })).toThrow(/naming scope project "Acme"/);
    expect(() => env.name("iam-role", "a--b")).toThrow(/single hyphens/);
  });

  it("shortens names over a kind's limit deterministically, keeping distinct names distinct", () => {
    const tenant = env.forTenant("a-very-long-tenant-identifier");
    const a = tenant.name("opensearch-domain", "search");
    const b = tenant.name("opensearch-domain", "logs");
    expect(a.length).toBeLessThanOrEqual(NAME_RULES["opensearch-domain"].maxLength);
    expect(a).toMatch(/^acme-prod-a-very-lo.*-[0-9a-f]{6}$/);
    expect(a).not.toBe(b);
    expect(tenant.name("opensearch-domain", "search")).toBe(a);
    expect(shorten("short", 10)).toBe("short");
  });

  it("enforces each kind's character rules", () => {
    expect(() => validateName("s3-bucket", "Acme-Bucket")).toThrow(NameError);
    expect(() => validateName("s3-bucket", "acme..bucket")).toThrow(/must not .* contain '\.\.'/);
    expect(() => validateName("s3-bucket", "xn--acme")).toThrow(/xn--/);
    expect(() => validateName("s3-bucket", "ab")).toThrow(/at least 3/);
    expect(() => validateName("security-group", "sg-acme")).toThrow(/not starting with sg-/);
    expect(() => validateName("kms-alias", "alias/aws/acme")).toThrow(/not alias\/aws\//);
    expect(() => validateName("elasticache-replication-group", "1acme")).toThrow(/starting with a letter/);
    expect(() => validateName("load-balancer", "internal-acme")).toThrow(/internal-/);
    expect(validateName("elasticache-replication-group", "acme-prod-cache")).toBe("acme-prod-cache");
  });

  it("keeps every rule's limits consistent", () => {
    for (const [kind, rule] of Object.entries(NAME_RULES)) {
      expect(rule.minLength, kind).toBeLessThanOrEqual(rule.maxLength);
    }
  });
});
