/**
 * `project.yaml`: settings shared by every environment and tenant — the name prefix, ownership tags, the AWS
 * accounts (config/schema/accounts.ts) and which of them holds Terraform state, and the GitHub repository CI runs
 * from.
 */
import { z } from "zod";
import { AccountsSchema, describeAccounts } from "./accounts";
import { dnsLabel, ipv4Cidr, parseCidr, tagMap } from "./primitives";

const MOVED_TO_ACCOUNTS = "moved: declare the account under accounts (name: { id, region }) and set bootstrap.account to its name";

export const ProjectSchema = z.strictObject({
  /** Short prefix of every resource name. Kept short so names fit the tightest AWS limits (OpenSearch: 28). */
  name: dnsLabel(10, "a project name"),
  /** Team that owns the platform; becomes the `Owner` tag. */
  owner: z.string().min(1).max(128),
  /** Cost centre for billing; becomes the `CostCentre` tag. */
  costCentre: z.string().min(1).max(128),
  /** Extra tags applied to every resource of every stack. */
  tags: tagMap,
  /** Every AWS account the platform uses, by name (see config/schema/accounts.ts). */
  accounts: AccountsSchema,
  bootstrap: z.strictObject({
    /** Name (in `accounts`) of the account that holds the Terraform state bucket, in that account's home region. */
    account: dnsLabel(20, "an account name"),
    /** Days a superseded state version is kept before it expires. */
    stateVersionRetentionDays: z.int().min(7).max(3650),
    /** Replaced by `accounts` and `bootstrap.account`. */
    accountId: z.never({ error: MOVED_TO_ACCOUNTS }).optional(),
    /** Replaced by the bootstrap account's `region`. */
    region: z.never({ error: "moved: the state bucket lives in the bootstrap account's region (accounts.<name>.region)" }).optional(),
  }),
  tenancy: z
    .strictObject({
      /** Pool that dedicated tenants' VPC CIDRs are allocated from (by `npm run tenant -- add`). */
      cidrPool: ipv4Cidr({ minPrefix: 8, maxPrefix: 24, privateOnly: true }),
      /** Prefix length of each dedicated tenant's VPC. */
      blockPrefix: z.int().min(16).max(24),
      /**
       * Shared tenants per load balancer. Shared tenants are spread over ALB ingress groups (`ingressGroup` in the
       * tenant file, allocated by `npm run tenant -- add`), because one ALB has at most 100 target groups, 25
       * certificates and 100 rules by default; the loader checks each group stays within them.
       */
      tenantsPerLoadBalancer: z.int().min(1).max(25).default(25),
      /**
       * Application Load Balancers one account may run in a region (the Elastic Load Balancing quota; AWS default
       * 50). The loader counts every environment's load balancers per account and region against it; raise it
       * after a quota increase.
       */
      loadBalancersPerRegion: z.int().min(1).max(1000).default(50),
      /**
       * Users one ElastiCache user group may hold (the ElastiCache quota "Users per user group", L-943F0F1C; AWS
       * default 100). Every product instance using a cache has its own user in the cache's group (the environment's
       * and each shared tenant's), plus the disabled default user; the loader counts them per cache. Raise it after
       * a quota increase.
       */
      cacheUsersPerUserGroup: z.int().min(2).max(100_000).default(100),
    })
    .superRefine((tenancy, ctx) => {
      const pool = parseCidr(tenancy.cidrPool);
      if (pool && tenancy.blockPrefix < pool.subnetMask) {
        ctx.addIssue({
          code: "custom",
          path: ["blockPrefix"],
          message: `/${tenancy.blockPrefix} blocks do not fit in the /${pool.subnetMask} pool; use a prefix of at least /${pool.subnetMask}`,
          input: tenancy.blockPrefix,
        });
      }
    }),
  github: z.strictObject({
    /** GitHub organisation or user that owns the repository. */
    owner: z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, { error: "expected a GitHub organisation or user name" }),
    /** Repository name. */
    repository: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, { error: "expected a GitHub repository name" }),
    /** Branch whose pushes CI deploys from. */
    deployBranch: z.string().min(1),
    /**
     * Numeric ids of the owner and the repository, for repositories with immutable OIDC subject claims (created
     * after 15 July 2026 or opted in): their token subject reads `repo:<owner>@<ownerId>/<repository>@<repositoryId>:...`.
     * Set both or neither (`gh api repos/<owner>/<repository> --jq '.owner.id, .id'`).
     */
    ownerId: z.int().positive().optional(),
    repositoryId: z.int().positive().optional(),
  }).superRefine((github, ctx) => {
    if ((github.ownerId === undefined) !== (github.repositoryId === undefined)) {
      ctx.addIssue({ code: "custom", path: [github.ownerId === undefined ? "ownerId" : "repositoryId"], message: "set both ownerId and repositoryId (immutable subject claims carry both) or neither", input: undefined });
    }
  }),
}).superRefine((project, ctx) => {
  if (!Object.hasOwn(project.accounts, project.bootstrap.account)) {
    ctx.addIssue({
      code: "custom",
      path: ["bootstrap", "account"],
      message: `is not an account of accounts (declared: ${describeAccounts(project.accounts)})`,
      input: project.bootstrap.account,
    });
  }
});

export type ProjectConfig = z.output<typeof ProjectSchema>;
