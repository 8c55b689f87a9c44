/**
 * State key: a stack CI applies keeps its state under its environment (`environments/<env>/<stack>/...`,
 * constructs/core/state-keys.ts). When the legacy object (`stacks/<stack>/...`) exists and the new one does not, the
 * state was never migrated: planning would propose to create every resource the stack already has. Refuse, with the
 * migration command (`legacyStateProblem`). Read with ListObjectsV2, which the plan role may call on the whole bucket.
 */
import { legacyStateProblem } from "../../../../constructs/core/state-keys";
import { collectStackState, type StackState } from "../state";
import { defineCheck, problem, type StateLocation } from "../types";

export const stateKeyCheck = defineCheck<StateLocation, StackState>({
  id: "state-key",
  title: "state key migrated",
  requirements: (target) => target.state,
  collect: (location, api) => collectStackState(api, location),
  evaluate(location, state, target) {
    const where = [`s3://${location.bucket}/${location.key}`];
    if (location.legacyKey === undefined) {
      return { problems: [], verified: [`state at ${location.key} (${state.exists ? "exists" : "not yet: the first apply creates it"})`] };
    }
    const refusal = legacyStateProblem({ stack: target.stack, from: location.legacyKey, to: location.key }, { legacy: state.legacyExists === true, current: state.exists });
    if (refusal) {
      return {
        problems: [problem("error", `state of ${target.stack}`, where, refusal, "npm run state -- migrate (an administrator, with the state bucket's account's credentials, while CI is paused); `npm run state -- migrate --dry-run` prints the commands")],
        verified: [],
      };
    }
    const verified = state.exists
      ? `state at ${location.key}${state.legacyExists ? ` (a stale copy at ${location.legacyKey} is ignored; delete it once verified)` : ""}`
      : `no state at ${location.key} nor ${location.legacyKey}: a first apply`;
    return { problems: [], verified: [verified] };
  },
});
