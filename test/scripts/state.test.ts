/**
 * `npm run state -- migrate`: the moves come from the stack catalog, are planned against what exists in the bucket,
 * and the command never overwrites an object at the new key.
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { catalogMoves, describeStep, migrationPlan, moveArgs } from "../../scripts/lib/state-migration";
import { bundledConfig, ROOT } from "../support/synth";

const config = bundledConfig();

describe("state migration", () => {
  it("moves exactly the stacks CI applies, each under its environment (dedicated tenants under theirs)", () => {
    const moves = catalogMoves(config);
    expect(moves.map((move) => move.stack).sort()).toEqual(["dev-dns", "dev-infra", "dev-platform", "prod-dns", "prod-infra", "prod-platform", "prod-tenant-globex", "staging-dns", "staging-infra", "staging-platform", "tenant-initech-infra", "tenant-initech-platform"]);
    expect(moves.find((move) => move.stack === "staging-dns")).toEqual({
      stack: "staging-dns",
      from: "stacks/staging-dns/terraform.tfstate",
      to: "environments/staging/staging-dns/terraform.tfstate",
    });
    expect(moves.find((move) => move.stack === "tenant-initech-platform")).toEqual({
      stack: "tenant-initech-platform",
      from: "stacks/tenant-initech-platform/terraform.tfstate",
      to: "environments/prod/tenant-initech-platform/terraform.tfstate",
    });
    expect(moveArgs(config, moves[0]!)).toEqual([
      "s3", "mv", `s3://acme-tfstate-111111111111-eu-west-1/${moves[0]!.from}`, `s3://acme-tfstate-111111111111-eu-west-1/${moves[0]!.to}`,
      "--sse", "aws:kms", "--sse-kms-key-id", "arn:aws:kms:eu-west-1:111111111111:alias/acme-tfstate", "--region", "eu-west-1",
    ]);
  });

  it("moves only what exists at the old key and not at the new one", async () => {
    const present = new Set(["stacks/prod-infra/terraform.tfstate", "environments/dev/dev-infra/terraform.tfstate", "stacks/dev-infra/terraform.tfstate"]);
    const steps = await migrationPlan(config, async (key) => present.has(key));
    const byStack = new Map(steps.map((step) => [step.move.stack, step]));
    expect(byStack.get("prod-infra")?.verdict).toBe("migrate");
    expect(byStack.get("prod-infra")?.args?.[1]).toBe("mv");
    expect(byStack.get("dev-infra")?.verdict).toBe("current");
    expect(byStack.get("dev-infra")?.args).toBeUndefined();
    expect(describeStep(byStack.get("dev-infra")!)).toMatch(/already at environments\/dev\/dev-infra\/terraform\.tfstate \(a copy left at stacks\/dev-infra/);
    expect(byStack.get("staging-infra")?.verdict).toBe("fresh");
  });

  it("prints the commands and the CI identity steps with --dry-run, without calling AWS", () => {
    // PATH holds node only: an `aws` call would fail the command.
    const result = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "state.ts"), "migrate", "--dry-run"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, PATH: dirname(process.execPath) } });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("aws s3 mv s3://acme-tfstate-111111111111-eu-west-1/stacks/prod-infra/terraform.tfstate s3://acme-tfstate-111111111111-eu-west-1/environments/prod/prod-infra/terraform.tfstate");
    expect(result.stdout).toMatch(/terraform state rm 'aws_iam_openid_connect_provider\.ci_github-oidc_[0-9A-F]{8}'/);
    expect(result.stdout).toMatch(/terraform import 'aws_iam_openid_connect_provider\.ci_github-oidc_[0-9A-F]{8}' arn:aws:iam::111111111111:oidc-provider\/token\.actions\.githubusercontent\.com/);
  });
});
