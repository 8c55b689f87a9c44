import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../config/loader";
import {
  allSeeded,
  formatRequirements,
  formatStatuses,
  requiredSecretValues,
  SecretSelectionError,
  secretsReadBy,
  secretValueStatuses,
  seedCommand,
  selectRequirements,
  type SecretValueRequirement,
} from "../../../constructs/secret-values/inventory";
import { bundledConfig, bundledStackJson, bundledSynth, tempConfig } from "../../support/synth";

const config = bundledConfig();
const requirements = requiredSecretValues(config);
const byName = (name: string) => requirements.find((requirement) => requirement.secretName === name) as SecretValueRequirement;

/** Secrets a stack creates empty (no aws_secretsmanager_secret_version): what a human must seed. */
function emptySecretsOf(stack: string): string[] {
  const json = bundledStackJson(stack);
  const versions = JSON.stringify(json.resource?.aws_secretsmanager_secret_version ?? {});
  return Object.entries(json.resource?.aws_secretsmanager_secret ?? {})
    .filter(([name]) => !versions.includes(`aws_secretsmanager_secret.${name}.`))
    .map(([, secret]) => String(secret.name))
    .sort();
}

describe("the secret values a configuration needs seeded", () => {
  it("are exactly the secrets each bundled stack creates empty (names from the constructs' own functions)", () => {
    for (const stack of bundledSynth().keys()) {
      const listed = requirements.filter((requirement) => requirement.stack === stack).map((requirement) => requirement.secretName).sort();
      expect(listed, stack).toEqual(emptySecretsOf(stack));
    }
    expect(requirements.length).toBeGreaterThan(30);
  });

  it("include the Alertmanager receivers' credentials, which no stack created before (issue 14.10)", () => {
    const pagerduty = byName("acme-prod/alertmanager/pagerduty");
    expect(pagerduty).toMatchObject({ stack: "prod-platform", purpose: "alert-receiver", keys: ["routingKey"], consumers: ["alertmanager receiver oncall-pagerduty"], kmsKeyAlias: "alias/acme-prod-data" });
    expect(byName("acme-prod/alertmanager/slack").keys).toEqual(["webhookUrl"]);
    // The dedicated tenant's cluster has its own Alertmanager, reading its own copies.
    expect(byName("acme-prod-initech/alertmanager/pagerduty")).toMatchObject({ stack: "tenant-initech-platform", tenant: "initech", kmsKeyAlias: "alias/acme-prod-initech-data" });
  });

  it("name the keys a JSON value must have and every workload that reads it", () => {
    const oauth = byName("acme-prod/murima/oauth-google");
    expect(oauth).toMatchObject({ keys: ["client-id", "client-secret"], purpose: "product", region: "eu-west-1", accountId: "111111111111" });
    expect(oauth.consumers).toContain("ExternalSecret murima/secret-oauth-google");
    expect(oauth.consumers.filter((consumer) => consumer.startsWith("workload "))).not.toEqual([]);
    expect(byName("acme-prod/noor/openai-api-key").keys).toEqual([]);
  });

  it("give shared tenants their own secrets, encrypted with the environment's data key", () => {
    expect(byName("acme-prod-globex/globex-noor/supabase")).toMatchObject({ stack: "prod-tenant-globex", tenant: "globex", environment: "prod", kmsKeyAlias: "alias/acme-prod-data", keys: ["url", "key"] });
    // Shared tenants have no Alertmanager of their own.
    expect(requirements.filter((requirement) => requirement.stack === "prod-tenant-globex" && requirement.purpose === "alert-receiver")).toEqual([]);
  });

  it("follow configuration: a new receiver or product secret is listed without code", () => {
    const changed = loadConfig(
      tempConfig({
        set: {
          "environments/dev.yaml": {
            observability: { alertmanager: { receivers: [{ name: "dev-slack", type: "slack", channel: "#dev", severities: ["warning"], credentialsSecret: "alerts/slack-dev", credentialsKey: "url" }] } },
          },
        },
      }),
    );
    expect(requiredSecretValues(changed).find((requirement) => requirement.secretName === "acme-dev/alerts/slack-dev")).toMatchObject({ stack: "dev-platform", keys: ["url"] });
  });
});

describe("secretsReadBy", () => {
  it("takes env references and the declared secrets under a secretsPrefix grant", () => {
    const workload = { env: { A: { secret: "api-key" }, B: "plain", C: { configMap: "c", key: "k" } }, grants: [{ secretsPrefix: "oauth-" }] } as never;
    expect(secretsReadBy(workload, ["api-key", "oauth-google", "oauth-ms", "other"])).toEqual(["api-key", "oauth-google", "oauth-ms"]);
  });
});

describe("selectRequirements", () => {
  it("selects by environment (with its tenants), stack glob and tenant id", () => {
    const stacks = (targets: string[]) => [...new Set(selectRequirements(requirements, targets).map((requirement) => requirement.stack))].sort();
    expect(stacks(["prod"])).toEqual(["prod-platform", "prod-tenant-globex", "tenant-initech-platform"]);
    expect(stacks(["prod-tenant-*"])).toEqual(["prod-tenant-globex"]);
    expect(stacks(["initech", "dev-platform"])).toEqual(["dev-platform", "tenant-initech-platform"]);
    expect(selectRequirements(requirements, [])).toHaveLength(requirements.length);
  });

  it("rejects a target that selects nothing, naming what exists", () => {
    expect(() => selectRequirements(requirements, ["qa"])).toThrow(SecretSelectionError);
    expect(() => selectRequirements(requirements, ["qa"])).toThrow(/"qa" selects no secret to seed; stacks with such secrets: dev-platform, .*; environments and tenants: dev, globex, initech, prod, staging/);
  });
});

describe("secretValueStatuses", () => {
  const pick = (...names: string[]) => names.map(byName);
  const [pagerduty, slack, supabase, openai] = pick("acme-prod/alertmanager/pagerduty", "acme-prod/alertmanager/slack", "acme-prod/noor/supabase", "acme-prod/noor/openai-api-key");
  const current = { v1: ["AWSCURRENT"] };

  it("tells seeded, empty, missing and scheduled-for-deletion apart from the listed metadata", () => {
    const statuses = secretValueStatuses(
      [pagerduty, slack, supabase, openai] as SecretValueRequirement[],
      [
        { Name: "acme-prod/alertmanager/pagerduty", SecretVersionsToStages: current },
        { Name: "acme-prod/alertmanager/slack" },
        { Name: "acme-prod/noor/openai-api-key", SecretVersionsToStages: current, DeletedDate: "2026-01-02T00:00:00Z" },
      ],
    );
    expect(statuses.map((status) => status.state)).toEqual(["seeded", "empty", "missing", "deleted"]);
    expect(statuses[0]?.keysVerified).toBe(false);
    expect(statuses[1]?.detail).toBe(`has no value: put a JSON object with the keys webhookUrl (${seedCommand(slack as SecretValueRequirement)})`);
    expect(statuses[2]?.detail).toMatch(/does not exist: apply prod-platform first/);
    expect(allSeeded(statuses)).toBe(false);
  });

  it("a version without AWSCURRENT (only a pending rotation) is not a value", () => {
    const [status] = secretValueStatuses([pagerduty as SecretValueRequirement], [{ Name: "acme-prod/alertmanager/pagerduty", SecretVersionsToStages: { v1: ["AWSPENDING"] } }]);
    expect(status?.state).toBe("empty");
  });

  it("checks JSON keys when the shapes are known, and says when they could not be read", () => {
    const listed = [supabase, openai, pagerduty].map((requirement) => ({ Name: (requirement as SecretValueRequirement).secretName, SecretVersionsToStages: current }));
    const statuses = secretValueStatuses([supabase, openai, pagerduty] as SecretValueRequirement[], listed, new Map([
      ["acme-prod/noor/supabase", { kind: "json" as const, keys: ["url"] }],
      ["acme-prod/noor/openai-api-key", { kind: "string" as const }],
      ["acme-prod/alertmanager/pagerduty", { kind: "unreadable" as const, reason: "GetSecretValue failed with AccessDeniedException" }],
    ]));
    expect(statuses.map((status) => [status.state, status.missingKeys, status.keysVerified])).toEqual([
      ["incomplete", ["key"], true],
      ["seeded", [], true],
      ["seeded", [], false],
    ]);
    expect(statuses[2]?.detail).toMatch(/keys not verified: GetSecretValue failed with AccessDeniedException/);
    const notJson = secretValueStatuses([supabase as SecretValueRequirement], [listed[0] as never], new Map([["acme-prod/noor/supabase", { kind: "string" as const }]]));
    expect(notJson[0]).toMatchObject({ state: "incomplete", missingKeys: ["url", "key"] });
  });

  it("formats a list and a status report an operator can act on", () => {
    const text = formatRequirements(pick("acme-prod/noor/supabase"));
    expect(text).toMatch(/prod-platform \(account 111111111111, eu-west-1\): 1 secret value to seed/);
    expect(text).toMatch(/value: {4}a JSON object with the keys url, key/);
    expect(text).toMatch(/seed: {5}aws secretsmanager put-secret-value --region eu-west-1 --secret-id acme-prod\/noor\/supabase --secret-string file:\/\/value\.json/);
    const report = formatStatuses(secretValueStatuses([pagerduty as SecretValueRequirement], []));
    expect(report).toMatch(/^MISSING +prod-platform +acme-prod\/alertmanager\/pagerduty does not exist/);
    expect(report).toMatch(/1 of 1 secret values are not seeded/);
  });
});
