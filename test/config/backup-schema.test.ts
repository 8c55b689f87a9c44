import { describe, expect, it } from "vitest";
import { layer } from "../../config/layering";
import { resolveEnvironmentLayers } from "../../config/loader";
import { formatDuration, parseDuration, resolveDrRegion } from "../../config/schema/backup";
import { EnvironmentSchema } from "../../config/schema/environment";
import { bundledConfig } from "../support/synth";

const MINIMAL = { name: "qa", account: { id: "123456789012", region: "eu-west-1" }, network: { cidr: "10.99.0.0/16" } };

function parse(profile: "production" | "development", patch: unknown) {
  return EnvironmentSchema.safeParse(resolveEnvironmentLayers(layer({ ...MINIMAL, profile }, patch) as Record<string, unknown>, "qa"));
}

/** The issues of an invalid file as "path: message". */
function issues(profile: "production" | "development", patch: unknown): string[] {
  const result = parse(profile, patch);
  expect(result.success).toBe(false);
  return (result.error?.issues ?? []).map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}

const plan = (patch: Record<string, unknown>) => ({ backup: { plans: { default: patch } } });

describe("backup config", () => {
  it("parses durations to minutes and formats them back", () => {
    expect([parseDuration("15m"), parseDuration("6h"), parseDuration("2d"), parseDuration("15 min")]).toEqual([15, 360, 2880, undefined]);
    expect([formatDuration(15), formatDuration(360), formatDuration(2880), formatDuration(90)]).toEqual(["15m", "6h", "2d", "90m"]);
  });

  it("gives production the strictest policy and development a light one, both valid", () => {
    const prod = parse("production", {});
    const dev = parse("development", {});
    expect(prod.success && dev.success).toBe(true);
    const prodPlan = prod.data?.backup.plans.default;
    expect(prodPlan).toMatchObject({ rpo: 15, continuous: { enabled: true }, daily: { at: "02:00", copy: true }, restoreTesting: { frequency: "quarterly" } });
    expect(prod.data?.backup.vaultLock).toMatchObject({ enabled: true, mode: "compliance" });
    expect(resolveDrRegion(prod.data?.backup.copy.region ?? null, "eu-west-1")).toBe("eu-central-1");
    expect(dev.data?.backup.plans.default).toMatchObject({ rpo: 1440, continuous: { enabled: false }, daily: { retentionDays: 7, copy: false } });
    expect(dev.data?.backup.vaultLock.enabled).toBe(false);
  });

  it("loads the bundled environments: prod copies to Frankfurt and alerts the on-call address", () => {
    const prod = bundledConfig().environments.find((environment) => environment.config.name === "prod")?.config;
    expect(prod?.backup.copy.region).toBe("eu-central-1");
    expect(prod?.alerts.subscriptions).toEqual([{ protocol: "email", endpoint: "platform-oncall@example.com" }]);
  });

  it("rejects malformed durations, times and time zones", () => {
    expect(issues("production", plan({ rpo: "15 minutes" }))).toContain("backup.plans.default.rpo: expected a duration: a positive whole number followed by m, h or d, e.g. 15m, 6h, 2d");
    expect(issues("production", plan({ daily: { at: "2am" } }))).toContain("backup.plans.default.daily.at: expected a 24-hour time of day HH:MM, e.g. 02:00 or 23:30");
    expect(issues("production", plan({ timezone: "Mars/Olympus" }))).toContain("backup.plans.default.timezone: unknown time zone. Expected an IANA tz database name such as UTC, Europe/Dublin or America/New_York");
    expect(issues("production", plan({ timezone: "europe/dublin" }))).toContain("backup.plans.default.timezone: time zone names are case-sensitive (Kubernetes and AWS read the tz database by exact name); did you mean Europe/Dublin?");
    expect(issues("production", plan({ frequent: { everyHours: 5 } }))).toContain("backup.plans.default.frequent.everyHours: expected one of 1, 2, 3, 4, 6, 8, 12 hours (a divisor of 24)");
  });

  it("rejects lifecycles and windows AWS Backup refuses", () => {
    expect(issues("production", plan({ weekly: { coldStorageAfterDays: 300 } }))).toContain(
      "backup.plans.default.weekly.retentionDays: must be at least coldStorageAfterDays + 90 = 390 (AWS Backup keeps cold-storage recovery points at least 90 days)",
    );
    expect(issues("production", plan({ continuous: { retentionDays: 36 } }))).toContain("backup.plans.default.continuous.retentionDays: continuous backup keeps at most 35 days");
    expect(issues("production", plan({ startWindow: "30m" }))).toContain("backup.plans.default.startWindow: must be at least 1h (AWS Backup minimum)");
    expect(issues("production", plan({ completionWindow: "90m" }))).toContain("backup.plans.default.completionWindow: must be at least startWindow + 1h = 2h");
    expect(issues("production", plan({ startWindow: "7h", completionWindow: "9h" }))).toContain(
      "backup.plans.default.startWindow: must not exceed the frequent tier's interval (6h), or a late backup overlaps the next one",
    );
  });

  it("rejects a plan without schedules, restore tests without resource types, bad plan names and a missing default plan", () => {
    expect(issues("development", plan({ daily: { enabled: false } }))[0]).toMatch(/^backup\.plans\.default\.daily\.enabled: a plan needs at least one enabled schedule tier/);
    expect(issues("production", plan({ restoreTesting: { resourceTypes: [] } }))).toContain("backup.plans.default.restoreTesting.resourceTypes: restore testing is quarterly: list at least one resource type (Aurora, RDS, DocumentDB, S3, EFS, DynamoDB, EBS), or omit the key to test every type the plan protects");
    const raw = resolveEnvironmentLayers({ ...MINIMAL, profile: "development" }, "qa") as { backup: { plans: Record<string, unknown> } };
    raw.backup.plans = { Critical: raw.backup.plans.default };
    const result = EnvironmentSchema.safeParse(raw);
    const messages = result.error?.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`) ?? [];
    expect(messages).toContain("backup.plans.Critical: plan names are tag values and name parts: lowercase letters, digits and '-', starting with a letter, at most 40 characters");
    expect(messages).toContain("backup.plans: a plan named `default` is required: stateful resources use it unless their configuration names another");
  });

  it("rejects copies without a destination and a DR region equal to (or unknown for) the home region", () => {
    expect(issues("development", { backup: { plans: { default: { daily: { copy: true } } } } })).toContain(
      "backup.plans.default.daily.copy: copies need a destination: set backup.copy.region (disaster-recovery region) or backup.copy.account",
    );
    expect(issues("production", { backup: { copy: { region: "eu-west-1" } } })).toContain("backup.copy.region: the disaster-recovery region must differ from the environment's region eu-west-1");
    expect(issues("production", { account: { region: "ap-east-1" } })).toContain("backup.copy.region: no paired disaster-recovery region is known for ap-east-1; name one explicitly (e.g. us-west-2)");
  });

  it("rejects retention outside the vault lock range and an inverted range", () => {
    expect(issues("production", { backup: { vaultLock: { minRetentionDays: 40 } } })).toContain(
      "backup.plans.default.frequent.retentionDays: is outside the vault lock range 40–400 days (backup.vaultLock); the vault would reject these recovery points",
    );
    expect(issues("production", { backup: { vaultLock: { maxRetentionDays: 300 } } })).toContain(
      "backup.plans.default.weekly.retentionDays: is outside the vault lock range 7–300 days (backup.vaultLock); the vault would reject these recovery points",
    );
    expect(issues("production", { backup: { vaultLock: { minRetentionDays: 500 } } })).toContain("backup.vaultLock.minRetentionDays: must not exceed maxRetentionDays (400)");
    expect(issues("production", { backup: { vaultLock: { changeableForDays: 1 } } })[0]).toMatch(/^backup\.vaultLock\.changeableForDays: /);
  });

  it("rejects invalid Velero schedules", () => {
    const schedule = { name: "daily", schedule: "0 1 * * *", ttl: "240h", includedNamespaces: ["*"], excludedNamespaces: [], snapshotVolumes: true };
    expect(issues("production", { backup: { velero: { schedules: [schedule, schedule] } } })).toContain("backup.velero.schedules: duplicate schedule names: daily");
    expect(issues("production", { backup: { velero: { schedules: [{ ...schedule, schedule: "daily" }] } } }).join("\n")).toMatch(/backup\.velero\.schedules\.0\.schedule: found 1 field; expected a 5-field cron schedule/);
    expect(issues("production", { backup: { velero: { schedules: [{ ...schedule, schedule: "0 25 * * *" }] } } }).join("\n")).toMatch(/backup\.velero\.schedules\.0\.schedule: hour value 25 is out of range; expected a 5-field cron schedule/);
    expect(issues("production", { backup: { velero: { schedules: [{ ...schedule, ttl: "10 days" }] } } })).toContain("backup.velero.schedules.0.ttl: expected a Go duration in hours/minutes/seconds such as 240h or 72h30m");
  });
});

describe("backup rule windows (AWS Backup runs only the longer-retained of two overlapping rules)", () => {
  it("rejects the former production default: 6-hourly backups from 02:00 overlap the daily 02:00 backup and its DR copy", () => {
    expect(issues("production", plan({ frequent: { at: "02:00" } }))).toContain(
      "backup.plans.default.daily.at: the daily rule (02:00 daily) and the frequent rule (02:00 every 6h) may start within the same 1h start window " +
        "(first on 2027-01-01 02:00 (Friday), UTC); AWS Backup then runs only the rule with the longer retention and silently skips the other, with its copies " +
        "(plan-options-and-configuration in the AWS Backup guide). Move one rule's `at` so no two start windows overlap",
    );
  });

  it("counts the whole start window, rules that meet only on some days, and the continuous rule's schedule", () => {
    expect(issues("production", plan({ startWindow: "2h", completionWindow: "8h" })).join("\n")).toMatch(/backup\.plans\.default\.weekly\.at: the weekly rule \(03:00 on sundays\) and the daily rule \(02:00 daily\) may start within the same 2h start window \(first on 2027-01-03 02:00 \(Sunday\)/);
    expect(issues("production", plan({ yearly: { enabled: true, at: "06:00" } })).join("\n")).toMatch(/yearly\.at: the yearly rule \(06:00 on 1\/1\) and the frequent rule \(00:00 every 6h\) may start within the same 1h start window \(first on 2027-01-01 06:00/);
    expect(issues("production", plan({ continuous: { at: "02:30" } })).join("\n")).toMatch(/continuous\.at: the continuous rule \(02:30 daily\) and the daily rule \(02:00 daily\)/);
  });

  it("accepts every profile's defaults and rules that merely touch (02:00 and 03:00 with a 1h window)", () => {
    for (const profile of ["production", "development"] as const) expect(parse(profile, {}).success).toBe(true);
    const everyTier = layer(plan({ monthly: { enabled: true }, yearly: { enabled: true } }), { backup: { vaultLock: { maxRetentionDays: 3000 } } });
    expect(parse("production", everyTier).error?.issues ?? []).toEqual([]);
  });
});

describe("point-in-time retention of PostgreSQL under a continuous backup rule", () => {
  const db = { services: { postgres: { main: {} } } };

  it("derives the retention from the plan's continuous rule (production), or the profile when the plan has none", () => {
    expect(parse("production", db).data?.services.postgres.main?.backup).toEqual({ retentionDays: 35, window: "01:00-02:00" });
    expect(parse("production", layer(db, plan({ continuous: { retentionDays: 21 } }))).data?.services.postgres.main?.backup.retentionDays).toBe(21);
    expect(parse("development", db).data?.services.postgres.main?.backup.retentionDays).toBe(1);
    expect(parse("development", { services: { postgres: { main: { backup: { retentionDays: 5 } } } } }).data?.services.postgres.main?.backup.retentionDays).toBe(5);
  });

  it("rejects a configured retention that differs from the continuous rule's (the former production default of 14 days against 35)", () => {
    expect(issues("production", { services: { postgres: { main: { backup: { retentionDays: 14 } } } } })).toContain(
      "services.postgres.main.backup.retentionDays: plan default has continuous backup, so AWS Backup manages this database's automated backups with the continuous " +
        "rule's retention (backup.plans.default.continuous.retentionDays = 35); a different backup_retention_period fails later applies (\"The BackupRetentionPeriod " +
        "can be blank, or you can use the current value\", terraform-provider-aws#33465). Remove backup.retentionDays (it is derived from the plan) or set it to 35, " +
        "in the environment file or its services.defaults.postgres.backup",
    );
    expect(issues("production", { services: { defaults: { postgres: { backup: { retentionDays: 14 } } }, postgres: { main: {} } } })[0]).toMatch(/^services\.postgres\.main\.backup\.retentionDays: plan default has continuous backup/);
    expect(parse("production", { services: { postgres: { main: { backup: { retentionDays: 35 } } } } }).success).toBe(true);
  });
});

describe("restore testing and cold storage follow what a plan protects", () => {
  const aurora = { services: { postgres: { main: {} } } };

  it("rejects a restore-test type the plan does not protect here, and tests every protected type by default", () => {
    expect(issues("production", layer(aurora, plan({ restoreTesting: { resourceTypes: ["Aurora", "RDS"] } })))).toContain(
      "backup.plans.default.restoreTesting.resourceTypes.1: plan default protects no RDS resource in this environment (it protects: Aurora, S3); a restore test of it would fail every run. Remove it, or omit resourceTypes to test every protected type",
    );
    expect(parse("production", layer(aurora, plan({ restoreTesting: { resourceTypes: ["Aurora"] } }))).success).toBe(true);
  });

  it("rejects a cold-storage transition on a plan whose resources AWS Backup never moves to cold storage (the former weekly default)", () => {
    expect(issues("production", layer(aurora, plan({ weekly: { coldStorageAfterDays: 7 } })))).toContain(
      "backup.plans.default.weekly.coldStorageAfterDays: plan default protects only Aurora, S3 here, which AWS Backup never moves to cold storage (supported: EFS, DynamoDB, EBS): the recovery points would stay in warm storage for all 365 days. Set coldStorageAfterDays: null",
    );
  });
});

describe("alerts config", () => {
  it("rejects endpoints that do not fit their protocol, plain http and duplicates", () => {
    expect(issues("production", { alerts: { subscriptions: [{ protocol: "email", endpoint: "oncall" }] } })).toContain("alerts.subscriptions.0.endpoint: not a valid email endpoint; expected something like oncall@example.com");
    expect(issues("production", { alerts: { subscriptions: [{ protocol: "http", endpoint: "http://x.example.com" }] } })).toContain("alerts.subscriptions.0.protocol: expected one of email, https, sqs, lambda (plain http is not allowed)");
    const email = { protocol: "email", endpoint: "a@example.com" };
    expect(issues("production", { alerts: { subscriptions: [email, email] } })).toContain("alerts.subscriptions: duplicate subscriptions: email:a@example.com");
  });
});
