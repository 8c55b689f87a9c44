/**
 * The move of hosted zones from `<env>-infra` (where they were created before the DNS stage existed) to `<env>-dns`,
 * run with the real Terraform binary, offline: the synthesized `removed`, `import` and `locals` blocks of the bundled
 * prod stacks, with Terraform's built-in `terraform_data` standing in for `aws_route53_zone` (it supports import and
 * needs no provider download) and a local standing in for the `aws_ssm_parameters_by_path` listing.
 *
 * What it proves about Terraform >= 1.7 (the version CI pins is newer):
 * - infra: a `removed` block with `destroy = false` drops the zone from the state without destroying it, and is a
 *   no-op on a fresh deployment;
 * - dns: the `import` blocks adopt exactly the zones the former edge parameter lists, create the others, and are
 *   ignored once the zones are in the state (so they can stay in the configuration).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bundledStackJson } from "../../support/synth";

const TERRAFORM = "/usr/local/bin/terraform";
const TIMEOUT_MS = 60_000;

interface StateBlocks {
  removed?: { from: string; lifecycle: { destroy: boolean } }[];
  import?: { for_each: string; to: string; id: string }[];
  locals?: Record<string, string>;
  data?: Record<string, Record<string, unknown>>;
  resource?: Record<string, Record<string, Record<string, unknown>>>;
}

describe.skipIf(!existsSync(TERRAFORM))("moving hosted zones from prod-infra to prod-dns (terraform, offline)", () => {
  const work = mkdtempSync(join(tmpdir(), "zone-migration-"));
  const rc = join(work, "terraformrc");
  writeFileSync(rc, "");
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  function terraform(dir: string, ...args: string[]): { status: number | null; output: string } {
    const result = spawnSync(TERRAFORM, args, {
      cwd: dir,
      encoding: "utf8",
      timeout: TIMEOUT_MS,
      env: { ...process.env, TF_CLI_CONFIG_FILE: rc, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0" },
    });
    return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
  }

  function configure(name: string, config: unknown): string {
    const dir = join(work, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "main.tf.json"), JSON.stringify(config, null, 2));
    return dir;
  }

  function run(dir: string, ...args: string[]): string {
    const result = terraform(dir, ...args);
    expect(result.status, result.output).toBe(0);
    return result.output;
  }

  const asData = (text: string) => text.replaceAll("aws_route53_zone.", "terraform_data.");
  const infra = bundledStackJson("prod-infra") as StateBlocks;
  const dns = bundledStackJson("prod-dns") as StateBlocks;
  const removed = infra.removed ?? [];
  const zoneNames = Object.values(dns.resource?.aws_route53_zone ?? {}).map((zone) => zone.name as string);

  it("prod-infra forgets the zones it created (nothing destroyed), and the removed blocks are a no-op on a fresh state", () => {
    expect(removed).toHaveLength(4);
    const dir = configure("infra", { resource: { terraform_data: Object.fromEntries(removed.map((block) => [block.from.split(".")[1], { input: "zone" }])) } });
    run(dir, "init", "-no-color");
    run(dir, "apply", "-auto-approve", "-no-color");

    writeFileSync(join(dir, "main.tf.json"), asData(JSON.stringify({ removed })));
    const plan = run(dir, "plan", "-no-color");
    expect(plan).toMatch(/Plan: 0 to add, 0 to change, 0 to destroy/);
    expect(plan).toMatch(/Terraform will discard its tracking information[\s\S]*but it will not delete them/);
    for (const block of removed) expect(plan).toContain(` - ${asData(block.from)}`);
    run(dir, "apply", "-auto-approve", "-no-color");
    expect(run(dir, "state", "list").trim()).toBe("");

    const fresh = configure("infra-fresh", JSON.parse(asData(JSON.stringify({ removed }))) as unknown);
    run(fresh, "init", "-no-color");
    expect(run(fresh, "plan", "-no-color")).toMatch(/No changes/);
  }, 6 * TIMEOUT_MS);

  /** prod-dns's blocks, with terraform_data for the zones and `listing` instead of the SSM parameter listing. */
  function dnsConfig(listing: { names: string[]; values: string[] }): unknown {
    const [listingId] = Object.keys(dns.data?.aws_ssm_parameters_by_path ?? {});
    const text = asData(JSON.stringify({ locals: dns.locals, import: dns.import })).replaceAll(`data.aws_ssm_parameters_by_path.${listingId}`, "local.listing");
    const blocks = JSON.parse(text) as { locals: Record<string, string>; import: unknown[] };
    return {
      locals: { ...blocks.locals, listing: `\${{ names = ${JSON.stringify(listing.names)}, values = sensitive(${JSON.stringify(listing.values)}) }}` },
      import: blocks.import,
      resource: { terraform_data: Object.fromEntries(Object.entries(dns.resource?.aws_route53_zone ?? {}).map(([id, zone]) => [id, { input: zone.name }])) },
    };
  }

  /** The edge parameter as the former prod-infra published it: domain key -> name, zone id, certificate ARN. */
  const formerEdge = JSON.stringify({
    domains: Object.fromEntries(zoneNames.map((name, index) => [name.split(".")[0], { name, zoneId: `Z0FORMER${index}`, certificateArn: `arn:aws:acm:eu-west-1:111111111111:certificate/${index}` }])),
    webAclArn: "arn:aws:wafv2:eu-west-1:111111111111:regional/webacl/acme-prod/1",
  });

  it("prod-dns creates every zone on a fresh account (no edge parameter: nothing to import)", () => {
    const dir = configure("dns-fresh", dnsConfig({ names: ["/acme/prod/unrelated"], values: ["x"] }));
    run(dir, "init", "-no-color");
    const plan = run(dir, "plan", "-no-color");
    expect(plan).toMatch(/Plan: 4 to add, 0 to change, 0 to destroy/);
    expect(plan).not.toMatch(/import/i);
  }, 3 * TIMEOUT_MS);

  it("prod-dns imports the zones the former edge parameter lists, then leaves them alone", () => {
    const dir = configure("dns-migrate", dnsConfig({ names: ["/acme/prod/edge", "/acme/prod/unrelated"], values: [formerEdge, "x"] }));
    run(dir, "init", "-no-color");
    const plan = run(dir, "plan", "-no-color");
    expect(plan).toMatch(/Plan: 4 to import, 0 to add, 4 to change, 0 to destroy/);
    for (const index of [0, 1, 2, 3]) expect(plan).toContain(`Preparing import... [id=Z0FORMER${index}]`);
    run(dir, "apply", "-auto-approve", "-no-color");
    const state = run(dir, "state", "list").trim().split("\n").sort();
    expect(state).toEqual(Object.keys(dns.resource?.aws_route53_zone ?? {}).map((id) => `terraform_data.${id}`).sort());
    // The edge parameter stays (prod-infra publishes the looked-up ids): the imports are ignored from now on.
    expect(run(dir, "plan", "-no-color")).toMatch(/No changes/);
  }, 6 * TIMEOUT_MS);
});
