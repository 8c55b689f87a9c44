/**
 * The first apply does not block on secret values nobody has seeded yet (issue 14.8), and says what is missing.
 * Generic over every bundled stack: a Deployment or pre-rollout Job whose pods read a Secret synced from a human-seeded
 * Secrets Manager secret waits for its rollout only once that secret has a value.
 */
import { describe, expect, it } from "vitest";
import { requiredSecretValues } from "../../constructs/secret-values/inventory";
import { bundledConfig, bundledStackEntries, resourceList, type Synthesized } from "../support/synth";

type Json = Record<string, any>; // oxlint-disable-line typescript/no-explicit-any -- synthesized JSON navigated by the assertions

const stacks = bundledStackEntries();
const requirements = requiredSecretValues(bundledConfig());

/** Kubernetes Secrets (synced by External Secrets) a pod template's containers read. */
function secretsReadByPod(pod: Json): string[] {
  const names = (pod.container as Json[]).flatMap((container) => ((container.env ?? []) as Json[]).flatMap((variable) => (variable.value_from?.secret_key_ref?.name ? [variable.value_from.secret_key_ref.name as string] : [])));
  return [...new Set(names)].sort();
}

/** Declared product secrets are synced into `secret-<name>` (data-service credentials into `service-<name>`, generated). */
const humanSeeded = (kubernetesSecret: string) => kubernetesSecret.startsWith("secret-");

interface Waiter {
  readonly stack: string;
  readonly what: string;
  readonly reads: string[];
  readonly waits: unknown;
}

function waiters(): Waiter[] {
  return stacks.flatMap(({ name, json }) => [
    ...resourceList(json as Synthesized, "kubernetes_deployment_v1").map((deployment) => {
      const d = deployment as Json;
      return { stack: name, what: `deployment ${d.metadata.namespace}/${d.metadata.name}`, reads: secretsReadByPod(d.spec.template.spec), waits: d.wait_for_rollout };
    }),
    ...resourceList(json as Synthesized, "kubernetes_job_v1").map((job) => {
      const j = job as Json;
      return { stack: name, what: `job ${j.metadata.namespace}/${j.metadata.name}`, reads: secretsReadByPod(j.spec.template.spec), waits: j.wait_for_completion };
    }),
  ]);
}

describe("applies never block on secret values not seeded yet", () => {
  const all = waiters();

  it("waits for workloads reading human-seeded secrets only once their secrets have a value", () => {
    const gated = all.filter((waiter) => waiter.reads.some(humanSeeded));
    expect(gated.length).toBeGreaterThanOrEqual(20);
    const wrong = gated.filter((waiter) => typeof waiter.waits !== "string" || !/^\$\{(alltrue\(\[)?\(try\(length\(data\.aws_secretsmanager_secret_versions\./.test(waiter.waits));
    // Before: every Deployment had wait_for_rollout = true and timed out the first apply.
    expect(wrong.map((waiter) => `${waiter.stack} ${waiter.what}: ${JSON.stringify(waiter.waits)}`)).toEqual([]);
    for (const waiter of gated) {
      const gates = (waiter.waits as string).match(/data\.aws_secretsmanager_secret_versions\.[\w-]+/g) ?? [];
      expect(gates.length, waiter.what).toBe(waiter.reads.filter(humanSeeded).length);
    }
  });

  it("still waits for everything else (data-service credentials are generated, never missing)", () => {
    const others = all.filter((waiter) => !waiter.reads.some(humanSeeded));
    expect(others.length).toBeGreaterThan(0);
    expect(others.filter((waiter) => waiter.waits !== true).map((waiter) => waiter.what)).toEqual([]);
  });

  it("outputs, per stack, the secrets still awaiting a value: exactly those a human must seed", () => {
    const withSecrets = new Set(requirements.map((requirement) => requirement.stack));
    expect(withSecrets.size).toBeGreaterThanOrEqual(5);
    for (const { name, json } of stacks) {
      const expected = requirements.filter((requirement) => requirement.stack === name).map((requirement) => requirement.secretName).sort();
      const output = (json.output as Record<string, { value: string }> | undefined)?.["secrets-awaiting-values"];
      // No output at all in stacks without such secrets (infra, bootstrap).
      expect(output === undefined, name).toBe(expected.length === 0);
      const named = [...(output?.value ?? "").matchAll(/\? "" : "([^"]+)"/g)].map((match) => match[1]).sort();
      expect(named, name).toEqual(expected);
    }
  });
});
