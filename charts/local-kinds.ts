/**
 * The Kubernetes kinds each local chart (charts/local/<name>/templates) renders, read from its templates: every YAML
 * document's top-level `apiVersion:` and `kind:` lines. The platform's local charts write both literally (a template
 * expression there would hide from reviewers what the chart creates); `localChartKinds` throws when a document has
 * `kind:` without a literal `apiVersion:` or the other way round, so a template that breaks the convention is noticed.
 *
 * Used by the generic custom-resource check (constructs/policy/apply-order/custom-resources.ts): a release of a local
 * chart that renders custom resources must depend on the release that installs their CRDs.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LOCAL_CHARTS_DIR } from "./values-check";

export interface RenderedKind {
  readonly apiVersion: string;
  readonly kind: string;
}

/** Kinds of one template's text (its `---`-separated documents). */
export function kindsInTemplate(text: string, where = "template"): RenderedKind[] {
  const out: RenderedKind[] = [];
  for (const document of text.split(/^---\s*$/m)) {
    const apiVersion = /^apiVersion:\s*(\S+)\s*$/m.exec(document)?.[1];
    const kind = /^kind:\s*(\S+)\s*$/m.exec(document)?.[1];
    if (apiVersion === undefined && kind === undefined) continue;
    if (apiVersion === undefined || kind === undefined || /[{}]/.test(apiVersion + kind)) {
      throw new Error(`${where}: every document of a local chart template needs a literal top-level apiVersion and kind (found apiVersion ${apiVersion ?? "none"}, kind ${kind ?? "none"})`);
    }
    out.push({ apiVersion, kind });
  }
  return out;
}

/** Local chart name -> the kinds its templates render (sorted, unique). */
export function localChartKinds(directory: string = LOCAL_CHARTS_DIR): Map<string, RenderedKind[]> {
  const out = new Map<string, RenderedKind[]>();
  for (const chart of readdirSync(directory).sort()) {
    const templates = join(directory, chart, "templates");
    if (!existsSync(templates)) continue;
    const kinds = new Map<string, RenderedKind>();
    for (const file of readdirSync(templates).sort()) {
      if (!/\.ya?ml$/.test(file)) continue;
      for (const found of kindsInTemplate(readFileSync(join(templates, file), "utf8"), join(templates, file))) kinds.set(`${found.apiVersion} ${found.kind}`, found);
    }
    out.set(chart, [...kinds.values()]);
  }
  return out;
}
