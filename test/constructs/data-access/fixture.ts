/**
 * Shared props for data-service construct tests: a data tier over three zones with literal ids, the data and
 * logs keys, and the workload security group passed as a literal id.
 */
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { Construct } from "constructs";
import { Naming } from "../../../constructs/core/naming";
import type { DataServiceProps } from "../../../constructs/data-access";
import { TEST_ACCOUNT } from "../../support/synth";

export const naming = new Naming({ project: "acme", environment: "test" });
export const WORKLOAD_SG = "sg-0123456789abcdef0";

export function serviceProps(scope: Construct, name: string, overrides: Partial<DataServiceProps> = {}): DataServiceProps {
  return {
    naming,
    account: TEST_ACCOUNT,
    name,
    dataTier: {
      vpcId: "vpc-0123456789abcdef0",
      subnetIds: ["subnet-0000000000000000a", "subnet-0000000000000000b", "subnet-0000000000000000c"],
      availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
      dbSubnetGroupName: "acme-test-data",
      cacheSubnetGroupName: "acme-test-data",
    },
    allowedSecurityGroupIds: [WORKLOAD_SG],
    encryptionKey: new KmsKey(scope, "data-key", {}),
    logging: { retentionDays: 30, kmsKey: new KmsKey(scope, "logs-key", {}) },
    ...overrides,
  };
}

/** The only resource of `type` in `json` (test/support/synth.ts). */
export { onlyResource as only } from "../../support/synth";

/** Parses the JSON of a connection parameter value `${jsonencode({...})}` into key -> HCL expression text. */
export function connectionKeys(value: unknown): Record<string, string> {
  const text = String(value);
  const body = /^\$\{jsonencode\(\{(.*)\}\)\}$/s.exec(text)?.[1] ?? "";
  return Object.fromEntries([...body.matchAll(/"(\w+)" = ((?:[^,"]|"[^"]*")+)/g)].map((match) => [match[1], (match[2] as string).trim()]));
}
