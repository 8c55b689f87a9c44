import { disableTokenStackTraces, reuseAssetArchives } from "../../stacks/fast-synth";
import { registerCdktfMatchers } from "./cdktf-matchers";

registerCdktfMatchers();
// The app's synthesis speed-ups (stacks/fast-synth.ts), as main.ts and the synthesis workers install them: no per-token
// stack traces, and a function's archive zipped once (then copied, the same bytes) instead of by a new Node process for
// every stack a test synthesizes (98 such processes in a run of the suite, about 40 s of CPU).
disableTokenStackTraces();
reuseAssetArchives();
