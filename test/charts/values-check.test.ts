import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  ChartFactsError,
  formatValuesPath,
  localChartFacts,
  parseSetName,
  releaseValuesProblems,
  unknownPathsIn,
  unknownValuesPaths,
} from "../../charts/values-check";

const fixture = (name: string) => parse(readFileSync(join(__dirname, "fixtures", name), "utf8")) as Record<string, unknown>;

describe("set names", () => {
  it("splits on unescaped dots and list indexes, and formats back the Helm way", () => {
    expect(parseSetName("a.b\\.c[0].d")).toEqual(["a", "b.c", "[0]", "d"]);
    expect(parseSetName("podAnnotations.eks\\.amazonaws\\.com/role-arn")).toEqual(["podAnnotations", "eks.amazonaws.com/role-arn"]);
    expect(formatValuesPath(["a", "b.c", "[0]", "d"])).toBe("a.b\\.c[0].d");
  });
});

describe("unknownValuesPaths against committed upstream facts", () => {
  it("accepts keys the chart release has, including below free-form maps and lists", () => {
    expect(
      unknownValuesPaths("karpenter", "1.14.1", {
        settings: { clusterName: "x", interruptionQueue: "q", featureGates: { spotToSpotConsolidation: true } },
        nodeSelector: { "karpenter.sh/anything": "ok" },
        controller: { env: [{ name: "AWS_REGION", value: "eu-west-1" }] },
      }),
    ).toEqual([]);
  });

  it("rejects a key the pinned release does not have yet (karpenter settings.awsFeatureGates is newer than 1.14.1)", () => {
    expect(unknownValuesPaths("karpenter", "1.14.1", { settings: { awsFeatureGates: {} } })).toEqual(["settings.awsFeatureGates"]);
  });

  it("uses the chart's values.schema.json where it ships one (cert-manager)", () => {
    expect(unknownValuesPaths("cert-manager", "v1.21.1", { crds: { enabled: true, keep: true } })).toEqual([]);
    expect(unknownValuesPaths("cert-manager", "v1.21.1", { installCRD: true, crds: { enable: true } })).toEqual(["installCRD", "crds.enable"]);
  });

  it("checks set names too, stopping at lists and free-form maps", () => {
    expect(unknownValuesPaths("external-dns", "1.21.1", {}, ["policy", "sources[0]", "podAnnotations.a\\.b/c", "serviceAccount.nmae"])).toEqual([
      "serviceAccount.nmae",
    ]);
  });

  it("fails the deliberately misspelled fixture, naming each misspelling and the key it meant", () => {
    const unknown = unknownValuesPaths("aws-load-balancer-controller", "3.5.0", fixture("misspelled-values.yaml"));
    expect(unknown).toEqual(["replicaCout", "serviceAccount.nmae"]);
  });

  it("refuses a chart version without committed facts", () => {
    expect(() => unknownValuesPaths("karpenter", "1.13.0", {})).toThrow(ChartFactsError);
    expect(() => unknownValuesPaths("karpenter", "1.13.0", {})).toThrow(/no upstream facts for chart "karpenter" version "1\.13\.0"/);
  });
});

describe("local charts", () => {
  it("derive their facts from their own values and schema", () => {
    const facts = localChartFacts("karpenter-nodes");
    expect(unknownPathsIn(facts, { nodeClass: { amiAlias: "al2023@v20260512", tags: { Any: "tag" } }, nodePool: { limits: { cpu: 1 } } })).toEqual([]);
    expect(unknownPathsIn(facts, { nodePool: { limits: { gpu: 1 } }, nodeclass: {} })).toEqual(["nodePool.limits.gpu", "nodeclass"]);
  });
});

describe("releaseValuesProblems", () => {
  const synthesized = {
    resource: {
      helm_release: {
        good: { chart: "metrics-server", version: "3.13.1", values: ["replicas: 2\npodDisruptionBudget:\n  enabled: true\n"] },
        misspelled: {
          chart: "aws-load-balancer-controller",
          version: "3.5.0",
          values: [readFileSync(join(__dirname, "fixtures", "misspelled-values.yaml"), "utf8")],
          set: [{ name: "enableServiceMutatorWebhok", value: "false" }],
        },
        local: { chart: "assets/chart-cluster-secret-stores/0123ABCD", values: ['region: "eu-west-1"\nsecretManager:\n  name: x\n'] },
        unpinned: { chart: "metrics-server", values: [] },
      },
    },
  };
  const problems = Object.fromEntries(releaseValuesProblems(synthesized).map((problem) => [problem.release, problem.problems]));

  it("passes a release whose keys all exist", () => {
    expect(problems["helm_release.good"]).toBeUndefined();
  });

  it("reports misspelled values keys and set names with a suggestion", () => {
    expect(problems["helm_release.misspelled"]).toEqual([
      '"replicaCout" is not a values key of this chart; did you mean "replicaCount"?',
      '"serviceAccount.nmae" is not a values key of this chart; did you mean "serviceAccount.name"?',
      '"enableServiceMutatorWebhok" is not a values key of this chart; did you mean "enableServiceMutatorWebhook"?',
    ]);
  });

  it("checks local charts against their own facts and requires exact versions of upstream charts", () => {
    expect(problems["helm_release.local"]).toEqual(['"secretManager" is not a values key of this chart; did you mean "secretsManager"?']);
    expect(problems["helm_release.unpinned"]).toEqual(["upstream chart without an exact version"]);
  });
});
