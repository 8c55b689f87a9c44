/**
 * The version catalog: one list of every pinned version with its source and support dates, the defaults and chart
 * versions taken from it, and the checks configuration validation applies with it.
 */
import { describe, expect, it } from "vitest";
import { CHART_CATALOG } from "../../../charts/catalog";
import { PROFILE_DEFAULTS } from "../../../config/defaults";
import { supportDate, withSupportDate } from "../../../config/runtime-options";
import {
  CATALOG_REVIEWED,
  catalogComponent,
  catalogVersion,
  defaultVersion,
  EKS_ADDON_COMPONENTS,
  isIsoDay,
  supportWindow,
  VERSION_CATALOG,
  versionProblem,
  type CatalogComponent,
  type VersionComponent,
} from "../../../constructs/core/versions";

const components = Object.entries(VERSION_CATALOG) as [VersionComponent, CatalogComponent][];

describe("version catalog data", () => {
  it.each(components)("%s: the default is listed, dates are real days in order, sources are links", (_, component) => {
    expect(component.versions.map((entry) => entry.version)).toContain(component.default);
    expect(new Set(component.versions.map((entry) => entry.version)).size).toBe(component.versions.length);
    expect(component.source).toMatch(/^(https|oci):\/\//);
    const problems = component.versions.flatMap((entry) => {
      const dates = [entry.released, entry.endOfStandardSupport, entry.endOfExtendedSupport].filter((date): date is string => typeof date === "string");
      return [
        ...dates.filter((date) => !isIsoDay(date)).map((date) => `${entry.version}: ${date} is not a day`),
        ...(entry.released && entry.endOfStandardSupport && entry.released >= entry.endOfStandardSupport ? [`${entry.version}: released after its end of support`] : []),
        ...(entry.endOfStandardSupport && entry.endOfExtendedSupport && entry.endOfStandardSupport >= entry.endOfExtendedSupport ? [`${entry.version}: extended support ends first`] : []),
        ...(entry.kubernetes && !catalogVersion("kubernetes", entry.kubernetes) ? [`${entry.version} is built for an unlisted Kubernetes version`] : []),
      ];
    });
    expect(problems).toEqual([]);
  });

  it("was reviewed on the day the project's tests evaluate support on", () => {
    expect(CATALOG_REVIEWED).toBe(supportDate());
  });

  it("uses Aurora PostgreSQL's long-term-support minors (16.6 was a non-LTS minor close to its end of support)", () => {
    expect(catalogComponent("aurora-postgresql").versions.map((entry) => [entry.version, entry.lts])).toEqual([
      ["15.10", true],
      ["16.8", true],
      ["17.7", true],
    ]);
    expect(defaultVersion("aurora-postgresql")).toBe("16.8");
    expect(catalogVersion("aurora-postgresql", "16.6")).toBeUndefined();
  });

  it("derives the support of add-on builds and AMI releases from their Kubernetes version", () => {
    const window = supportWindow(catalogVersion("eks-addon/coredns", defaultVersion("eks-addon/coredns")) ?? { version: "", released: null, endOfStandardSupport: null });
    expect(window).toMatchObject({ endOfStandardSupport: "2027-03-27", endOfExtendedSupport: "2028-03-27", derivedFrom: "Kubernetes 1.35" });
  });

  it("is where the profile defaults, the construct defaults and the chart catalog take their versions from", () => {
    for (const profile of Object.values(PROFILE_DEFAULTS)) {
      expect(profile.services?.defaults?.postgres?.engineVersion).toBe(defaultVersion("aurora-postgresql"));
      expect(profile.services?.defaults?.redis?.engineVersion).toBe(defaultVersion("valkey"));
      expect(profile.services?.defaults?.documentdb?.engineVersion).toBe(defaultVersion("documentdb"));
      expect(profile.services?.defaults?.opensearch?.engineVersion).toBe(defaultVersion("opensearch"));
      expect(profile.services?.defaults?.rabbitmq?.engineVersion).toBe(defaultVersion("rabbitmq"));
      expect(profile.cluster?.kubernetesVersion).toBe(defaultVersion("kubernetes"));
      expect(profile.cluster?.nodeImageRelease).toBe(defaultVersion("eks-node-ami"));
      for (const [key, component] of Object.entries(EKS_ADDON_COMPONENTS)) {
        expect((profile.cluster?.managedAddons as Record<string, string> | undefined)?.[key]).toBe(defaultVersion(component));
      }
    }
    const charts = components.filter(([name]) => name.startsWith("chart/")).map(([name]) => name.slice("chart/".length));
    expect(Object.keys(CHART_CATALOG).sort()).toEqual(charts.sort());
    for (const [name, chart] of Object.entries(CHART_CATALOG)) {
      const component = catalogComponent(`chart/${name}` as VersionComponent);
      expect(chart).toMatchObject({ version: component.default, repository: component.source });
    }
  });
});

describe("versionProblem", () => {
  it("rejects a version the catalog does not list, naming the catalog and what is allowed on the day", () => {
    expect(versionProblem("aurora-postgresql", "16.6", "2026-12-06")).toBe(
      "Aurora PostgreSQL 16.6 is not in the version catalog (constructs/core/versions.ts); allowed on 2026-12-06: 15.10 (until 2028-02-29), 16.8 (until 2029-02-28), 17.7 (until 2030-02-28)",
    );
    expect(versionProblem("rabbitmq", "3.12")).toBe("Amazon MQ for RabbitMQ 3.12 is not in the version catalog (constructs/core/versions.ts); allowed: 3.13, 4.2");
  });

  it("rejects a version past its end of standard support, unless extended support is chosen and still runs", () => {
    expect(versionProblem("kubernetes", "1.34", "2026-12-02")).toBeUndefined();
    expect(versionProblem("kubernetes", "1.34", "2026-12-03")).toBe(
      "Amazon EKS Kubernetes 1.34 reached the end of standard support on 2026-12-02 (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html); allowed on 2026-12-03: 1.35 (until 2027-03-27)",
    );
    expect(versionProblem("kubernetes", "1.34", "2026-12-03", { extendedSupport: true })).toBeUndefined();
    expect(versionProblem("kubernetes", "1.34", "2027-12-03", { extendedSupport: true })).toMatch(/reached the end of standard support on 2026-12-02/);
    expect(versionProblem("aurora-postgresql", "15.10", "2028-03-01")).toMatch(/^Aurora PostgreSQL 15\.10 reached the end of standard support on 2028-02-29 .*allowed on 2028-03-01: 16\.8 \(until 2029-02-28\), 17\.7/);
  });

  it("rejects an add-on build or AMI release made for another Kubernetes version, and follows its Kubernetes version's support", () => {
    expect(versionProblem("eks-addon/coredns", "v1.13.2-eksbuild.4", undefined, { kubernetes: "1.34" })).toMatch(/is built for Kubernetes 1\.35, not 1\.34/);
    expect(versionProblem("eks-node-ami", "1.35.4-20260512", "2027-03-28")).toMatch(/reached the end of standard support on 2027-03-27 \(Kubernetes 1\.35\)/);
    expect(versionProblem("eks-node-ami", "1.35.4-20260512", "2027-03-28", { kubernetes: "1.35", extendedSupport: true })).toBeUndefined();
  });
});

describe("the support date", () => {
  it("is PLATFORM_SUPPORT_DATE when set, today otherwise, and a clear error when malformed", () => {
    expect(supportDate({ PLATFORM_SUPPORT_DATE: "2027-01-15" })).toBe("2027-01-15");
    expect(supportDate({}, new Date("2026-12-06T23:59:00Z"))).toBe("2026-12-06");
    expect(() => supportDate({ PLATFORM_SUPPORT_DATE: "2027-13-01" })).toThrow(/got "2027-13-01"/);
    expect(() => supportDate({ PLATFORM_SUPPORT_DATE: "2027-02-30" })).toThrow('PLATFORM_SUPPORT_DATE must be a day YYYY-MM-DD (the day version support is evaluated on), got "2027-02-30"');
    expect(withSupportDate(undefined, () => supportDate({ PLATFORM_SUPPORT_DATE: "2027-01-15" }))).toBeUndefined();
  });
});
