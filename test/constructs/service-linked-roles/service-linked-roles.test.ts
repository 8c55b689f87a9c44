import { OpensearchDomain } from "@cdktf/provider-aws/lib/opensearch-domain";
import { describe, expect, it } from "vitest";
import { RequireServiceLinkedRole, ServiceLinkedRoles } from "../../../constructs/service-linked-roles";
import { requireServiceLinkedRoles } from "../../../constructs/service-linked-roles/aspect";
import { resourceList, synthConstruct } from "../../support/synth";

describe("ServiceLinkedRoles", () => {
  it("creates the roles AWS does not create on first use, except the ones the account has", () => {
    const { json } = synthConstruct((scope) => new ServiceLinkedRoles(scope, "slr", { services: ["spot.amazonaws.com", "opensearchservice.amazonaws.com"], existing: ["spot.amazonaws.com"] }));
    expect(resourceList(json, "aws_iam_service_linked_role").map((role) => role.aws_service_name)).toEqual(["opensearchservice.amazonaws.com"]);
  });

  it("rejects a role the service creates itself, and an unknown service", () => {
    expect(() => synthConstruct((scope) => new ServiceLinkedRoles(scope, "slr", { services: ["eks.amazonaws.com"] }))).toThrow(/created by the service on first use/);
    expect(() => synthConstruct((scope) => new ServiceLinkedRoles(scope, "slr", { services: ["nothing.amazonaws.com"] }))).toThrow(/no service-linked role recorded for nothing\.amazonaws\.com/);
  });
});

describe("RequireServiceLinkedRole and the stacks' aspect", () => {
  it("looks the role up by its path and fails the plan with the account stack to apply", () => {
    const { json } = synthConstruct((scope) => new RequireServiceLinkedRole(scope, "require", { service: "spot.amazonaws.com", accountStack: "account-main" }));
    const lookup = Object.values(json.data?.aws_iam_roles ?? {})[0] as { path_prefix: string; name_regex: string; lifecycle: { postcondition: { error_message: string }[] } };
    expect(lookup.path_prefix).toBe("/aws-service-role/spot.amazonaws.com/");
    expect(lookup.name_regex).toBe("^AWSServiceRoleForEC2Spot$");
    expect(lookup.lifecycle.postcondition[0]!.error_message).toMatch(/AWSServiceRoleForEC2Spot .* applies account-main first/);
  });

  it("makes a resource that needs one depend on the lookup (once per service), and leaves others alone", () => {
    const { json } = synthConstruct((scope) => {
      new OpensearchDomain(scope, "in-vpc", { domainName: "acme-a", vpcOptions: { subnetIds: ["subnet-1"] } });
      new OpensearchDomain(scope, "in-vpc-too", { domainName: "acme-b", vpcOptions: { subnetIds: ["subnet-1"] } });
      new OpensearchDomain(scope, "public", { domainName: "acme-c" });
      requireServiceLinkedRoles(scope as never, "account-main");
    });
    const domains = json.resource?.aws_opensearch_domain ?? {};
    const lookups = Object.keys(json.data?.aws_iam_roles ?? {});
    expect(lookups).toHaveLength(1);
    expect(Object.entries(domains).map(([id, domain]) => [id.split("_")[0], domain.depends_on])).toEqual([
      ["in-vpc", [`data.aws_iam_roles.${lookups[0]}`]],
      ["in-vpc-too", [`data.aws_iam_roles.${lookups[0]}`]],
      ["public", undefined],
    ]);
  });
});
