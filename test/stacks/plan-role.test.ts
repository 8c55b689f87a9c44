/**
 * The CI plan role can plan every stack that manages objects in a cluster, and cannot write anything there — checked
 * over every synthesized stack, grouped by the cluster its Kubernetes provider targets:
 *
 * - the cluster's infra stack gives the environment's plan role an access entry in the plan group, with no EKS
 *   access policy;
 * - RBAC bound to that group (in the platform and tenant stacks of the cluster) lets it get every object the
 *   Kubernetes provider manages there, and list and get Secrets in every Helm release namespace;
 * - every rule bound to the group has read verbs only, and it is bound to no role the stacks do not define;
 * - no Helm provider enables the manifest experiment (its plan-time dry run is a server-side apply: a write).
 */
import { describe, expect, it } from "vitest";
import { CI_PLAN_KUBERNETES_GROUP } from "../../constructs/cluster/access-rules";
import { one, type SynthesizedStack } from "../../constructs/policy/model";
import { accessEntryPrincipals } from "../../constructs/policy/access-principals";
import { GENERIC_KUBERNETES_TYPES, KUBERNETES_TYPE_RESOURCES, READ_VERBS, resourceOfKind, type ApiResource } from "../../constructs/plan-access/rules";
import { bundledSynth } from "../support/synth";

type Body = Record<string, unknown>;
const stacks = new Map([...bundledSynth()].map(([name, text]) => [name, JSON.parse(text) as SynthesizedStack]));

function resources(json: SynthesizedStack, type: string): [string, Body][] {
  return Object.entries(json.resource?.[type] ?? {}) as [string, Body][];
}

/** The cluster a stack's Kubernetes provider authenticates to (`aws eks get-token --cluster-name <name>`). */
function clusterOf(json: SynthesizedStack): string | undefined {
  const provider = one((json.provider as Record<string, unknown> | undefined)?.kubernetes);
  const args = (one(provider?.exec)?.args ?? []) as string[];
  const index = args.indexOf("--cluster-name");
  return index >= 0 ? args[index + 1] : undefined;
}

/** A literal, or `${<type>.<name>.metadata[0].name}` resolved to that object's name in the same stack. */
function nameOf(json: SynthesizedStack, value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^\$\{(kubernetes_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.metadata\[0\]\.name\}$/.exec(value);
  if (!match) return value.includes("${") ? undefined : value;
  const target = json.resource?.[match[1] as string]?.[match[2] as string] as Body | undefined;
  const name = one(target?.metadata)?.name;
  return typeof name === "string" ? name : undefined;
}

interface Grant {
  readonly namespace?: string;
  readonly rules: readonly { apiGroups: string[]; resources: string[]; verbs: string[] }[];
}

interface ClusterView {
  readonly cluster: string;
  readonly members: readonly [string, SynthesizedStack][];
  readonly infra?: [string, SynthesizedStack];
}

function clusters(all: ReadonlyMap<string, SynthesizedStack>): ClusterView[] {
  const names = new Set([...all.values()].flatMap((json) => (clusterOf(json) ? [clusterOf(json) as string] : [])));
  return [...names].sort().map((cluster) => ({
    cluster,
    members: [...all].filter(([, json]) => clusterOf(json) === cluster),
    infra: [...all].find(([, json]) => resources(json, "aws_eks_cluster").some(([, body]) => body.name === cluster)),
  }));
}

/** What the plan group may do in a cluster, from the RBAC its stacks define. */
function grantsOf(view: ClusterView, group: string): { grants: Grant[]; problems: string[] } {
  const roles = new Map<string, Grant["rules"]>();
  for (const [, json] of view.members) {
    for (const type of ["kubernetes_cluster_role_v1", "kubernetes_cluster_role", "kubernetes_role_v1", "kubernetes_role"]) {
      for (const [, body] of resources(json, type)) {
        const metadata = one(body.metadata);
        const key = `${type.includes("cluster") ? "ClusterRole" : `Role/${String(metadata?.namespace)}`}:${String(metadata?.name)}`;
        roles.set(key, ((body.rule ?? []) as Body[]).map((rule) => ({ apiGroups: (rule.api_groups ?? []) as string[], resources: (rule.resources ?? []) as string[], verbs: (rule.verbs ?? []) as string[] })));
      }
    }
  }
  const grants: Grant[] = [];
  const problems: string[] = [];
  for (const [stack, json] of view.members) {
    for (const type of ["kubernetes_cluster_role_binding_v1", "kubernetes_cluster_role_binding", "kubernetes_role_binding_v1", "kubernetes_role_binding"]) {
      for (const [id, body] of resources(json, type)) {
        const subjects = ((Array.isArray(body.subject) ? body.subject : [body.subject]) as Body[]).filter((subject) => subject?.kind === "Group" && subject.name === group);
        if (subjects.length === 0) continue;
        const ref = one(body.role_ref) as Body;
        const namespace = type.includes("cluster") ? undefined : nameOf(json, one(body.metadata)?.namespace);
        const roleName = nameOf(json, ref.name);
        const key = ref.kind === "ClusterRole" ? `ClusterRole:${String(roleName)}` : `Role/${String(namespace)}:${String(roleName)}`;
        const rules = roles.get(key);
        if (!rules) problems.push(`${stack} ${type}.${id} binds ${group} to ${key}, which no stack of the cluster defines`);
        else grants.push({ ...(namespace === undefined ? {} : { namespace }), rules });
      }
    }
  }
  return { grants, problems };
}

function allows(grants: readonly Grant[], resource: ApiResource, namespace: string | undefined, verb: string): boolean {
  return grants.some(
    (grant) =>
      (grant.namespace === undefined || (resource.namespaced && grant.namespace === namespace)) &&
      grant.rules.some((rule) => rule.apiGroups.includes(resource.group) && rule.resources.includes(resource.resource) && rule.verbs.includes(verb)),
  );
}

/** Objects the Kubernetes provider manages in a stack: what it reads, where. */
function managedObjects(json: SynthesizedStack): { address: string; resource?: ApiResource; namespace?: string }[] {
  const out: { address: string; resource?: ApiResource; namespace?: string }[] = [];
  for (const [type, instances] of Object.entries(json.resource ?? {})) {
    if (!type.startsWith("kubernetes_")) continue;
    for (const [id, body] of Object.entries(instances) as [string, Body][]) {
      const address = `${type}.${id}`;
      if ((GENERIC_KUBERNETES_TYPES as readonly string[]).includes(type)) {
        const manifest = (type === "kubernetes_manifest" ? one(body.manifest) : body) as Body | undefined;
        const apiVersion = (manifest?.apiVersion ?? manifest?.api_version) as string;
        const kind = manifest?.kind as string;
        const resource = resourceOfKind(apiVersion, kind);
        const namespace = nameOf(json, one(manifest?.metadata)?.namespace);
        out.push({ address, ...(resource ? { resource } : {}), ...(namespace ? { namespace } : {}) });
        continue;
      }
      const resource = KUBERNETES_TYPE_RESOURCES[type];
      const metadata = one(body.metadata);
      const namespace = resource?.namespaced ? (nameOf(json, metadata?.namespace) ?? "default") : undefined;
      out.push({ address, ...(resource ? { resource } : {}), ...(namespace ? { namespace } : {}) });
    }
  }
  return out;
}

/** Every reason the plan group cannot plan the cluster's stacks, or could write. */
function planRoleProblems(view: ClusterView, group: string): string[] {
  const { grants, problems } = grantsOf(view, group);
  for (const grant of grants) {
    for (const rule of grant.rules) {
      const writes = rule.verbs.filter((verb) => !(READ_VERBS as readonly string[]).includes(verb));
      if (writes.length > 0) problems.push(`${group} may ${writes.join(", ")} ${rule.resources.join(", ")}${grant.namespace ? ` in ${grant.namespace}` : ""}`);
      if ([...rule.verbs, ...rule.resources, ...rule.apiGroups].includes("*")) problems.push(`${group} has a wildcard rule: ${JSON.stringify(rule)}`);
    }
  }
  for (const [stack, json] of view.members) {
    for (const object of managedObjects(json)) {
      if (!object.resource) {
        problems.push(`${stack}: ${object.address} manages an object kind the plan role's RBAC does not know: add it to constructs/plan-access/rules.ts`);
        continue;
      }
      const secret = object.resource.group === "" && object.resource.resource === "secrets";
      if (!secret && !allows(grants, object.resource, object.namespace, "get")) problems.push(`${stack}: ${group} cannot get ${object.address} (${object.resource.resource} in ${object.namespace ?? "the cluster"})`);
      if (secret && !allows(grants, object.resource, object.namespace, "get")) problems.push(`${stack}: ${group} cannot get Secret ${object.address} in ${object.namespace}`);
    }
    for (const [id, body] of resources(json, "helm_release")) {
      const namespace = (body.namespace as string | undefined) ?? "default";
      const secrets: ApiResource = { group: "", resource: "secrets", namespaced: true };
      for (const verb of ["list", "get"]) {
        if (!allows(grants, secrets, namespace, verb)) problems.push(`${stack}: ${group} cannot ${verb} the release Secrets of helm_release.${id} in ${namespace}`);
      }
    }
  }
  return problems;
}

describe("the CI plan role in every cluster", () => {
  const views = clusters(stacks);

  it("covers every cluster the bundled stacks target (environments and dedicated tenants)", () => {
    expect(views.map((view) => view.cluster)).toEqual(["acme-dev-eks", "acme-prod-eks", "acme-prod-initech-eks", "acme-staging-eks"]);
    expect(views.find((view) => view.cluster === "acme-prod-eks")?.members.map(([name]) => name).sort()).toEqual(["prod-platform", "prod-tenant-globex"]);
  });

  for (const view of views) {
    describe(`cluster ${view.cluster}`, () => {
      it("has an access entry for its environment's plan role, in the plan group, with no EKS access policy", () => {
        const [infraName, infra] = view.infra ?? [];
        expect(infraName, `no infra stack creates ${view.cluster}`).toBeDefined();
        const entries = resources(infra as SynthesizedStack, "aws_eks_access_entry").filter(([, body]) => String(body.principal_arn).endsWith("-ci-plan"));
        expect(entries.map(([, body]) => [body.principal_arn, body.kubernetes_groups])).toEqual([[expect.stringMatching(/^arn:aws:iam::111111111111:role\/acme-(dev|staging|prod)-ci-plan$/), [CI_PLAN_KUBERNETES_GROUP]]]);
        const [entryId] = entries[0] ?? [];
        const associations = resources(infra as SynthesizedStack, "aws_eks_access_policy_association").filter(([, body]) => String(body.principal_arn).includes(`aws_eks_access_entry.${String(entryId)}.`));
        expect(associations).toEqual([]);
        // The preflight sees the plan role as a principal that must exist.
        const [, planEntry] = entries[0] ?? [];
        expect(accessEntryPrincipals(infra as SynthesizedStack, infraName)).toContainEqual(expect.objectContaining({ kind: "role", arn: planEntry?.principal_arn }));
      });

      it("can read everything the platform and tenant stacks manage, and write nothing", () => {
        expect(planRoleProblems(view, CI_PLAN_KUBERNETES_GROUP)).toEqual([]);
      });
    });
  }

  it("finds the gaps of a deliberately broken cluster: a release namespace without its binding, and a write verb", () => {
    const view = views.find((candidate) => candidate.cluster === "acme-prod-eks") as ClusterView;
    const broken = view.members.map(([name, json]): [string, SynthesizedStack] => {
      const copy = JSON.parse(JSON.stringify(json)) as SynthesizedStack & { resource: Record<string, Record<string, Body>> };
      if (name === "prod-tenant-globex") delete copy.resource.kubernetes_role_binding_v1;
      for (const role of Object.values(copy.resource.kubernetes_cluster_role_v1 ?? {})) {
        const rules = role.rule as Body[];
        if (rules[0]) rules[0].verbs = [...(rules[0].verbs as string[]), "patch"];
      }
      return [name, copy];
    });
    const problems = planRoleProblems({ ...view, members: broken }, CI_PLAN_KUBERNETES_GROUP);
    expect(problems).toContainEqual(expect.stringMatching(/^prod-tenant-globex: platform:ci-plan cannot list the release Secrets of helm_release\..* in globex-noor$/));
    expect(problems).toContainEqual(expect.stringMatching(/^platform:ci-plan may patch /));
  });

  it("no Helm provider enables the manifest experiment (a plan-time server-side dry run, which needs patch)", () => {
    for (const [name, json] of stacks) {
      for (const provider of ((json.provider as Record<string, Body[]> | undefined)?.helm ?? [])) expect(provider.experiments, name).toBeUndefined();
    }
  });
});
