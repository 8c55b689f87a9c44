/**
 * `npm run versions`: what the configuration and the catalog defaults pin, past or near the end of standard support on
 * a fixed day (--today), as text or JSON, failing while something in use is past.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { withSupportDate } from "../../config/runtime-options";
import { versionsReport, versionUses, type VersionsReport } from "../../scripts/lib/versions-report";
import { runVersions } from "../../scripts/versions";
import { bundledConfig, ROOT } from "../support/synth";

const uses = versionUses(withSupportDate(undefined, () => bundledConfig()));
const entry = (report: VersionsReport, component: string, version: string) => report.entries.find((item) => item.component === component && item.version === version);

describe("versions report", () => {
  it("lists what the environments, dedicated tenants and catalog defaults use", () => {
    const aurora = uses.find((use) => use.component === "aurora-postgresql" && use.version === "15.10");
    expect(aurora?.usedBy).toEqual(expect.arrayContaining(["environments/prod.yaml services.postgres.smartedu-db", "tenants/initech.yaml (dedicated) services.postgres.smartedu-db"]));
    expect(uses.find((use) => use.component === "chart/velero")?.usedBy).toEqual(["catalog default"]);
    expect(uses.some((use) => use.component === "aurora-postgresql" && use.version === "17.7")).toBe(false);
  });

  it("on 2026-12-06: nothing in use is past; Kubernetes 1.35 and what is built for it end within 180 days", () => {
    const report = versionsReport(uses, "2026-12-06");
    expect(report.past).toBe(0);
    expect(entry(report, "kubernetes", "1.35")).toMatchObject({ status: "near", endOfStandardSupport: "2027-03-27", endOfExtendedSupport: "2028-03-27", daysLeft: 111 });
    expect(entry(report, "eks-addon/vpc-cni", "v1.21.1-eksbuild.8")).toMatchObject({ status: "near", derivedFrom: "Kubernetes 1.35" });
    expect(entry(report, "aurora-postgresql", "16.8")).toMatchObject({ status: "ok", endOfStandardSupport: "2029-02-28" });
    expect(entry(report, "opensearch", "OpenSearch_2.19")).toMatchObject({ status: "unknown", endOfStandardSupport: null });
    expect(report.near).toBe(7);
    // A shorter window: nothing is near.
    expect(versionsReport(uses, "2026-12-06", 30).near).toBe(0);
  });

  it("on 2028-03-01: Kubernetes 1.35, its add-ons and AMI, and Aurora 15.10 are past", () => {
    const report = versionsReport(uses, "2028-03-01");
    expect(report.entries.filter((item) => item.status === "past").map((item) => `${item.component}@${item.version}`).sort()).toEqual([
      "aurora-postgresql@15.10",
      "eks-addon/aws-ebs-csi-driver@v1.56.0-eksbuild.1",
      "eks-addon/coredns@v1.13.2-eksbuild.4",
      "eks-addon/eks-pod-identity-agent@v1.3.9-eksbuild.3",
      "eks-addon/kube-proxy@v1.35.3-eksbuild.2",
      "eks-addon/vpc-cni@v1.21.1-eksbuild.8",
      "eks-node-ami@1.35.4-20260512",
      "kubernetes@1.35",
    ]);
    expect(report.past).toBe(8);
  });
});

describe("npm run versions", () => {
  it("prints the report and exits 0 when nothing in use is past, 1 when something is", () => {
    let text = "";
    expect(runVersions(["--today", "2026-12-06"], (out) => (text = out))).toBe(0);
    expect(text).toContain("Version support on 2026-12-06 (window 180 days; catalog: constructs/core/versions.ts)");
    expect(text).toContain("NEAR     Amazon EKS Kubernetes 1.35: standard support ends 2027-03-27 (in 111 days)");
    expect(text).toContain("No version in use is past end of standard support; 7 within 180 days.");
    expect(runVersions(["--today", "2028-03-01"], (out) => (text = out))).toBe(1);
    expect(text).toContain("PAST     Aurora PostgreSQL 15.10: PAST end of standard support (2028-02-29, 1 days ago); extended support until 2031-02-28");
  });

  it("prints JSON with --json, and lists unused catalog versions with --all", () => {
    let text = "";
    runVersions(["--today", "2026-12-06", "--json", "--window", "120", "--all"], (out) => (text = out));
    const report = JSON.parse(text) as VersionsReport;
    expect(report).toMatchObject({ today: "2026-12-06", windowDays: 120, past: 0, near: 7 });
    // Kubernetes 1.34 is listed (--all) and past, but nothing uses it: it does not fail the run.
    expect(entry(report, "kubernetes", "1.34")).toMatchObject({ status: "past", usedBy: [] });
  });

  it("rejects a malformed day or window with exit status 2", () => {
    const run = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "versions.ts"), ...args], { cwd: ROOT, encoding: "utf8" });
    const badDay = run("--today", "2026-13-01");
    expect(badDay.status).toBe(2);
    expect(badDay.stderr).toContain('option \'--today <YYYY-MM-DD>\' argument \'2026-13-01\' is invalid. expected a day YYYY-MM-DD, got "2026-13-01"');
    const badWindow = run("--window", "soon");
    expect(badWindow.status).toBe(2);
    expect(badWindow.stderr).toContain("expected a whole number of days from 0 to 3650");
  });
});
