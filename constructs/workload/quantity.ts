/**
 * Kubernetes resource quantities (`500m`, `2`, `512Mi`, `1.5Gi`, `1e3`), parsed so configuration can be checked
 * before anything reaches the API server: requests above limits, quotas too small for the workloads, limits
 * above the namespace's LimitRange. The grammar is Kubernetes' own (`resource.Quantity`): a signed decimal
 * number followed by a binary suffix (Ki..Ei), a decimal suffix (n, u, m, k, M, G, T, P, E) or an exponent.
 */

const MEBIBYTE = 2 ** 20;
const BINARY: Readonly<Record<string, number>> = { Ki: 2 ** 10, Mi: MEBIBYTE, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Readonly<Record<string, number>> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** What a CPU quantity may look like, for error messages. */
export const CPU_QUANTITY_HINT = "a CPU quantity such as 250m, 0.5 or 2 (cores; suffix m = millicores)";
/** What a memory quantity may look like, for error messages. */
export const MEMORY_QUANTITY_HINT = "a memory quantity such as 512Mi, 4Gi or 1G (bytes; suffixes Ki Mi Gi Ti or k M G T)";

/** The value of a quantity in base units (cores or bytes), or undefined when it is not a quantity. */
export function parseQuantity(text: string | number): number | undefined {
  const value = String(text).trim();
  const match = QUANTITY.exec(value);
  if (!match) return undefined;
  const [, number, suffix = ""] = match;
  const base = Number(number);
  if (!Number.isFinite(base)) return undefined;
  const multiplier = BINARY[suffix] ?? DECIMAL[suffix] ?? 10 ** Number(suffix.slice(1));
  return base * multiplier;
}

/** A CPU quantity: non-negative, no binary suffix, at most millicore precision. */
export function parseCpu(text: string | number): number | undefined {
  const value = parseQuantity(text);
  if (value === undefined || value < 0 || String(text).trim().endsWith("i")) return undefined;
  if (Math.abs(Math.round(value * 1000) - value * 1000) > 1e-6) return undefined;
  return value;
}

/** A memory quantity: non-negative whole bytes. */
export function parseMemory(text: string | number): number | undefined {
  const value = parseQuantity(text);
  if (value === undefined || value < 0) return undefined;
  return Math.abs(Math.round(value) - value) > 1e-6 ? undefined : Math.round(value);
}

/** Formats cores as millicores (`12500m`), the exact form Kubernetes keeps. */
export function formatCpu(cores: number): string {
  return `${Math.ceil(Math.round(cores * 1e6) / 1e3)}m`;
}

/** Formats bytes as whole mebibytes, rounded up (`6144Mi`). */
export function formatMemory(bytes: number): string {
  return `${Math.ceil(bytes / MEBIBYTE)}Mi`;
}
