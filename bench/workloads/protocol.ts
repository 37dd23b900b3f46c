import { startBaseline } from '../lib/baselines.js';
import type { ChildServer } from '../lib/child.js';
import type { BenchContext } from '../lib/context.js';
import { fmt } from '../lib/format.js';
import { mcpMessage, post } from '../lib/http.js';
import { startOurs, type OurServer } from '../lib/ours.js';
import { envelopeBody, envelopeHeaders, mcpHeaders, toolsCallBody } from '../lib/requests.js';
import { httpContender, interleaved, pairedRatio } from '../lib/rounds.js';

const isToolResult = (body: string) => body.includes('"structuredContent"') && !body.includes('"isError":true');
const isEnvelopeListing = (body: string) => body.includes('"message_type":"response"') && body.includes('"content":{"tools"');

/**
 * The headline comparison: three baselines and our two dialects, same request shape, loaded in
 * interleaved rounds. Our trivial tool is discovery's list_tools (read-only, no I/O).
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
    const oursMcp: OurServer = await startOurs({ name: 'ours-mcp' });
    started.push(oursMcp);
    const oursEnvelope: OurServer = await startOurs({ name: 'ours-envelope' });
    started.push(oursEnvelope);

    // Each contender must give the right answer once before its speed means anything.
    const baselineBody = toolsCallBody('echo', {});
    for (const server of [raw, express, sdk]) {
      const reply = await post(server.mcpUrl, baselineBody, mcpHeaders());
      if (reply.status !== 200 || !mcpMessage(reply.text)?.result)
        throw new Error(`${server.name} answered ${reply.status}: ${reply.text.slice(0, 200)}`);
    }
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
      columns: ['Server', 'rps', 'p50 ms', 'p99 ms', 'peak RSS MiB', 'vs raw', 'vs Express', 'vs SDK'],
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
    section.data.ratios = {
      mcpVsSdk,
      envelopeVsExpress,
      mcpVsRaw: ratio('mcp', 'raw'),
      sdkVsRaw: ratio('sdk', 'raw'),
      expressVsRaw: ratio('express', 'raw'),
      envelopeVsRaw: ratio('envelope', 'raw'),
    };
    book.target('mcp_vs_sdk', `${fmt.ratio(mcpVsSdk)}, p99 ${fmt.ms(s('mcp').p99)} ms`, mcpVsSdk >= 0.8 && s('mcp').p99 <= 30);
    book.target('envelope_vs_express', fmt.ratio(envelopeVsExpress), envelopeVsExpress >= 0.7);
    book.ratio({ label: 'MCP path / SDK server', value: mcpVsSdk, target: 0.8, group: 'vs baseline' });
    book.ratio({ label: 'Envelope / bare Express', value: envelopeVsExpress, target: 0.7, group: 'vs baseline' });
    book.ratio({ label: 'SDK server / raw node:http', value: ratio('sdk', 'raw'), group: 'vs baseline' });
    book.ratio({ label: 'bare Express / raw node:http', value: ratio('express', 'raw'), group: 'vs baseline' });
    book.ratio({ label: 'MCP path / raw node:http', value: ratio('mcp', 'raw'), group: 'vs baseline' });
  } finally {
    await Promise.all(started.map((server) => ('dispose' in server ? (server as OurServer).dispose() : server.stop())));
  }
}
