/**
 * Synthesis speed-ups that change no output.
 *
 * cdktf records the full creation stack trace of every token it creates (thousands per stack), and uses it only to
 * decorate the error message when a token is misused. Capturing and formatting those traces cost about a fifth of
 * the bundled synth (measured with `node --cpu-prof`), and with source maps enabled (tsx turns them on) far more.
 * `disableTokenStackTraces` replaces the capture with an empty trace; set PLATFORM_TOKEN_STACK_TRACES=1 to keep
 * them while debugging a token error.
 */
import { createRequire } from "node:module";

interface StackTraceModule {
  captureStackTrace: (below?: unknown) => string[];
}

export function disableTokenStackTraces(): void {
  process.setSourceMapsEnabled(false);
  // cdktf's token classes call this module's export through the module object at each use, so replacing the
  // export takes effect for every token created afterwards.
  const stackTrace = createRequire(__filename)("cdktf/lib/tokens/private/stack-trace") as StackTraceModule;
  stackTrace.captureStackTrace = () => [];
}
