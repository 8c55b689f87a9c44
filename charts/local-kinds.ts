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
import { parse as parseYaml } from "yaml";
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

/** One object a local chart template renders, read without Helm (see `localChartObjects`). */
export interface RenderedObject extends RenderedKind {
  readonly chart: string;
  /** Template file, relative to the chart (`templates/roles.yaml`). */
  readonly file: string;
  /**
   * The document with every template expression replaced by TEMPLATE_VALUE (a value known only when Helm renders
   * it); undefined when the document is not YAML even so.
   */
  readonly object?: Record<string, unknown>;
  readonly problem?: string;
}

/** What a template expression becomes when a template is read without Helm. */
export const TEMPLATE_VALUE = "<helm template value>";

/** Lines that are only control actions (if / else / end / range / with / define / comments): they render nothing. */
const CONTROL_LINE = /^\s*\{\{-?\s*(if|else|end|range|with|define|block|\/\*)\b[^}]*-?\}\}\s*$|^\s*\{\{-?\s*\/\*.*\*\/\s*-?\}\}\s*$/;
/** Lines that are only an output action (`{{- toYaml .Values.rules | nindent 2 }}`): they render YAML of their own. */
const OUTPUT_LINE = /^(\s*)\{\{-?[^}]*\}\}\s*$/;

/**
 * Reads one template's documents as YAML without Helm: control lines are dropped (so a conditional document counts
 * as rendered), a line that is only an output action becomes a `TEMPLATE_VALUE: TEMPLATE_VALUE` entry at its
 * indentation, and inline expressions become TEMPLATE_VALUE. What the template computes stays visibly unknown, so a
 * check reading the objects can fail closed on it.
 */
export function objectsInTemplate(text: string, chart: string, file: string): RenderedObject[] {
  const out: RenderedObject[] = [];
  for (const document of text.split(/^---\s*$/m)) {
    const [kind] = kindsInTemplate(document, `${chart}/${file}`);
    if (!kind) continue;
    const lines = document
      .split("\n")
      .filter((line) => !CONTROL_LINE.test(line))
      .map((line) => {
        const output = OUTPUT_LINE.exec(line);
        if (output) return `${output[1]}${JSON.stringify(TEMPLATE_VALUE)}: ${JSON.stringify(TEMPLATE_VALUE)}`;
        return line.replace(/"?\{\{-?[^}]*-?\}\}"?/g, JSON.stringify(TEMPLATE_VALUE));
      });
    try {
      const object = parseYaml(lines.join("\n")) as unknown;
      if (object !== null && typeof object === "object" && !Array.isArray(object)) out.push({ ...kind, chart, file, object: object as Record<string, unknown> });
      else out.push({ ...kind, chart, file, problem: "the document is not a YAML mapping" });
    } catch (error) {
      out.push({ ...kind, chart, file, problem: `the document cannot be read as YAML without Helm (${(error as Error).message.split("\n")[0]})` });
    }
  }
  return out;
}

const objectsCache = new Map<string, Map<string, RenderedObject[]>>();

/** Local chart name -> the objects its templates render (read once per directory). */
export function localChartObjects(directory: string = LOCAL_CHARTS_DIR): Map<string, RenderedObject[]> {
  const cached = objectsCache.get(directory);
  if (cached) return cached;
  const out = new Map<string, RenderedObject[]>();
  for (const chart of readdirSync(directory).sort()) {
    const templates = join(directory, chart, "templates");
    if (!existsSync(templates)) continue;
    out.set(
      chart,
      readdirSync(templates)
        .sort()
        .filter((file) => /\.ya?ml$/.test(file))
        .flatMap((file) => objectsInTemplate(readFileSync(join(templates, file), "utf8"), chart, `templates/${file}`)),
    );
  }
  objectsCache.set(directory, out);
  return out;
}
