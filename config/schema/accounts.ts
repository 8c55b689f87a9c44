/**
 * `project.yaml` `accounts`: every AWS account the platform uses, by name. The bootstrap account (Terraform state)
 * is one of them; every environment's `account.id` and every dedicated tenant's `account` must name one. Each
 * account that holds a stack gets an `account-<name>` baseline stack (applied by an administrator): the GitHub OIDC
 * provider and the CI roles of the environments with stacks there, the permissions boundary, the service-linked
 * roles the platform needs, and the detective controls (CloudTrail, GuardDuty, AWS Config, IAM Access Analyzer).
 *
 * Accounts in an AWS Organization often have detective controls managed centrally (AWS Control Tower: an
 * organization trail, a delegated GuardDuty administrator, and AWS Config allows only ONE configuration recorder per
 * account and region), so each control may be declared `managedBy: organization` with the reason, instead of
 * creating a duplicate that fails to apply.
 */
import { z } from "zod";
import { awsAccountId, awsRegion, dnsLabel } from "./primitives";

/** Detective controls of the account baseline. */
export const DETECTIVE_CONTROLS = ["cloudTrail", "guardDuty", "config", "accessAnalyzer"] as const;
export type DetectiveControl = (typeof DETECTIVE_CONTROLS)[number];

/** Minimum length of the reason a control is left to the organization. */
export const MIN_REASON_LENGTH = 10;

const ControlSchema = z
  .strictObject({
    /**
     * Who manages the control in this account: `platform` (the account stack creates it) or `organization` (it
     * exists already, managed centrally; nothing is created and `reason` says where it lives).
     */
    managedBy: z.enum(["platform", "organization"]).default("platform"),
    /** Required for `organization`: where the control lives and who owns it (e.g. "Control Tower organization trail"). */
    reason: z.string().optional(),
  })
  .superRefine((control, ctx) => {
    if (control.managedBy === "organization" && (control.reason ?? "").trim().length < MIN_REASON_LENGTH) {
      ctx.addIssue({
        code: "custom",
        path: ["reason"],
        message: `a control managed by the organization needs a reason of at least ${MIN_REASON_LENGTH} characters (where it lives, who owns it)`,
        input: control.reason,
      });
    }
    if (control.managedBy === "platform" && control.reason !== undefined) {
      ctx.addIssue({ code: "custom", path: ["reason"], message: "reason is only for managedBy: organization", input: control.reason });
    }
  });
export type ControlConfig = z.output<typeof ControlSchema>;

const PLATFORM_MANAGED = { managedBy: "platform" } as const;

/** Object lock modes of the audit log bucket (S3). */
export const AUDIT_LOCK_MODES = ["COMPLIANCE", "GOVERNANCE"] as const;

export const AccountSchema = z
  .strictObject({
    /** The 12-digit account id; every provider of a stack in this account is pinned to it. */
    id: awsAccountId,
    /**
     * Home region: the account stack's default provider, the home of the multi-region CloudTrail trail and the region
     * that records global resources (IAM) in AWS Config. The regional controls (GuardDuty, Config, Access Analyzer)
     * are also enabled in every region a stack of this account uses, and in `regions`.
     */
    region: awsRegion,
    /** Additional regions to enable the regional detective controls in (besides the home region and the regions stacks use). */
    regions: z.array(awsRegion).default([]),
    /** Detective controls of the baseline: each `managedBy: platform` (default) or `organization` with a reason. */
    controls: z
      .strictObject({
        cloudTrail: ControlSchema.default(PLATFORM_MANAGED),
        guardDuty: ControlSchema.default(PLATFORM_MANAGED),
        config: ControlSchema.default(PLATFORM_MANAGED),
        accessAnalyzer: ControlSchema.default(PLATFORM_MANAGED),
      })
      .default({ cloudTrail: PLATFORM_MANAGED, guardDuty: PLATFORM_MANAGED, config: PLATFORM_MANAGED, accessAnalyzer: PLATFORM_MANAGED }),
    /** The audit log bucket (CloudTrail and AWS Config deliveries) of a platform-managed trail or recorder. */
    auditLogs: z
      .strictObject({
        /** Days each log object is kept before it expires (default seven years). */
        retentionDays: z.int().min(90).max(3650).default(2557),
        /** Days each log object is write-once (S3 object lock) after delivery; at most `retentionDays`. */
        lockDays: z.int().min(1).max(3650).default(365),
        /** COMPLIANCE: nobody, not even the root user, can delete or shorten; GOVERNANCE: principals with s3:BypassGovernanceRetention can. */
        lockMode: z.enum(AUDIT_LOCK_MODES).default("COMPLIANCE"),
      })
      .default({ retentionDays: 2557, lockDays: 365, lockMode: "COMPLIANCE" })
      .superRefine((logs, ctx) => {
        if (logs.lockDays > logs.retentionDays) {
          ctx.addIssue({ code: "custom", path: ["lockDays"], message: `must not exceed retentionDays (${logs.retentionDays}): a locked object cannot expire`, input: logs.lockDays });
        }
      }),
    serviceLinkedRoles: z
      .strictObject({
        /**
         * Service-linked roles that exist in the account already (created by earlier use of the service), by service
         * principal, e.g. `opensearchservice.amazonaws.com`: the account stack does not create them (AWS rejects a
         * second one: "Service role name ... has been taken in this account").
         */
        existing: z.array(z.string().regex(/^[a-z0-9.-]+\.amazonaws\.com$/, { error: "expected a service principal such as opensearchservice.amazonaws.com" })).default([]),
      })
      .default({ existing: [] }),
  });
export type AccountConfig = z.output<typeof AccountSchema>;

/** `accounts`: name -> account. Names become the `account-<name>` stack and are referred to by `bootstrap.account` and tenants. */
export const AccountsSchema = z
  .record(dnsLabel(20, "an account name"), AccountSchema)
  .superRefine((accounts, ctx) => {
    if (Object.keys(accounts).length === 0) {
      ctx.addIssue({ code: "custom", path: [], message: "declare at least one account (the bootstrap account), e.g. accounts: { main: { id: \"123456789012\", region: eu-west-1 } }", input: accounts });
    }
    const byId = new Map<string, string>();
    for (const [name, account] of Object.entries(accounts)) {
      const other = byId.get(account.id);
      if (other) ctx.addIssue({ code: "custom", path: [name, "id"], message: `account ${account.id} is already declared as "${other}"; one name per account`, input: account.id });
      else byId.set(account.id, name);
    }
  });

/** The name of the account with `id` in `accounts`, or undefined. */
export function accountNameOf(accounts: Readonly<Record<string, AccountConfig>>, id: string): string | undefined {
  return Object.entries(accounts).find(([, account]) => account.id === id)?.[0];
}

/** "main (111111111111), prod (222222222222)": the declared accounts, for messages. */
export function describeAccounts(accounts: Readonly<Record<string, AccountConfig>>): string {
  return Object.entries(accounts).map(([name, account]) => `${name} (${account.id})`).join(", ") || "none";
}
