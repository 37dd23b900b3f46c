import { openSession, startBaseline } from '../lib/baselines.js';
import type { ChildServer } from '../lib/child.js';
import type { BenchContext } from '../lib/context.js';
import { fmt } from '../lib/format.js';
import { mcpMessage, post } from '../lib/http.js';
import { startOurs, type OurServer } from '../lib/ours.js';
import { envelopeBody, envelopeHeaders, mcpHeaders, mcpModernHeaders, toolsCallBody, toolsCallModernBody } from '../lib/requests.js';
import { httpContender, interleaved, pairedRatio } from '../lib/rounds.js';

const isToolResult = (body: string) => body.includes('"structuredContent"') && !body.includes('"isError":true');
const isEnvelopeListing = (body: string) => body.includes('"message_type":"response"') && body.includes('"content":{"tools"');

/**
 * The headline comparison: the baselines (raw node:http, bare Express, the SDK's stateless
 * createMcpHandler and its stateful server, fastmcp 4.x stateful and stateless) and our two
 * dialects on both MCP engines, same request shape, loaded in interleaved rounds. Our trivial
 * tool is discovery's list_tools (read-only, no I/O).
 */
export async function protocolWorkload(ctx: BenchContext): Promise<void> {
  const { book, settings, log } = ctx;
  const section = book.section('protocol', 'Protocol overhead: a trivial tools/call at 50 connections');
  const started: ChildServer[] = [];
  try {
    const raw = await startBaseline(ctx.baselineDir, 'rawNode');
    started.push(raw);
    const express = await startBaseline(ctx.baselineDir, 'express');
    started.push(express);
    const sdk = await startBaseline(ctx.baselineDir, 'sdkEcho');
    started.push(sdk);
    const sdkStateful = await startBaseline(ctx.baselineDir, 'sdkStateful');
    started.push(sdkStateful);
    const fastStateful = await startBaseline(ctx.baselineDir, 'fastmcpEcho', [], {}, 'fastmcp-stateful');
    started.push(fastStateful);
    const fastStateless = await startBaseline(ctx.baselineDir, 'fastmcpEcho', [], { FASTMCP_STATELESS: 'true' }, 'fastmcp-stateless');
    started.push(fastStateless);
    const oursMcp: OurServer = await startOurs({ name: 'ours-mcp' });
    started.push(oursMcp);
    const oursSdkEngine: OurServer = await startOurs({ name: 'ours-mcp-sdk-engine', env: { MCP_ENGINE: 'sdk' } });
    started.push(oursSdkEngine);
    const oursEnvelope: OurServer = await startOurs({ name: 'ours-envelope' });
    started.push(oursEnvelope);

    // Each contender must give the right answer once before its speed means anything.
    const baselineBody = toolsCallBody('echo', {});
    const sessionHeaders = new Map<string, Record<string, string>>();
    for (const server of [sdkStateful, fastStateful]) sessionHeaders.set(server.name, await openSession(server.mcpUrl, mcpHeaders()));
    const headersOf = (server: { name: string }) => sessionHeaders.get(server.name) ?? mcpHeaders();
    for (const server of [raw, express, sdk, sdkStateful, fastStateful, fastStateless]) {
      const reply = await post(server.mcpUrl, baselineBody, headersOf(server));
      if (reply.status !== 200 || !mcpMessage(reply.text)?.result)
        throw new Error(`${server.name} answered ${reply.status}: ${reply.text.slice(0, 200)}`);
    }
    const sdkEngineCheck = await oursSdkEngine.mcp('list_tools');
    if (sdkEngineCheck.status !== 200 || !isToolResult(sdkEngineCheck.text))
      throw new Error(`ours (MCP, MCP_ENGINE=sdk) answered ${sdkEngineCheck.status}: ${sdkEngineCheck.text.slice(0, 300)}`);
    const mcpCheck = await oursMcp.mcp('list_tools');
    if (mcpCheck.status !== 200 || !isToolResult(mcpCheck.text))
      throw new Error(`ours (MCP) answered ${mcpCheck.status}: ${mcpCheck.text.slice(0, 300)}`);
    const envelopeCheck = await oursEnvelope.envelope('discovery', 'list_tools');
    if (envelopeCheck.status !== 200 || !isEnvelopeListing(envelopeCheck.text))
      throw new Error(`ours (envelope) answered ${envelopeCheck.status}: ${envelopeCheck.text.slice(0, 300)}`);
    section.data.responseShape = {
      mcp: mcpCheck.headers['content-type'],
      envelope: envelopeCheck.headers['content-type'],
    };

    const contenders = [
      httpContender(
        'raw',
        'raw node:http (fixed result)',
        { url: raw.mcpUrl, requests: [{ body: baselineBody, headers: mcpHeaders() }], verify: isToolResult },
        raw.memory,
      ),
      httpContender(
        'express',
        'bare Express 5 (fixed result)',
        { url: express.mcpUrl, requests: [{ body: baselineBody, headers: mcpHeaders() }], verify: isToolResult },
        express.memory,
      ),
      httpContender(
        'sdk',
        'SDK v2 createMcpHandler (echo tool)',
        { url: sdk.mcpUrl, requests: [{ body: baselineBody, headers: mcpHeaders() }], verify: isToolResult },
        sdk.memory,
      ),
      ...[
        ['sdk-stateful', 'SDK v2 stateful server (one session, echo tool)', sdkStateful] as const,
        ['fastmcp-stateful', 'fastmcp 4.x stateful (one session, echo tool)', fastStateful] as const,
        ['fastmcp-stateless', 'fastmcp 4.x stateless (echo tool)', fastStateless] as const,
      ].map(([id, label, server]) =>
        httpContender(
          id,
          label,
          { url: server.mcpUrl, requests: [{ body: baselineBody, headers: headersOf(server) }], verify: isToolResult },
          server.memory,
        ),
      ),
      httpContender(
        'mcp-sdk-engine',
        'ours, MCP tools/call list_tools (MCP_ENGINE=sdk)',
        {
          url: oursSdkEngine.mcpUrl,
          requests: [{ body: toolsCallBody('list_tools', {}), headers: mcpHeaders(oursSdkEngine.key) }],
          verify: isToolResult,
        },
        oursSdkEngine.memory,
      ),
      httpContender(
        'mcp',
        'ours, MCP tools/call list_tools',
        {
          url: oursMcp.mcpUrl,
          requests: [{ body: toolsCallBody('list_tools', {}), headers: mcpHeaders(oursMcp.key) }],
          verify: isToolResult,
        },
        oursMcp.memory,
      ),
      httpContender(
        'mcp-2026',
        'ours, MCP tools/call list_tools on 2026-07-28',
        {
          url: oursMcp.mcpUrl,
          requests: [{ body: toolsCallModernBody('list_tools'), headers: mcpModernHeaders(oursMcp.key, 'tools/call', 'list_tools') }],
          verify: (body) => isToolResult(body) && body.includes('"resultType":"complete"'),
        },
        oursMcp.memory,
      ),
      httpContender(
        'envelope',
        'ours, envelope discovery.list_tools',
        {
          url: oursEnvelope.mcpUrl,
          requests: [{ body: envelopeBody('discovery', 'list_tools'), headers: envelopeHeaders(oursEnvelope.key) }],
          verify: isEnvelopeListing,
        },
        oursEnvelope.memory,
      ),
    ];
    log(
      `protocol: ${contenders.length} servers × ${settings.protocol.rounds} rounds × ${settings.protocol.durationS}s at ${settings.protocol.connections} connections`,
    );
    const result = await interleaved(contenders, settings.protocol, log);

    const s = (id: string) => result.summaries.get(id)!;
    const ratio = (a: string, b: string) => pairedRatio(result, a, b);
    section.tables.push({
      columns: ['Server', 'rps', 'p50 ms', 'p99 ms', 'peak RSS MiB', 'vs raw', 'vs Express', 'vs SDK', 'ours MCP vs it'],
      rows: contenders.map((c) => {
        const x = s(c.id);
        return [
          c.label,
          fmt.rps(x.rps),
          fmt.ms(x.p50),
          fmt.ms(x.p99),
          fmt.mib(x.peakRssMiB),
          fmt.ratio(ratio(c.id, 'raw')),
          fmt.ratio(ratio(c.id, 'express')),
          fmt.ratio(ratio(c.id, 'sdk')),
          c.id === 'mcp' ? '—' : fmt.ratio(ratio('mcp', c.id)),
        ];
      }),
    });
    const failures = contenders.map((c) => [c.label, s(c.id).failures] as const).filter(([, n]) => n > 0);
    for (const [label, n] of failures)
      section.notes.push(`${label}: ${n} failed responses during the rounds (non-2xx, socket errors or wrong bodies).`);
    section.notes.push(
      'Ratios are medians of per-round ratios (both servers measured in the same round). Baselines get the same headers and a tools/call body; ours adds API-key auth, host/origin checks, body limits, Ajv validation, the executor and winston logging at LOG_LEVEL=warn.',
    );
    section.data.summaries = Object.fromEntries([...result.summaries].map(([id, x]) => [id, { ...x, rounds: x.rounds }]));

    const mcpVsSdk = ratio('mcp', 'sdk');
    const envelopeVsExpress = ratio('envelope', 'express');
    const mcpVsSdkStateful = ratio('mcp', 'sdk-stateful');
    const fastest = ratio('fastmcp-stateful', 'fastmcp-stateless') >= 1 ? 'fastmcp-stateful' : 'fastmcp-stateless';
    const mcpVsFastmcp = ratio('mcp', fastest);
    const mcpVsEnvelope = ratio('mcp', 'envelope');
    const engineGain = ratio('mcp', 'mcp-sdk-engine');
    section.data.ratios = {
      mcpVsSdk,
      envelopeVsExpress,
      mcpVsSdkStateful,
      mcpVsFastmcp,
      fastestFastmcp: fastest,
      mcpVsEnvelope,
      engineVsSdkEngine: engineGain,
      modernVsLegacy: ratio('mcp-2026', 'mcp'),
      mcpVsRaw: ratio('mcp', 'raw'),
      sdkVsRaw: ratio('sdk', 'raw'),
      expressVsRaw: ratio('express', 'raw'),
      envelopeVsRaw: ratio('envelope', 'raw'),
    };
    book.target('mcp_vs_sdk', `${fmt.ratio(mcpVsSdk)}, p99 ${fmt.ms(s('mcp').p99)} ms`, mcpVsSdk >= 1.5 && s('mcp').p99 <= 25);
    book.target('mcp_vs_sdk_stateful', fmt.ratio(mcpVsSdkStateful), mcpVsSdkStateful >= 1.0);
    book.target('mcp_vs_fastmcp', `${fmt.ratio(mcpVsFastmcp)} (vs ${fastest}, the faster mode)`, mcpVsFastmcp >= 1.0);
    book.target('mcp_vs_envelope', fmt.ratio(mcpVsEnvelope), mcpVsEnvelope >= 0.9);
    book.target('envelope_vs_express', fmt.ratio(envelopeVsExpress), envelopeVsExpress >= 0.7);
    book.ratio({ label: 'MCP path / SDK server', value: mcpVsSdk, target: 1.5, group: 'vs baseline' });
    book.ratio({ label: 'MCP path / SDK stateful server', value: mcpVsSdkStateful, target: 1.0, group: 'vs baseline' });
    book.ratio({ label: `MCP path / ${fastest}`, value: mcpVsFastmcp, target: 1.0, group: 'vs baseline' });
    book.ratio({ label: 'MCP path / our envelope path', value: mcpVsEnvelope, target: 0.9, group: 'ours' });
    book.ratio({ label: 'MCP engine / MCP_ENGINE=sdk', value: engineGain, group: 'ours' });
    book.ratio({ label: 'MCP on 2026-07-28 / on 2025-11-25', value: ratio('mcp-2026', 'mcp'), group: 'ours' });
    book.ratio({ label: 'Envelope / bare Express', value: envelopeVsExpress, target: 0.7, group: 'vs baseline' });
    book.ratio({ label: 'SDK server / raw node:http', value: ratio('sdk', 'raw'), group: 'vs baseline' });
    book.ratio({ label: 'bare Express / raw node:http', value: ratio('express', 'raw'), group: 'vs baseline' });
    book.ratio({ label: 'MCP path / raw node:http', value: ratio('mcp', 'raw'), group: 'vs baseline' });
  } finally {
    await Promise.all(started.map((server) => ('dispose' in server ? (server as OurServer).dispose() : server.stop())));
  }
}
