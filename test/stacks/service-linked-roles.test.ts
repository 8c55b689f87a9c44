/**
 * Check (c): every resource that needs a service-linked role AWS does not create on first use finds it in its
 * account (created by the account stack, or declared existing) and waits for it in its own stack (a plan-time lookup
 * that fails with a clear message). Generic over every synthesized stack, from the committed table
 * (constructs/service-linked-roles/catalog.ts); shown to fail on a fixture.
 */
import { OpensearchDomain } from "@cdktf/provider-aws/lib/opensearch-domain";
import { describe, expect, it } from "vitest";
import { serviceLinkedRolesNeededBy, SERVICE_LINKED_ROLES, SERVICE_LINKED_ROLE_REQUIREMENTS, API_CREATED_SLR_SERVICES } from "../../constructs/service-linked-roles/catalog";
import { serviceLinkedRoleProblems, type StackInAccount } from "../../constructs/service-linked-roles/check";
import { StackModel } from "../../constructs/policy/model";
import { stackCatalog } from "../../stacks/app";
import { accountStackName } from "../../stacks/names";
import { fixture } from "../constructs/policy/cases/support";
import { bundledModels } from "../support/iam";
import { bundledConfig } from "../support/synth";

const config = bundledConfig();
const models = new Map(bundledModels().map((model) => [model.stackName, model]));

function inAccounts(): StackInAccount[] {
  return stackCatalog(config).map((entry) => ({
    model: models.get(entry.name)!,
    accountStack: models.get(accountStackName(entry.accountName)),
    existing: config.project.accounts[entry.accountName]?.serviceLinkedRoles.existing ?? [],
  }));
}

describe("service-linked roles (check c)", () => {
  it("records, for every service the platform uses, who creates its role and where that is documented", () => {
    for (const fact of SERVICE_LINKED_ROLES) {
      expect(fact.roleName, fact.service).toMatch(/^AWSServiceRoleFor/);
      expect(fact.source.length, fact.service).toBeGreaterThan(20);
    }
    for (const requirement of SERVICE_LINKED_ROLE_REQUIREMENTS) expect(SERVICE_LINKED_ROLES.find((fact) => fact.service === requirement.service)?.createdBy).toBe("account-stack");
    expect(API_CREATED_SLR_SERVICES).toEqual(expect.arrayContaining(["eks.amazonaws.com", "rds.amazonaws.com", "elasticache.amazonaws.com", "mq.amazonaws.com"]));
    expect(API_CREATED_SLR_SERVICES).not.toContain("opensearchservice.amazonaws.com");
  });

  it("every bundled resource that needs one has it in its account and waits for it in its own stack", () => {
    const stacks = inAccounts();
    expect(serviceLinkedRoleProblems(stacks).map((problem) => problem.message)).toEqual([]);
    // The check is not vacuous: OpenSearch domains, Karpenter's spot pool and the Config recorder need one.
    const needing = stacks.flatMap(({ model }) => model.all().filter((block) => block.kind === "resource" && SERVICE_LINKED_ROLE_REQUIREMENTS.some((requirement) => requirement.type === block.type && requirement.when(block.body))).map((block) => `${model.stackName}:${block.type}`));
    expect(new Set(needing)).toEqual(new Set(["dev-infra:aws_opensearch_domain", "staging-infra:aws_opensearch_domain", "prod-infra:aws_opensearch_domain", "dev-platform:helm_release", "staging-platform:helm_release", "account-main:aws_config_configuration_recorder"]));
  });

  it("the account stack creates the roles its accounts' configuration needs (OpenSearch, spot, Config)", () => {
    const account = models.get("account-main")!;
    expect(account.resources("aws_iam_service_linked_role").map((role) => role.body.aws_service_name).sort()).toEqual(["config.amazonaws.com", "opensearchservice.amazonaws.com", "spot.amazonaws.com"]);
    const environments = config.environments.map(({ config: environment }) => environment);
    expect(new Set(environments.flatMap((environment) => serviceLinkedRolesNeededBy(environment)))).toEqual(new Set(["opensearchservice.amazonaws.com", "spot.amazonaws.com"]));
  });

  it("fails a domain whose account stack lacks the role and that does not wait for it (fixture)", () => {
    const domain = new StackModel(
      fixture((scope) => new OpensearchDomain(scope, "search", { domainName: "acme-prod-search", vpcOptions: { subnetIds: ["subnet-1"] } })),
      "prod-infra",
    );
    const account = new StackModel(fixture(() => undefined), "account-main");
    const problems = serviceLinkedRoleProblems([{ model: domain, accountStack: account, existing: [] }]);
    expect(problems.map((problem) => problem.message)).toEqual([
      expect.stringMatching(/aws_opensearch_domain with vpc_options\) needs the service-linked role of opensearchservice\.amazonaws\.com: its account stack account-main does not create it/),
      expect.stringMatching(/does not depend on a lookup of that role in its own stack/),
    ]);
    // Declared existing in the account: only the missing dependency remains; a domain outside a VPC needs none.
    expect(serviceLinkedRoleProblems([{ model: domain, accountStack: account, existing: ["opensearchservice.amazonaws.com"] }])).toHaveLength(1);
    const outsideVpc = new StackModel(fixture((scope) => new OpensearchDomain(scope, "search", { domainName: "acme-prod-search" })), "prod-infra");
    expect(serviceLinkedRoleProblems([{ model: outsideVpc, accountStack: account, existing: [] }])).toEqual([]);
  });

  it("a missing role stops the plan with a message naming the account stack to apply", () => {
    // The stack also looks up the SSO permission sets' roles (cluster access, under /aws-reserved/): take the service-linked role's.
    const lookups = Object.values(models.get("prod-infra")!.json.data?.aws_iam_roles ?? {}) as { lifecycle: { postcondition: { condition: string; error_message: string }[] }; path_prefix: string }[];
    const lookup = lookups.find((candidate) => candidate.path_prefix.startsWith("/aws-service-role/"))!;
    expect(lookups.filter((candidate) => candidate.path_prefix.startsWith("/aws-service-role/")).map((candidate) => candidate.path_prefix)).toEqual(["/aws-service-role/opensearchservice.amazonaws.com/"]);
    expect(lookup.lifecycle.postcondition[0]?.condition).toBe("${length(self.names) == 1}");
    expect(lookup.lifecycle.postcondition[0]?.error_message).toMatch(/AWSServiceRoleForAmazonOpenSearchService .* does not exist in this account.*applies account-main first/);
  });
});
