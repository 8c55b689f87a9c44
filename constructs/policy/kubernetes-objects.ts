/**
 * Kubernetes objects a stack creates outside the Kubernetes provider's typed resources, in manifest form (camelCase,
 * as the API server receives them): `kubernetes_manifest` resources, the objects a local chart's templates render
 * (charts/local, read without Helm: charts/local-kinds.ts), and objects embedded in a release's values
 * (`extraObjects`, `extraManifests`: any mapping with apiVersion, kind and metadata). Rules that look at RBAC, pod
 * security or network policies read them as well as the typed resources.
 *
 * What Helm computes (template expressions) is TEMPLATE_VALUE: a rule that finds it where it needs a value reports
 * that it cannot know (fail closed).
 */
import { parse } from "yaml";
import { localChartObjects, type RenderedObject, TEMPLATE_VALUE } from "../../charts/local-kinds";
import { localChartOf } from "../../charts/values-check";
import { layer } from "../../config/layering";
import { type Block, one, type StackModel, strings } from "./model";

export { TEMPLATE_VALUE };

export interface ManifestObject {
  /** The resource that creates it (kubernetes_manifest or helm_release). */
  readonly block: Block;
  /** Where inside it: `manifest`, `local chart x templates/y.yaml`, `values extraObjects[0]`. */
  readonly via: string;
  readonly kind: string;
  readonly object?: Record<string, unknown>;
  /** Why the object cannot be read (a template that is not YAML without Helm). */
  readonly problem?: string;
}

/**
 * Each values document of a release parsed once per block (several rules read them; parsing Helm values was the
 * policy pack's largest cost in the synthesis profile). `undefined` for a document that is not YAML. Callers must not
 * modify the documents.
 */
const parsedDocuments = new WeakMap<Block, readonly unknown[]>();

export function releaseValueDocuments(block: Block): readonly unknown[] {
  let documents = parsedDocuments.get(block);
  if (documents === undefined) {
    documents = strings(block.body.values).map((text) => {
      try {
        return parse(text) as unknown;
      } catch {
        return undefined;
      }
    });
    parsedDocuments.set(block, documents);
  }
  return documents;
}

const mergedValues = new WeakMap<Block, Record<string, unknown>>();

/** The merged values documents of a release (later documents win, as in Helm). Callers must not modify the result. */
export function releaseValues(block: Block): Record<string, unknown> {
  const cached = mergedValues.get(block);
  if (cached !== undefined) return cached;
  const documents = releaseValueDocuments(block);
  const merged = (layer(...documents.filter((document): document is Record<string, unknown> => document !== null && typeof document === "object" && !Array.isArray(document))) ?? {}) as Record<string, unknown>;
  mergedValues.set(block, merged);
  return merged;
}

function embeddedObjects(values: unknown, path = ""): { path: string; object: Record<string, unknown> }[] {
  if (Array.isArray(values)) return values.flatMap((item, index) => embeddedObjects(item, `${path}[${index}]`));
  if (values === null || typeof values !== "object") return [];
  const object = values as Record<string, unknown>;
  if (typeof object.apiVersion === "string" && typeof object.kind === "string" && object.metadata !== undefined) return [{ path: path || "(root)", object }];
  return Object.entries(object).flatMap(([key, item]) => embeddedObjects(item, path ? `${path}.${key}` : key));
}

const objectsOfModel = new WeakMap<StackModel, WeakMap<ReadonlyMap<string, readonly RenderedObject[]>, readonly ManifestObject[]>>();

/** Every object in manifest form the stack creates (see the module comment); computed once per model and charts. */
export function manifestObjects(model: StackModel, charts: ReadonlyMap<string, readonly RenderedObject[]> = localChartObjects()): readonly ManifestObject[] {
  let byCharts = objectsOfModel.get(model);
  if (byCharts === undefined) {
    byCharts = new WeakMap();
    objectsOfModel.set(model, byCharts);
  }
  const cached = byCharts.get(charts);
  if (cached !== undefined) return cached;
  const out = collectManifestObjects(model, charts);
  byCharts.set(charts, out);
  return out;
}

function collectManifestObjects(model: StackModel, charts: ReadonlyMap<string, readonly RenderedObject[]>): ManifestObject[] {
  const out: ManifestObject[] = [];
  for (const block of model.resources("kubernetes_manifest")) {
    const manifest = one(block.body.manifest);
    if (manifest && typeof manifest.kind === "string") out.push({ block, via: "manifest", kind: manifest.kind, object: manifest });
  }
  for (const block of model.resources("helm_release")) {
    const local = localChartOf(String(block.body.chart ?? ""));
    for (const rendered of local ? (charts.get(local) ?? []) : []) {
      out.push({ block, via: `local chart ${local} ${rendered.file}`, kind: rendered.kind, ...(rendered.object ? { object: rendered.object } : {}), ...(rendered.problem ? { problem: rendered.problem } : {}) });
    }
    for (const embedded of embeddedObjects(releaseValues(block))) out.push({ block, via: `values ${embedded.path}`, kind: String(embedded.object.kind), object: embedded.object });
  }
  return out;
}

/** Whether a value (or anything inside it) is a Helm template value, known only when Helm renders. */
export function templated(value: unknown): boolean {
  if (value === TEMPLATE_VALUE) return true;
  if (Array.isArray(value)) return value.some(templated);
  if (value !== null && typeof value === "object") return Object.entries(value).some(([key, item]) => key === TEMPLATE_VALUE || templated(item));
  return false;
}
