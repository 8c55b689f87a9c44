/**
 * The first version of a secret that a rotation function owns afterwards (the Redis password users', the PostgreSQL
 * monitoring users', the brokers'): written by Terraform once (write-only), then replaced by rotations.
 *
 * Secrets Manager deletes unlabelled ("deprecated") versions once a secret has more than 100, and the provider then
 * drops the version from the state and plans to create it again — as AWSCURRENT, without the rotated password
 * (hashicorp/terraform-provider-aws#37302, open). With the 1-day rotation the configuration allows, that is about 100
 * days in. So the first version also carries a label of its own, which Secrets Manager never removes (it never deletes a
 * labelled version), and Terraform ignores its labels after creation, so the rotations' moves of AWSCURRENT are not
 * planned back.
 */
export const INITIAL_VERSION_STAGE = "PLATFORM_INITIAL";

/** Settings of an `aws_secretsmanager_secret_version` that is a rotated secret's first version. */
export function initialVersionSettings(): { versionStages: string[]; lifecycle: { ignoreChanges: string[] } } {
  return { versionStages: ["AWSCURRENT", INITIAL_VERSION_STAGE], lifecycle: { ignoreChanges: ["version_stages"] } };
}
