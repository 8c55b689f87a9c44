/**
 * Container image references. A workload's image must be pinned: an explicit tag other than `latest`, or a
 * digest (`@sha256:...`), or both. Environments may require a digest (production does by default), because a
 * tag can be moved to other content while a digest cannot.
 */

export interface ImageReference {
  /** Registry and repository, e.g. `registry.example.com/shop/api`. */
  readonly repository: string;
  readonly tag?: string;
  /** `sha256:<64 hex>`. */
  readonly digest?: string;
}

// name components: lowercase alphanumerics separated by '.', '_', '__' or '-' runs; registry may carry a port.
const REPOSITORY = /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** What an image reference must look like, for error messages. */
export const IMAGE_HINT = "registry/repository:tag or registry/repository@sha256:<64 hex> (a tag other than latest, or a digest)";

/** Parses `repository[:tag][@digest]`; returns undefined when the text is not a valid reference. */
export function parseImage(text: string): ImageReference | undefined {
  const [name = "", digest, ...rest] = text.split("@");
  if (rest.length > 0) return undefined;
  if (digest !== undefined && !DIGEST.test(digest)) return undefined;
  const slash = name.lastIndexOf("/");
  const colon = name.lastIndexOf(":");
  const hasTag = colon > slash;
  const repository = hasTag ? name.slice(0, colon) : name;
  const tag = hasTag ? name.slice(colon + 1) : undefined;
  if (!REPOSITORY.test(repository) || (tag !== undefined && !TAG.test(tag))) return undefined;
  return { repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** Why an image reference is not acceptable, or undefined when it is pinned as required. */
export function imagePinningProblem(text: string, requireDigest: boolean): string | undefined {
  const image = parseImage(text);
  if (!image) return `not a valid image reference; expected ${IMAGE_HINT}`;
  if (image.tag === "latest") return "the tag latest is not allowed (it moves); use a version tag or a digest";
  if (!image.tag && !image.digest) return "the image is not pinned; add a version tag (:1.4.2) or a digest (@sha256:...)";
  if (requireDigest && !image.digest) {
    return "this environment requires images pinned by digest (workloads.requireImageDigest); append @sha256:<digest>";
  }
  return undefined;
}
