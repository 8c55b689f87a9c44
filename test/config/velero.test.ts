import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../config/loader";
import { clusterNamespaces, inheritedSchedules, unknownScheduleNamespaces } from "../../constructs/velero/rules";
import { only, problems } from "../support/config-problems";
import { bundledConfig, synthToTexts, tempConfig, type Synthesized } from "../support/synth";

const schedule = (name: string, includedNamespaces: string[], excludedNamespaces: string[] = []) => ({ name, schedule: "0 1 * * *", ttl: "240h", includedNamespaces, excludedNamespaces, snapshotVolumes: true });

/** prod names its product namespaces (the case that was copied verbatim into the dedicated tenant's cluster). */
const NAMED = {
  "environments/prod.yaml": {
    backup: {
      velero: {
        schedules: [schedule("daily", ["murima", "smartedu", "noor", "monitoring"], ["velero"]), schedule("murima-hourly", ["murima"]), schedule("globex", ["globex-noor"])],
      },
    },
  },
};

function veleroSchedules(json: Synthesized): unknown {
  const release = Object.entries(json.resource?.helm_release ?? {}).find(([name]) => name.startsWith("velero_release"))?.[1];
  const values = ((release?.values as string[] | undefined) ?? []).map((text) => parse(text) as { schedules?: Record<string, { template: { includedNamespaces: string[] } }> });
  return Object.fromEntries(Object.entries(values[1]?.schedules ?? {}).map(([name, value]) => [name, value.template.includedNamespaces]));
}

describe("Velero namespaces per cluster", () => {
  it("maps the environment's product namespaces to the dedicated tenant's (bundled initech runs smartedu)", () => {
    const config = loadConfig(tempConfig({ set: NAMED }));
    const prod = config.environments.find((environment) => environment.config.name === "prod")?.config;
    const initech = config.tenants.find((tenant) => tenant.config.id === "initech");
    expect(prod?.backup.velero.schedules.map((entry) => entry.includedNamespaces)).toEqual([["murima", "smartedu", "noor", "monitoring"], ["murima"], ["globex-noor"]]);
    // Before: initech's cluster got ["murima", "smartedu", ...] and ["murima"], namespaces it does not have.
    expect(initech?.environment.backup.velero.schedules.map((entry) => [entry.name, entry.includedNamespaces, entry.excludedNamespaces])).toEqual([["daily", ["initech-smartedu", "monitoring"], ["velero"]]]);
  });

  it("synthesizes the mapped schedules into the tenant's Velero release", async () => {
    const texts = await synthToTexts(loadConfig(tempConfig({ set: NAMED })), { stackPatterns: ["tenant-initech-platform", "prod-platform"] });
    expect(veleroSchedules(JSON.parse(texts.get("tenant-initech-platform") as string) as Synthesized)).toEqual({ daily: ["initech-smartedu", "monitoring"] });
    expect(veleroSchedules(JSON.parse(texts.get("prod-platform") as string) as Synthesized)).toEqual({ daily: ["murima", "smartedu", "noor", "monitoring"], "murima-hourly": ["murima"], globex: ["globex-noor"] });
  });

  it("keeps every-namespace schedules as they are (the bundled default)", () => {
    const initech = bundledConfig().tenants.find((tenant) => tenant.config.id === "initech");
    expect(initech?.environment.backup.velero.schedules.map((entry) => entry.includedNamespaces)).toEqual([["*"]]);
  });

  it("rejects an environment schedule naming a namespace its cluster does not have, with file, key, value and the allowed namespaces", () => {
    const issue = only(problems(tempConfig({ set: { "environments/prod.yaml": { backup: { velero: { schedules: [schedule("daily", ["murima", "murimaa"])] } } } } })), "backup.velero.schedules.0.includedNamespaces.1");
    expect(issue.file).toMatch(/environments\/prod\.yaml$/);
    expect(issue.value).toBe("murimaa");
    expect(issue.message).toMatch(/environment prod's cluster has no namespace "murimaa", so schedule "daily" would back up nothing there; its namespaces: .*external-dns.*globex-noor.*kube-system.*monitoring.*murima.*/);
  });

  it("rejects a dedicated tenant's own schedule naming the environment's namespace instead of its own", () => {
    const tenant = { "tenants/initech.yaml": { backup: { velero: { schedules: [schedule("daily", ["initech-smartedu"], ["smartedu"])] } } } };
    const issue = only(problems(tempConfig({ set: tenant })), "backup.velero.schedules.0.excludedNamespaces.0");
    expect(issue.file).toMatch(/tenants\/initech\.yaml$/);
    expect(issue.message).toMatch(/dedicated tenant initech's cluster has no namespace "smartedu".*its namespaces: .*initech-smartedu/);
    expect(issue.message).not.toMatch(/globex-noor/);
  });

  it("accepts a dedicated tenant's own schedules over its namespaces", () => {
    const config = loadConfig(tempConfig({ set: { "tenants/initech.yaml": { backup: { velero: { schedules: [schedule("hourly", ["initech-smartedu"])] } } } } }));
    expect(config.tenants.find((tenant) => tenant.config.id === "initech")?.environment.backup.velero.schedules.map((entry) => entry.includedNamespaces)).toEqual([["initech-smartedu"]]);
  });
});

describe("Velero namespace rules", () => {
  const addons = { velero: true, externalDns: false, certManager: false, argoRollouts: false };

  it("lists system, platform and product namespaces of a cluster", () => {
    expect(clusterNamespaces([{ product: "shop", namespace: "acme-shop" }], addons)).toEqual(["acme-shop", "default", "external-secrets", "kube-node-lease", "kube-public", "kube-system", "logging", "monitoring", "velero"]);
    expect(clusterNamespaces([], { ...addons, velero: false, certManager: true })).toContain("cert-manager");
    expect(clusterNamespaces([], { ...addons, argoRollouts: true })).toContain("argo-rollouts");
  });

  it("reports unknown namespaces in both lists, never *", () => {
    expect(unknownScheduleNamespaces([{ includedNamespaces: ["*", "shop"], excludedNamespaces: ["nope"] }], ["shop"])).toEqual([{ schedule: 0, list: "excludedNamespaces", index: 0, namespace: "nope" }]);
  });

  it("maps inherited schedules and drops what the tenant's cluster does not run", () => {
    const environment = [
      { product: "murima", namespace: "murima" },
      { product: "smartedu", namespace: "smartedu" },
    ];
    const tenant = [{ product: "smartedu", namespace: "initech-smartedu" }];
    const mapped = inheritedSchedules([schedule("a", ["murima", "smartedu", "kube-system"]), schedule("b", ["murima", "globex-noor"]), schedule("c", ["*"], ["murima"])], environment, tenant, addons);
    expect(mapped.map((entry) => [entry.name, entry.includedNamespaces, entry.excludedNamespaces])).toEqual([
      ["a", ["initech-smartedu", "kube-system"], []],
      ["c", ["*"], []],
    ]);
  });
});
