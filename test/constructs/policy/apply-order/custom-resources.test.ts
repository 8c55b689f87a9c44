import { describe, expect, it } from "vitest";
import { CHART_CATALOG } from "../../../../charts/catalog";
import { kindsInTemplate, localChartKinds } from "../../../../charts/local-kinds";
import { valuesYaml } from "../../../../charts/release";
import { CRD_OWNERS, customResourceOrderProblems, customResourcesOf, formatCustomResourceProblem } from "../../../../constructs/policy/apply-order/custom-resources";
import { StackSet, type StackEntry } from "../../../../constructs/policy/apply-order/graph";
import type { SynthesizedStack } from "../../../../constructs/policy/model";
import { bundledStackEntries } from "../../../support/synth";

type Resources = Record<string, Record<string, Record<string, unknown>>>;
const kinds = localChartKinds();
const eso = CHART_CATALOG["external-secrets"];
const prometheus = CHART_CATALOG["kube-prometheus-stack"];

function stack(name: string, resource: Resources, dependsOn: string[] = []): StackEntry {
  return { name, dependsOn, json: { resource } as SynthesizedStack };
}
const release = (source: { chart: string; repository: string }, extra: Record<string, unknown> = {}) => ({ name: source.chart, namespace: "kube-system", chart: source.chart, repository: source.repository, ...extra });
const localRelease = (chart: string, dependsOn?: string[]) => ({ name: chart, namespace: "apps", chart: `assets/chart-${chart}/0123ABCD`, ...(dependsOn ? { depends_on: dependsOn } : {}) });
const externalSecret = { apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name: "x", namespace: "apps" }, spec: {} };
const check = (stacks: StackEntry[]) => customResourceOrderProblems(stacks, { localChartKinds: kinds });

describe("custom resources over every bundled stack", () => {
  const stacks = bundledStackEntries();

  it("each depends on the release that installs its CRD (or comes after the stack that installs it)", () => {
    expect(check(stacks).map(formatCustomResourceProblem)).toEqual([]);
  });

  it("finds the custom resources the stacks emit, in every way they are emitted", () => {
    const set = new StackSet(stacks);
    const emitted = new Set(set.names().flatMap((name) => set.model(name).all().flatMap((block) => customResourcesOf(block, kinds).map((found) => `${found.group}/${found.kind} ${found.via.split(" ")[0]}`))));
    expect([...emitted].sort()).toEqual(
      expect.arrayContaining([
        "external-secrets.io/ClusterSecretStore local",
        "external-secrets.io/ExternalSecret local",
        "external-secrets.io/ExternalSecret values",
        "generators.external-secrets.io/Password values",
        "karpenter.k8s.aws/EC2NodeClass local",
        "karpenter.sh/NodePool local",
        "monitoring.coreos.com/ServiceMonitor values",
      ]),
    );
    // No stack plans a custom resource with kubernetes_manifest (see the module comment).
    expect(stacks.filter((entry) => entry.json.resource?.kubernetes_manifest)).toEqual([]);
  });

  it("fails on a broken stack: a product's ExternalSecrets release without its dependency on External Secrets", () => {
    const broken = stacks.map((entry) => {
      if (entry.name !== "prod-platform") return entry;
      const json = structuredClone(entry.json) as SynthesizedStack & { resource: Resources };
      for (const [name, body] of Object.entries(json.resource.helm_release ?? {})) {
        if (name.startsWith("product-noor_secrets")) body.depends_on = ((body.depends_on as string[]) ?? []).filter((address) => !address.startsWith("helm_release."));
      }
      return { ...entry, json };
    });
    const problems = check(broken);
    // The chart renders the namespace's own SecretStore and its ExternalSecrets: both kinds need the operator's CRDs.
    expect(problems.map((problem) => problem.kind).sort()).toEqual(["ExternalSecret", "SecretStore"]);
    for (const problem of problems) expect(problem.message).toMatch(/^(ExternalSecret|SecretStore) \(external-secrets\.io, local chart workload-secrets\): does not depend on helm_release\.addons_external-secrets_release_\w+/);
  });
});

describe("the CRD owners table", () => {
  it("names catalog charts and lists each kind once", () => {
    for (const owner of CRD_OWNERS) expect(Object.keys(CHART_CATALOG)).toContain(owner.chart);
    const keys = CRD_OWNERS.flatMap((owner) => owner.kinds.map((kind) => `${owner.group}/${kind}`));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("covers the brief's kinds", () => {
    const owner = (group: string, kind: string) => CRD_OWNERS.find((entry) => entry.group === group && entry.kinds.includes(kind))?.chart;
    expect(owner("external-secrets.io", "SecretStore")).toBe("external-secrets");
    expect(owner("monitoring.coreos.com", "PrometheusRule")).toBe("kube-prometheus-stack");
    expect(owner("monitoring.coreos.com", "AlertmanagerConfig")).toBe("kube-prometheus-stack");
    expect(owner("karpenter.k8s.aws", "EC2NodeClass")).toBe("karpenter");
    expect(owner("cert-manager.io", "Issuer")).toBe("cert-manager");
    expect(owner("elbv2.k8s.aws", "TargetGroupBinding")).toBe("aws-load-balancer-controller");
    expect(owner("velero.io", "BackupStorageLocation")).toBe("velero");
  });
});

describe("customResourceOrderProblems on fixtures", () => {
  const operator = release(eso);

  it("accepts a local chart release that depends (transitively) on the operator's release", () => {
    const problems = check([
      stack("platform", {
        helm_release: { operator, stores: localRelease("cluster-secret-stores", ["helm_release.operator"]), secrets: localRelease("workload-secrets", ["helm_release.stores"]) },
      }),
    ]);
    expect(problems).toEqual([]);
  });

  it("reports a local chart release created in parallel with the release that installs its CRD", () => {
    const problems = check([stack("platform", { helm_release: { operator, secrets: localRelease("workload-secrets") } })]);
    expect(problems.map((problem) => [problem.address, problem.kind])).toEqual([
      ["helm_release.secrets", "SecretStore"],
      ["helm_release.secrets", "ExternalSecret"],
    ]);
    expect(problems[0]?.message).toMatch(/does not depend on helm_release\.operator, which installs its CRD in the same apply/);
  });

  it("reports a kubernetes_manifest whose CRD comes from the same stack, even with depends_on (plan-time schema)", () => {
    const problems = check([stack("platform", { helm_release: { operator }, kubernetes_manifest: { secret: { manifest: externalSecret, depends_on: ["helm_release.operator"] } } })]);
    expect(problems.map((problem) => problem.message)).toEqual([expect.stringMatching(/kubernetes_manifest needs the CRD at plan time.*#1367.*local chart/)]);
  });

  it("accepts a kubernetes_manifest or local chart after the stack that installs the CRD", () => {
    const platform = stack("platform", { helm_release: { operator } });
    const tenant = stack("tenant", { kubernetes_manifest: { secret: { manifest: externalSecret } }, helm_release: { secrets: localRelease("workload-secrets") } }, ["platform"]);
    expect(check([platform, tenant])).toEqual([]);
  });

  it("reports a custom resource whose CRD nothing before it installs", () => {
    const problems = check([stack("tenant", { helm_release: { secrets: localRelease("workload-secrets") } })]);
    expect(problems[0]?.message).toMatch(/its CRD comes from chart external-secrets, which neither this stack nor a stack deployed before it \(none\) installs/);
  });

  it("reports a kind missing from the table", () => {
    const manifest = { apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name: "r", namespace: "apps" } };
    const problems = check([stack("platform", { kubernetes_manifest: { route: { manifest } } })]);
    expect(problems[0]?.message).toMatch(/^HTTPRoute \(gateway\.networking\.k8s\.io, kubernetes_manifest\): no entry in the CRD owners table/);
  });

  it("reads embedded manifests and monitoring switches from a catalog chart's values, and lets a chart render its own kinds", () => {
    const values = [valuesYaml({ serviceMonitor: { enabled: true } })];
    const exporter = release(CHART_CATALOG["prometheus-yet-another-cloudwatch-exporter"], { values });
    const monitoring = release(prometheus, { values: [valuesYaml({ extraManifests: [externalSecret], prometheus: { serviceMonitor: { enabled: true } } })] });
    const problems = check([stack("platform", { helm_release: { operator, exporter, monitoring } })]);
    expect(problems.map((problem) => `${problem.address} ${problem.kind}`).sort()).toEqual(["helm_release.exporter ServiceMonitor", "helm_release.monitoring ExternalSecret"]);
    const fixed = check([stack("platform", { helm_release: { operator, exporter: { ...exporter, depends_on: ["helm_release.monitoring"] }, monitoring: { ...monitoring, depends_on: ["helm_release.operator"] } } })]);
    expect(fixed).toEqual([]);
  });

  it("ignores built-in kinds and a switch turned off by a later values document", () => {
    const values = [valuesYaml({ serviceMonitor: { enabled: true } }), valuesYaml({ serviceMonitor: { enabled: false }, extraObjects: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } }] })];
    expect(check([stack("platform", { helm_release: { exporter: release(CHART_CATALOG["prometheus-yet-another-cloudwatch-exporter"], { values }) } })])).toEqual([]);
  });
});

describe("local chart kinds", () => {
  it("reads the kinds each local chart renders", () => {
    expect(kinds.get("workload-secrets")).toEqual([
      { apiVersion: "external-secrets.io/v1", kind: "SecretStore" },
      { apiVersion: "external-secrets.io/v1", kind: "ExternalSecret" },
    ]);
    expect(kinds.get("karpenter-nodes")?.map((rendered) => rendered.kind).sort()).toEqual(["EC2NodeClass", "NodePool"]);
  });

  it("rejects a template document without a literal apiVersion and kind", () => {
    expect(() => kindsInTemplate("apiVersion: {{ .Values.api }}\nkind: Thing\n", "t.yaml")).toThrow(/t\.yaml: every document of a local chart template needs a literal top-level apiVersion and kind/);
    expect(() => kindsInTemplate("kind: Thing\n", "t.yaml")).toThrow(/found apiVersion none, kind Thing/);
  });
});
