import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { App } from "cdktf";
import { describe, expect, it } from "vitest";
import { buildApp } from "../../stacks/app";
import { bundledConfig } from "../support/synth";

function synthToDirectory(): Map<string, string> {
  const outdir = mkdtempSync(join(tmpdir(), "platform-synth-"));
  const app = new App({ outdir, stackTraces: false });
  buildApp(app, bundledConfig());
  app.synth();
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(outdir, path), readFileSync(path, "utf8"));
    }
  };
  walk(outdir);
  return files;
}

describe("synthesis", () => {
  it("is byte-identical across two runs", () => {
    const first = synthToDirectory();
    const second = synthToDirectory();
    expect([...first.keys()].sort()).toEqual([...second.keys()].sort());
    expect(first.size).toBeGreaterThan(7);
    for (const [file, content] of first) expect(second.get(file), file).toBe(content);
  });
});
