import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import { afterAll, describe, expect, it } from "vitest";
import { floorOptions, recreate, writeFast } from "../../../scripts/bench/floor";
import { bundledSynth } from "../../support/synth";

/** A stack's JSON without cdktf's `//` bookkeeping (stack metadata, output paths), which the floor app does not mirror. */
function withoutBookkeeping(text: string): Record<string, unknown> {
  const { "//": _bookkeeping, ...rest } = JSON.parse(text) as Record<string, unknown>;
  return rest;
}

describe("the floor app (scripts/bench/floor.ts)", () => {
  const bundled = bundledSynth();
  const outdirs: string[] = [];
  afterAll(() => {
    for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
  });

  function floorApp(): { app: App; outdir: string; elements: number } {
    const outdir = mkdtempSync(join(tmpdir(), "platform-floor-"));
    outdirs.push(outdir);
    const app = new App({ outdir, skipValidation: true });
    let elements = 0;
    for (const [name, text] of bundled) elements += recreate(app, name, JSON.parse(text) as Record<string, unknown>);
    return { app, outdir, elements };
  }

  it.each([
    ["cdktf's app.synth()", (app: App) => app.synth()],
    ["this project's resolver and writer", (app: App, outdir: string) => writeFast(app, outdir)],
  ] as const)("writes every bundled stack's Terraform as the app does, with %s", (_, write) => {
    const { app, outdir, elements } = floorApp();
    write(app, outdir);
    // Every element of every stack is re-created (the bundled output holds thousands).
    expect(elements).toBeGreaterThan(2000);
    for (const [name, text] of bundled) {
      expect(withoutBookkeeping(readFileSync(join(outdir, "stacks", name, "cdk.tf.json"), "utf8")), name).toEqual(withoutBookkeeping(text));
    }
  });
});

describe("floorOptions", () => {
  it("reads the directories and the options", () => {
    expect(floorOptions(["in", "out"])).toEqual({ synthesized: "in", outdir: "out", shard: { index: 1, count: 1 }, fast: false });
    expect(floorOptions(["in", "out", "--shard", "2/3", "--fast", "--config", "cfg"])).toEqual({ synthesized: "in", outdir: "out", shard: { index: 2, count: 3 }, fast: true, configDir: "cfg" });
    expect(floorOptions(["--stack", "dev-dns", "in", "out"])).toMatchObject({ synthesized: "in", outdir: "out", stack: "dev-dns" });
  });

  it.each([
    [["in"], /missing required argument 'outdir'/],
    [["in", "out", "--shard", "3/2"], /--shard.*expected I\/N with 1 <= I <= N/],
    [["in", "out", "--shard", "x"], /expected I\/N/],
    [["in", "out", "--workers", "2"], /unknown option '--workers'/],
  ])("refuses %j", (args, message) => {
    expect(() => floorOptions(args)).toThrow(message);
  });
});
