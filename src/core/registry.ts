import type { Caller } from './caller.js';
import { hasScope } from './caller.js';
import type { ToolOperation, JsonSchema } from './operation.js';
import { portabilityProblems } from './portableSchema.js';
import { createAjv, type Ajv, type ValidateFunction } from './schema.js';

export interface RegisteredOperation {
  op: ToolOperation;
  validateInput: ValidateFunction;
  validateOutput: ValidateFunction;
}

/**
 * An operation with its validators, each compiled by Ajv when first used rather than at start-up:
 * a deployment calls few of its operations, and compiling every input and output schema up front
 * held ≈1 MiB of heap at idle (bench/README.md, "Idle RSS") for validators most processes never run.
 * A declaration that breaks a rule still fails at start-up (checkDeclaration), and a test compiles
 * every default operation's schemas (test/core/registry.test.ts).
 */
export function registeredOperation(op: ToolOperation, ajv: () => Ajv): RegisteredOperation {
  let input: ValidateFunction | undefined;
  let output: ValidateFunction | undefined;
  return {
    op,
    get validateInput() {
      return (input ??= ajv().compile(op.inputSchema as JsonSchema));
    },
    get validateOutput() {
      return (output ??= ajv().compile(op.outputSchema as JsonSchema));
    },
  };
}

const MCP_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const ENVELOPE_NAME = /^[a-z][a-z0-9_]{0,63}$/;

/** Throws at startup when a declaration breaks a rule that real clients enforce. */
function checkDeclaration(op: ToolOperation): void {
  const where = `${op.tool}.${op.operation}`;
  if (!ENVELOPE_NAME.test(op.tool) || !ENVELOPE_NAME.test(op.operation))
    throw new Error(`${where}: tool and operation names must be snake_case`);
  if (!MCP_NAME.test(op.mcpName)) throw new Error(`${where}: MCP name "${op.mcpName}" must match ${MCP_NAME}`);
  for (const [label, schema] of [
    ['inputSchema', op.inputSchema],
    ['outputSchema', op.outputSchema],
  ] as const) {
    if (schema.type !== 'object') throw new Error(`${where}: ${label} must have root type "object"`);
    for (const combinator of ['anyOf', 'oneOf', 'allOf', '$ref']) {
      if (combinator in schema) throw new Error(`${where}: ${label} must not use top-level ${combinator} (Anthropic and OpenAI reject it)`);
    }
    const [problem] = portabilityProblems(schema, label);
    if (problem) throw new Error(`${where}: ${problem.path} is not portable: ${problem.problem}`);
  }
  if (op.inputSchema.additionalProperties !== false) throw new Error(`${where}: inputSchema must set additionalProperties: false`);
  const a = op.annotations;
  for (const key of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const) {
    if (typeof a?.[key] !== 'boolean') throw new Error(`${where}: annotation ${key} must be set explicitly`);
  }
  if (a.readOnlyHint && op.scope !== 'read') throw new Error(`${where}: a read-only operation must need the read scope`);
  // Running commands is its own permission: a writing operation needs write, or exec for the process tool.
  if (!a.readOnlyHint && op.scope === 'read') throw new Error(`${where}: a writing operation must need the write or exec scope`);
}

/** An operation configuration switched off, and why. */
export interface WithheldOperation {
  tool: string;
  operation: string;
  mcpName: string;
  reason: string;
}

/** The withheld operations of a set of tool modules, for the Registry. */
export function withheldOperations(modules: { withheld?: { operations: ToolOperation[]; reason: string } }[]): WithheldOperation[] {
  return modules.flatMap((m) =>
    (m.withheld?.operations ?? []).map((op) => ({
      tool: op.tool,
      operation: op.operation,
      mcpName: op.mcpName,
      reason: m.withheld!.reason,
    })),
  );
}

/** The one table of operations both dialects are generated from. Order is declaration order. */
export class Registry {
  private readonly ordered: RegisteredOperation[] = [];
  private readonly byEnvelopeKey = new Map<string, RegisteredOperation>();
  private readonly byMcp = new Map<string, RegisteredOperation>();
  private readonly toolNames = new Set<string>();
  private readonly withheldEnvelope = new Map<string, string>();
  private readonly withheldMcp = new Map<string, string>();

  /** `withheld`: operations configuration switched off, each with the reason (never callable). */
  constructor(operations: ToolOperation[], withheld: WithheldOperation[] = []) {
    for (const w of withheld) {
      this.withheldEnvelope.set(`${w.tool}\u0000${w.operation}`, w.reason);
      this.withheldMcp.set(w.mcpName, w.reason);
    }
    let ajv: Ajv | undefined;
    const ajvOnce = () => (ajv ??= createAjv());
    for (const op of operations) {
      checkDeclaration(op);
      const key = `${op.tool}\u0000${op.operation}`;
      if (this.byEnvelopeKey.has(key)) throw new Error(`duplicate operation ${op.tool}.${op.operation}`);
      if (this.byMcp.has(op.mcpName)) throw new Error(`duplicate MCP tool name ${op.mcpName}`);
      const entry = registeredOperation(op, ajvOnce);
      this.ordered.push(entry);
      this.byEnvelopeKey.set(key, entry);
      this.byMcp.set(op.mcpName, entry);
      this.toolNames.add(op.tool);
    }
  }

  hasTool(tool: string): boolean {
    return this.toolNames.has(tool);
  }

  byEnvelope(tool: string, operation: string): RegisteredOperation | undefined {
    return this.byEnvelopeKey.get(`${tool}\u0000${operation}`);
  }

  byMcpName(name: string): RegisteredOperation | undefined {
    return this.byMcp.get(name);
  }

  /** Why an operation this server does not offer is switched off, when configuration did it. */
  withheldReason(tool: string, operation: string): string | undefined {
    return this.withheldEnvelope.get(`${tool}\u0000${operation}`);
  }

  withheldMcpReason(name: string): string | undefined {
    return this.withheldMcp.get(name);
  }

  /** Every operation, or only those the caller may call, in a deterministic order. */
  list(caller?: Caller): RegisteredOperation[] {
    if (!caller) return [...this.ordered];
    return this.ordered.filter((entry) => hasScope(caller, entry.op.scope));
  }
}
