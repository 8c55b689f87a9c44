import { registerCdktfMatchers } from "./cdktf-matchers";

registerCdktfMatchers();
