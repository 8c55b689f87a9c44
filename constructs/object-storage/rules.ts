/**
 * Object storage bucket settings and their rules, shared by the construct and the configuration schema.
 */
import { ProblemList, type SettingProblem } from "../data-access/problems";

export const TRANSITION_STORAGE_CLASSES = ["STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"] as const;
export type TransitionStorageClass = (typeof TRANSITION_STORAGE_CLASSES)[number];
/** Storage classes a replica may be written in. */
export const REPLICA_STORAGE_CLASSES = ["STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"] as const;
export type ReplicaStorageClass = (typeof REPLICA_STORAGE_CLASSES)[number];
export const OBJECT_LOCK_MODES = ["GOVERNANCE", "COMPLIANCE"] as const;
export type ObjectLockMode = (typeof OBJECT_LOCK_MODES)[number];

/** S3 requires objects to stay 30 days in STANDARD before moving to an infrequent-access class. */
export const MIN_IA_TRANSITION_DAYS = 30;
/** 100 years: the longest object lock retention S3 accepts. */
export const MAX_RETENTION_DAYS = 36500;
/** Bucket names the construct uses itself. */
export const RESERVED_BUCKET_NAMES = ["access-logs"] as const;

export interface BucketTransition {
  /** Days after creation (current versions) or after becoming noncurrent (old versions). */
  readonly days: number;
  readonly storageClass: TransitionStorageClass;
}

export interface BucketSettings {
  /** Keep every version of every object (required by object lock and replication). */
  readonly versioning: boolean;
  /** Current versions move to cheaper classes after these many days (ascending). */
  readonly transitions: readonly BucketTransition[];
  /** Current versions expire (become noncurrent) this many days after creation; absent: never. */
  readonly expirationDays?: number;
  /** Noncurrent versions are deleted this many days after they are superseded. */
  readonly noncurrentVersionExpirationDays: number;
  /** Unfinished multipart uploads are removed after this many days. */
  readonly abortIncompleteUploadDays: number;
  /** Write-once-read-many retention applied to every new object version. */
  readonly objectLock?: { readonly mode: ObjectLockMode; readonly retentionDays: number };
  /** Copy every new object to a bucket in another region (encrypted with a key in that region). */
  readonly replication?: { readonly region: string; readonly storageClass: ReplicaStorageClass };
}

const IA_CLASSES: readonly TransitionStorageClass[] = ["STANDARD_IA", "ONEZONE_IA"];
const BUCKET_COMPONENT = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export function bucketProblems(name: string, settings: BucketSettings): SettingProblem[] {
  const p = new ProblemList();
  p.check(BUCKET_COMPONENT.test(name), [], `bucket name "${name}" must be lowercase letters, digits and single hyphens`, name);
  p.check(!(RESERVED_BUCKET_NAMES as readonly string[]).includes(name), [], `"${name}" is reserved for the platform's own bucket; choose another name`, name);
  settings.transitions.forEach((transition, index) => {
    p.range(transition.days, 0, MAX_RETENTION_DAYS, ["transitions", index, "days"], "transition days");
    if (IA_CLASSES.includes(transition.storageClass)) {
      p.check(
        transition.days >= MIN_IA_TRANSITION_DAYS,
        ["transitions", index, "days"],
        `${transition.storageClass} transitions need at least ${MIN_IA_TRANSITION_DAYS} days`,
        transition.days,
      );
    }
    const previous = settings.transitions[index - 1];
    if (previous) {
      p.check(transition.days > previous.days, ["transitions", index, "days"], `transitions must be in ascending order of days (previous: ${previous.days})`, transition.days);
    }
  });
  const lastTransition = settings.transitions.at(-1)?.days ?? 0;
  if (settings.expirationDays !== undefined) {
    p.range(settings.expirationDays, 1, MAX_RETENTION_DAYS, ["expirationDays"], "expiration days");
    p.check(
      settings.expirationDays > lastTransition,
      ["expirationDays"],
      `must be later than the last transition (day ${lastTransition})`,
      settings.expirationDays,
    );
  }
  p.range(settings.noncurrentVersionExpirationDays, 1, MAX_RETENTION_DAYS, ["noncurrentVersionExpirationDays"], "noncurrent version expiration days");
  p.range(settings.abortIncompleteUploadDays, 1, 365, ["abortIncompleteUploadDays"], "incomplete upload expiry days");
  if (settings.objectLock) {
    p.check(settings.versioning, ["objectLock"], "object lock requires versioning: set versioning: true", settings.objectLock);
    p.oneOf(settings.objectLock.mode, OBJECT_LOCK_MODES, ["objectLock", "mode"], "object lock mode");
    p.range(settings.objectLock.retentionDays, 1, MAX_RETENTION_DAYS, ["objectLock", "retentionDays"], "object lock retention days");
  }
  if (settings.replication) {
    p.check(settings.versioning, ["replication"], "replication requires versioning: set versioning: true", settings.replication);
    p.oneOf(settings.replication.storageClass, REPLICA_STORAGE_CLASSES, ["replication", "storageClass"], "replica storage class");
  }
  return p.items;
}
