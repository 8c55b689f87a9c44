/**
 * `npm run secrets` and its AWS layer, on recorded Secrets Manager responses (test/fixtures/aws/secretsmanager)
 * replayed through the real SDK client: requests are serialized and responses deserialized exactly as against AWS.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { describe, expect, it } from "vitest";
import { requiredSecretValues, selectRequirements } from "../../constructs/secret-values/inventory";
import { runSecretsCommand } from "../../scripts/secrets";
import { checkSecretValues, listSecrets, namePrefixes, type ClientFactory } from "../../scripts/lib/secrets";
import { bundledConfig, BUNDLED_CONFIG_DIR, ROOT } from "../support/synth";

const FIXTURES = join(ROOT, "test", "fixtures", "aws", "secretsmanager");
const recorded = (name: string): string => readFileSync(join(FIXTURES, name), "utf8");

interface Call {
  readonly target: string;
  readonly body: Record<string, unknown>;
}

/** A real SDK client whose HTTP layer replays recorded responses (or AWS error documents) per operation. */
function replayingClients(respond: (call: Call) => { status?: number; body: string }): { clientFor: ClientFactory; calls: Call[] } {
  const calls: Call[] = [];
  const clientFor: ClientFactory = (region) =>
    new SecretsManagerClient({
      region,
      // Signing needs credentials; these sign nothing that leaves the process.
      credentials: { accessKeyId: `test-${region}`, secretAccessKey: randomUUID() },
      requestHandler: {
        handle: async (request: { headers: Record<string, string>; body: Uint8Array }) => {
          const call = { target: request.headers["x-amz-target"] as string, body: JSON.parse(new TextDecoder().decode(request.body)) as Record<string, unknown> };
          calls.push(call);
          const { status = 200, body } = respond(call);
          return { response: { statusCode: status, headers: { "content-type": "application/x-amz-json-1.1" }, body: Readable.from([Buffer.from(body)]) } };
        },
      } as never,
    });
  return { clientFor, calls };
}

/** ListSecrets from the two recorded pages (NextToken of page 1 -> page 2). */
function listSecretsResponse(call: Call): { body: string } {
  return { body: recorded(call.body.NextToken ? "list-secrets-prod-page-2.json" : "list-secrets-prod-page-1.json") };
}

const prodPlatform = selectRequirements(requiredSecretValues(bundledConfig()), ["prod-platform"]);

describe("the Secrets Manager layer", () => {
  it("lists every page with a name-prefix filter, including secrets scheduled for deletion", async () => {
    const { clientFor, calls } = replayingClients(listSecretsResponse);
    const listed = await listSecrets(clientFor("eu-west-1"), namePrefixes(prodPlatform));
    expect(namePrefixes(prodPlatform)).toEqual(["acme-prod/"]);
    expect(calls.map((call) => call.target)).toEqual(["secretsmanager.ListSecrets", "secretsmanager.ListSecrets"]);
    expect(calls[0]?.body).toEqual({ Filters: [{ Key: "name", Values: ["acme-prod/"] }], IncludePlannedDeletion: true, MaxResults: 100 });
    expect(calls[1]?.body.NextToken).toBe("AAEAAe9EnCxbzjUaj0KYBuOKx7GS2ywAzycM1AcU1gJBQnR0YW5n");
    expect(listed.map((secret) => secret.Name)).toHaveLength(6);
    expect(listed.find((secret) => secret.Name === "acme-prod/noor/openai-api-key")?.DeletedDate).toBeInstanceOf(Date);
  });

  it("reports each requirement's state from the metadata alone (no value is read)", async () => {
    const { clientFor, calls } = replayingClients(listSecretsResponse);
    const statuses = await checkSecretValues(prodPlatform, { clientFor });
    const state = (name: string) => statuses.find((status) => status.requirement.secretName === name)?.state;
    expect(state("acme-prod/alertmanager/pagerduty")).toBe("seeded");
    expect(state("acme-prod/alertmanager/slack")).toBe("empty");
    expect(state("acme-prod/noor/supabase")).toBe("seeded");
    expect(state("acme-prod/noor/openai-api-key")).toBe("deleted");
    expect(state("acme-prod/murima/jwt-secret")).toBe("missing");
    expect(calls.every((call) => call.target === "secretsmanager.ListSecrets")).toBe(true);
  });

  it("with keys, reads each value only to learn its JSON keys: never returned or printed", async () => {
    const values = new Map<string, string>([
      ["acme-prod/alertmanager/pagerduty", JSON.stringify({ routingKey: randomUUID() })],
      ["acme-prod/noor/supabase", JSON.stringify({ url: `https://${randomUUID()}.example.com` })],
    ]);
    const { clientFor, calls } = replayingClients((call) => {
      if (call.target === "secretsmanager.ListSecrets") return listSecretsResponse(call);
      const name = call.body.SecretId as string;
      const value = values.get(name);
      if (value === undefined) return { status: 400, body: JSON.stringify({ __type: "AccessDeniedException", message: `User is not authorized to perform: secretsmanager:GetSecretValue on resource: ${name}` }) };
      return { body: JSON.stringify({ ARN: `arn:aws:secretsmanager:eu-west-1:111111111111:secret:${name}-AbCdEf`, Name: name, SecretString: value, VersionId: randomUUID(), VersionStages: ["AWSCURRENT"], CreatedDate: 1767225600 }) };
    });
    const statuses = await checkSecretValues(prodPlatform, { clientFor, keys: true });
    const status = (name: string) => statuses.find((item) => item.requirement.secretName === name);
    expect(status("acme-prod/alertmanager/pagerduty")).toMatchObject({ state: "seeded", keysVerified: true });
    expect(status("acme-prod/noor/supabase")).toMatchObject({ state: "incomplete", missingKeys: ["key"] });
    expect(status("acme-prod/noor/anthropic-api-key")).toMatchObject({ state: "seeded", keysVerified: false });
    expect(status("acme-prod/noor/anthropic-api-key")?.detail).toMatch(/keys not verified: GetSecretValue failed with AccessDeniedException \(needs secretsmanager:GetSecretValue and kms:Decrypt/);
    // Only secrets with a current value are read; empty, missing and deleted ones are not.
    expect(calls.filter((call) => call.target === "secretsmanager.GetSecretValue").map((call) => call.body.SecretId).sort()).toEqual([
      "acme-prod/alertmanager/pagerduty",
      "acme-prod/noor/anthropic-api-key",
      "acme-prod/noor/supabase",
    ]);
    const text = JSON.stringify(statuses);
    for (const value of values.values()) for (const part of Object.values(JSON.parse(value) as Record<string, string>)) expect(text).not.toContain(part);
  });
});

describe("npm run secrets", () => {
  const run = async (argv: string[], clientFor?: ClientFactory) => {
    let out = "";
    let err = "";
    const code = await runSecretsCommand(argv, { env: { PLATFORM_CONFIG_DIR: BUNDLED_CONFIG_DIR }, stdout: (text) => (out += text), stderr: (text) => (err += text), ...(clientFor ? { clientFor } : {}) });
    return { code, out, err };
  };

  it("lists what to seed for a stack, offline", async () => {
    const { code, out } = await run(["list", "prod-tenant-globex"]);
    expect(code).toBe(0);
    expect(out).toMatch(/prod-tenant-globex \(account 111111111111, eu-west-1\): 4 secret values to seed/);
    expect(out).toMatch(/acme-prod-globex\/globex-noor\/supabase\n {4}what: {5}Supabase project\n {4}value: {4}a JSON object with the keys url, key\n {4}read by: {2}workload globex-noor\/backend/);
  });

  it("lists as JSON for the preflight and other tools", async () => {
    const { code, out } = await run(["list", "initech", "--json"]);
    expect(code).toBe(0);
    const parsed = JSON.parse(out) as { stack: string; secretName: string }[];
    expect(new Set(parsed.map((item) => item.stack))).toEqual(new Set(["tenant-initech-platform"]));
    expect(parsed.map((item) => item.secretName)).toContain("acme-prod-initech/alertmanager/pagerduty");
  });

  it("checks and exits 1 while a value is missing, saying which and how to seed it", async () => {
    const { clientFor } = replayingClients(listSecretsResponse);
    const { code, out } = await run(["check", "prod-platform"], clientFor);
    expect(code).toBe(1);
    expect(out).toMatch(/^EMPTY +prod-platform +acme-prod\/alertmanager\/slack has no value: put a JSON object with the keys webhookUrl \(aws secretsmanager put-secret-value --region eu-west-1 --secret-id acme-prod\/alertmanager\/slack --secret-string file:\/\/value\.json\)$/m);
    expect(out).toMatch(/of 14 secret values are not seeded/);
  });

  it("exits 0 when everything selected is seeded", async () => {
    const seededAll = JSON.stringify({
      SecretList: prodPlatform.map((requirement) => ({ Name: requirement.secretName, ARN: `arn:aws:secretsmanager:eu-west-1:111111111111:secret:${requirement.secretName}-AbCdEf`, SecretVersionsToStages: { [randomUUID()]: ["AWSCURRENT"] } })),
    });
    const { clientFor } = replayingClients(() => ({ body: seededAll }));
    const { code, out } = await run(["check", "prod-platform"], clientFor);
    expect(code).toBe(0);
    expect(out).toMatch(/All 14 secret values are seeded\./);
  });

  it("exits 2 with a clear message on an unknown target, a usage error or an AWS error", async () => {
    expect(await run(["list", "qa"])).toMatchObject({ code: 2, err: expect.stringMatching(/"qa" selects no secret to seed/) });
    expect((await run(["frobnicate"])).code).toBe(2);
    const { clientFor } = replayingClients(() => ({ status: 400, body: JSON.stringify({ __type: "UnrecognizedClientException", message: "The security token included in the request is invalid." }) }));
    expect(await run(["check", "prod-platform"], clientFor)).toMatchObject({ code: 2, err: expect.stringMatching(/could not ask Secrets Manager \(UnrecognizedClientException: The security token included in the request is invalid\.\); use credentials of the environment's account/) });
  });
});
