/**
 * The names a dedicated tenant may set where its guide requires them: its EKS cluster (`cluster.name`) and its
 * products' namespaces (`products.<name>.namespace`). Murima's guide deploys a dedicated tenant as cluster
 * `murima-<tenant>` with the services in namespace `<tenant>` (murima-deployment-guide.md, 2.2 "Dedicated").
 */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../config/loader";
import { only, problems } from "../support/config-problems";
import { buildStacks, resourceList, synthJson, tempConfigsRemovedAfterAll } from "../support/synth";
import type { Json } from "../constructs/workload/fixtures";

/** Temporary configuration directories, removed after this file's tests. */
const config = tempConfigsRemovedAfterAll();

const TENANT = "tenants/tenant123.yaml";
const murimaTenant = (extra: string) =>
  `id: tenant123\nenvironment: prod\nisolation: dedicated\nnetwork: { cidr: 10.130.0.0/16 }\n${extra}`;
const issuesOf = (dir: string, file = TENANT) => problems(dir).filter((issue) => issue.file.endsWith(file));

describe("dedicated tenant names: defaults", () => {
  it("derives the cluster name and the namespaces from the tenant id", () => {
    const initech = loadConfig(config({})).tenants.find(({ config: tenant }) => tenant.id === "initech");
    expect(initech?.config.cluster).toBeUndefined();
    expect(initech?.environment.products.smartedu?.namespace).toBe("initech-smartedu");
  });

  it("names the cluster and the namespace as Murima's guide does, with unchanged construct ids", async () => {
    const dir = config({ write: { [TENANT]: murimaTenant("cluster: { name: murima-tenant123 }\nproducts:\n  murima: { namespace: tenant123 }\n") } });
    const loaded = loadConfig(dir);
    expect(loaded.tenants.find(({ config: tenant }) => tenant.id === "tenant123")?.environment.products.murima?.namespace).toBe("tenant123");
    const stacks = await buildStacks(loaded, { stackPatterns: ["tenant-tenant123-*"] });
    const infra = synthJson(stacks.get("tenant-tenant123-infra") as NonNullable<ReturnType<typeof stacks.get>>);
    const clusters = Object.entries(infra.resource?.aws_eks_cluster ?? {}) as [string, Json][];
    expect(clusters.map(([, cluster]) => cluster.name)).toEqual(["murima-tenant123"]);
    expect(clusters.map(([id]) => id)).toEqual([expect.stringMatching(/^cluster_/)]);
    const platform = synthJson(stacks.get("tenant-tenant123-platform") as NonNullable<ReturnType<typeof stacks.get>>);
    const namespaces = (resourceList(platform, "kubernetes_namespace_v1") as Json[]).map((namespace) => namespace.metadata.name);
    expect(namespaces).toContain("tenant123");
    expect(JSON.stringify(platform.data?.aws_eks_cluster)).toContain('"name":"murima-tenant123"');
  });
});

describe("dedicated tenant names: bad input", () => {
  it("rejects a cluster name EKS would refuse", () => {
    const issue = only(issuesOf(config({ write: { [TENANT]: murimaTenant("cluster: { name: Murima_Tenant }\nproducts: { murima: {} }\n") } })), "cluster.name");
    expect(issue.message).toBe("expected an EKS cluster name: lowercase letters, digits and '-', starting and ending with a letter or digit");
  });

  it("rejects a cluster name another cluster of the account and region has", () => {
    const issue = only(issuesOf(config({ write: { [TENANT]: murimaTenant("cluster: { name: acme-prod-eks }\nproducts: { murima: {} }\n") } })), "cluster.name");
    expect(issue.message).toMatch(/^EKS cluster acme-prod-eks is already environment prod's in account \d{12} \([a-z0-9-]+\); cluster names are unique per account and region$/);
  });

  it("rejects a cluster on a shared tenant", () => {
    const shared = "id: tenant123\nenvironment: prod\nisolation: shared\ningressGroup: 1\ncluster: { name: murima-tenant123 }\nproducts: { murima: {} }\n";
    expect(only(issuesOf(config({ write: { [TENANT]: shared } })), "cluster").message).toMatch(/^a shared tenant runs in environment prod's cluster; only a dedicated tenant has its own to name/);
  });

  it("rejects a namespace on a shared tenant's product", () => {
    const shared = "id: tenant123\nenvironment: prod\nisolation: shared\ningressGroup: 1\nproducts: { noor: { namespace: tenant123 } }\n";
    expect(only(issuesOf(config({ write: { [TENANT]: shared } })), "products.noor.namespace").message).toMatch(/^a shared tenant's namespaces are tenant123-noor and so on/);
  });

  it("rejects a namespace that is not a Kubernetes name, a reserved one and one two products share", () => {
    expect(only(issuesOf(config({ write: { [TENANT]: murimaTenant("products: { murima: { namespace: Tenant_123 } }\n") } })), "products.murima.namespace").message).toMatch(/^expected a Kubernetes namespace name \(RFC 1123 label\)/);
    expect(only(issuesOf(config({ write: { [TENANT]: murimaTenant("products: { murima: { namespace: monitoring } }\n") } })), "products.murima.namespace").message).toMatch(/^monitoring is a namespace Kubernetes or the platform's add-ons use in every cluster/);
    const both = issuesOf(config({ write: { [TENANT]: murimaTenant("products: { murima: { namespace: apps }, noor: { namespace: apps } }\n") } }));
    expect(only(both, "products.noor.namespace").message).toBe("products murima and noor would share namespace apps; each product needs its own");
  });
});
