/**
 * Every resource built from a configuration entry resolves to the key that produced it, in the file that writes it.
 */
import { describe, expect, it } from "vitest";
import { formatPath } from "../../config/errors";
import { configOrigin, stackOwners } from "../../stacks/provenance";
import { bundledConfig, bundledSynth } from "../support/synth";

const config = bundledConfig();
const owners = stackOwners(config);

/** Construct paths of every resource of the bundled stacks. */
function resourcePaths(): string[] {
  const paths: string[] = [];
  for (const text of bundledSynth().values()) {
    const json = JSON.parse(text) as { resource?: Record<string, Record<string, { "//"?: { metadata?: { path?: string } } }>> };
    for (const instances of Object.values(json.resource ?? {})) {
      for (const body of Object.values(instances)) if (body["//"]?.metadata?.path) paths.push(body["//"].metadata.path);
    }
  }
  return paths;
}

function originOf(path: string): string | undefined {
  const origin = configOrigin(config, path, owners);
  return origin ? `${origin.source.file} ${formatPath(origin.path)}${origin.written ? "" : " (default)"}` : undefined;
}

describe("configOrigin", () => {
  const paths = resourcePaths();

  it("places every resource of every stack in a configuration file", () => {
    expect(paths.length).toBeGreaterThan(500);
    expect(paths.filter((path) => originOf(path) === undefined)).toEqual([]);
  });

  it("resolves each configured bucket, data service, backup plan and product workload to the key its file writes", () => {
    const expected = new Map<string, string>();
    for (const { config: environment, source } of config.environments) {
      const infra = `${environment.name}-infra`;
      for (const bucket of Object.keys(environment.storage.buckets)) expected.set(`${infra}/storage/bucket-${bucket}`, `${source.file} storage.buckets.${bucket}`);
      for (const kind of ["postgres", "redis", "documentdb", "opensearch", "rabbitmq"] as const) {
        for (const service of Object.keys(environment.services[kind])) expected.set(`${infra}/services/${kind}-${service}`, `${source.file} services.${kind}.${service}`);
      }
      for (const plan of Object.keys(environment.backup.plans)) expected.set(`${infra}/backup/plan-${plan}`, `${source.file} backup.plans.${plan}${source.has(["backup", "plans", plan]) ? "" : " (default)"}`);
      for (const [product, instance] of Object.entries(environment.products)) {
        const file = config.productSources.get(product)?.file;
        for (const workload of Object.keys(instance.workloads)) {
          const override = source.has(["products", product, "workloads", workload]);
          expected.set(`${environment.name}-platform/product-${product}/workload-${workload}`, override ? `${source.file} products.${product}.workloads.${workload}` : `${file} workloads.${workload}`);
        }
      }
    }
    expect(expected.size).toBeGreaterThan(40);
    for (const [prefix, origin] of expected) {
      const matching = paths.filter((path) => path === prefix || path.startsWith(`${prefix}/`));
      expect(matching.length, `resources under ${prefix}`).toBeGreaterThan(0);
      for (const path of matching) expect(originOf(path), path).toBe(origin);
    }
  });

  it("places the account baseline in project.yaml accounts.<name>, the CI roles at their environment's deployment", () => {
    expect(originOf("account-main/detective-controls/trail")).toBe("config/project.yaml accounts.main.controls.cloudTrail (default)");
    expect(originOf("account-main/detective-controls/guardduty-eks-audit-logs")).toBe("config/project.yaml accounts.main.controls.guardDuty (default)");
    expect(originOf("account-main/detective-controls/config-recorder")).toBe("config/project.yaml accounts.main.controls.config (default)");
    expect(originOf("account-main/detective-controls/access-analyzer")).toBe("config/project.yaml accounts.main.controls.accessAnalyzer (default)");
    expect(originOf("account-main/audit-logs/bucket")).toBe("config/project.yaml accounts.main.auditLogs (default)");
    expect(originOf("account-main/service-linked-roles/opensearchservice")).toBe("config/project.yaml accounts.main.serviceLinkedRoles (default)");
    expect(originOf("account-main/boundary/policy")).toBe("config/project.yaml accounts.main");
    expect(originOf("account-main/ci/github-oidc")).toBe("config/project.yaml github");
    expect(originOf("account-main/ci/staging-deploy-guard-policy")).toMatch(/^config\/environments\/staging\.yaml deployment/);
  });

  it("places DNS zones at edge.domains.<key> and a delegation record at the child domain's key, in the file declaring it", () => {
    expect(originOf("prod-dns/zones/zone-platform/zone")).toBe("config/environments/prod.yaml edge.domains.platform");
    expect(originOf("staging-dns/zones/zone-noor/zone")).toBe("config/environments/staging.yaml edge.domains.noor");
    // prod-dns writes the NS records of staging's platform zone: staging.yaml declares that domain.
    expect(originOf("prod-dns/zones/delegation-staging-acme-example-com")).toBe("config/environments/staging.yaml edge.domains.platform");
  });

  it("places the plan role's RBAC at cluster.access, a product namespace's Secrets binding at the product", () => {
    expect(originOf("prod-platform/ci-plan-access/read-role")).toBe("config/environments/prod.yaml cluster.access");
    expect(originOf("prod-platform/ci-plan-access/release-secrets-noor")).toBe("config/environments/prod.yaml products.noor");
    expect(originOf("prod-platform/ci-plan-access/release-secrets-external-dns")).toMatch(/^config\/environments\/prod\.yaml addons\.externalDns/);
  });

  it("points a tenant's resources at the tenant file where it writes the key, else at its environment's", () => {
    expect(originOf("tenant-initech-infra/services/postgres-smartedu-db/cluster")).toBe("config/tenants/initech.yaml services.postgres.smartedu-db");
    expect(originOf("tenant-initech-infra/network/vpc")).toBe("config/tenants/initech.yaml network");
    expect(originOf("tenant-initech-infra/alerts/topic")).toBe("config/environments/prod.yaml alerts");
    expect(originOf("prod-tenant-globex/product-noor/database-database/job")).toBe("config/tenants/globex.yaml products.noor");
    expect(originOf("bootstrap/state/bucket")).toBe("config/project.yaml bootstrap");
  });
});
