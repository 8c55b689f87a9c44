/**
 * Regressions an operator makes in configuration: one edit of a copy of the configuration directory. The gate's own
 * settings must be rejected by the loader (they cannot switch the gate off); the rest is synthesized and evaluated.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { layer } from "../../../config/layering";
import { fake } from "./json";
import type { ConfigMutation } from "./types";

/** Layers `patch` over the YAML file `file` of the configuration directory (comments are not kept: a copy). */
function setYaml(directory: string, file: string, patch: Record<string, unknown>): void {
  const path = join(directory, file);
  writeFileSync(path, stringify(layer(parse(readFileSync(path, "utf8")), patch)));
}

function suppressions(directory: string, entries: readonly Record<string, string>[]): void {
  writeFileSync(join(directory, "policy", "suppressions.yaml"), stringify({ suppressions: entries }));
}

/** An expiry `days` after `now` (the suite's clock). */
function inDays(now: Date, days: number): string {
  return new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

export function configMutations(now: Date): readonly ConfigMutation[] {
  return [
    {
      kind: "config",
      id: "config-prod-fail-at-critical",
      description: "production's policy.failAt is raised to critical (high findings would pass)",
      expect: { config: "policy.failAt" },
      edit: (directory) => setYaml(directory, "environments/prod.yaml", { policy: { failAt: "critical" } }),
    },
    {
      kind: "config",
      id: "config-suppression-glob-for-critical-rule",
      description: "a suppression of a critical rule (S3-BLOCK-PUBLIC) uses a glob path",
      expect: { config: "suppressions.0.path" },
      edit: (directory) => suppressions(directory, [{ rule: "S3-BLOCK-PUBLIC", path: "dev-infra/storage/**", reason: "public website assets in dev", expires: inDays(now, 30) }]),
    },
    {
      kind: "config",
      id: "config-suppression-without-expiry-for-high-rule",
      description: "a suppression of a high rule (S3-VERSIONING) has no expiry",
      expect: { config: "suppressions.0.rule" },
      edit: (directory) => suppressions(directory, [{ rule: "S3-VERSIONING", path: "dev-infra/storage/bucket-noor-uploads/versioning", reason: "migrating the bucket to a new layout" }]),
    },
    {
      kind: "config",
      id: "config-suppression-two-years",
      description: "a suppression of a high rule runs two years",
      expect: { config: "suppressions.0.expires" },
      edit: (directory) => suppressions(directory, [{ rule: "IAM-NO-WILDCARD", path: "dev-platform/addons/karpenter/identity/policy", reason: "EC2 fleet actions lack resource scoping", expires: inDays(now, 730) }]),
    },
    {
      kind: "config",
      id: "config-suppression-critical-in-production",
      description: "a critical rule (SG-NO-WORLD-ADMIN) is suppressed on a production resource",
      expect: { config: "suppressions.0.rule" },
      edit: (directory) => suppressions(directory, [{ rule: "SG-NO-WORLD-ADMIN", path: "prod-infra/network/workloads-sg", reason: "temporary bastion access for a migration", expires: inDays(now, 14) }]),
    },
    {
      kind: "config",
      id: "config-staging-through-production-github-environment",
      description: "staging deploys through a GitHub environment named like production (prod-eu) with the staging profile",
      expect: { config: "deployment.githubEnvironment" },
      edit: (directory) => setYaml(directory, "environments/staging.yaml", { deployment: { githubEnvironment: "prod-eu" } }),
    },
    {
      kind: "config",
      id: "config-dev-in-production-account-unrecorded",
      description: "dev deploys into production's account and nothing records why",
      expect: { config: "account.id" },
      edit: (directory) => {
        const path = join(directory, "project.yaml");
        writeFileSync(path, readFileSync(path, "utf8").replace(/^\s*sharedWithNonProduction:.*\n/m, ""));
      },
    },
    {
      kind: "config",
      id: "config-dev-eks-endpoint-internet-halves",
      description: "dev's EKS public endpoint admits 0.0.0.0/1 and 128.0.0.0/1 (the whole internet)",
      expect: "EKS-ENDPOINT",
      stacks: ["dev-infra"],
      edit: (directory) => setYaml(directory, "environments/dev.yaml", { cluster: { endpoint: { publicAccess: true, publicAccessCidrs: ["0.0.0.0/1", "128.0.0.0/1"] } } }),
    },
    {
      kind: "config",
      id: "config-product-literal-password",
      description: "a product's workload gets a literal SMTP_PASSWORD in its env",
      expect: "SECRET-LITERAL-CREDENTIAL",
      stacks: ["dev-platform"],
      edit: (directory) => {
        const path = join(directory, "products", "noor.yaml");
        const product = parse(readFileSync(path, "utf8")) as { workloads: Record<string, { env?: Record<string, string> }> };
        const frontend = product.workloads.frontend;
        if (!frontend) throw new Error("products/noor.yaml has no frontend workload");
        frontend.env = { ...frontend.env, SMTP_PASSWORD: "Winter2026!mail" };
        writeFileSync(path, stringify(product));
      },
    },
    {
      kind: "config",
      id: "config-product-anthropic-key",
      description: "an Anthropic key (sk-ant-) is pasted into a product's env",
      expect: "SECRET-TOKEN",
      stacks: ["dev-platform"],
      edit: (directory) => {
        const path = join(directory, "products", "noor.yaml");
        const product = parse(readFileSync(path, "utf8")) as { workloads: Record<string, { env?: Record<string, string> }> };
        const frontend = product.workloads.frontend;
        if (!frontend) throw new Error("products/noor.yaml has no frontend workload");
        frontend.env = { ...frontend.env, ASSESSMENT_MODEL_KEY: fake(["sk-", "ant-", "api03-", "Xq7vB2nLk9PzR4tW8yHc3JmD5fGs6KaE1uVo0iNbQwTe", "-", "AbCdEfGhIjKlMnOpQrStUvWx", "AA"]) };
        writeFileSync(path, stringify(product));
      },
    },
  ];
}
