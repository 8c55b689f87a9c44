import { describe, expect, it } from "vitest";
import { environmentStatePrefix, legacyStateObjectKey, legacyStateProblem, lockFileKey, stateMoves, stateObjectKey, stateVerdict } from "../../../constructs/core/state-keys";

describe("state object keys", () => {
  it("puts the stacks CI applies under their environment, administrator stacks under stacks/", () => {
    expect(stateObjectKey("prod-infra", "prod")).toBe("environments/prod/prod-infra/terraform.tfstate");
    expect(stateObjectKey("tenant-initech-infra", "prod")).toBe("environments/prod/tenant-initech-infra/terraform.tfstate");
    expect(stateObjectKey("bootstrap")).toBe("stacks/bootstrap/terraform.tfstate");
    expect(stateObjectKey("account-main")).toBe("stacks/account-main/terraform.tfstate");
    expect(environmentStatePrefix("prod")).toBe("environments/prod/");
    expect(lockFileKey(stateObjectKey("prod-infra", "prod"))).toBe("environments/prod/prod-infra/terraform.tfstate.tflock");
  });

  it("keeps every environment's prefix apart from another's, even for prefix-like names", () => {
    // `environments/dev/` never starts `environments/dev-eu/...` (and the loader rejects such names anyway).
    expect(stateObjectKey("x", "dev-eu").startsWith(environmentStatePrefix("dev"))).toBe(false);
  });

  it("lists the moves of the stacks whose key changed", () => {
    expect(stateMoves([{ stack: "bootstrap" }, { stack: "prod-infra", environment: "prod" }])).toEqual([
      { stack: "prod-infra", from: "stacks/prod-infra/terraform.tfstate", to: "environments/prod/prod-infra/terraform.tfstate" },
    ]);
    expect(legacyStateObjectKey("prod-infra")).toBe("stacks/prod-infra/terraform.tfstate");
  });
});

describe("legacy state detection (used by the preflight)", () => {
  const move = { stack: "prod-infra", from: "stacks/prod-infra/terraform.tfstate", to: "environments/prod/prod-infra/terraform.tfstate" };

  it("refuses a stack whose legacy object exists while the new one does not", () => {
    expect(stateVerdict({ legacy: true, current: false })).toBe("migrate");
    expect(legacyStateProblem(move, { legacy: true, current: false })).toMatch(/prod-infra: its state is still at the legacy key stacks\/prod-infra\/terraform\.tfstate .*npm run state -- migrate/);
  });

  it("lets a migrated, a fresh, and a half-cleaned-up stack through", () => {
    expect(legacyStateProblem(move, { legacy: false, current: true })).toBeUndefined();
    expect(legacyStateProblem(move, { legacy: false, current: false })).toBeUndefined();
    expect(legacyStateProblem(move, { legacy: true, current: true })).toBeUndefined();
    expect(stateVerdict({ legacy: false, current: false })).toBe("fresh");
    expect(stateVerdict({ legacy: true, current: true })).toBe("current");
  });
});
