/**
 * The loader keeps product instances apart on an environment's shared data services (constructs/core/data-users.ts):
 * unique PostgreSQL users, OpenSearch index prefixes that do not lie inside one another, and caches within the
 * ElastiCache quota of users per user group.
 */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../config/loader";
import { databaseUserName, ownerCollisions, redisAccessString, tenantIndexPrefix } from "../../constructs/core/data-users";
import { problems } from "../support/config-problems";
import { tempConfig } from "../support/synth";

const sharedTenant = (id: string, products = "{ noor: {} }") => ({ [`tenants/${id}.yaml`]: `id: ${id}\nenvironment: prod\nisolation: shared\ningressGroup: 1\nproducts: ${products}\n` });
/** NOOR with its backend using the environment's OpenSearch, so its shared tenants get index prefixes there. */
const noorWithSearch = { "products/noor.yaml": { services: { search: { kind: "opensearch", name: "murima-search", envPrefix: "SEARCH" } }, workloads: { backend: { uses: ["database", "cache", "search"] } } } };

describe("names and prefixes of product instances on shared services", () => {
  it("finds equal names and prefixes that cover one another, never an owner with itself", () => {
    expect(databaseUserName("c", "a-b")).toBe(databaseUserName("b-c", "a"));
    const users = [{ owner: "x", value: databaseUserName("c", "a-b") }, { owner: "y", value: databaseUserName("b-c", "a") }, { owner: "z", value: "other" }];
    expect(ownerCollisions(users).map(([a, b]) => [a.owner, b.owner])).toEqual([["x", "y"]]);
    const prefixes = [{ owner: "acme", value: tenantIndexPrefix("acme") }, { owner: "acme-eu", value: tenantIndexPrefix("acme-eu") }, { owner: "acmex", value: tenantIndexPrefix("acmex") }];
    expect(ownerCollisions(prefixes, true).map(([a, b]) => [a.owner, b.owner])).toEqual([["acme", "acme-eu"]]);
    expect(redisAccessString("acme:")).toBe("on ~acme:* &acme:* +@all -@dangerous -scan -randomkey -pubsub");
  });

  it("accepts the bundled configuration and tenants whose prefixes stay apart", () => {
    expect(() => loadConfig(tempConfig({ set: noorWithSearch, write: sharedTenant("hooli") }))).not.toThrow();
  });

  it("rejects tenants whose OpenSearch index prefixes lie inside one another, on each tenant's id", () => {
    const found = problems(tempConfig({ set: noorWithSearch, write: sharedTenant("globex-eu") }));
    expect(found.map((issue) => [issue.file.split("/").pop(), issue.path.join("."), issue.message]).sort()).toEqual([
      ["globex-eu.yaml", "id", expect.stringMatching(/OpenSearch index prefixes "globex-\*" and "globex-eu-\*" on murima-search cover one another: tenant globex-eu's noor .* collides with tenant globex's noor .*; choose another tenant id/)],
      ["globex.yaml", "id", expect.stringMatching(/cover one another: tenant globex's noor .* collides with tenant globex-eu's noor/)],
    ]);
  });

  it("rejects a tenant whose prefix is the environment's own instance's, or Fluent Bit's", () => {
    const product = problems(tempConfig({ set: noorWithSearch, write: sharedTenant("noor") }));
    expect(product.map((issue) => issue.message)).toContainEqual(expect.stringMatching(/OpenSearch index prefixes .* on murima-search cover one another: tenant noor's noor .* collides with the environment's noor/));
    const logs = problems(
      tempConfig({ set: { ...noorWithSearch, "environments/prod.yaml": { observability: { logs: { backend: "opensearch", opensearchService: "murima-search" } } } }, write: sharedTenant("logs") }),
    );
    expect(logs.map((issue) => issue.message)).toContainEqual(expect.stringMatching(/OpenSearch index prefixes .* on murima-search cover one another: tenant logs's noor .* collides with Fluent Bit's logs/));
  });

  it("counts each cache's users against the ElastiCache quota of users per user group, reported on the tenants", () => {
    // The environment's noor, the default user and the Redis exporter's user (prod runs exporters) fill a group of 3;
    // globex's noor would be the fourth.
    const found = problems(tempConfig({ set: { "project.yaml": { tenancy: { cacheUsersPerUserGroup: 3 } } } }));
    expect(found.map((issue) => [issue.file.split("/").pop(), issue.path.join("."), issue.message])).toEqual([
      ["globex.yaml", "products", expect.stringMatching(/cache noor-cache of environment prod would hold 4 users \(one per product instance using it, plus the default user and the Redis exporter's\), more than project\.yaml tenancy\.cacheUsersPerUserGroup \(3, the ElastiCache quota "Users per user group"\)/)],
    ]);
    // Without exporters the same group has room for globex's noor.
    const withoutExporters = loadConfig(tempConfig({ set: { "project.yaml": { tenancy: { cacheUsersPerUserGroup: 3 } }, "environments/prod.yaml": { observability: { exporters: { redis: { enabled: false } } } } } }));
    expect(withoutExporters.tenants.map(({ config }) => config.id)).toContain("globex");
  });
});
