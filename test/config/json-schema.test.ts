import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { renderJsonSchemas } from "../../config/json-schema";
import { yamlFilesIn } from "../../config/source";
import { BUNDLED_CONFIG_DIR } from "../support/synth";

const SCHEMA_DIR = join(BUNDLED_CONFIG_DIR, "schema", "json");

describe("exported JSON Schema", () => {
  const rendered = renderJsonSchemas();

  it("is committed and up to date (run `npm run schema:export` after changing a zod schema)", () => {
    for (const [file, content] of Object.entries(rendered)) {
      expect(readFileSync(join(SCHEMA_DIR, file), "utf8"), `${file} is stale: run npm run schema:export`).toBe(content);
    }
  });

  it("is referenced by every bundled YAML file for editor validation", () => {
    const files = [
      { path: join(BUNDLED_CONFIG_DIR, "project.yaml"), schema: "./schema/json/project.schema.json" },
      ...yamlFilesIn(join(BUNDLED_CONFIG_DIR, "environments")).map(({ path }) => ({ path, schema: "../schema/json/environment.schema.json" })),
    ];
    for (const { path, schema } of files) {
      expect(readFileSync(path, "utf8").split("\n")[0]).toBe(`# yaml-language-server: $schema=${schema}`);
    }
  });

  it("accepts the bundled files and rejects an unknown key, as an editor would", () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(rendered["environment.schema.json"]!) as object);
    for (const { path } of yamlFilesIn(join(BUNDLED_CONFIG_DIR, "environments"))) {
      const data = parse(readFileSync(path, "utf8")) as Record<string, unknown>;
      expect(validate(data), `${path}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(validate({ ...data, typo: 1 })).toBe(false);
    }
  });
});
