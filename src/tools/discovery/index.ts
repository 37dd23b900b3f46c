import { READ_ONLY, defineOperation, type ToolOperation } from '../../core/operation.js';
import { ToolError } from '../../core/errors.js';
import type { Registry } from '../../core/registry.js';
import type { ToolModule } from '../../core/toolModule.js';

const operationSummary = {
  type: 'object',
  required: ['name', 'mcp_name', 'title', 'description', 'read_only'],
  properties: {
    name: { type: 'string' },
    mcp_name: { type: 'string' },
    title: { type: 'string' },
    description: { type: 'string' },
    read_only: { type: 'boolean' },
  },
} as const;

/** The `discovery` tool: what a caller may call, described from the registry itself. */
export function createDiscoveryTool(getRegistry: () => Registry): ToolModule {
  const listTools = defineOperation<Record<string, never>, { tools: { name: string; operations: string[] }[] }>({
    tool: 'discovery',
    operation: 'list_tools',
    mcpName: 'list_tools',
    title: 'List tools',
    description: 'The tools and operations this credential may call; get_tool_documentation describes them.',
    inputSchema: { type: 'object', properties: {}, additionalProperties: false },
    outputSchema: {
      type: 'object',
      required: ['tools'],
      properties: {
        tools: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'operations'],
            properties: { name: { type: 'string' }, operations: { type: 'array', items: { type: 'string' } } },
          },
        },
      },
    },
    annotations: READ_ONLY,
    scope: 'read',
    handler: async (_params, ctx) => {
      const grouped = new Map<string, string[]>();
      for (const { op } of getRegistry().list(ctx.caller)) {
        const ops = grouped.get(op.tool) ?? [];
        ops.push(op.operation);
        grouped.set(op.tool, ops);
      }
      return { tools: [...grouped].map(([name, operations]) => ({ name, operations })) };
    },
  });

  const getDocumentation = defineOperation<{ tool_name: string }, unknown>({
    tool: 'discovery',
    operation: 'get_tool_documentation',
    mcpName: 'get_tool_documentation',
    title: 'Get tool documentation',
    description: "One tool's operations you may call, with full parameter and result JSON Schemas.",
    inputSchema: {
      type: 'object',
      required: ['tool_name'],
      properties: {
        tool_name: { type: 'string', minLength: 1, maxLength: 128, description: 'e.g. "file_system"' },
      },
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      required: ['name', 'operations'],
      properties: {
        name: { type: 'string' },
        operations: {
          type: 'array',
          items: {
            ...operationSummary,
            required: [...operationSummary.required, 'parameters', 'result'],
            properties: { ...operationSummary.properties, parameters: { type: 'object' }, result: { type: 'object' } },
          },
        },
      },
    },
    annotations: READ_ONLY,
    scope: 'read',
    handler: async ({ tool_name }, ctx) => {
      const ops = getRegistry()
        .list(ctx.caller)
        .filter(({ op }) => op.tool === tool_name);
      if (ops.length === 0) {
        throw new ToolError(
          'UNKNOWN_TOOL',
          `Unknown tool "${tool_name}": none by that name is available to you. Call list_tools to see the tools you may use.`,
        );
      }
      return {
        name: tool_name,
        operations: ops.map(({ op }) => ({
          name: op.operation,
          mcp_name: op.mcpName,
          title: op.title,
          description: op.description,
          read_only: op.annotations.readOnlyHint,
          parameters: op.inputSchema,
          result: op.outputSchema,
        })),
      };
    },
  });

  return { name: 'discovery', operations: [listTools, getDocumentation] as ToolOperation[] };
}
