/**
 * WAF tuning from configuration: a product's upload paths (bodies over 8 KB up to a size of their own) reach the
 * environment's regional web ACL; bad input is reported at its key.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { only, problems } from "../support/config-problems";
import { BUNDLED_CONFIG_DIR, bundledStackJson, resourceList, tempConfig } from "../support/synth";

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const GATEWAY_INGRESS = "    ingress: { hosts: [api], order: 10, uploads: { maxBodySize: 50Mi } }";

function murimaWith(ingress: string): string {
  const text = readFileSync(join(BUNDLED_CONFIG_DIR, "products/murima.yaml"), "utf8");
  expect(text).toContain(GATEWAY_INGRESS);
  return text.replace(GATEWAY_INGRESS, ingress);
}

function issuesOf(edits: Parameters<typeof tempConfig>[0], file: string) {
  const dir = tempConfig(edits);
  dirs.push(dir);
  return problems(dir).filter((issue) => issue.file.endsWith(file));
}

describe("a product's upload paths in the environment's web ACL (bundled prod)", () => {
  const acls = resourceList(bundledStackJson("prod-infra"), "aws_wafv2_web_acl");
  const regional = acls.find((acl) => acl.scope === "REGIONAL") as { rule: { name: string; statement: Record<string, unknown> }[] };
  const cloudfront = acls.find((acl) => acl.scope === "CLOUDFRONT") as { rule: { name: string }[] };

  it("lets Murima's API gateway take 50 MB bodies (the guide's proxy-body-size), blocking larger declared bodies and 8 KB+ bodies elsewhere", () => {
    expect(regional.rule.map((rule) => rule.name)).toEqual([
      "rate-api",
      "rate-ai",
      "AWSManagedRulesCommonRuleSet",
      "AWSManagedRulesKnownBadInputsRuleSet",
      "AWSManagedRulesAmazonIpReputationList",
      "AWSManagedRulesSQLiRuleSet",
      "upload-murima-api-gateway-too-large",
      "upload-murima-api-gateway",
      "body-over-8kb",
    ]);
    expect(JSON.stringify(regional.rule.find((rule) => rule.name === "upload-murima-api-gateway"))).toContain('"search_string":".murima.example.com"');
  });

  it("leaves the CloudFront web ACL (static assets) without upload rules", () => {
    expect(cloudfront.rule.map((rule) => rule.name)).not.toContain("body-over-8kb");
  });
});

describe("upload paths: bad input", () => {
  it("rejects an upload path that the workload's ingress does not route", () => {
    const text = murimaWith("    ingress: { hosts: [api], paths: [/api], order: 10, uploads: { maxBodySize: 50Mi, paths: [/files] } }");
    const issue = only(issuesOf({ write: { "products/murima.yaml": text } }, "products/murima.yaml"), "workloads.api-gateway.ingress.uploads.paths.0");
    expect(issue.message).toBe("/files is not under the paths routed to this workload (/api); uploads there would never reach it");
  });

  it("rejects a maximum the common rule set already allows everywhere", () => {
    const text = murimaWith("    ingress: { hosts: [api], order: 10, uploads: { maxBodySize: 8Ki } }");
    const issue = only(issuesOf({ write: { "products/murima.yaml": text } }, "products/murima.yaml"), "workloads.api-gateway.ingress.uploads.maxBodySize");
    expect(issue.message).toMatch(/^expected a size such as 50Mi, above 8Ki \(what every path accepts\) and at most 100Gi/);
  });

  it("rejects an environment override of the body-size rule while products declare uploads", () => {
    const groups = [{ name: "AWSManagedRulesCommonRuleSet", excludedRules: ["SizeRestrictions_BODY"] }, "AWSManagedRulesKnownBadInputsRuleSet"];
    const issue = only(issuesOf({ set: { "environments/prod.yaml": { edge: { waf: { managedRuleGroups: groups } } } } }, "environments/prod.yaml"), "edge.waf.managedRuleGroups.0");
    expect(issue.message).toMatch(/^SizeRestrictions_BODY is managed by the platform while products declare uploads \(murima\/api-gateway\)/);
  });
});
