import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Annotations, App, AssetType, TerraformAsset, TerraformOutput, TerraformStack } from "cdktf";
import { describe, expect, it } from "vitest";
import { buildApp } from "../../stacks/app";
import { stableJson } from "../../stacks/stable-json";
import { SynthesisError, synthesizeChecked, synthesizeInto, type SynthesisProblem } from "../../stacks/synthesize";
import { bundledConfig, bundledSynth, ROOT } from "../support/synth";

/** The serializer cdktf writes stacks with (cdktf/lib/synthesize/synthesizer.js). */
const cdktfStringify = createRequire(require.resolve("cdktf"))("json-stable-stringify") as (value: unknown, options: { space: number }) => string | undefined;

describe("stableJson", () => {
  it("writes every bundled stack byte for byte as cdktf wrote it", () => {
    const stacks = bundledSynth();
    expect(stacks.size).toBeGreaterThan(10);
    for (const [name, text] of stacks) expect(stableJson(JSON.parse(text)), name).toBe(text);
  });

  const cases: Record<string, unknown> = {
    "empty containers": { a: [], b: {}, c: [[], {}], d: [{}] },
    "keys in code-unit order": { b: 1, a: 2, B: 3, "é": 4, "10": 5, "9": 6, "": 7, "a b": 8 },
    "undefined, functions and symbols": { a: undefined, b: () => 1, c: Symbol("s"), d: [undefined, () => 1, Symbol("t"), 1] },
    "toJSON": { when: new Date("2026-12-06T00:00:00Z"), custom: { toJSON: () => ({ z: 1, y: [2] }) }, toUndefined: { toJSON: () => undefined } },
    "scalars": { n: 1.5, neg: -0, big: 1e21, nan: Number.NaN, inf: Infinity, t: true, f: false, nul: null, s: "quote \" and \\ and \n and \u2028" },
    "deep nesting": { a: { b: { c: { d: { e: [1, [2, [3, { f: {} }]]] } } } } },
    "a top-level array": [1, { b: 2, a: 1 }, []],
    "a top-level scalar": "text",
    "top-level undefined": undefined,
  };
  for (const [name, value] of Object.entries(cases)) {
    it(`matches json-stable-stringify: ${name}`, () => {
      expect(stableJson(value)).toBe(cdktfStringify(value, { space: 2 }));
    });
  }

  it("refuses a circular structure, and accepts the same object twice side by side", () => {
    const shared = { x: 1 };
    expect(stableJson({ a: shared, b: shared })).toBe(cdktfStringify({ a: shared, b: shared }, { space: 2 }));
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = { back: cyclic };
    expect(() => stableJson(cyclic)).toThrow(TypeError);
    expect(() => cdktfStringify(cyclic, { space: 2 })).toThrow(TypeError);
  });
});

describe("checked synthesis (stacks/synthesize.ts)", () => {
  // Also the determinism check: this is a second, independent run (configuration loaded and every construct built
  // again) compared with the global setup's, so synthesis is byte-identical across runs as well as across writers.
  it("writes each bundled stack with the bytes cdktf's own writer gave in another run (test/support/global-setup.ts runs plain app.synth())", async () => {
    const outdir = mkdtempSync(join(tmpdir(), "platform-checked-"));
    try {
      await synthesizeInto(outdir, async (staging) => {
        const app = new App({ outdir: staging });
        await buildApp(app, bundledConfig());
        return app;
      });
      const expected = bundledSynth();
      const written = readdirSync(join(outdir, "stacks")).sort();
      expect(written).toEqual([...expected.keys()]);
      for (const name of written) expect(readFileSync(join(outdir, "stacks", name, "cdk.tf.json"), "utf8"), name).toBe(expected.get(name));
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe("checked synthesis writes a stack as cdktf's StackSynthesizer does", () => {
  /** A stack with an asset (custom synthesis), a warning and, when asked, an error annotation. */
  function build(outdir: string, withError: boolean, env: Record<string, string> = {}): App {
    const app = new App({ outdir, context: env });
    const stack = new TerraformStack(app, "annotated");
    const asset = new TerraformAsset(stack, "chart", { path: join(ROOT, "charts", "local", "workload-secrets"), type: AssetType.DIRECTORY });
    new TerraformOutput(stack, "asset-path", { value: asset.path });
    Annotations.of(stack).addWarning("a warning");
    if (withError) Annotations.of(asset).addError("an error");
    return app;
  }

  function files(dir: string): Map<string, string> {
    const out = new Map<string, string>();
    const walk = (path: string): void => {
      for (const entry of readdirSync(path, { withFileTypes: true })) {
        const full = join(path, entry.name);
        if (entry.isDirectory()) walk(full);
        else out.set(full.slice(dir.length + 1), readFileSync(full, "utf8"));
      }
    };
    walk(dir);
    return out;
  }

  it("the same files: manifest with annotations, assets copied, the stack JSON", () => {
    const ours = mkdtempSync(join(tmpdir(), "platform-ours-"));
    const theirs = mkdtempSync(join(tmpdir(), "platform-cdktf-"));
    try {
      synthesizeChecked(build(ours, false));
      build(theirs, false).synth();
      const written = files(ours);
      expect([...written.keys()].sort()).toEqual([...files(theirs).keys()].sort());
      // The annotations' stack traces name the test line that built each app; everything else is compared as bytes.
      const withoutTraces = (text: string | undefined): string => text?.replace(/"stacktrace": \[[^\]]*\]/g, '"stacktrace": []') ?? "";
      for (const [path, text] of files(theirs)) expect(withoutTraces(written.get(path)), path).toBe(withoutTraces(text));
      expect(written.get("manifest.json")).toContain('"message": "a warning"');
      expect([...written.keys()].some((path) => path.includes("assets/chart") && path.endsWith("Chart.yaml"))).toBe(true);
    } finally {
      rmSync(ours, { recursive: true, force: true });
      rmSync(theirs, { recursive: true, force: true });
    }
  });

  it("an error annotation fails the stack with cdktf's message, and nothing is written", () => {
    const ours = mkdtempSync(join(tmpdir(), "platform-ours-"));
    const theirs = mkdtempSync(join(tmpdir(), "platform-cdktf-"));
    try {
      let cdktfMessage = "";
      try {
        build(theirs, true).synth();
      } catch (error) {
        cdktfMessage = (error as Error).message;
      }
      expect(cdktfMessage).toContain('Encountered Annotations with level "ERROR"');
      const problems: SynthesisProblem[] = [];
      expect(() => synthesizeChecked(build(ours, true), problems)).toThrow(SynthesisError);
      expect(problems).toEqual([{ stack: "annotated", path: "annotated", message: cdktfMessage }]);
      expect(existsSync(join(ours, "stacks", "annotated", "cdk.tf.json"))).toBe(false);
    } finally {
      rmSync(ours, { recursive: true, force: true });
      rmSync(theirs, { recursive: true, force: true });
    }
  });
});
