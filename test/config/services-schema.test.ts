/**
 * `services:`, `storage:` and `edge:` of environment files: entries merged over the profile defaults, and every
 * rule reported with the file, key path and what is allowed.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, type ConfigIssue } from "../../config/errors";
import { loadConfig } from "../../config/loader";
import { BUNDLED_CONFIG_DIR, tempConfig } from "../support/synth";

function problems(edits: Parameters<typeof tempConfig>[0]): ConfigIssue[] {
  try {
    loadConfig(tempConfig(edits));
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  throw new Error("expected the configuration to be rejected");
}

/** The issue at `path` (dot-joined) of environments/<env>.yaml. */
function at(issues: ConfigIssue[], env: string, path: string): ConfigIssue {
  const matching = issues.filter((issue) => issue.file.endsWith(`${env}.yaml`) && issue.path.join(".") === path);
  expect(matching, `issues: ${JSON.stringify(issues.map((issue) => [issue.file, issue.path.join("."), issue.message]), null, 1)}`).toHaveLength(1);
  return matching[0] as ConfigIssue;
}

const dev = (patch: Record<string, unknown>) => problems({ set: { "environments/dev.yaml": patch } });
const prod = (patch: Record<string, unknown>) => problems({ set: { "environments/prod.yaml": patch } });

describe("bundled services, storage and edge", () => {
  const config = loadConfig(BUNDLED_CONFIG_DIR);
  const env = (name: string) => config.environments.find((e) => e.config.name === name)?.config;

  it("merges each entry over its profile's defaults", () => {
    const smartedu = env("prod")?.services.postgres["smartedu-db"];
    // Point-in-time retention: production's plan has continuous backup (35 days), so the database's is derived from it.
    expect(smartedu).toMatchObject({ engine: "aurora-postgresql", engineVersion: "15.10", readers: 2, instanceClass: "db.r6g.2xlarge", backup: { retentionDays: 35 } });
    expect(env("prod")?.services.postgres["noor-db"]?.parameters).toEqual({ maxConnections: 500, logMinDurationStatementMs: 1000 });
  });

  it("sizes production from the guides and development cheaper", () => {
    expect(env("prod")?.services.postgres["noor-db"]).toMatchObject({ instanceClass: "db.r6g.2xlarge", readers: 1 });
    expect(env("dev")?.services.postgres["noor-db"]).toMatchObject({ instanceClass: "db.t4g.medium", readers: 0 });
    expect(env("prod")?.services.redis["noor-cache"]).toMatchObject({ nodes: 2, nodeType: "cache.r7g.large" });
    expect(env("dev")?.services.redis["noor-cache"]).toMatchObject({ nodes: 1 });
    expect(env("prod")?.services.rabbitmq["murima-mq"]?.deployment).toBe("cluster");
    expect(env("dev")?.services.rabbitmq["murima-mq"]?.deployment).toBe("single");
    expect(env("prod")?.storage.buckets["murima-audit-archive"]).toMatchObject({ versioning: true, objectLock: { mode: "COMPLIANCE", retentionDays: 2557 } });
  });

  it("declares the reference products' edge: wildcard domains, a CDN, SmartEdu's 10 req/s API and 2 req/min AI limits", () => {
    expect(Object.keys(env("prod")?.edge.domains ?? {})).toEqual(["platform", "noor", "smartedu", "murima"]);
    expect(env("prod")?.edge.cdn["noor-assets"]).toMatchObject({ domain: "noor", subdomain: "cdn", bucket: "noor-uploads", waf: true });
    expect(env("prod")?.edge.waf.rateLimits).toEqual([
      { name: "api", requestsPerSecond: 10, windowSeconds: 60, pathPrefix: "/api" },
      { name: "ai", requestsPerMinute: 2, windowSeconds: 300, pathPrefix: "/api/ai" },
    ]);
    // SQL injection protection is on where real data lives.
    expect(env("prod")?.edge.waf.managedRuleGroups).toContain("AWSManagedRulesSQLiRuleSet");
  });
});

describe("services validation names the file, key path and what is allowed", () => {
  it("rejects an instance class the engine does not offer", () => {
    const issue = at(dev({ services: { postgres: { "noor-db": { instanceClass: "db.m6g.large" } } } }), "dev", "services.postgres.noor-db.instanceClass");
    expect(issue.message).toMatch(/is not an instance class aurora-postgresql offers; allowed families/);
    expect(issue.value).toBe("db.m6g.large");
    expect(issue.line).toBeGreaterThan(0);
  });

  it("asks for a quoted version when YAML turned it into a number", () => {
    const issue = at(dev({ services: { redis: { "noor-cache": { engineVersion: 8.0 } } } }), "dev", "services.redis.noor-cache.engineVersion");
    expect(issue.message).toMatch(/expected a quoted version string such as "8\.0"/);
  });

  it("rejects a RabbitMQ broker whose password rotation could not reach Secrets Manager (no NAT, no endpoint)", () => {
    const issue = at(dev({ network: { natGateways: "none", interfaceEndpoints: ["sts"] } }), "dev", "services.rabbitmq.murima-mq");
    expect(issue.message).toMatch(/must reach Secrets Manager: add secretsmanager to network\.interfaceEndpoints/);
  });

  it("rejects a reader count above the limit", () => {
    expect(at(dev({ services: { postgres: { "noor-db": { readers: 20 } } } }), "dev", "services.postgres.noor-db.readers").message).toMatch(/readers must be an integer from 0 to 15/);
  });

  it("rejects a backup retention out of range", () => {
    expect(at(dev({ services: { documentdb: { "murima-docs": { backup: { retentionDays: 40 } } } } }), "dev", "services.documentdb.murima-docs.backup.retentionDays").message).toMatch(
      /backup retention \(days\) must be an integer from 1 to 35/,
    );
  });

  it("rejects an unknown key with the allowed keys", () => {
    expect(at(dev({ services: { postgres: { "noor-db": { size: "large" } } } }), "dev", "services.postgres.noor-db.size").message).toMatch(/unknown key "size"; allowed keys here: backup, backupPlan/);
  });

  it("enforces production's high-availability minimums only in production", () => {
    expect(at(prod({ services: { postgres: { "noor-db": { readers: 0 } } } }), "prod", "services.postgres.noor-db.readers").message).toMatch(/production needs at least 1 reader/);
    expect(at(prod({ services: { opensearch: { "murima-search": { dedicatedMasters: { count: 0 } } } } }), "prod", "services.opensearch.murima-search.dedicatedMasters.count").message).toMatch(
      /production needs at least 3 dedicated master nodes/,
    );
  });

  it("rejects a name used by two kinds (they share the connection parameter namespace)", () => {
    const issue = at(dev({ storage: { buckets: { "noor-db": {} } } }), "dev", "storage.buckets.noor-db");
    expect(issue.message).toMatch(/service name "noor-db" is already used at services\.postgres\.noor-db; names are unique across kinds/);
  });

  it("reserves the -monitor-user suffix of PostgreSQL service names (a database's monitoring user is named that way)", () => {
    const issues = dev({ services: { postgres: { "noor-db-monitor-user": { engineVersion: "16.4", instanceClass: "db.t4g.medium" } } } });
    expect(at(issues, "dev", "services.postgres.noor-db-monitor-user").message).toBe(
      "PostgreSQL service names may not end in -monitor-user: the platform names a database's monitoring user that way (postgres-<name>-monitor-user)",
    );
  });

  it("rejects OpenSearch spanning more zones than the network has", () => {
    const issues = dev({ network: { azCount: 2, availabilityZones: ["eu-west-1a", "eu-west-1b"] }, services: { opensearch: { "murima-search": { availabilityZones: 3, instanceCount: 3 } } } });
    expect(at(issues, "dev", "services.opensearch.murima-search.availabilityZones").message).toMatch(/the network has 2 availability zones/);
  });
});

describe("storage validation", () => {
  it("rejects object lock without versioning", () => {
    expect(at(dev({ storage: { buckets: { "murima-audit-archive": { versioning: false } } } }), "dev", "storage.buckets.murima-audit-archive.objectLock").message).toMatch(
      /object lock requires versioning: set versioning: true/,
    );
  });

  it("rejects replication into the environment's own region", () => {
    const issue = at(dev({ storage: { buckets: { "noor-uploads": { replication: { region: "eu-west-1", storageClass: "STANDARD" } } } } }), "dev", "storage.buckets.noor-uploads.replication.region");
    expect(issue.message).toMatch(/must differ from the environment's region eu-west-1/);
  });
});

describe("edge validation", () => {
  it("rejects a distribution serving an undeclared bucket or domain", () => {
    const issues = dev({ edge: { cdn: { site: { domain: "nowhere", subdomain: "www", bucket: "site" } } } });
    expect(at(issues, "dev", "edge.cdn.site.domain").message).toMatch(/no domain "nowhere" under edge\.domains; declared: noor, smartedu, murima/);
  });

  it("rejects a distribution whose bucket is not declared", () => {
    expect(at(dev({ edge: { cdn: { site: { domain: "noor", subdomain: "www", bucket: "site" } } } }), "dev", "edge.cdn.site.bucket").message).toMatch(/no bucket "site" under storage\.buckets/);
  });

  it("rejects a certificate name outside its domain", () => {
    expect(at(dev({ edge: { domains: { noor: { subjectAlternativeNames: ["*.other.example.org"] } } } }), "dev", "edge.domains.noor.subjectAlternativeNames.0").message).toMatch(
      /must be a DNS name inside noor\.dev\.example\.com/,
    );
  });

  it("rejects a rate limit below WAF's minimum", () => {
    expect(at(dev({ edge: { waf: { rateLimits: [{ name: "api", requestsPerSecond: 0.1, windowSeconds: 60 }] } } }), "dev", "edge.waf.rateLimits.0.requestsPerSecond").message).toMatch(
      /^requestsPerSecond × windowSeconds must be a whole number of requests from 10 to 2000000000 \(WAF's limit per window\); got 6 per 60 s; windowSeconds 120, 300, 600 would give 12, 30, 60 requests$/,
    );
  });

  it("rejects a per-minute rate that is not a whole number of requests per window, naming windows that fit", () => {
    expect(at(dev({ edge: { waf: { rateLimits: [{ name: "ai", requestsPerMinute: 2, windowSeconds: 60 }] } } }), "dev", "edge.waf.rateLimits.0.requestsPerMinute").message).toBe(
      "requestsPerMinute × windowSeconds / 60 must be a whole number of requests from 10 to 2000000000 (WAF's limit per window); got 2 per 60 s; windowSeconds 300, 600 would give 10, 20 requests",
    );
    expect(at(dev({ edge: { waf: { rateLimits: [{ name: "ai", requestsPerMinute: 2, requestsPerSecond: 1, windowSeconds: 300 }] } } }), "dev", "edge.waf.rateLimits.0").message).toBe(
      "a rate limit needs exactly one of requestsPerSecond or requestsPerMinute; found requestsPerSecond, requestsPerMinute",
    );
  });

  it("rejects an override of a rule the group does not have, an unknown action and a group over the web ACL's capacity", () => {
    const issues = (managedRuleGroups: unknown[]) => dev({ edge: { waf: { managedRuleGroups } } });
    expect(at(issues([{ name: "AWSManagedRulesCommonRuleSet", ruleActionOverrides: { SizeRestriction_BODY: "count" } }]), "dev", "edge.waf.managedRuleGroups.0.ruleActionOverrides.SizeRestriction_BODY").message).toMatch(
      /^AWSManagedRulesCommonRuleSet has no rule SizeRestriction_BODY; its rules: NoUserAgent_HEADER, /,
    );
    expect(at(issues([{ name: "AWSManagedRulesSQLiRuleSet", ruleActionOverrides: { SQLi_BODY: "ignore" } }]), "dev", "edge.waf.managedRuleGroups.0.ruleActionOverrides.SQLi_BODY").message).toBe("override action must be one of allow, block, count, captcha, challenge");
    expect(at(issues([{ name: "AWSManagedRulesSQLiRuleSet", excludedRules: ["SQLi_Body"] }]), "dev", "edge.waf.managedRuleGroups.0.excludedRules.0").message).toMatch(/^AWSManagedRulesSQLiRuleSet has no rule SQLi_Body/);
    expect(at(issues([{ name: "AWSManagedRulesCommonRuleSet", excludedPathPrefixes: ["healthz"] }]), "dev", "edge.waf.managedRuleGroups.0.excludedPathPrefixes.0").message).toMatch(/must be a URI path starting with/);
    expect(at(issues(["AWSManagedRulesCommonRuleSet", "AWSManagedRulesCommonRuleSet"]), "dev", "edge.waf.managedRuleGroups.1").message).toBe("AWSManagedRulesCommonRuleSet is already listed at managedRuleGroups[0]; list a group once");
    const all = ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesSQLiRuleSet", "AWSManagedRulesLinuxRuleSet", "AWSManagedRulesUnixRuleSet", "AWSManagedRulesAdminProtectionRuleSet", "AWSManagedRulesBotControlRuleSet"];
    expect(at(issues(all), "dev", "edge.waf.managedRuleGroups").message).toMatch(/^the groups need 1550 WCUs; a web ACL has 1500 at the base price \(AWSManagedRulesCommonRuleSet 700, /);
  });

  it("rejects a WAF-protected distribution without the CloudFront web ACL", () => {
    expect(at(dev({ edge: { cdn: { "noor-assets": { waf: true } } } }), "dev", "edge.cdn.noor-assets.waf").message).toMatch(/needs edge\.waf\.cloudfront: true/);
  });
});
