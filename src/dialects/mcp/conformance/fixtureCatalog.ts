import { acceptedContent, inputRequired, ProtocolError, type Server, type ServerContext } from '@modelcontextprotocol/server';
import { TEST_IMAGE_BASE64 } from './fixtureTools.js';

/**
 * The resources, resource template, prompts and completion the conformance scenarios read
 * (resources-*, prompts-*, completion-complete, caching, sep-2164, input-required-result-non-tool-request).
 */

const INVALID_PARAMS = -32602;

const RESOURCES = [
  {
    uri: 'test://static-text',
    name: 'static-text',
    title: 'Static Text Resource',
    description: 'A static text resource for testing',
    mimeType: 'text/plain',
    read: () => ({ text: 'This is the content of the static text resource.' }),
  },
  {
    uri: 'test://static-binary',
    name: 'static-binary',
    title: 'Static Binary Resource',
    description: 'A static binary resource (image) for testing',
    mimeType: 'image/png',
    read: () => ({ blob: TEST_IMAGE_BASE64 }),
  },
  {
    uri: 'test://watched-resource',
    name: 'watched-resource',
    title: 'Watched Resource',
    description: 'Static resource registered for subscribe/unsubscribe testing',
    mimeType: 'text/plain',
    read: () => ({ text: 'Watched resource content' }),
  },
];

const TEMPLATE = {
  uriTemplate: 'test://template/{id}/data',
  name: 'template',
  title: 'Resource Template',
  description: 'A resource template with parameter substitution',
  mimeType: 'application/json',
};
const TEMPLATE_PATTERN = /^test:\/\/template\/([^/]+)\/data$/;

type Message = { role: 'user'; content: Record<string, unknown> };
const userText = (text: string): Message => ({ role: 'user', content: { type: 'text', text } });

interface FixturePrompt {
  name: string;
  title: string;
  description: string;
  arguments?: Array<{ name: string; description: string; required: boolean }>;
  get: (args: Record<string, string>, ctx: ServerContext) => { messages: Message[] } | ReturnType<typeof inputRequired>;
}

const PROMPTS: FixturePrompt[] = [
  {
    name: 'test_simple_prompt',
    title: 'Simple Test Prompt',
    description: 'A simple prompt without arguments',
    get: () => ({ messages: [userText('This is a simple prompt for testing.')] }),
  },
  {
    name: 'test_prompt_with_arguments',
    title: 'Prompt With Arguments',
    description: 'A prompt with required arguments',
    arguments: [
      { name: 'arg1', description: 'First test argument', required: true },
      { name: 'arg2', description: 'Second test argument', required: true },
    ],
    get: (args) => ({ messages: [userText(`Prompt with arguments: arg1='${args.arg1}', arg2='${args.arg2}'`)] }),
  },
  {
    name: 'test_prompt_with_embedded_resource',
    title: 'Prompt With Embedded Resource',
    description: 'A prompt that includes an embedded resource',
    arguments: [{ name: 'resourceUri', description: 'URI of the resource to embed', required: true }],
    get: (args) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'resource',
            resource: { uri: args.resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' },
          },
        },
        userText('Please process the embedded resource above.'),
      ],
    }),
  },
  {
    name: 'test_prompt_with_image',
    title: 'Prompt With Image',
    description: 'A prompt that includes image content',
    get: () => ({
      messages: [
        { role: 'user', content: { type: 'image', data: TEST_IMAGE_BASE64, mimeType: 'image/png' } },
        userText('Please analyze the image above.'),
      ],
    }),
  },
  {
    name: 'test_input_required_result_prompt',
    title: 'MRTR Prompt',
    description: 'MRTR (SEP-2322): prompt that requires elicitation input before rendering',
    get: (_args, ctx) => {
      const context = acceptedContent<{ context: string }>(ctx.mcpReq.inputResponses, 'user_context')?.context;
      if (typeof context === 'string') return { messages: [userText(`Use the following context: ${context}`)] };
      return inputRequired({
        inputRequests: {
          user_context: inputRequired.elicit({
            message: 'What context should the prompt use?',
            requestedSchema: { type: 'object', properties: { context: { type: 'string' } }, required: ['context'] } as never,
          }),
        },
      });
    },
  },
];

/** Registers the fixture resources, prompts and completion on one SDK Server. */
export function installFixtureCatalog(server: Server): void {
  const listedResources = RESOURCES.map(({ read: _read, ...listed }) => listed);
  const listedPrompts = PROMPTS.map(({ get: _get, ...listed }) => listed);

  server.setRequestHandler('resources/list', async () => ({ resources: listedResources }));
  server.setRequestHandler('resources/templates/list', async () => ({ resourceTemplates: [TEMPLATE] }));
  server.setRequestHandler('resources/read', async (request) => {
    const { uri } = request.params;
    const resource = RESOURCES.find((r) => r.uri === uri);
    if (resource) return { contents: [{ uri, mimeType: resource.mimeType, ...resource.read() }] };
    const id = TEMPLATE_PATTERN.exec(uri)?.[1];
    if (id !== undefined) {
      const body = { id, templateTest: true, data: `Data for ID: ${id}` };
      return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(body) }] };
    }
    // SEP-2164: an unknown URI is Invalid Params naming the URI, never an empty contents list.
    throw new ProtocolError(INVALID_PARAMS, 'Resource not found', { uri });
  });
  // Stateless serving keeps no subscription list: acknowledging is all a subscribe can do here.
  server.setRequestHandler('resources/subscribe', async () => ({}));
  server.setRequestHandler('resources/unsubscribe', async () => ({}));

  server.setRequestHandler('prompts/list', async () => ({ prompts: listedPrompts }));
  server.setRequestHandler('prompts/get', async (request, ctx) => {
    const prompt = PROMPTS.find((p) => p.name === request.params.name);
    if (!prompt) throw new ProtocolError(INVALID_PARAMS, `Unknown prompt: ${request.params.name}`);
    const args = (request.params.arguments ?? {}) as Record<string, string>;
    for (const arg of prompt.arguments ?? []) {
      if (arg.required && typeof args[arg.name] !== 'string')
        throw new ProtocolError(INVALID_PARAMS, `Prompt ${prompt.name} needs the argument "${arg.name}".`);
    }
    return prompt.get(args, ctx) as never;
  });

  server.setRequestHandler('completion/complete', async () => ({ completion: { values: [], total: 0, hasMore: false } }));
}
