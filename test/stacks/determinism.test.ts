import { describe, expect, it } from "vitest";
import { bundledConfig, bundledSynth, synthToTexts } from "../support/synth";

describe("synthesis", () => {
  it("is byte-identical across two runs", async () => {
    const first = bundledSynth(); // synthesized once for the run by the global setup, exactly as main.ts does
    const second = await synthToTexts(bundledConfig());
    expect([...second.keys()]).toEqual([...first.keys()]);
    expect(first.size).toBeGreaterThanOrEqual(10);
    for (const [name, text] of first) expect(second.get(name), name).toBe(text);
  });
});
