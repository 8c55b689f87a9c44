/**
 * A deploy run's outcome (follow-up runs for deferred, stale and re-planned stacks; promotion between tiers) and the
 * nightly drift findings (scripts/lib/ci/reports.ts).
 */
import { describe, expect, it } from "vitest";
import type { ApplyStatus, PlanStatus } from "../../../../scripts/lib/ci/plans";
import { driftFindings, driftMarker, MAX_FOLLOW_UPS, runOutcome, tierPromotes } from "../../../../scripts/lib/ci/reports";
import { computeManifest, deployRecord, type Manifest } from "../../../../scripts/lib/manifest";
import { stackCatalog } from "../../../../stacks/app";
import { bundledConfig } from "../../../support/synth";

const config = bundledConfig();
const catalog = stackCatalog(config);
const hash = (name: string) => `sha256:${Buffer.from(name.padEnd(32, "-").slice(0, 32)).toString("hex")}`;
const hashes = new Map(catalog.map((entry) => [entry.name, hash(entry.name)]));

/** A first deploy: dev and every DNS stack now, the rest deferred. */
const first: Manifest = computeManifest({ config, mode: "deploy", hashes, records: new Map() });
const applied = (stack: string, outcome: ApplyStatus["outcome"] = "applied"): ApplyStatus => ({ stack, environment: stack.split("-")[0] as string, outcome });

describe("the deploy run's outcome", () => {
  it("dispatches a follow-up run for the deferred stacks once this run deployed what they wait for", () => {
    const outcome = runOutcome(first, first.stacks.map((stack) => applied(stack.stack)), 0);
    expect(outcome.followUp).toBe(true);
    expect(outcome.reason).toMatch(/stack\(s\) waited for/);
    expect(outcome.markdown).toContain(`A follow-up deploy run (1 of at most ${MAX_FOLLOW_UPS})`);
  });

  it("plans a stale or re-planned stack again in a follow-up run for a new approval, and stops after MAX_FOLLOW_UPS", () => {
    const manifest = computeManifest({ config, mode: "deploy", hashes, records: new Map(catalog.map((entry) => [entry.name, deployRecord(entry.name, entry.name === "dev-infra" ? hash("old") : hash(entry.name))])) });
    expect(manifest.stacks.map((stack) => stack.stack)).toEqual(["dev-infra"]);
    expect(runOutcome(manifest, [applied("dev-infra", "stale")], 0)).toMatchObject({ followUp: true, reason: expect.stringContaining("planned again for a new approval (dev-infra)") });
    const last = runOutcome(manifest, [applied("dev-infra", "replan")], MAX_FOLLOW_UPS);
    expect(last.followUp).toBe(false);
    expect(last.markdown).toContain("run the deploy workflow again by hand");
    // A failure or a refused approval is not retried automatically: the next merge (or a manual run) plans it again.
    expect(runOutcome(manifest, [applied("dev-infra", "failed")], 0).followUp).toBe(false);
    expect(runOutcome(manifest, [applied("dev-infra", "not-approved")], 0).followUp).toBe(false);
  });

  it("promotes a tier only when every stack it planned was applied or recorded", () => {
    const dev = first.stacks.filter((stack) => stack.tier === "development").map((stack) => stack.stack);
    expect(tierPromotes(first, "development", dev.map((stack) => applied(stack)))).toEqual({ promote: true, pending: [] });
    expect(tierPromotes(first, "development", [applied(dev[0] as string, "recorded")])).toEqual({ promote: false, pending: dev.slice(1) });
    expect(tierPromotes(first, "development", dev.map((stack, index) => applied(stack, index === 0 ? "not-approved" : "applied"))).promote).toBe(false);
  });
});

describe("drift findings", () => {
  const records = new Map(catalog.map((entry) => [entry.name, deployRecord(entry.name, entry.name === "prod-platform" ? hash("old") : hash(entry.name))]));
  const drift = computeManifest({ config, mode: "drift", hashes, records });
  const plan = (stack: string, outcome: PlanStatus["outcome"]): PlanStatus => ({ stack, environment: "prod", outcome, hash: hash(stack) });

  it("tells drift (deployed code, yet changes) from undeployed code, failures and clean stacks, one marker per stack", () => {
    const findings = driftFindings(drift, [plan("prod-infra", "changes"), plan("prod-platform", "changes"), plan("prod-dns", "failed"), plan("dev-infra", "no-changes")], new Map([["prod-infra", "~ aws_security_group.x"]]), "https://run");
    expect(findings.map((finding) => [finding.stack, finding.state])).toEqual([
      ["dev-infra", "clean"],
      ["prod-dns", "failed"],
      ["prod-infra", "drift"],
      ["prod-platform", "undeployed"],
    ]);
    const infra = findings.find((finding) => finding.stack === "prod-infra");
    expect(infra?.marker).toBe(driftMarker("prod-infra"));
    expect(infra?.body.startsWith("<!-- platform-drift:prod-infra -->")).toBe(true);
    expect(infra?.body).toContain("~ aws_security_group.x");
    expect(infra?.title).toBe("Drift: prod-infra differs from its configuration");
    expect(findings.find((finding) => finding.stack === "dev-infra")?.body).toContain("closing");
  });
});
