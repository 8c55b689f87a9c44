import { describe, expect, it } from "vitest";
import { Naming } from "../../../constructs/core/naming";
import { TenantProduct, tenantQuota, type TenantProductProps } from "../../../constructs/tenant-product";
import { bundledConfig, resourceList, synthConstruct } from "../../support/synth";

const config = bundledConfig();
const prod = config.environments.find((entry) => entry.config.name === "prod")!.config;
const globex = config.tenants.find((entry) => entry.config.id === "globex")!;
const props: TenantProductProps = {
  tenant: globex.config,
  name: "noor",
  product: globex.products.noor!,
  environment: prod,
  naming: new Naming({ project: "acme", environment: "prod", tenant: "globex" }),
  account: { accountId: prod.account.id, region: prod.account.region },
  clusterName: "acme-prod",
  protectSecrets: true,
};

describe("TenantProduct", () => {
  const protectedJson = synthConstruct((scope) => new TenantProduct(scope, "noor", props)).json;
  const decommissioned = synthConstruct((scope) => new TenantProduct(scope, "noor", { ...props, protectSecrets: false })).json;

  it("wires the product, its certificate and its database (defaults)", () => {
    expect(resourceList(protectedJson, "kubernetes_namespace_v1")).toHaveLength(1);
    expect(resourceList(protectedJson, "aws_acm_certificate")[0]).toMatchObject({ domain_name: "globex.noor.example.com", subject_alternative_names: ["*.globex.noor.example.com"] });
    expect(resourceList(protectedJson, "kubernetes_job_v1").some((job) => JSON.stringify(job).includes("CREATE ROLE"))).toBe(true);
  });

  it("protects the tenant's secrets unless the tenant is being decommissioned", () => {
    for (const secret of resourceList(protectedJson, "aws_secretsmanager_secret")) expect(secret.lifecycle).toMatchObject({ prevent_destroy: true });
    for (const secret of resourceList(decommissioned, "aws_secretsmanager_secret")) expect(secret.lifecycle).toMatchObject({ prevent_destroy: false });
  });

  it("derives the limits quota from the requests quota unless set", () => {
    expect(tenantQuota({ cpu: "4", memory: "8Gi", pods: 10 })).toEqual({ requestsCpu: "4", requestsMemory: "8Gi", limitsCpu: "8000m", limitsMemory: "16384Mi", pods: 10 });
    expect(tenantQuota({ cpu: "4", memory: "8Gi", limitsCpu: "5", limitsMemory: "9Gi", pods: 10 }).limitsCpu).toBe("5");
  });

  it("rejects a product the environment does not run", () => {
    expect(() => synthConstruct((scope) => new TenantProduct(scope, "x", { ...props, name: "nope" }))).toThrow(/environment does not run product "nope" \(its products: murima, noor, smartedu\)/);
  });

  it("rejects the environment's own namespace", () => {
    const product = { ...props.product, namespace: "noor" };
    expect(() => synthConstruct((scope) => new TenantProduct(scope, "x", { ...props, product }))).toThrow(/namespace "noor" is the environment's own namespace of noor/);
  });

  it("rejects a domain no hosted zone contains", () => {
    const environment = { ...prod, edge: { ...prod.edge, domains: {} }, products: { ...prod.products, noor: { ...prod.products.noor!, domain: undefined } } } as unknown as TenantProductProps["environment"];
    expect(() => synthConstruct((scope) => new TenantProduct(scope, "x", { ...props, environment }))).toThrow(/globex\.noor\.example\.com is in none of the environment's hosted zones \(none\); a custom domain needs its certificate ARN/);
  });
});

