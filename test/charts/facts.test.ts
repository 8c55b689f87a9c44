import { describe, expect, it } from "vitest";
import { chartValuesFacts, mergeNodes, nodeFromDefaults, nodeFromSchema, type JsonSchema } from "../../charts/facts";

describe("facts from chart defaults", () => {
  it("keeps known keys, treats empty maps and nulls as free-form and lists as unchecked", () => {
    expect(
      nodeFromDefaults({ image: { tag: "v1" }, podAnnotations: {}, clusterName: null, args: ["--x"], replicas: 2 }),
    ).toEqual({ image: { tag: "leaf" }, podAnnotations: "open", clusterName: "open", args: "list", replicas: "leaf" });
  });

  it("treats user-keyed and Kubernetes-object maps as free-form even with example content", () => {
    expect(nodeFromDefaults({ nodeSelector: { "kubernetes.io/os": "linux" }, resources: { requests: { cpu: "1" } }, settings: { a: 1 } })).toEqual({
      nodeSelector: "open",
      resources: "open",
      settings: { a: "leaf" },
    });
  });
});

describe("facts from a values schema", () => {
  const schema: JsonSchema = {
    $ref: "#/$defs/root",
    $defs: {
      root: { type: "object", additionalProperties: false, properties: { crds: { $ref: "#/$defs/crds" }, labels: { type: "object" }, env: { type: "array" }, dict: { type: "object", properties: { known: { type: "string" } }, additionalProperties: { type: "string" } } } },
      crds: { type: "object", properties: { enabled: { type: "boolean" }, keep: { type: ["boolean", "null"] } } },
    },
  };

  it("resolves $ref, closes objects with properties and opens dictionaries", () => {
    expect(nodeFromSchema(schema, schema)).toEqual({ crds: { enabled: "leaf", keep: "leaf" }, labels: "open", env: "list", dict: "open" });
  });

  it("merges with the defaults: schema structure wins, keys from both are known", () => {
    const defaults = nodeFromDefaults({ crds: { enabled: false, extra: 1 }, labels: { a: "b" }, onlyInDefaults: 1 });
    expect(mergeNodes(defaults, nodeFromSchema(schema, schema))).toEqual({
      crds: { enabled: "leaf", extra: "leaf", keep: "leaf" },
      dict: "open",
      env: "list",
      labels: "open",
      onlyInDefaults: "leaf",
    });
  });

  it("grafts subchart facts under their key, and opens subcharts without facts", () => {
    const facts = chartValuesFacts({ grafana: { enabled: true }, minio: { enabled: false } }, undefined, { grafana: { adminUser: "leaf" }, minio: "open" });
    expect(facts).toEqual({ grafana: { adminUser: "leaf", enabled: "leaf" }, minio: "open" });
  });
});
