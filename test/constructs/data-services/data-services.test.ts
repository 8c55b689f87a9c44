import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { describe, expect, it } from "vitest";
import { bundledConfig, resourcesOf, synthConstruct, TEST_ACCOUNT } from "../../support/synth";
import { DataServices, type DataServicesProps } from "../../../constructs/data-services";
import { naming, WORKLOAD_SG } from "../data-access/fixture";

const devEnvironment = bundledConfig().environments.find((environment) => environment.config.name === "dev");
if (!devEnvironment) throw new Error("the bundled configuration has no dev environment");
const devServices = devEnvironment.config.services;

function dataServices(overrides: Partial<DataServicesProps> = {}) {
  return synthConstruct((scope) =>
    new DataServices(scope, "services", {
      naming,
      account: TEST_ACCOUNT,
      services: devServices,
      dataTier: {
        vpcId: "vpc-1",
        subnetIds: ["subnet-a", "subnet-b", "subnet-c"],
        availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
        dbSubnetGroupName: "acme-test-data",
        cacheSubnetGroupName: "acme-test-data",
      },
      allowedSecurityGroupIds: [WORKLOAD_SG],
      functionSubnetIds: ["subnet-private-a", "subnet-private-b"],
      keys: { data: new KmsKey(scope, "data-key", {}), logs: new KmsKey(scope, "logs-key", {}) },
      logRetentionDays: 30,
      protectState: false,
      highAvailability: false,
      ...overrides,
    }),
  );
}

describe("DataServices", () => {
  const { json, construct } = dataServices();

  it("builds one construct per declared service, with ids keyed by kind and name", () => {
    expect(Object.keys(construct.postgres).sort()).toEqual(["murima-db", "noor-db", "smartedu-db"]);
    expect(Object.keys(construct.connections).sort()).toEqual(["murima-cache", "murima-db", "murima-docs", "murima-mq", "murima-search", "noor-cache", "noor-db", "smartedu-cache", "smartedu-db"]);
    expect(Object.keys(resourcesOf(json, "aws_rds_cluster")).map((id) => id.replace(/_[0-9A-F]{8}$/, "")).sort()).toEqual([
      "services_postgres-murima-db_cluster",
      "services_postgres-noor-db_cluster",
      "services_postgres-smartedu-db_cluster",
    ]);
  });

  it("passes the profile's protection and availability to every service", () => {
    for (const cluster of Object.values(resourcesOf(json, "aws_rds_cluster"))) expect(cluster.deletion_protection).toBe(false);
    expect(() => dataServices({ highAvailability: true })).toThrow(/production needs at least 1 reader/);
  });

  it("rejects a service name that a bucket already uses", () => {
    expect(() => dataServices({ reservedNames: ["noor-db"] })).toThrow(/service name "noor-db" \(postgres\) is also used by a bucket; names are unique per environment across kinds/);
  });
});
