/**
 * Apply order inside one synthesized stack: which blocks Terraform creates before which. Terraform orders a block
 * after everything it references (`${aws_x.y.attr}`) and everything in its `depends_on`; "A depends on B" here means
 * B is reachable from A over those edges, directly or transitively.
 *
 * And across stacks: the stack catalog deploys a stack after the stacks it depends on (cdktf's manifest.json records
 * them as `dependencies`); `StackSet` answers which stacks are applied before a given one.
 */
import { StackModel, type SynthesizedStack } from "../model";

/** One synthesized stack and the stacks that are deployed before it (its direct dependencies). */
export interface StackEntry {
  readonly name: string;
  readonly json: SynthesizedStack;
  /** Names of the stacks this one is deployed after (cdktf manifest `dependencies`). */
  readonly dependsOn: readonly string[];
}

export class DependencyGraph {
  readonly model: StackModel;
  private readonly direct = new Map<string, ReadonlySet<string>>();
  private readonly closures = new Map<string, ReadonlySet<string>>();

  constructor(model: StackModel) {
    this.model = model;
    for (const block of model.all()) {
      const targets = new Set(model.references(block).map((target) => target.address));
      const declared = block.body.depends_on;
      if (Array.isArray(declared)) {
        for (const address of declared) if (typeof address === "string" && model.byAddress(address)) targets.add(address);
      }
      this.direct.set(block.address, targets);
    }
  }

  /** Addresses `address` references or names in `depends_on`. */
  dependenciesOf(address: string): ReadonlySet<string> {
    return this.direct.get(address) ?? new Set();
  }

  /** Every address `address` depends on, directly or transitively. */
  closureOf(address: string): ReadonlySet<string> {
    const known = this.closures.get(address);
    if (known) return known;
    const seen = new Set<string>();
    const pending = [...this.dependenciesOf(address)];
    while (pending.length > 0) {
      const next = pending.pop() as string;
      if (seen.has(next)) continue;
      seen.add(next);
      const cached = this.closures.get(next);
      if (cached) cached.forEach((item) => seen.add(item));
      else pending.push(...this.dependenciesOf(next));
    }
    this.closures.set(address, seen);
    return seen;
  }

  /** Whether Terraform creates `target` before `source` (and destroys it after). */
  dependsOn(source: string, target: string): boolean {
    return this.closureOf(source).has(target);
  }
}

/** The stacks of one synthesis, with the order the catalog deploys them in. */
export class StackSet {
  private readonly entries: ReadonlyMap<string, StackEntry>;
  private readonly models = new Map<string, StackModel>();
  private readonly graphs = new Map<string, DependencyGraph>();

  constructor(stacks: readonly StackEntry[]) {
    this.entries = new Map(stacks.map((stack) => [stack.name, stack]));
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  entry(name: string): StackEntry {
    const entry = this.entries.get(name);
    if (!entry) throw new Error(`unknown stack ${name}`);
    return entry;
  }

  model(name: string): StackModel {
    let model = this.models.get(name);
    if (!model) {
      model = new StackModel(this.entry(name).json, name);
      this.models.set(name, model);
    }
    return model;
  }

  graph(name: string): DependencyGraph {
    let graph = this.graphs.get(name);
    if (!graph) {
      graph = new DependencyGraph(this.model(name));
      this.graphs.set(name, graph);
    }
    return graph;
  }

  /** Stacks deployed before `name` (its dependencies, transitively), nearest first. Unknown names are skipped. */
  upstreamOf(name: string): string[] {
    const out: string[] = [];
    const pending = [...this.entry(name).dependsOn];
    while (pending.length > 0) {
      const next = pending.shift() as string;
      if (out.includes(next) || !this.entries.has(next)) continue;
      out.push(next);
      pending.push(...this.entry(next).dependsOn);
    }
    return out;
  }
}
