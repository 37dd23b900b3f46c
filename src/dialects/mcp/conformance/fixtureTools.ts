import { randomUUID } from 'node:crypto';
import {
  acceptedContent,
  CLIENT_CAPABILITIES_META_KEY,
  inputRequired,
  ProtocolError,
  type InputRequests,
  type RequestStateCodec,
  type ServerContext,
} from '@modelcontextprotocol/server';

/**
 * The tools the official conformance scenarios call by name (`@modelcontextprotocol/conformance`,
 * server leg). Each behaves as its scenario's description asks; none touches the workspace, the
 * database or the network. Only registered with MCP_CONFORMANCE_FIXTURES=true.
 */

export const TEST_IMAGE_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
const TEST_AUDIO_BASE64 = 'UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=';

type Content = Record<string, unknown>;
export type FixtureResult = { content: Content[]; isError?: boolean } | ReturnType<typeof inputRequired>;

export interface FixtureToolContext {
  ctx: ServerContext;
  requestState: RequestStateCodec<Record<string, unknown>>;
  /** Publishes a list_changed event to open `subscriptions/listen` streams. */
  listChanged: (kind: 'tools' | 'prompts') => void;
}

export interface FixtureTool {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  call: (args: Record<string, unknown>, fx: FixtureToolContext) => Promise<FixtureResult>;
}

const NO_ARGS = { type: 'object', properties: {} } as const;
const text = (value: string): { content: Content[] } => ({ content: [{ type: 'text', text: value }] });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const nameSchema = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] };
const confirmSchema = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] };

/** A 2025-era server→client request; the failure is reported as text, as the scenarios expect. */
async function askClient(ctx: ServerContext, method: 'sampling/createMessage' | 'elicitation/create', params: Record<string, unknown>) {
  try {
    return { result: (await ctx.mcpReq.send({ method, params } as never)) as Record<string, unknown> };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

async function elicitText(ctx: ServerContext, message: string, requestedSchema: Record<string, unknown>, lead: string) {
  const answer = await askClient(ctx, 'elicitation/create', { message, requestedSchema });
  if (answer.error !== undefined) return text(`Elicitation not supported or error: ${answer.error}`);
  return text(`${lead}: action=${String(answer.result?.action)}, content=${JSON.stringify(answer.result?.content ?? {})}`);
}

const JSON_SCHEMA_2020_12 = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  $defs: {
    address: { $anchor: 'addressDef', type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } },
  },
  properties: {
    name: { type: 'string' },
    address: { $ref: '#/$defs/address' },
    contactMethod: { type: 'string', enum: ['phone', 'email'] },
    phone: { type: 'string' },
    email: { type: 'string' },
  },
  allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
  if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
  // biome-ignore lint/suspicious/noThenProperty: `then` is a JSON Schema 2020-12 keyword.
  then: { required: ['phone'] },
  else: { required: ['email'] },
  additionalProperties: false,
};

const SEP1330_ENUMS = {
  type: 'object',
  properties: {
    untitledSingle: { type: 'string', description: 'Select one option', enum: ['option1', 'option2', 'option3'] },
    titledSingle: {
      type: 'string',
      description: 'Select one option with titles',
      oneOf: [
        { const: 'value1', title: 'First Option' },
        { const: 'value2', title: 'Second Option' },
        { const: 'value3', title: 'Third Option' },
      ],
    },
    legacyEnum: {
      type: 'string',
      description: 'Select one option (legacy)',
      enum: ['opt1', 'opt2', 'opt3'],
      enumNames: ['Option One', 'Option Two', 'Option Three'],
    },
    untitledMulti: {
      type: 'array',
      description: 'Select multiple options',
      minItems: 1,
      maxItems: 3,
      items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
    },
    titledMulti: {
      type: 'array',
      description: 'Select multiple options with titles',
      minItems: 1,
      maxItems: 3,
      items: {
        anyOf: [
          { const: 'value1', title: 'First Choice' },
          { const: 'value2', title: 'Second Choice' },
          { const: 'value3', title: 'Third Choice' },
        ],
      },
    },
  },
  required: [],
};

const SEP1034_DEFAULTS = {
  type: 'object',
  properties: {
    name: { type: 'string', description: 'User name', default: 'John Doe' },
    age: { type: 'integer', description: 'User age', default: 30 },
    score: { type: 'number', description: 'User score', default: 95.5 },
    status: { type: 'string', description: 'User status', enum: ['active', 'inactive', 'pending'], default: 'active' },
    verified: { type: 'boolean', description: 'Verification status', default: true },
  },
  required: [],
};

export const FIXTURE_TOOLS: FixtureTool[] = [
  {
    name: 'test_simple_text',
    description: 'Conformance: returns one text block.',
    inputSchema: NO_ARGS,
    call: async () => text('This is a simple text response for testing.'),
  },
  {
    name: 'test_image_content',
    description: 'Conformance: returns one PNG image block.',
    inputSchema: NO_ARGS,
    call: async () => ({ content: [{ type: 'image', data: TEST_IMAGE_BASE64, mimeType: 'image/png' }] }),
  },
  {
    name: 'test_audio_content',
    description: 'Conformance: returns one WAV audio block.',
    inputSchema: NO_ARGS,
    call: async () => ({ content: [{ type: 'audio', data: TEST_AUDIO_BASE64, mimeType: 'audio/wav' }] }),
  },
  {
    name: 'test_embedded_resource',
    description: 'Conformance: returns an embedded text resource.',
    inputSchema: NO_ARGS,
    call: async () => ({
      content: [
        {
          type: 'resource',
          resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' },
        },
      ],
    }),
  },
  {
    name: 'test_multiple_content_types',
    description: 'Conformance: returns text, image and resource blocks.',
    inputSchema: NO_ARGS,
    call: async () => ({
      content: [
        { type: 'text', text: 'Multiple content types test:' },
        { type: 'image', data: TEST_IMAGE_BASE64, mimeType: 'image/png' },
        {
          type: 'resource',
          resource: {
            uri: 'test://mixed-content-resource',
            mimeType: 'application/json',
            text: JSON.stringify({ test: 'data', value: 123 }),
          },
        },
      ],
    }),
  },
  {
    name: 'test_tool_with_logging',
    description: 'Conformance: sends three info log notifications while it runs.',
    inputSchema: NO_ARGS,
    call: async (_args, { ctx }) => {
      // A stateless server cannot remember logging/setLevel across requests, so these go out
      // as plain notifications, as the scenario expects.
      for (const [i, data] of ['Tool execution started', 'Tool processing data', 'Tool execution completed'].entries()) {
        if (i > 0) await pause(50);
        await ctx.mcpReq.notify({ method: 'notifications/message', params: { level: 'info', data } });
      }
      return text('Tool with logging executed successfully');
    },
  },
  {
    name: 'test_tool_with_progress',
    description: 'Conformance: reports progress 0, 50, 100 when the call carries a progressToken.',
    inputSchema: NO_ARGS,
    call: async (_args, { ctx }) => {
      const progressToken = ctx.mcpReq._meta?.progressToken;
      if (progressToken !== undefined) {
        for (const progress of [0, 50, 100]) {
          await ctx.mcpReq.notify({
            method: 'notifications/progress',
            params: { progressToken, progress, total: 100, message: `Completed step ${progress} of 100` },
          });
          if (progress < 100) await pause(50);
        }
      }
      return text(String(progressToken ?? 'no-progress-token'));
    },
  },
  {
    name: 'test_error_handling',
    description: 'Conformance: always fails with a tool error.',
    inputSchema: NO_ARGS,
    call: async () => ({ content: [{ type: 'text', text: 'This tool intentionally returns an error for testing' }], isError: true }),
  },
  {
    name: 'test_sampling',
    description: 'Conformance: asks the client for an LLM completion (2025-era sampling/createMessage).',
    inputSchema: {
      type: 'object',
      properties: { prompt: { type: 'string', description: 'The prompt to send to the LLM' } },
      required: ['prompt'],
    },
    call: async (args, { ctx }) => {
      const answer = await askClient(ctx, 'sampling/createMessage', {
        messages: [{ role: 'user', content: { type: 'text', text: String(args.prompt ?? '') } }],
        maxTokens: 100,
      });
      if (answer.error !== undefined) return text(`Sampling not supported or error: ${answer.error}`);
      const reply = (answer.result?.content as { text?: string } | undefined)?.text ?? 'No response';
      return text(`LLM response: ${reply}`);
    },
  },
  {
    name: 'test_elicitation',
    description: 'Conformance: asks the client for user input (2025-era elicitation/create).',
    inputSchema: {
      type: 'object',
      properties: { message: { type: 'string', description: 'The message to show the user' } },
      required: ['message'],
    },
    call: async (args, { ctx }) =>
      elicitText(
        ctx,
        String(args.message ?? ''),
        {
          type: 'object',
          properties: {
            username: { type: 'string', description: "User's response" },
            email: { type: 'string', description: "User's email address" },
          },
          required: ['username', 'email'],
        },
        'User response',
      ),
  },
  {
    name: 'test_elicitation_sep1034_defaults',
    description: 'Conformance (SEP-1034): elicitation whose fields carry defaults.',
    inputSchema: NO_ARGS,
    call: async (_args, { ctx }) =>
      elicitText(ctx, 'Please review and update the form fields with defaults', SEP1034_DEFAULTS, 'Elicitation completed'),
  },
  {
    name: 'test_elicitation_sep1330_enums',
    description: 'Conformance (SEP-1330): elicitation with every enum schema variant.',
    inputSchema: NO_ARGS,
    call: async (_args, { ctx }) => elicitText(ctx, 'Please select options from the enum fields', SEP1330_ENUMS, 'Elicitation completed'),
  },
  {
    name: 'json_schema_2020_12_tool',
    description: 'Conformance (SEP-1613, SEP-2106): an input schema using JSON Schema 2020-12 keywords.',
    inputSchema: JSON_SCHEMA_2020_12,
    call: async (args) => text(`JSON Schema 2020-12 tool called with: ${JSON.stringify(args)}`),
  },
  {
    name: 'test_x_mcp_header',
    description: 'Conformance (SEP-2243): one argument mirrored into the Mcp-Param-Region header.',
    inputSchema: {
      type: 'object',
      properties: {
        region: { type: 'string', description: 'mirrored into Mcp-Param-Region', 'x-mcp-header': 'Region' },
        level: { type: 'integer', description: 'non-mirrored argument' },
      },
    },
    call: async (args) => text(`region=${typeof args.region === 'string' ? args.region : '<none>'}`),
  },
  {
    name: 'test_missing_capability',
    description: 'Conformance (SEP-2575): needs the sampling client capability.',
    inputSchema: NO_ARGS,
    call: async (_args, { ctx }) =>
      ctx.mcpReq.inputResponses?.llm_answer === undefined
        ? inputRequired({
            inputRequests: {
              llm_answer: inputRequired.createMessage({
                messages: [{ role: 'user', content: { type: 'text', text: 'Reply with the single word: pong' } }],
                maxTokens: 16,
              }),
            },
          })
        : text('sampling round-trip complete'),
  },
  {
    name: 'test_streaming_elicitation',
    description: 'Conformance (SEP-2575): a response stream with result frames only.',
    inputSchema: NO_ARGS,
    call: async () => text('stream observed: result frames only, no top-level requests'),
  },
  {
    name: 'test_logging_tool',
    description: 'Conformance (SEP-2575): logs through the request-scoped, logLevel-gated channel.',
    inputSchema: NO_ARGS,
    call: async (_args, { ctx }) => {
      await ctx.mcpReq.log('info', 'test_logging_tool ran');
      return text('logged through the request-scoped, logLevel-gated channel');
    },
  },
  {
    name: 'test_trigger_tool_change',
    description: 'Conformance (SEP-2575): publishes tools/list_changed to open listen streams.',
    inputSchema: NO_ARGS,
    call: async (_args, { listChanged }) => {
      listChanged('tools');
      return text('tools_list_changed published');
    },
  },
  {
    name: 'test_trigger_prompt_change',
    description: 'Conformance (SEP-2575): publishes prompts/list_changed to open listen streams.',
    inputSchema: NO_ARGS,
    call: async (_args, { listChanged }) => {
      listChanged('prompts');
      return text('prompts_list_changed published');
    },
  },
  ...inputRequiredTools(),
];

/** Multi-round-trip (SEP-2322) tools: write-once handlers the SDK serves to both eras. */
function inputRequiredTools(): FixtureTool[] {
  return [
    {
      name: 'test_input_required_result_elicitation',
      description: 'Conformance (SEP-2322): asks for the caller name in-band.',
      inputSchema: NO_ARGS,
      call: async (_args, { ctx }) => {
        const name = acceptedContent<{ name: string }>(ctx.mcpReq.inputResponses, 'user_name')?.name;
        if (typeof name === 'string') return text(`Hello, ${name}!`);
        return inputRequired({
          inputRequests: { user_name: inputRequired.elicit({ message: 'What is your name?', requestedSchema: nameSchema as never }) },
        });
      },
    },
    {
      name: 'test_input_required_result_sampling',
      description: 'Conformance (SEP-2322): asks for an LLM completion in-band.',
      inputSchema: NO_ARGS,
      call: async (_args, { ctx }) => {
        const answer = ctx.mcpReq.inputResponses?.capital_question as { content?: { text?: unknown } } | undefined;
        if (answer !== undefined)
          return text(`Sampling response: ${typeof answer.content?.text === 'string' ? answer.content.text : JSON.stringify(answer)}`);
        return inputRequired({
          inputRequests: {
            capital_question: inputRequired.createMessage({
              messages: [{ role: 'user', content: { type: 'text', text: 'What is the capital of France?' } }],
              maxTokens: 100,
            }),
          },
        });
      },
    },
    {
      name: 'test_input_required_result_list_roots',
      description: 'Conformance (SEP-2322): asks for the client roots in-band.',
      inputSchema: NO_ARGS,
      call: async (_args, { ctx }) => {
        const roots = (ctx.mcpReq.inputResponses?.client_roots as { roots?: Array<{ uri?: string }> } | undefined)?.roots;
        if (!Array.isArray(roots)) return inputRequired({ inputRequests: { client_roots: inputRequired.listRoots() } });
        return text(`Client exposed ${roots.length} root(s): ${roots.map((root) => root.uri).join(', ')}`);
      },
    },
    {
      name: 'test_input_required_result_request_state',
      description: 'Conformance (SEP-2322): round-trips integrity-protected requestState.',
      inputSchema: NO_ARGS,
      call: async (_args, { ctx, requestState }) => {
        if (acceptedContent(ctx.mcpReq.inputResponses, 'confirm') === undefined) {
          return inputRequired({
            inputRequests: { confirm: inputRequired.elicit({ message: 'Please confirm', requestedSchema: confirmSchema as never }) },
            requestState: await requestState.mint({ tool: 'request_state', nonce: randomUUID() }),
          });
        }
        // The Server's requestState.verify hook has already rejected forged state.
        if (ctx.mcpReq.requestState() === undefined) throw new ProtocolError(-32602, 'Invalid requestState: missing');
        return text('state-ok: requestState verified and confirmation received');
      },
    },
    {
      name: 'test_input_required_result_multiple_inputs',
      description: 'Conformance (SEP-2322): elicitation, sampling and roots in one round.',
      inputSchema: NO_ARGS,
      call: async (_args, { ctx, requestState }) => {
        const responses = ctx.mcpReq.inputResponses;
        const name = acceptedContent<{ name: string }>(responses, 'user_name')?.name;
        const greeting = (responses?.greeting as { content?: { text?: unknown } } | undefined)?.content?.text;
        const roots = (responses?.client_roots as { roots?: unknown[] } | undefined)?.roots;
        if (typeof name === 'string' && typeof greeting === 'string' && Array.isArray(roots))
          return text(`${greeting} ${name} — ${roots.length} root(s) visible`);
        return inputRequired({
          inputRequests: {
            user_name: inputRequired.elicit({ message: 'What is your name?', requestedSchema: nameSchema as never }),
            greeting: inputRequired.createMessage({
              messages: [{ role: 'user', content: { type: 'text', text: 'Generate a greeting' } }],
              maxTokens: 50,
            }),
            client_roots: inputRequired.listRoots(),
          },
          requestState: await requestState.mint({ tool: 'multiple_inputs', nonce: randomUUID() }),
        });
      },
    },
    {
      name: 'test_input_required_result_multi_round',
      description: 'Conformance (SEP-2322): two elicitation rounds with evolving requestState.',
      inputSchema: NO_ARGS,
      call: async (_args, { ctx, requestState }) => {
        const state = ctx.mcpReq.requestState<Record<string, unknown>>();
        const round = state?.tool === 'multi_round' && typeof state.round === 'number' ? state.round : 0;
        if (round === 0) {
          return inputRequired({
            inputRequests: {
              step1: inputRequired.elicit({ message: 'Step 1: What is your name?', requestedSchema: nameSchema as never }),
            },
            requestState: await requestState.mint({ tool: 'multi_round', round: 1, nonce: randomUUID() }),
          });
        }
        if (round === 1) {
          const name = acceptedContent<{ name: string }>(ctx.mcpReq.inputResponses, 'step1')?.name ?? 'unknown';
          return inputRequired({
            inputRequests: {
              step2: inputRequired.elicit({
                message: 'Step 2: What is your favorite color?',
                requestedSchema: { type: 'object', properties: { color: { type: 'string' } }, required: ['color'] } as never,
              }),
            },
            requestState: await requestState.mint({ tool: 'multi_round', round: 2, name, nonce: randomUUID() }),
          });
        }
        const color = acceptedContent<{ color: string }>(ctx.mcpReq.inputResponses, 'step2')?.color ?? 'unknown';
        return text(`Multi-round complete: ${String(state?.name ?? 'unknown')} likes ${color}`);
      },
    },
    {
      name: 'test_input_required_result_tampered_state',
      description: 'Conformance (SEP-2322): retries with forged requestState are refused.',
      inputSchema: NO_ARGS,
      call: async (_args, { ctx, requestState }) => {
        if (ctx.mcpReq.requestState() !== undefined && acceptedContent(ctx.mcpReq.inputResponses, 'confirm') !== undefined)
          return text('integrity-ok: requestState verified');
        return inputRequired({
          inputRequests: { confirm: inputRequired.elicit({ message: 'Please confirm', requestedSchema: confirmSchema as never }) },
          requestState: await requestState.mint({ tool: 'tampered_state', nonce: randomUUID() }),
        });
      },
    },
    {
      name: 'test_input_required_result_capabilities',
      description: 'Conformance (SEP-2322): only asks for input kinds the client declared.',
      inputSchema: NO_ARGS,
      call: async (_args, { ctx }) => {
        if (ctx.mcpReq.inputResponses !== undefined) return text('Capability-aware input requests fulfilled');
        const envelope = ctx.mcpReq.envelope as Record<string, Record<string, unknown> | undefined> | undefined;
        const declared = envelope?.[CLIENT_CAPABILITIES_META_KEY];
        const inputRequests: InputRequests = {};
        if (declared?.elicitation !== undefined)
          inputRequests.user_name = inputRequired.elicit({ message: 'What is your name?', requestedSchema: nameSchema as never });
        if (declared?.sampling !== undefined)
          inputRequests.greeting = inputRequired.createMessage({
            messages: [{ role: 'user', content: { type: 'text', text: 'Generate a short greeting' } }],
            maxTokens: 50,
          });
        if (declared?.roots !== undefined) inputRequests.client_roots = inputRequired.listRoots();
        if (Object.keys(inputRequests).length === 0) return text('No declared client capability supports an in-band input request');
        return inputRequired({ inputRequests });
      },
    },
  ];
}
