import { TerraformStack, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { Naming } from "../../../constructs/core/naming";
import { SEARCH_SECURITY_NAMESPACE, SearchSecurity, type SearchSecurityProps } from "../../../constructs/search-security";
import { resourceList, synthConstruct, TEST_ACCOUNT } from "../../support/synth";
import { policyOf } from "../workload/fixtures";

const naming = new Naming({ project: "acme", environment: "prod" });
const props: SearchSecurityProps = { naming, account: TEST_ACCOUNT, services: ["search", "logs-search"], policy: policyOf("production") };

describe("SearchSecurity", () => {
  it("defaults: a restricted namespace with one admin service account per domain, bound to that domain's master role", () => {
    const { json, construct } = synthConstruct((scope) => new SearchSecurity(scope, "security", props));
    expect((resourceList(json, "kubernetes_namespace_v1")[0] as { metadata: { name: string; labels: Record<string, string> } }).metadata).toMatchObject({
      name: SEARCH_SECURITY_NAMESPACE,
      labels: { "pod-security.kubernetes.io/enforce": "restricted" },
    });
    expect((resourceList(json, "kubernetes_service_account_v1") as { metadata: { name: string } }[]).map((account) => account.metadata.name).sort()).toEqual(["search-admin-logs-search", "search-admin-search"]);
    expect(resourceList(json, "aws_eks_pod_identity_association").map((association) => [association.service_account, association.role_arn]).sort()).toEqual([
      ["search-admin-logs-search", "arn:aws:iam::123456789012:role/acme-prod-search-logs-search-admin"],
      ["search-admin-search", "arn:aws:iam::123456789012:role/acme-prod-search-search-admin"],
    ]);
    expect(construct.ready.length).toBe(7);
  });

  it("rejects having nothing to administer", () => {
    expect(() => new SearchSecurity(new TerraformStack(Testing.app(), "t"), "s", { ...props, services: [] })).toThrow("SearchSecurity s: no search service to administer");
  });
});
