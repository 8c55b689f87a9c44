/**
 * Issue 17 gap 2 in configuration: a product's cache binding chooses `authentication: iam | password` (default iam)
 * and, in password mode, `passwordRotationDays`. Each rule has a failing input reported at its key in the product
 * file, with the value and what is allowed; the bundled Murima binds its cache in password mode (its guide's
 * REDIS_PASSWORD), and the default stays IAM.
 */
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../config/loader";
import { OPENSEARCH_PASSWORD_UNSUPPORTED, ProductSchema } from "../../config/schema/products";
import { only, problems } from "../support/config-problems";
import { tempConfig } from "../support/synth";
import { shopProduct } from "../constructs/workload/fixtures";

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function rejected(services: Record<string, unknown>) {
  const dir = tempConfig({ set: { "products/murima.yaml": { services } } });
  dirs.push(dir);
  return problems(dir).filter((issue) => issue.file.endsWith("products/murima.yaml"));
}

describe("services.<name>.authentication", () => {
  it("is iam by default and password for Murima's cache in the bundled configuration", () => {
    const noor = loadConfig(tempConfig({})).environments.find(({ config }) => config.name === "prod")?.config.products;
    expect(noor?.noor?.services.cache?.authentication).toBeUndefined();
    expect(noor?.murima?.services.cache).toMatchObject({ kind: "redis", authentication: "password" });
  });

  it("accepts password mode with a rotation period on a redis binding", () => {
    const product = shopProduct({ services: { database: { kind: "postgres", name: "shop-db" }, cache: { kind: "redis", name: "shop-cache", authentication: "password", passwordRotationDays: 7 } } });
    expect(product.services.cache).toEqual({ kind: "redis", name: "shop-cache", authentication: "password", passwordRotationDays: 7 });
    expect(ProductSchema.safeParse({ ...product, services: { ...product.services, cache: { kind: "redis", authentication: "password" } } }).success).toBe(true);
  });

  it("rejects an unknown mode, naming the allowed ones", () => {
    const issue = only(rejected({ cache: { authentication: "token" } }), "services.cache.authentication");
    expect(issue.message).toContain("expected one of iam, password");
    expect(issue.line).toBeGreaterThan(0);
  });

  it("rejects authentication on a kind that has a single mode", () => {
    const issue = only(rejected({ database: { authentication: "password" } }), "services.database.authentication");
    expect(issue.message).toBe(
      "authentication is chosen for redis, opensearch services only; a postgres service has one mode (postgres: IAM, mongodb and rabbitmq: a managed password); remove the key",
    );
    expect(issue.value).toBe("password");
  });

  it("rejects passwordRotationDays without password mode", () => {
    const issue = only(rejected({ cache: { authentication: "iam", passwordRotationDays: 30 } }), "services.cache.passwordRotationDays");
    expect(issue.message).toContain("passwordRotationDays applies with authentication: password only");
  });

  it("rejects a rotation period Secrets Manager does not accept", () => {
    for (const days of [0, 1001, 1.5]) {
      const issue = only(rejected({ cache: { passwordRotationDays: days } }), "services.cache.passwordRotationDays");
      expect(issue.message, String(days)).toMatch(/expected|Too (small|big)|number/i);
    }
  });
});

describe("services.<name>.authentication on opensearch (internal users)", () => {
  it("is rejected with the reason: an IAM master excludes the internal user database, and basic auth bypasses the IAM access policy", () => {
    const issue = only(rejected({ search: { authentication: "password" } }), "services.search.authentication");
    expect(issue.message).toBe(OPENSEARCH_PASSWORD_UNSUPPORTED);
    expect(issue.message).toContain("AWS allows the internal user database only with an internal master user");
  });

  it("accepts iam, the mode every opensearch binding has", () => {
    const dir = tempConfig({ set: { "products/murima.yaml": { services: { search: { authentication: "iam" } } } } });
    dirs.push(dir);
    expect(() => loadConfig(dir)).not.toThrow();
  });
});
