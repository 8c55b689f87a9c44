import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CronJobV1 as BindingCronJob } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import { DeploymentV1 as BindingDeployment } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { JobV1 as BindingJob } from "@cdktf/provider-kubernetes/lib/job-v1";
import { DefaultTokenResolver, Fn, StringConcat, TerraformIterator, TerraformResource, TerraformStack, Testing, Token, Tokenization } from "cdktf";
import type { Construct } from "constructs";
import { describe, expect, it } from "vitest";
import { CronJobV1, DeploymentV1, JobV1 } from "../../../constructs/core/kubernetes-workload-resources";
import { ShapedResource } from "../../../constructs/core/shaped-resource";
import { readShapeTable, shapeTableText } from "../../../scripts/lib/provider-shapes";
import { buildStacks, bundledConfig, ROOT } from "../../support/synth";

type Binding = new (scope: Construct, id: string, config: never) => TerraformResource;
const BINDINGS: Readonly<Record<string, Binding>> = {
  kubernetes_deployment_v1: BindingDeployment as unknown as Binding,
  kubernetes_job_v1: BindingJob as unknown as Binding,
  kubernetes_cron_job_v1: BindingCronJob as unknown as Binding,
};

const RESOLVER = new DefaultTokenResolver(new StringConcat());

/** What a resource contributes to its stack's JSON: its arguments after cdktf's processing, resolved in `scope`. */
function emitted(resource: TerraformResource, scope: TerraformStack): string {
  const element = resource.toTerraform() as { resource: Record<string, Record<string, Record<string, unknown>>> };
  const [body] = Object.values(Object.values(element.resource)[0] ?? {});
  const { "//": _metadata, ...attributes } = body ?? {};
  return JSON.stringify(Tokenization.resolve(attributes, { scope, preparing: false, resolver: RESOLVER }));
}

/** The same configuration given to the generated binding, in a scratch stack. */
function viaBinding(shaped: ShapedResource<object>, scope: TerraformStack): string {
  const Binding = BINDINGS[shaped.terraformResourceType];
  if (!Binding) throw new Error(`no binding for ${shaped.terraformResourceType}`);
  const scratch = new TerraformStack(Testing.app(), "scratch");
  const { dependsOn: _dependsOn, provider: _provider, ...config } = shaped.config as Record<string, unknown>;
  return emitted(new Binding(scratch, shaped.node.id, config as never), scope);
}

function viaShapes(shaped: ShapedResource<object>, scope: TerraformStack): string {
  const { dependsOn: _dependsOn, provider: _provider, ...config } = shaped.config as Record<string, unknown>;
  const Shaped = { kubernetes_deployment_v1: DeploymentV1, kubernetes_job_v1: JobV1, kubernetes_cron_job_v1: CronJobV1 }[shaped.terraformResourceType];
  if (!Shaped) throw new Error(`no class for ${shaped.terraformResourceType}`);
  return emitted(new Shaped(new TerraformStack(Testing.app(), "scratch"), shaped.node.id, config as never), scope);
}

describe("provider-shapes.json", () => {
  it("is what npm run provider:shapes reads from the installed bindings", () => {
    const committed = readFileSync(join(ROOT, "constructs", "core", "provider-shapes.json"), "utf8");
    expect(committed).toBe(shapeTableText(join(ROOT, "node_modules")));
  });

  it("refuses a generated conversion it does not know, naming the file and line", async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, cpSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "shapes-"));
    const module = join(dir, "@cdktf", "provider-kubernetes", "lib", "job-v1");
    mkdirSync(module, { recursive: true });
    cpSync(join(ROOT, "node_modules", "@cdktf", "provider-kubernetes", "package.json"), join(dir, "@cdktf", "provider-kubernetes", "package.json"));
    const index = readFileSync(join(ROOT, "node_modules", "@cdktf", "provider-kubernetes", "lib", "job-v1", "index.js"), "utf8");
    writeFileSync(join(module, "index.js"), index.replace("wait_for_completion: cdktf.booleanToTerraform(this._waitForCompletion)", "wait_for_completion: cdktf.anyToTerraform(this._waitForCompletion)"));
    expect(() => readShapeTable(dir, ["@cdktf/provider-kubernetes/lib/job-v1"])).toThrow(/job-v1\/index\.js:\d+: unrecognised generated mapper cdktf\.anyToTerraform for wait_for_completion/);
  });
});

describe("ShapedResource", () => {
  it("emits exactly the binding's JSON for every workload resource of the bundled stacks", async () => {
    const stacks = await buildStacks(bundledConfig());
    let compared = 0;
    const types = new Set<string>();
    for (const stack of stacks.values()) {
      for (const node of stack.node.findAll()) {
        if (!(node instanceof ShapedResource)) continue;
        expect(viaShapes(node, stack), node.node.path).toBe(viaBinding(node, stack));
        compared++;
        types.add(node.terraformResourceType);
      }
    }
    expect(compared).toBeGreaterThan(20);
    expect([...types].sort()).toEqual(["kubernetes_cron_job_v1", "kubernetes_deployment_v1", "kubernetes_job_v1"]);
  });

  describe("matches the binding on edge cases", () => {
    const stack = new TerraformStack(Testing.app(), "edges");
    const other = new BindingJob(stack, "other", { metadata: { name: "other" }, spec: { template: { metadata: {}, spec: { container: [{ name: "c", image: "i" }] } } } });
    const iterator = TerraformIterator.fromList(["a", "b"]);
    const cases: Record<string, Record<string, unknown>> = {
      "an empty block given as {}": { metadata: {}, spec: { template: { metadata: {}, spec: { container: [{ name: "c", image: "i", securityContext: {} }] } } } },
      "a block whose arguments are all unset": { metadata: { name: undefined }, spec: { template: { metadata: { labels: undefined }, spec: { securityContext: { runAsUser: undefined }, container: [{ name: "c", image: "i", resources: { limits: undefined } }] } } } },
      "unknown properties": { metadata: { name: "x", bogus: 1 }, spec: { extra: true, template: { metadata: {}, spec: { container: [{ name: "c", image: "i", surplus: "y" }] } } } },
      "null values": { metadata: { name: "x", labels: null }, spec: { template: { metadata: {}, spec: { container: [{ name: "c", image: "i", args: null }] } } } },
      "tokens as blocks, lists, maps and scalars": {
        metadata: { name: other.metadata.name, labels: Token.asStringMap(Fn.tomap({ a: "b" })) },
        spec: { backoffLimit: Token.asNumber(Fn.lengthOf([1, 2])), template: { metadata: {}, spec: { container: Token.asAny(Fn.tolist([])), volume: [{ name: "v", configMap: Token.asAny(Fn.tomap({})) }] } } },
        timeouts: Token.asAny(Fn.tomap({ create: "1m" })),
      },
      "a dynamic block": { metadata: { name: "x" }, spec: { template: { metadata: {}, spec: { container: iterator.dynamic({ name: iterator.value, image: "i" }) } } } },
      "string and number lists": { metadata: { name: "x" }, spec: { template: { metadata: {}, spec: { container: [{ name: "c", image: "i", command: ["a", "b"], port: [{ containerPort: 80 }] }], hostAliases: [{ ip: "1.2.3.4", hostnames: ["a"] }] } } } },
    };
    for (const [name, config] of Object.entries(cases)) {
      it(`${name}`, () => {
        const binding = emitted(new BindingJob(new TerraformStack(Testing.app(), "b"), "job", config as never), stack);
        const shaped = emitted(new JobV1(new TerraformStack(Testing.app(), "s"), "job", config as never), stack);
        expect(shaped).toBe(binding);
      });
    }
    it("another resource's block given as a block (a complex element)", () => {
      const outcome = (make: () => TerraformResource): string => {
        try {
          return emitted(make(), stack);
        } catch (error) {
          return `error: ${(error as Error).message}`;
        }
      };
      const config = { metadata: other.metadata, spec: { template: { metadata: other.spec.template.metadata, spec: { container: [{ name: "c", image: "i" }] } } } };
      const shaped = outcome(() => new JobV1(new TerraformStack(Testing.app(), "s"), "job", config as never));
      expect(shaped).toBe(outcome(() => new BindingJob(new TerraformStack(Testing.app(), "b"), "job", config as never)));
      expect(shaped).toContain("kubernetes_job_v1.other");
    });
  });

  it("gives HCL output the binding's own HCL attributes, and refuses a type the table does not have", () => {
    const stack = new TerraformStack(Testing.app(), "hcl");
    const other = new BindingJob(stack, "other", { metadata: { name: "other" }, spec: { template: { metadata: {}, spec: {} } } });
    const config = { metadata: { name: other.metadata.name, labels: { a: "b" } }, spec: { backoffLimit: 2, template: { metadata: {}, spec: { container: [{ name: "c", image: "i", command: ["x"] }] } } }, waitForCompletion: true };
    const hcl = (resource: TerraformResource) => JSON.stringify(Tokenization.resolve((resource as unknown as { synthesizeHclAttributes(): unknown }).synthesizeHclAttributes(), { scope: stack, preparing: false, resolver: RESOLVER }));
    const shaped = hcl(new JobV1(stack, "shaped", config));
    expect(shaped).toBe(hcl(new BindingJob(stack, "binding", config)));
    expect(shaped).toContain('"storageClassType":"JobV1SpecTemplateSpecContainerList"');
    expect(() => new ShapedResource(stack, "nope", "kubernetes_pod_v1", {})).toThrow(/kubernetes_pod_v1 is not in constructs\/core\/provider-shapes\.json/);
  });
});
