import { disableTokenStackTraces } from "../../stacks/fast-synth";
import { registerCdktfMatchers } from "./cdktf-matchers";

registerCdktfMatchers();
// Same synthesis speed-up as the app (stacks/fast-synth.ts): no per-token stack traces.
disableTokenStackTraces();
