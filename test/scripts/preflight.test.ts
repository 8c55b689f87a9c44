/**
 * `npm run preflight` end to end, offline: the real command (stack selection, synthesis or a synthesized directory,
 * every check, the table and the JSON report, the exit status) answered by recorded AWS responses (--recorded).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, inject, it } from "vitest";
import { recordedApi } from "../../scripts/lib/preflight/aws";
import { runPreflightCommand, type PreflightCommandIo } from "../../scripts/preflight";
import { BUNDLED_CONFIG_DIR, ROOT } from "../support/synth";

const FIXTURES = join(ROOT, "test", "fixtures", "aws");
const env = { PLATFORM_CONFIG_DIR: BUNDLED_CONFIG_DIR };
const temporary: string[] = [];

afterEach(() => {
  for (const directory of temporary.splice(0)) rmSync(directory, { recursive: true, force: true });
});

async function run(argv: readonly string[], api?: PreflightCommandIo["api"]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runPreflightCommand(argv, { env, stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), ...(api ? { api } : {}) });
  return { code, stdout, stderr };
}

const preflight = (...argv: string[]) => run(argv);

/** A recorded-response directory holding `files` (<service>/<Operation>.json -> responses), put before the fixtures. */
function overlay(files: Record<string, unknown[]>): string {
  const directory = mkdtempSync(join(tmpdir(), "preflight-overlay-"));
  temporary.push(directory);
  for (const [file, responses] of Object.entries(files)) {
    mkdirSync(join(directory, file.split("/")[0] as string), { recursive: true });
    writeFileSync(join(directory, file), JSON.stringify({ responses }));
  }
  return directory;
}

describe("npm run preflight", () => {
  it("checks every prod stack against the recorded account: a table per stack, warnings only, exit 0", async () => {
    const { code, stdout, stderr } = await preflight("prod-*", "--recorded", FIXTURES, "--synthesized", inject("bundledOutdir"));
    expect(stderr).toBe("");
    expect(code).toBe(0);
    for (const stack of ["prod-dns", "prod-infra", "prod-platform", "prod-tenant-globex"]) expect(stdout).toContain(`${stack}  (account 111111111111, eu-west-1; stage `);
    expect(stdout).toMatch(/^ {2}zones exist and are delegated +ok \(4 verified\)$/m);
    expect(stdout).toMatch(/^ {2}secret values seeded +14 warnings$/m);
    expect(stdout).toContain("fix: after the apply, put a JSON object with the keys routingKey: aws secretsmanager put-secret-value --region eu-west-1 --secret-id acme-prod/alertmanager/pagerduty --secret-string file://value.json");
    expect(stdout.trimEnd().split("\n").at(-1)).toBe("4 stacks: 0 errors, 18 warnings. Nothing found that would stop the apply.");
  });

  it("--json reports every check of every stack with its status, problems and what was verified", async () => {
    const { code, stdout } = await preflight("prod-infra", "--json", "--recorded", FIXTURES, "--synthesized", inject("bundledOutdir"));
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { stacks: { stack: string; checks: { id: string; status: string; verified: string[] }[] }[]; summary: { exitCode: number } };
    expect(report.summary).toEqual({ errors: 0, warnings: 0, failedChecks: 0, exitCode: 0 });
    expect(report.stacks.map((stack) => stack.stack)).toEqual(["prod-infra"]);
    const zones = report.stacks[0]?.checks.find((item) => item.id === "zones");
    expect(zones?.verified).toContain("zone acme.example.com delegated from example.com to its 4 name servers (2 parent servers agree)");
  });

  it("synthesizes the selected stacks itself without --synthesized", async () => {
    const { code, stdout } = await preflight("prod-tenant-globex", "--recorded", FIXTURES);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}zones exist and are delegated +ok \(1 verified\)$/m);
  });

  it("a problem (a stale delegation, an unassigned permission set) exits 1, naming what, where and the fix", async () => {
    const broken = overlay({
      "dns/QueryNs.json": [{ input: { Name: "acme.example.com" }, output: { Rcode: "NOERROR", Authoritative: false, Answer: [], Authority: ["ns-9.awsdns-09.com"] } }],
      "iam/ListRoles.json": [{ output: { Roles: [], IsTruncated: false } }],
    });
    const { code, stdout } = await preflight("prod-infra", "--recorded", broken, "--recorded", FIXTURES, "--synthesized", inject("bundledOutdir"));
    expect(code).toBe(1);
    expect(stdout).toMatch(/^ {2}zones exist and are delegated +1 error$/m);
    expect(stdout).toMatch(/^ {2}access-entry principals exist +2 errors$/m);
    expect(stdout).toContain("ERROR    zones exist and are delegated: zone acme.example.com not delegated as ACM needs");
    expect(stdout).toContain("at:  data.aws_route53_zone.edge_zone-platform_zone_D0A67EAA");
    expect(stdout).toContain("fix: add an NS record named acme.example.com in example.com (at its DNS provider or registrar) with exactly: ns-1021.awsdns-63.net ns-1580.awsdns-05.co.uk ns-2012.awsdns-59.org ns-250.awsdns-31.com");
    expect(stdout.trimEnd().split("\n").at(-1)).toBe("1 stack: 3 errors, 0 warnings. Fix the errors before the apply (exit 1).");
  });

  it("a call nothing answers (credentials, permissions, a response not recorded) exits 2: the check could not run", async () => {
    const denied = overlay({ "ec2/DescribeInstanceTypeOfferings.json": [{ error: { name: "UnauthorizedOperation", message: "You are not authorized to perform this operation." } }] });
    const { code, stdout } = await preflight("prod-infra", "--recorded", denied, "--recorded", FIXTURES, "--synthesized", inject("bundledOutdir"));
    expect(code).toBe(2);
    expect(stdout).toMatch(/^ {2}instance types offered +COULD NOT CHECK$/m);
    expect(stdout).toContain("COULD NOT CHECK  instance types offered: UnauthorizedOperation: You are not authorized to perform this operation.");
    expect(stdout.trimEnd().split("\n").at(-1)).toBe("1 stack: 0 errors, 0 warnings. 1 check could not run: nothing is known about them (exit 2).");
  });

  it("refuses credentials of another account than the stacks' (exit 2)", async () => {
    const elsewhere = overlay({ "sts/GetCallerIdentity.json": [{ output: { Account: "222222222222", Arn: "arn:aws:sts::222222222222:assumed-role/acme-ci-plan/x", UserId: "AROAEXAMPLE:x" } }] });
    const { code, stderr } = await preflight("prod-dns", "--recorded", elsewhere, "--recorded", FIXTURES, "--synthesized", inject("bundledOutdir"));
    expect(code).toBe(2);
    expect(stderr).toContain("preflight: the credentials are for account 222222222222 (arn:aws:sts::222222222222:assumed-role/acme-ci-plan/x), but prod-dns deploys into 111111111111");
  });

  it("usage errors exit 2 with the reason: no stack, an unknown stack, --record with --recorded, a missing synthesis", async () => {
    expect((await preflight()).code).toBe(2);
    const unknown = await preflight("nope-*", "--recorded", FIXTURES);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^preflight: .*nope-\*/);
    const both = await preflight("prod-dns", "--recorded", FIXTURES, "--record", "/tmp/x");
    expect(both).toMatchObject({ code: 2, stderr: "preflight: --recorded and --record exclude each other\n" });
    const empty = mkdtempSync(join(tmpdir(), "preflight-synth-"));
    temporary.push(empty);
    const missing = await preflight("prod-dns", "--recorded", FIXTURES, "--synthesized", empty);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`${join(empty, "stacks", "prod-dns", "cdk.tf.json")} does not exist: synthesize the stack first`);
  });

  it("--verbose lists what was verified under each stack", async () => {
    const { code, stdout } = await preflight("prod-infra", "--verbose", "--recorded", FIXTURES, "--synthesized", inject("bundledOutdir"));
    expect(code).toBe(0);
    expect(stdout).toContain("  ok       zones exist and are delegated: zone noor.example.com delegated from example.com to its 4 name servers (2 parent servers agree)");
    expect(stdout).toContain("  ok       quotas: EC2-VPC Elastic IPs (eu-west-1): 4 in use + 3 new <= 10");
  });

  it("--record writes every answer it got in the --recorded format: replaying it gives the same report", async () => {
    const out = mkdtempSync(join(tmpdir(), "preflight-record-"));
    temporary.push(out);
    const recorded = await run(["prod-platform", "--record", out, "--synthesized", inject("bundledOutdir")], recordedApi([FIXTURES]));
    expect(recorded.code).toBe(0);
    const replayed = await preflight("prod-platform", "--recorded", out, "--synthesized", inject("bundledOutdir"));
    expect(replayed).toEqual(recorded);
    expect(JSON.parse(readFileSync(join(out, "sts", "GetCallerIdentity.json"), "utf8"))).toEqual({ responses: [{ region: "eu-west-1", input: {}, output: expect.objectContaining({ Account: "111111111111" }) as unknown }] });
  });

  it("the fixtures hold no credential-shaped value and only the fictitious account", () => {
    for (const file of ["sts/GetCallerIdentity.json", "iam/GetRole.json", "s3/GetObject.json"]) {
      const text = readFileSync(join(FIXTURES, file), "utf8");
      expect(text).not.toMatch(/AKIA[0-9A-Z]{16}|aws_secret_access_key|"SecretString"/);
      expect([...text.matchAll(/\b\d{12}\b/g)].every((match) => match[0] === "111111111111")).toBe(true);
    }
  });
});
