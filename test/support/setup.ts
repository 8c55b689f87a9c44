import { registerCdktfMatchers } from "./cdktf-matchers";

registerCdktfMatchers();
// cdktf captures a stack trace for every token; mapping them through source maps dominates synth time (see main.ts).
process.setSourceMapsEnabled(false);
