/**
 * The preflight's thin AWS layer: one `call` per API request (operations.ts), with three implementations.
 *
 * - live: the SDK client of the service in the region, default credential chain (CI: the stack's plan role). Each
 *   SDK package is loaded on first use.
 * - recorded (`--recorded <dir>`): answers from response documents under `<dir>/<service>/<Operation>.json`, so the
 *   whole command runs offline (tests, and reproducing an operator's report). A call nothing answers is an error
 *   naming the file and input to record, never a silent default.
 * - recording (`--record <dir>`): the live layer, also writing every response it got in the recorded format.
 *
 * Every implementation is memoized per (operation, region, input): checks share calls without coordinating.
 * Decisions are never made here: checks interpret the documents.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { dnsCall } from "./dns";
import { AwsCallError } from "./errors";
import { SDK_CLIENTS, type InputOf, type OperationName, type OutputOf } from "./operations";

export { AwsCallError };

/** The recorded layer has no response for a call. */
export class NotRecordedError extends Error {}

export interface AwsApi {
  call<K extends OperationName>(operation: K, region: string, input: InputOf<K>): Promise<OutputOf<K>>;
}

/** The error code of anything `call` threw (SDK exceptions carry it as `name`). */
export function errorCode(error: unknown): string {
  if (error instanceof AwsCallError) return error.code;
  if (error instanceof Error) return error.name;
  return "Error";
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Shares one request per (operation, region, input) between checks. */
export function memoized(api: AwsApi): AwsApi {
  const cache = new Map<string, Promise<unknown>>();
  return {
    call(operation, region, input) {
      const key = `${operation}|${region}|${stableJson(input)}`;
      let pending = cache.get(key);
      if (!pending) {
        pending = api.call(operation, region, input);
        cache.set(key, pending);
      }
      return pending as Promise<OutputOf<typeof operation>>;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// live

interface SdkModule {
  readonly [name: string]: unknown;
}
type SdkClient = { send(command: unknown): Promise<Record<string, unknown>> };
type Constructor<T> = new (arg: unknown) => T;

/** The live layer: SDK clients with the default credential chain. */
export function liveApi(): AwsApi {
  const modules = new Map<string, Promise<SdkModule>>();
  const clients = new Map<string, SdkClient>();
  const load = (service: string): Promise<SdkModule> => {
    const sdk = SDK_CLIENTS[service];
    if (!sdk) throw new Error(`preflight: no SDK client for service ${service} (scripts/lib/preflight/operations.ts)`);
    let pending = modules.get(service);
    if (!pending) {
      pending = import(sdk.module) as Promise<SdkModule>;
      modules.set(service, pending);
    }
    return pending;
  };
  return {
    async call(operation, region, input) {
      const [service, name] = operation.split(":") as [string, string];
      if (service === "dns") return (await dnsCall(operation, input)) as OutputOf<typeof operation>;
      const module = await load(service);
      const key = `${service}|${region}`;
      let client = clients.get(key);
      if (!client) {
        const Client = module[(SDK_CLIENTS[service] as { client: string }).client] as Constructor<SdkClient>;
        client = new Client({ region });
        clients.set(key, client);
      }
      const Command = module[`${name}Command`] as Constructor<unknown> | undefined;
      if (!Command) throw new Error(`preflight: ${SDK_CLIENTS[service]?.module} has no ${name}Command`);
      let output: Record<string, unknown>;
      try {
        output = await client.send(new Command(input));
      } catch (error) {
        const code = errorCode(error);
        throw new AwsCallError(code, error instanceof Error ? error.message : String(error), operation, region);
      }
      const { $metadata: _metadata, ...rest } = output;
      if (operation === "s3:GetObject") {
        const body = rest.Body as { transformToString(): Promise<string> } | undefined;
        return { Body: body ? await body.transformToString() : undefined } as OutputOf<typeof operation>;
      }
      return rest as OutputOf<typeof operation>;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// recorded

/**
 * One recorded response. `input` is matched as a subset of the request (every key given must equal the request's);
 * `region` too when given. `output` is the response document; `outputFile` names a file beside this one holding it;
 * `error` is an error AWS answered instead.
 */
export interface RecordedResponse {
  readonly region?: string;
  readonly input?: Record<string, unknown>;
  readonly output?: unknown;
  readonly outputFile?: string;
  readonly error?: { readonly name: string; readonly message?: string };
  /** Why the response is there (documentation only). */
  readonly comment?: string;
}

export interface RecordedFile {
  readonly responses: readonly RecordedResponse[];
}

function isSubset(expected: unknown, actual: unknown): boolean {
  if (expected === actual) return true;
  if (Array.isArray(expected)) return Array.isArray(actual) && expected.length === actual.length && expected.every((item, index) => isSubset(item, actual[index]));
  if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object") return false;
    return Object.entries(expected).every(([key, value]) => isSubset(value, (actual as Record<string, unknown>)[key]));
  }
  return false;
}

function specificity(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + specificity(item), 1);
  if (value !== null && typeof value === "object") return Object.values(value).reduce((sum: number, item) => sum + 1 + specificity(item), 0);
  return 0;
}

interface LoadedResponse extends RecordedResponse {
  readonly file: string;
  /** Index of the source it came from. */
  readonly source: number;
}

/** Recorded responses in memory, by `<service>:<Operation>` (tests). */
export type RecordedResponses = Readonly<Partial<Record<OperationName, readonly RecordedResponse[]>>>;

/**
 * The recorded layer over directories (or in-memory response sets): for each call, the first source that has a
 * matching response answers — so a test or an operator can put a small set of changed answers before a complete
 * directory — and within it the most specific match (the one whose `input` names the most keys), then the earlier
 * entry.
 */
export function recordedApi(sources: readonly (string | RecordedResponses)[]): AwsApi {
  const files = new Map<string, LoadedResponse[]>();
  const where = (operation: string): string[] => {
    const [service, name] = operation.split(":") as [string, string];
    return sources.map((source) => (typeof source === "string" ? join(source, service, `${name}.json`) : "(in-memory responses)"));
  };
  const responsesOf = (operation: string): LoadedResponse[] => {
    const cached = files.get(operation);
    if (cached) return cached;
    const [service, name] = operation.split(":") as [string, string];
    const out: LoadedResponse[] = [];
    for (const [index, source] of sources.entries()) {
      if (typeof source !== "string") {
        out.push(...(source[operation as OperationName] ?? []).map((response) => ({ ...response, file: "", source: index })));
        continue;
      }
      const file = join(source, service, `${name}.json`);
      if (!existsSync(file)) continue;
      let parsed: RecordedFile;
      try {
        parsed = JSON.parse(readFileSync(file, "utf8")) as RecordedFile;
      } catch (error) {
        throw new Error(`${file}: not a recorded response file (${error instanceof Error ? error.message : String(error)})`, { cause: error });
      }
      if (!Array.isArray(parsed.responses)) throw new Error(`${file}: expected {"responses": [...]}`);
      out.push(...parsed.responses.map((response) => ({ ...response, file, source: index })));
    }
    files.set(operation, out);
    return out;
  };
  return {
    async call(operation, region, input) {
      const candidates = responsesOf(operation).filter((response) => (response.region === undefined || response.region === region) && isSubset(response.input ?? {}, input));
      // The first source with a match answers (an overlay in front of a complete directory replaces its answers);
      // within it, the most specific response, then the earlier one.
      const source = candidates[0]?.source;
      const best = candidates
        .filter((candidate) => candidate.source === source)
        .reduce<LoadedResponse | undefined>((chosen, candidate) => (!chosen || specificity(candidate.input ?? {}) > specificity(chosen.input ?? {}) ? candidate : chosen), undefined);
      if (!best) throw new NotRecordedError(`no recorded response for ${operation} in ${region} with input ${JSON.stringify(input)}: add one to ${where(operation).join(" or ")}`);
      if (best.error) throw new AwsCallError(best.error.name, best.error.message ?? best.error.name, operation, region);
      if (best.outputFile !== undefined) return JSON.parse(readFileSync(resolve(dirname(best.file), best.outputFile), "utf8")) as OutputOf<typeof operation>;
      return (best.output ?? {}) as OutputOf<typeof operation>;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// recording

/**
 * Wraps a layer and writes every response (and every error AWS answered) to `<directory>/<service>/<Operation>.json`
 * in the recorded format, merging with what is there. Responses hold configuration metadata only: the preflight
 * never reads a secret value, and the state object's body is not recorded (it is replaced by its resource list).
 */
export function recordingApi(api: AwsApi, directory: string): AwsApi & { flush(): void } {
  const recorded = new Map<string, RecordedResponse[]>();
  const remember = (operation: string, response: RecordedResponse) => {
    const list = recorded.get(operation) ?? [];
    list.push(response);
    recorded.set(operation, list);
  };
  return {
    async call(operation, region, input) {
      try {
        const output = await api.call(operation, region, input);
        remember(operation, { region, input: input as Record<string, unknown>, output: operation === "s3:GetObject" ? redactState(output as { Body?: string }) : output });
        return output;
      } catch (error) {
        if (error instanceof AwsCallError) remember(operation, { region, input: input as Record<string, unknown>, error: { name: error.code, message: error.message } });
        throw error;
      }
    },
    flush() {
      for (const [operation, responses] of recorded) {
        const [service, name] = operation.split(":") as [string, string];
        const folder = join(directory, service);
        mkdirSync(folder, { recursive: true });
        const file = join(folder, `${name}.json`);
        const existing = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as RecordedFile).responses : [];
        writeFileSync(file, `${JSON.stringify({ responses: [...existing, ...responses] }, null, 2)}\n`);
      }
    },
  };
}

/** A Terraform state reduced to what the preflight reads: resource addresses and the `id`, `arn` and `name` of each. */
function redactState(output: { Body?: string }): { Body?: string } {
  if (output.Body === undefined) return output;
  try {
    const state = JSON.parse(output.Body) as { version?: number; serial?: number; lineage?: string; resources?: { mode?: string; type?: string; name?: string; instances?: { attributes?: Record<string, unknown> }[] }[] };
    const resources = (state.resources ?? []).map((resource) => ({
      mode: resource.mode,
      type: resource.type,
      name: resource.name,
      instances: (resource.instances ?? []).map((instance) => ({
        attributes: Object.fromEntries(["id", "arn", "name"].flatMap((key) => (instance.attributes?.[key] !== undefined ? [[key, instance.attributes[key]]] : []))),
      })),
    }));
    return { Body: JSON.stringify({ version: state.version, serial: state.serial, lineage: state.lineage, resources }) };
  } catch {
    return { Body: "" };
  }
}
