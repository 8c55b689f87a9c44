/**
 * Base class of every stack: its own state object in the S3 backend (encrypted with the state key, locked with
 * a lock file), an AWS provider pinned to one region and account with the standard default tags, and the tag
 * aspect for what default tags do not reach.
 */
import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Aspects, LocalBackend, S3Backend, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { awsProvider, type AccountScope } from "../constructs/core/aws";
import { boundEveryRole } from "../constructs/core/boundary-aspect";
import { requireServiceLinkedRoles } from "../constructs/service-linked-roles/aspect";
import { undeclaredReferences } from "../constructs/core/references";
import { TagAspect } from "../constructs/core/tagging";
import { stateKey, type BackendSettings } from "./context";
import { resolveStack } from "./fast-synth";

export interface BaseStackProps {
  readonly account: AccountScope;
  readonly tags: Readonly<Record<string, string>>;
  readonly backend: BackendSettings;
  /**
   * The permissions boundary every IAM role of the stack carries (set on each role that names none). Stacks CI
   * applies pass their account's boundary; the account stack bounds its roles with the policy it creates.
   * @default none (the bootstrap stack creates no role)
   */
  readonly permissionsBoundaryArn?: string;
  /**
   * The account stack (`account-<name>`) that creates the service-linked roles of this stack's account: every
   * resource that needs one waits for a plan-time lookup of it (constructs/service-linked-roles/aspect.ts).
   * @default none (administrator stacks wire their own)
   */
  readonly serviceLinkedRolesFrom?: string;
}

export class BaseStack extends TerraformStack {
  readonly account: AccountScope;
  readonly tags: Readonly<Record<string, string>>;
  readonly aws: AwsProvider;
  /** Resolved JSON computed for a validation, handed once to the synthesizer (see resolveForValidation). */
  private resolvedForSynth?: ReturnType<TerraformStack["toTerraform"]>;

  constructor(scope: Construct, name: string, props: BaseStackProps) {
    super(scope, name);
    this.account = props.account;
    this.tags = props.tags;
    configureBackend(this, name, props.backend);
    this.aws = awsProvider(this, "aws", { region: props.account.region, accountId: props.account.accountId, tags: props.tags });
    Aspects.of(this).add(new TagAspect(props.tags));
    if (props.permissionsBoundaryArn !== undefined) boundEveryRole(this, props.permissionsBoundaryArn);
    if (props.serviceLinkedRolesFrom !== undefined) requireServiceLinkedRoles(this, props.serviceLinkedRolesFrom);
    // Runs first among the stack's validations; the policy pack's validation reuses the resolved JSON.
    this.node.addValidation({
      validate: () =>
        undeclaredReferences(this.resolveForValidation()).map(
          ({ at, address }) => `${at} refers to ${address}, which this stack does not declare: stacks never reference another stack's resources (look it up by name with a data source)`,
        ),
    });
  }

  /**
   * cdktf's preparing resolve walks every token of the stack once more before synthesis, only to wire
   * cross-stack references (outputs plus remote state). Stacks of this product never reference one another, so
   * the walk (about a third of a synth) is skipped; a token of another stack is caught instead by the
   * undeclared-reference validation above.
   */
  override prepareStack(): void {
    this.resolvedForSynth = undefined; // a new synthesis resolves afresh
    this.ensureBackendExists();
  }

  /**
   * Resolves the stack for a validation (the policy pack evaluates the resolved JSON). cdktf runs validations after
   * every aspect and right before it writes the stack, so the synthesizer's next `toTerraform()` receives this
   * result instead of resolving every token a second time (about a sixth of a full synth). Validations of one
   * synthesis share the result (nothing changes the stack between them).
   */
  resolveForValidation(): ReturnType<TerraformStack["toTerraform"]> {
    this.resolvedForSynth ??= resolveStack(this);
    return this.resolvedForSynth;
  }

  override toTerraform(): ReturnType<TerraformStack["toTerraform"]> {
    const resolved = this.resolvedForSynth;
    this.resolvedForSynth = undefined; // used once: later calls resolve afresh
    return resolved ?? resolveStack(this);
  }
}

function configureBackend(stack: TerraformStack, name: string, backend: BackendSettings): void {
  if (backend.kind === "local") {
    new LocalBackend(stack, { path: `${backend.directory}/${name}.tfstate` });
    return;
  }
  new S3Backend(stack, {
    bucket: backend.bucket,
    key: stateKey(name, backend.environment),
    region: backend.region,
    encrypt: true,
    kmsKeyId: backend.kmsKeyArn,
  });
  // cdktf 0.21's S3Backend has no `use_lockfile`; Terraform >= 1.10 locks with an S3 lock file instead of DynamoDB.
  stack.addOverride("terraform.backend.s3.use_lockfile", true);
}
