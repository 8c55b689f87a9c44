import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { JSON_SCHEMA_FILES, renderJsonSchemas, schemaModeline, withModeline } from "../../config/json-schema";
import { yamlFilesIn } from "../../config/source";
import { exportIntoConfigDirectory } from "../../scripts/export-json-schema";
import { generatedFiles } from "../../scripts/lib/generated";
import { BUNDLED_CONFIG_DIR, ROOT } from "../support/synth";

const SCHEMA_DIR = join(BUNDLED_CONFIG_DIR, "schema", "json");

/** Every configuration file of the bundled directory, relative to it. */
function bundledFiles(): string[] {
  return [
    "project.yaml",
    "policy/suppressions.yaml",
    ...["environments", "products", "tenants"].flatMap((dir) => yamlFilesIn(join(BUNDLED_CONFIG_DIR, dir)).map(({ path }) => `${dir}/${path.split("/").pop()}`)),
  ];
}

describe("generated files", () => {
  it("are committed and up to date (run `npm run schema:export` after changing a zod schema, a rule or an injected variable)", () => {
    for (const [file, content] of generatedFiles()) {
      expect(readFileSync(join(ROOT, file), "utf8"), `${file} is stale: run npm run schema:export`).toBe(content);
    }
  });
});

describe("exported JSON Schema", () => {
  const rendered = renderJsonSchemas();

  it("covers every kind of configuration file", () => {
    expect(Object.keys(JSON_SCHEMA_FILES).sort()).toEqual(["environment.schema.json", "product.schema.json", "project.schema.json", "suppressions.schema.json", "tenant.schema.json"]);
    expect(readdirSync(SCHEMA_DIR).sort()).toEqual(Object.keys(JSON_SCHEMA_FILES).sort());
  });

  it("is referenced by every bundled YAML file for editor validation, with a modeline relative to the file", () => {
    const expected: Record<string, string> = {
      "project.yaml": "./schema/json/project.schema.json",
      "policy/suppressions.yaml": "../schema/json/suppressions.schema.json",
      "environments/prod.yaml": "../schema/json/environment.schema.json",
      "products/noor.yaml": "../schema/json/product.schema.json",
      "tenants/globex.yaml": "../schema/json/tenant.schema.json",
    };
    for (const [file, schema] of Object.entries(expected)) expect(schemaModeline(file)).toBe(`# yaml-language-server: $schema=${schema}`);
    for (const file of bundledFiles()) {
      expect(readFileSync(join(BUNDLED_CONFIG_DIR, file), "utf8").split("\n")[0], file).toBe(schemaModeline(file));
    }
  });

  it("accepts the bundled files and rejects an unknown key, as an editor would", () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validators = Object.fromEntries(Object.entries(rendered).map(([file, text]) => [file, ajv.compile(JSON.parse(text) as object)]));
    for (const file of bundledFiles()) {
      const schema = (schemaModeline(file) ?? "").split("/").pop() as string;
      const validate = validators[schema];
      expect(validate, file).toBeDefined();
      const data = parse(readFileSync(join(BUNDLED_CONFIG_DIR, file), "utf8")) as Record<string, unknown>;
      expect(validate?.(data), `${file}: ${JSON.stringify(validate?.errors)}`).toBe(true);
      expect(validate?.({ ...data, typo: 1 }), file).toBe(false);
    }
    // Suppressions offer the rule ids (with titles) and reject an unknown one.
    const suppressions = validators["suppressions.schema.json"];
    expect(suppressions?.({ suppressions: [{ rule: "S3-VERSIONING", path: "prod-infra/x", reason: "a good enough reason" }] })).toBe(true);
    expect(suppressions?.({ suppressions: [{ rule: "S3-NOPE", path: "prod-infra/x", reason: "a good enough reason" }] })).toBe(false);
  });

  it("sets up an operator's configuration directory: schemas in schema/json/ and a modeline on every file", () => {
    const dir = mkdtempSync(join(tmpdir(), "operator-config-"));
    for (const sub of ["environments", "products", "tenants", "policy"]) mkdirSync(join(dir, sub));
    writeFileSync(join(dir, "project.yaml"), "name: acme\n");
    writeFileSync(join(dir, "environments", "qa.yaml"), "# yaml-language-server: $schema=/old/checkout/config/schema/json/environment.schema.json\nname: qa\n");
    writeFileSync(join(dir, "products", "shop.yml"), "# The shop.\nname: shop\n");
    writeFileSync(join(dir, "tenants", "a.yaml"), "id: a\n");
    writeFileSync(join(dir, "policy", "suppressions.yaml"), "suppressions: []\n");
    const changed = exportIntoConfigDirectory(dir);
    expect(changed.sort()).toEqual([...Object.keys(JSON_SCHEMA_FILES).map((file) => `schema/json/${file}`), "environments/qa.yaml", "policy/suppressions.yaml", "products/shop.yml", "project.yaml", "tenants/a.yaml"].sort());
    expect(readFileSync(join(dir, "environments", "qa.yaml"), "utf8")).toBe("# yaml-language-server: $schema=../schema/json/environment.schema.json\nname: qa\n");
    expect(readFileSync(join(dir, "products", "shop.yml"), "utf8")).toBe("# yaml-language-server: $schema=../schema/json/product.schema.json\n# The shop.\nname: shop\n");
    expect(readFileSync(join(dir, "schema", "json", "tenant.schema.json"), "utf8")).toBe(rendered["tenant.schema.json"]);
    expect(exportIntoConfigDirectory(dir)).toEqual([]); // idempotent
    expect(withModeline("a: 1\n", "# yaml-language-server: $schema=./x.json")).toBe("# yaml-language-server: $schema=./x.json\na: 1\n");
  });
});
