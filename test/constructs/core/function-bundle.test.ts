/**
 * The staged code directories of the rotation functions (constructs/core/function-bundle.ts): each holds its function,
 * the rotation steps they share (imported as `#rotation-steps`, resolved by the bundle's own package.json as Lambda
 * unpacks it) and the npm packages it needs; staging again rewrites nothing that did not change.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { CACHE_ROTATION_FUNCTION_SOURCE } from "../../../constructs/cache-password-rotation";
import { ROTATION_STEPS_SOURCE, stageBundle, stageFunctionBundle } from "../../../constructs/core/function-bundle";
import { ROTATION_FUNCTION_SOURCE } from "../../../constructs/rabbitmq";

describe("stageFunctionBundle", () => {
  it.each([
    ["cache-password-rotation-test", CACHE_ROTATION_FUNCTION_SOURCE],
    ["rabbitmq-rotation-test", ROTATION_FUNCTION_SOURCE],
  ])("%s: the function loads from its bundle, the shared steps resolving to the bundled copy", async (name, source) => {
    const dir = stageFunctionBundle(name, source);
    expect(readFileSync(join(dir, "index.mjs"), "utf8")).toBe(readFileSync(source, "utf8"));
    expect(readFileSync(join(dir, "rotation-steps.mjs"), "utf8")).toBe(readFileSync(ROTATION_STEPS_SOURCE, "utf8"));
    expect(JSON.parse(readFileSync(join(dir, "package.json"), "utf8"))).toEqual({ private: true, imports: { "#rotation-steps": "./rotation-steps.mjs" } });
    // No type declarations, no stray files: exactly what runs.
    expect(existsSync(join(dir, "index.d.mts"))).toBe(false);
    const staged = (await import(pathToFileURL(join(dir, "index.mjs")).href)) as { createHandler?: unknown; handler?: unknown };
    expect(typeof staged.createHandler).toBe("function");
    expect(typeof staged.handler).toBe("function");
  });

  it("stages once per process, and another process staging again rewrites nothing unchanged (the archive and its hash stay the same)", () => {
    const dir = stageFunctionBundle("rabbitmq-rotation-test", ROTATION_FUNCTION_SOURCE);
    expect(stageFunctionBundle("rabbitmq-rotation-test", ROTATION_FUNCTION_SOURCE)).toBe(dir);
    const before = ["package.json", "index.mjs", "rotation-steps.mjs"].map((file) => statSync(join(dir, file)).mtimeMs);
    expect(stageBundle("rabbitmq-rotation-test", ROTATION_FUNCTION_SOURCE)).toBe(dir);
    expect(["package.json", "index.mjs", "rotation-steps.mjs"].map((file) => statSync(join(dir, file)).mtimeMs)).toEqual(before);
  });
});
