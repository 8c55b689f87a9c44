/**
 * Stack names (see constructs/core/stack-names.ts, where they live so configuration code can name stacks without
 * importing the stack layer).
 */
export * from "../constructs/core/stack-names";
