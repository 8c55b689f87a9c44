import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { TerraformStack } from "cdktf";
import { describe, expect, it } from "vitest";
import { awaitsReadiness, SecretValueGate, secretsAwaitingValuesOutput } from "../../../constructs/secret-values";
import { synthConstruct } from "../../support/synth";

describe("SecretValueGate", () => {
  const { json } = synthConstruct((scope) => {
    const gates = ["b", "a"].map((name) => new SecretValueGate(scope, `gate-${name}`, { secret: new SecretsmanagerSecret(scope, `secret-${name}`, { name: `acme-test/shop/${name}` }), name: `acme-test/shop/${name}` }));
    new SecretsmanagerSecret(scope, "readiness-holder", { name: "holder", description: String(awaitsReadiness(gates)) });
    secretsAwaitingValuesOutput(TerraformStack.of(scope), gates);
    return gates;
  });
  const versions = json.data?.aws_secretsmanager_secret_versions ?? {};

  it("lists the secret's versions (ListSecretVersionIds: ids and labels only) once the secret exists", () => {
    expect(Object.values(versions).map((source) => source.secret_id).sort()).toEqual(["${aws_secretsmanager_secret.secret-a.arn}", "${aws_secretsmanager_secret.secret-b.arn}"]);
  });

  it("holds for a workload only when every secret it reads has a version", () => {
    const holder = Object.values(json.resource?.aws_secretsmanager_secret ?? {}).find((secret) => secret.name === "holder");
    expect(holder?.description).toMatch(/^\$\{alltrue\(\[\(try\(length\(data\.aws_secretsmanager_secret_versions\.gate-b_versions_\w+\.versions\), 0\) >= 1\), \(try\(length\(data\.aws_secretsmanager_secret_versions\.gate-a_versions_\w+\.versions\), 0\) >= 1\)\]\)\}$/);
    expect(awaitsReadiness([])).toBe(true);
  });

  it("outputs the names of the secrets without a value, sorted", () => {
    const output = (json as { output?: Record<string, { value: string; description: string }> }).output?.["secrets-awaiting-values"];
    expect(output?.description).toMatch(/npm run secrets -- list/);
    expect(output?.value).toMatch(/^\$\{compact\(\[\(try\(length\(data\.aws_secretsmanager_secret_versions\.gate-a_versions_\w+\.versions\), 0\) >= 1\) \? "" : "acme-test\/shop\/a", .*"acme-test\/shop\/b"\]\)\}$/);
  });

  it("adds no output to a stack without such secrets", () => {
    const { json: empty } = synthConstruct((scope) => secretsAwaitingValuesOutput(scope, []));
    expect((empty as { output?: unknown }).output).toBeUndefined();
  });
});
