/**
 * Units of the change report: the replacement table's coverage, Go schema reading, structural diffs, plan JSON
 * merging, broadening, review scoping and the architecture pages (cost: cost.test.ts; the price refresh: test/scripts/prices.test.ts).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { App, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { JSDOM } from "jsdom";
import { describe, expect, it } from "vitest";
import type { SynthesizedStack } from "../../../../constructs/policy/model";
import { ARCHITECTURE_DIR, renderPages } from "../../../../scripts/diagrams";
import { keyResolver, SchemaReader, tokenize, variableValue } from "../../../../scripts/lib/review/go-schema";
import { mergePlan, parsePlan, PlanFileError, type PlanJson } from "../../../../scripts/lib/review/plan";
import { forcing, REPLACEMENT_TABLE } from "../../../../scripts/lib/review/replacement";
import { changeReport } from "../../../../scripts/lib/review/report";
import { reviewScope, tenantStacks } from "../../../../scripts/lib/review/scope";
import { diffResources } from "../../../../scripts/lib/review/stack-diff";
import { displayPath, lineDiff, normalizeBody, structuralChanges } from "../../../../scripts/lib/review/structure";
import { bundledConfig, bundledSynth } from "../../../support/synth";

function stack(build: (scope: Construct) => void): SynthesizedStack {
  const app = new App({ skipValidation: true });
  const scope = new TerraformStack(app, "s");
  new AwsProvider(scope, "aws", { region: "eu-west-1" });
  build(scope);
  return JSON.parse(JSON.stringify(scope.toTerraform())) as SynthesizedStack;
}

describe("replacement table", () => {
  it("covers every resource type the bundled stacks emit (run scripts/convert-force-new.ts after adding one)", () => {
    const emitted = new Set<string>();
    for (const text of bundledSynth().values()) for (const type of Object.keys((JSON.parse(text) as SynthesizedStack).resource ?? {})) emitted.add(type);
    expect([...emitted].filter((type) => !(type in REPLACEMENT_TABLE.types))).toEqual([]);
    expect(REPLACEMENT_TABLE.source).toMatch(/hashicorp\/aws 6\.\d+\.\d+/);
  });

  it("decides forcing by argument path, nested blocks included", () => {
    expect(forcing("aws_vpc", "cidr_block")).toBe("always");
    expect(forcing("aws_vpc", "tags")).toBe("never");
    expect(forcing("aws_eks_cluster", "kubernetes_network_config.service_ipv4_cidr")).toBe("always");
    expect(forcing("aws_eks_cluster", "encryption_config.provider.key_arn")).toBe("conditional");
    expect(forcing("kubernetes_namespace_v1", "metadata.name")).toBe("always");
    expect(forcing("aws_not_a_type", "x")).toBeUndefined();
  });
});

describe("Go schema reader", () => {
  const source = `
package example
func resourceThing() *schema.Resource {
	return &schema.Resource{
		CustomizeDiff: customdiff.ForceNewIfChange("size", func() bool { return true }),
		Schema: map[string]*schema.Schema{
			"name": { Type: schema.TypeString, Required: true, ForceNew: true },
			names.AttrDescription: { Type: schema.TypeString, Optional: true },
			"network": {
				Type: schema.TypeList,
				Elem: &schema.Resource{ Schema: map[string]*schema.Schema{
					"subnet_id": { Type: schema.TypeString, ForceNew: true },
					"labels": { Type: schema.TypeMap },
				} },
			},
			"metadata": metadataSchema(true),
		},
	}
}
func metadataSchema(immutable bool) *schema.Schema {
	fields := metadataFields()
	fields["namespace"] = &schema.Schema{ Type: schema.TypeString, ForceNew: immutable }
	return &schema.Schema{ Type: schema.TypeList, Elem: &schema.Resource{ Schema: fields } }
}
func metadataFields() map[string]*schema.Schema {
	return map[string]*schema.Schema{ "uid": { Type: schema.TypeString, Computed: true }, "label": { Type: schema.TypeString, ForceNew: !false } }
}
func (r *frameworkThing) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"arn": schema.StringAttribute{ Computed: true },
			"cluster": schema.StringAttribute{ Required: true, PlanModifiers: []planmodifier.String{ stringplanmodifier.RequiresReplace() } },
			"mode": schema.StringAttribute{ Optional: true, PlanModifiers: []planmodifier.String{ stringplanmodifier.RequiresReplaceIf(check, "", "") } },
		},
		Blocks: map[string]schema.Block{
			"scope": schema.ListNestedBlock{ NestedObject: schema.NestedBlockObject{ Attributes: map[string]schema.Attribute{
				"type": schema.StringAttribute{ PlanModifiers: []planmodifier.String{ stringplanmodifier.RequiresReplace() } },
			} } },
		},
	}
}
`;
  const tokens = tokenize(source);
  const functions = new Map<string, { params: string[]; body: ReturnType<typeof tokenize> }>();
  const bodyOf = (name: string) => {
    const start = tokens.findIndex((token, index) => token.text === name && tokens[index - 1]?.text === "func");
    const params: string[] = [];
    let index = start + 2;
    for (; tokens[index]?.text !== ")"; index++) if (tokens[index]?.kind === "ident" && (tokens[index - 1]?.text === "(" || tokens[index - 1]?.text === ",")) params.push((tokens[index] as { text: string }).text);
    while (tokens[index]?.text !== "{") index++;
    let depth = 0;
    for (let end = index; end < tokens.length; end++) {
      if (tokens[end]?.text === "{") depth++;
      else if (tokens[end]?.text === "}" && --depth === 0) return { params, body: tokens.slice(index + 1, end) };
    }
    throw new Error(name);
  };
  for (const name of ["resourceThing", "metadataSchema", "metadataFields"]) functions.set(name, bodyOf(name));
  const reader = () => new SchemaReader((name) => functions.get(name), keyResolver(new Set(["description"])));

  it("reads ForceNew through nested blocks, helper functions, their locals and parameters, and CustomizeDiff", () => {
    expect(reader().read((functions.get("resourceThing") as { body: ReturnType<typeof tokenize> }).body)).toEqual({
      forceNew: ["metadata.label", "metadata.namespace", "name", "network.subnet_id"],
      conditional: ["size"],
    });
  });

  it("reads a schema kept in a package-level variable (aws_sns_topic's `Schema: topicSchema`)", () => {
    const variables = tokenize(`
package example
var (
	topicSchema = map[string]*schema.Schema{
		"name": { Type: schema.TypeString, ForceNew: true, ConflictsWith: []string{"name_prefix"} },
		"policy": { Type: schema.TypeString, Optional: true },
	}
)
`);
    const resource = tokenize(`func resourceTopic() *schema.Resource { return &schema.Resource{ CreateWithoutTimeout: resourceTopicCreate, Schema: topicSchema } }`);
    const body = resource.slice(resource.findIndex((token) => token.text === "{") + 1, -1);
    const withVariables = new SchemaReader(() => undefined, keyResolver(new Set()), (name) => variableValue(variables, name));
    expect(withVariables.read(body)).toEqual({ forceNew: ["name"], conditional: [] });
    // Without the variable nothing is known: the converter then has no facts (it reads the index's var files).
    expect(new SchemaReader(() => undefined, keyResolver(new Set())).read(body)).toEqual({ forceNew: [], conditional: [] });
  });

  it("reads RequiresReplace plan modifiers of framework resources", () => {
    const start = tokens.findIndex((token, index) => token.text === "Schema" && tokens[index - 1]?.text === ")");
    expect(reader().read(tokens.slice(start))).toEqual({ forceNew: ["cluster", "scope.type"], conditional: ["mode"] });
  });
});

describe("structural diffs", () => {
  it("matches named list items by name, not by index, and parses embedded documents", () => {
    const before = normalizeBody("x", { rule: [{ name: "a", port: 1 }, { name: "b", port: 2 }], policy: JSON.stringify({ Statement: [{ Sid: "Read", Action: ["s3:GetObject"] }] }) });
    const after = normalizeBody("x", { rule: [{ name: "new", port: 9 }, { name: "a", port: 1 }, { name: "b", port: 3 }], policy: JSON.stringify({ Statement: [{ Sid: "Read", Action: ["s3:GetObject", "s3:PutObject"] }] }) });
    const changes = structuralChanges(before, after).map((change) => `${change.kind} ${displayPath(change.path)}`);
    expect(changes.sort()).toEqual(["added policy: Statement[Sid=Read].Action[s3:PutObject]", "added rule[name=new]", "changed rule[name=b].port"].sort());
  });

  it("merges Helm values documents as Helm does and diffs by key path", () => {
    const values = (retention: string) => ({ values: [`prometheus:\n  prometheusSpec:\n    retention: "15d"\n    replicas: 2\n`, `prometheus:\n  prometheusSpec:\n    retention: "${retention}"\n`] });
    const changes = structuralChanges(normalizeBody("helm_release", values("20d")), normalizeBody("helm_release", values("30d")));
    expect(changes.map((change) => [displayPath(change.path), change.before, change.after])).toEqual([["values: prometheus.prometheusSpec.retention", "20d", "30d"]]);
  });

  it("gives long text a line diff", () => {
    const diff = lineDiff("line one\nline two\nline three\n", "line one\nline 2\nline three\n");
    expect(diff).toContain("-line two");
    expect(diff).toContain("+line 2");
  });
});

describe("plan JSON", () => {
  const offlineBase = stack((s) => new VpcSecurityGroupIngressRule(s, "rule", { securityGroupId: "sg-1", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "10.0.0.0/16" }));
  const offlineHead = stack((s) => new VpcSecurityGroupIngressRule(s, "rule", { securityGroupId: "sg-1", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" }));
  const plan = (actions: string[]): PlanJson =>
    parsePlan(
      JSON.stringify({
        format_version: "1.2",
        terraform_version: "1.11.4",
        planned_values: { root_module: {} },
        resource_changes: [
          { address: "aws_vpc_security_group_ingress_rule.rule", mode: "managed", type: "aws_vpc_security_group_ingress_rule", name: "rule", provider_name: "registry.terraform.io/hashicorp/aws", change: { actions, before: { cidr_ipv4: "10.0.0.0/16", security_group_id: "sg-1" }, after: { cidr_ipv4: "0.0.0.0/0", security_group_id: "sg-1" }, after_unknown: { id: true }, before_sensitive: {}, after_sensitive: {}, replace_paths: actions.length === 2 ? [["cidr_ipv4"]] : undefined }, action_reason: actions.length === 2 ? "replace_because_cannot_update" : undefined },
          { address: "aws_s3_bucket.drifted", mode: "managed", type: "aws_s3_bucket", name: "drifted", change: { actions: ["update"], before: { tags: { a: "1" } }, after: { tags: { a: "2" } }, after_unknown: {} } },
          { address: "data.aws_caller_identity.current", mode: "data", type: "aws_caller_identity", name: "current", change: { actions: ["read"] } },
        ],
      }),
      "plans/s.json",
    );

  it("lets the plan's actions decide each row and says where the row comes from", () => {
    const offline = diffResources("s", offlineBase, offlineHead);
    expect(offline.map((change) => [change.address, change.action, change.source])).toEqual([["aws_vpc_security_group_ingress_rule.rule", "update", "offline"]]);
    const merged = mergePlan(offline, plan(["delete", "create"]));
    expect(merged.changes.map((change) => [change.address, change.action, change.source])).toEqual([
      ["aws_vpc_security_group_ingress_rule.rule", "replace", "plan"],
      ["aws_s3_bucket.drifted", "update", "plan"],
    ]);
    expect(merged.changes[0]?.attributes.find((attribute) => attribute.argument === "cidr_ipv4")?.forcesReplacement).toBe(true);
    const report = changeReport({ base: new Map([["s", offlineBase]]), head: new Map([["s", offlineHead]]), baseLabel: "main", profileOf: () => "production", plans: new Map([["s", plan(["delete", "create"])]]) });
    expect(report.markdown).toContain("| 🔁 **replace** | `aws_vpc_security_group_ingress_rule.rule` | `s/rule` | plan |");
    expect(report.markdown).toContain("_(source: plan)_");
  });

  it("rejects what is not a plan, naming the file", () => {
    expect(() => parsePlan("{}", "plans/x.json")).toThrow(PlanFileError);
    expect(() => parsePlan("{}", "plans/x.json")).toThrow(/plans\/x\.json: format_version missing/);
    expect(() => parsePlan('{"format_version":"1.2","resource_changes":[{"address":"a"}]}', "p.json")).toThrow(/p\.json: resource_changes\[0\] needs address, type and change\.actions/);
  });

  it("shows a widened ingress rule and an added IAM action in the broadening tables", () => {
    const role = (actions: string[]) => stack((s) => new IamRolePolicy(s, "policy", { role: "r", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "Read", Effect: "Allow", Action: actions, Resource: "*" }] }) }));
    const report = changeReport({
      base: new Map([["net", offlineBase], ["iam", role(["s3:GetObject"])]]),
      head: new Map([["net", offlineHead], ["iam", role(["s3:GetObject", "s3:PutObject"])]]),
      baseLabel: "main",
      profileOf: () => "production",
    });
    expect(report.markdown).toContain("### IAM statement changes (1 broadening)");
    expect(report.markdown).toMatch(/\| ⚠️ \| `iam` \| `s\/policy \(policy\)` \| widened \| Allow \|  \| `\+s3:PutObject` \|/);
    expect(report.markdown).toContain("### Security group changes (1 broadening)");
    expect(report.markdown).toMatch(/\| ⚠️ \| `net` \| `sg-1` \| ingress \| tcp 443 \| `\+0\.0\.0\.0\/0` \| widened \|/);
  });
});

describe("review scope", () => {
  it("compares only the stacks the changed files can affect", () => {
    expect(reviewScope(["config/tenants/globex.yaml", "docs/x.md", "test/a.test.ts"], "config")).toEqual({ kind: "tenants", ids: ["globex"], files: ["config/tenants/globex.yaml"] });
    expect(reviewScope(["README.md"], "config")).toEqual({ kind: "tenants", ids: [], files: [] });
    // A tenant file may be .yml, and a rename changes two files.
    expect(reviewScope(["config/tenants/acme.yml", "config/tenants/acme.yaml"], "config")).toEqual({ kind: "tenants", ids: ["acme"], files: ["config/tenants/acme.yml", "config/tenants/acme.yaml"] });
    expect(reviewScope(["config/tenants/globex.yaml", "config/environments/prod.yaml"], "config")).toEqual({ kind: "all", reason: "config/environments/prod.yaml changed" });
    expect(reviewScope(["constructs/network/index.ts"], "config").kind).toBe("all");
    expect(tenantStacks("id: globex\nenvironment: prod\nisolation: shared\n")).toEqual(["prod-tenant-globex"]);
    expect(tenantStacks("id: initech\nenvironment: prod\nisolation: dedicated\n")).toEqual(["tenant-initech-infra", "tenant-initech-platform"]);
    expect(tenantStacks(undefined)).toEqual([]);
    expect(tenantStacks("id: [")).toBeUndefined();
  });
});

describe("architecture pages", () => {
  const config = bundledConfig();
  const stacks = new Map([...bundledSynth()].map(([name, text]) => [name, JSON.parse(text) as SynthesizedStack]));
  const pages = renderPages(config, stacks);

  it("exist for every environment and dedicated tenant and are up to date (run `npm run diagrams`)", () => {
    expect(Object.keys(pages).sort()).toEqual(["dev.md", "prod.md", "staging.md", "tenant-initech.md"]);
    for (const [file, content] of Object.entries(pages)) expect(readFileSync(join(ARCHITECTURE_DIR, file), "utf8"), `docs/architecture/${file} is stale: run npm run diagrams`).toBe(content);
    const prod = pages["prod.md"] ?? "";
    expect(prod).toContain('subgraph g6["VPC 10.30.0.0/16 — eu-west-1"]');
    expect(prod).toMatch(/data tier/);
    expect(prod).toMatch(/node pool acme-prod-system: m7g\.xlarge\/m6g\.xlarge × 3–6/);
    expect(prod).toMatch(/product noor: api\.noor\.example\.com, app\.noor\.example\.com/);
    expect(prod).toMatch(/DR region eu-central-1/);
    expect(prod).toMatch(/CloudFront: cdn\.noor\.example\.com/);
  });

  it("parse with Mermaid's own parser, and a broken diagram fails the check", async () => {
    const dom = new JSDOM("<!doctype html><html><body></body></html>");
    Object.assign(globalThis, { window: dom.window, document: dom.window.document });
    const mermaid = (await import("mermaid")).default;
    for (const [file, content] of Object.entries(pages)) {
      const text = content.split("```mermaid\n")[1]?.split("```")[0] ?? "";
      await expect(mermaid.parse(text), file).resolves.toMatchObject({ diagramType: "flowchart-v2" });
    }
    await expect(mermaid.parse('flowchart LR\n  a["unterminated --> b')).rejects.toThrow(/Parse error/);
  }, 60_000);
});
