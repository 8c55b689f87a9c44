/**
 * Onboarding leaves nothing to regenerate: `npm run tenant -- add` records the new tenant's stateful addresses
 * (scripts/state-addresses.ts recordNewStacks) — and never rewrites an existing stack's record.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../config/loader";
import { checkAddresses } from "../../constructs/policy/addresses";
import { readSynthesized, synthesizeBundled } from "../../scripts/lib/bundled";
import { RECORD_DIR, readRecords, recordNewStacks } from "../../scripts/state-addresses";
import { tempConfig } from "../support/synth";

const records = mkdtempSync(join(tmpdir(), "state-addresses-"));
afterAll(() => rmSync(records, { recursive: true, force: true }));

describe("recordNewStacks", () => {
  it("writes the record of a new tenant's stack only, which then passes the address check", async () => {
    cpSync(RECORD_DIR, records, { recursive: true });
    const before = readFileSync(join(records, "prod-tenant-globex.json"), "utf8");
    const config = loadConfig(tempConfig({ write: { "tenants/umbrella.yaml": "id: umbrella\nenvironment: prod\nisolation: shared\ningressGroup: 1\nproducts:\n  noor: {}\n" } }));
    const written = await recordNewStacks(config, ["prod-tenant-umbrella", "prod-tenant-globex"], records);
    expect(written.map((file) => file.split("/").at(-1))).toEqual(["prod-tenant-umbrella.json"]);
    expect(readFileSync(join(records, "prod-tenant-globex.json"), "utf8")).toBe(before);
    const stacks = readSynthesized(await synthesizeBundled(config, { stackPatterns: ["prod-tenant-umbrella"] }));
    const recorded = readRecords(records);
    expect(checkAddresses(new Map([...recorded].filter(([name]) => stacks.has(name))), stacks)).toEqual([]);
    expect(await recordNewStacks(config, ["prod-tenant-umbrella"], records)).toEqual([]);
  }, 120_000);
});
