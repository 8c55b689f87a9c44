/**
 * What the account already has of a stack: its Terraform state object. Several checks need to know which of the
 * stack's resources exist already (quota additions, a secret or service-linked role that exists without being in the
 * state); they read the state through `collectStackState`, which the memoized layer turns into one request.
 *
 * Read-only: ListObjectsV2 (the CI roles may list the whole bucket, constructs/state-store) tells whether an object
 * exists without reading it — the plan role cannot read the legacy `stacks/` prefix, but it may list it — and
 * GetObject reads the stack's own state (the plan role may read its environment's). Only resource addresses and the
 * `id`, `arn` and `name` attributes are kept; nothing of the state is printed.
 */
import { legacyStateObjectKey } from "../../../constructs/core/state-keys";
import { literal, one, type SynthesizedStack } from "../../../constructs/policy/model";
import { errorCode, type AwsApi } from "./aws";
import type { StateLocation } from "./types";

/** A managed resource in the state: its address and the identifying attributes of its instances. */
export interface StateResource {
  readonly address: string;
  readonly type: string;
  readonly instances: readonly { readonly id?: string; readonly arn?: string; readonly name?: string }[];
}

export interface StackState {
  readonly location: StateLocation;
  /** Whether the state object exists (the stack was applied before). */
  readonly exists: boolean;
  /** Whether the legacy object exists (only when the stack has a legacy key). */
  readonly legacyExists?: boolean;
  /** Managed resources by address (empty when the object does not exist). */
  readonly resources: ReadonlyMap<string, StateResource>;
}

/** The stack's S3 backend from its synthesized JSON (undefined for a local backend). */
export function stateLocation(stack: string, json: SynthesizedStack): StateLocation | undefined {
  const s3 = one(one(json.terraform?.backend)?.s3);
  const bucket = literal(s3?.bucket);
  const key = literal(s3?.key);
  const region = literal(s3?.region);
  if (!bucket || !key || !region) return undefined;
  const legacyKey = legacyStateObjectKey(stack);
  return { bucket, key, region, ...(legacyKey !== key ? { legacyKey } : {}) };
}

interface StateDocument {
  readonly resources?: readonly {
    readonly mode?: string;
    readonly type?: string;
    readonly name?: string;
    readonly module?: string;
    readonly instances?: readonly { readonly attributes?: Record<string, unknown> }[];
  }[];
}

const textOf = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** The managed resources of a Terraform state document (pure). */
export function parseState(text: string): Map<string, StateResource> {
  const out = new Map<string, StateResource>();
  if (text.trim() === "") return out;
  const state = JSON.parse(text) as StateDocument;
  for (const resource of state.resources ?? []) {
    if (resource.mode !== "managed" || !resource.type || !resource.name || resource.module) continue;
    const address = `${resource.type}.${resource.name}`;
    out.set(address, {
      address,
      type: resource.type,
      instances: (resource.instances ?? []).map((instance) => {
        const attributes = instance.attributes ?? {};
        const [id, arn, name] = [textOf(attributes.id), textOf(attributes.arn), textOf(attributes.name)];
        return { ...(id ? { id } : {}), ...(arn ? { arn } : {}), ...(name ? { name } : {}) };
      }),
    });
  }
  return out;
}

async function objectExists(api: AwsApi, location: StateLocation, key: string): Promise<boolean> {
  const listed = await api.call("s3:ListObjectsV2", location.region, { Bucket: location.bucket, Prefix: key, MaxKeys: 10 });
  return (listed.Contents ?? []).some((object) => object.Key === key);
}

/** The stack's state: whether it (and its legacy object) exist, and its resources. */
export async function collectStackState(api: AwsApi, location: StateLocation): Promise<StackState> {
  const exists = await objectExists(api, location, location.key);
  const legacyExists = location.legacyKey !== undefined ? await objectExists(api, location, location.legacyKey) : undefined;
  let resources = new Map<string, StateResource>();
  if (exists) {
    try {
      const object = await api.call("s3:GetObject", location.region, { Bucket: location.bucket, Key: location.key });
      resources = parseState(object.Body ?? "");
    } catch (error) {
      if (errorCode(error) !== "NoSuchKey") throw error;
    }
  }
  return { location, exists, ...(legacyExists !== undefined ? { legacyExists } : {}), resources };
}

/** Whether a synthesized resource address is in the state (an apply would not create it). */
export function inState(state: StackState | undefined, address: string): boolean {
  return state?.resources.has(address) ?? false;
}
