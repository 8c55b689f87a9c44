/** Helpers for the add-on tests: the helm_release resources of a synthesized construct, with parsed values. */
import { parseAllDocuments } from "yaml";
import { resourceList, type Synthesized } from "../../support/synth";

export interface ReleaseView {
  readonly attributes: Record<string, unknown>;
  /** Values documents parsed (base values first, then overrides). */
  readonly values: Record<string, unknown>[];
}

export function releases(json: Synthesized): ReleaseView[] {
  return resourceList(json, "helm_release").map((attributes) => ({
    attributes,
    values: ((attributes.values as string[] | undefined) ?? []).flatMap((text) =>
      parseAllDocuments(text).map((document) => document.toJS() as Record<string, unknown>),
    ),
  }));
}

export function releaseNamed(json: Synthesized, name: string): ReleaseView {
  const found = releases(json).find((release) => release.attributes.name === name);
  if (!found) throw new Error(`no helm_release named ${name}`);
  return found;
}

/** The last values document: the overrides computed from configuration. */
export function overridesOf(release: ReleaseView): Record<string, unknown> {
  return release.values[release.values.length - 1] ?? {};
}

/** The value, or a thrown error naming what was missing (instead of a non-null assertion). */
export function defined<T>(value: T | null | undefined, what = "value"): T {
  if (value === undefined || value === null) throw new Error(`expected ${what} to be defined`);
  return value;
}
