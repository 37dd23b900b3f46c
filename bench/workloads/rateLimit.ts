import { connect } from 'node:net';
import type { BenchContext } from '../lib/context.js';
import { fmt } from '../lib/format.js';
import { startOurs, type OurServer } from '../lib/ours.js';
import { envelopeBody, envelopeHeaders } from '../lib/requests.js';
import { httpContender, interleaved, pairedRatio } from '../lib/rounds.js';

const REDIS_URL = 'redis://127.0.0.1:6379';

/** PING over a raw socket: no client library state to clean up. */
function redisAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(6379, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/** Same server, same calls; rate-limit counters (and shared state) in Redis vs in-process. */
export async function rateLimitWorkload(ctx: BenchContext): Promise<void> {
  const { book, settings, log } = ctx;
  const section = book.section('rate_limit', 'Rate limiter: Redis vs in-process (envelope list_tools, 50 connections)');
  const servers: OurServer[] = [];
  try {
    const local = await startOurs({ name: 'ours-limits-local' });
    servers.push(local);
    const probe = await local.envelope('discovery', 'list_tools');
    const limitHeaders = Object.keys(probe.headers).filter(
      (h) => h.toLowerCase().startsWith('ratelimit') || h.toLowerCase().startsWith('x-ratelimit'),
    );
    if (limitHeaders.length === 0) {
      section.status = 'skipped';
      section.notes.push('Skipped: no rate limiter in the request path yet (responses carry no RateLimit headers).');
      return;
    }
    if (!(await redisAnswers())) {
      section.status = 'skipped';
      section.notes.push(`Skipped: Redis at ${REDIS_URL} does not answer PING.`);
      return;
    }
    // A prefix of our own, so these counters never meet anyone else's on a shared Redis.
    const shared = await startOurs({ name: 'ours-limits-redis', env: { REDIS_URL, REDIS_PREFIX: `bench${process.pid}:` } });
    servers.push(shared);
    const sharedProbe = await shared.envelope('discovery', 'list_tools');
    if (sharedProbe.status !== 200)
      throw new Error(`the Redis-backed server answered ${sharedProbe.status}: ${sharedProbe.text.slice(0, 200)}`);

    const body = envelopeBody('discovery', 'list_tools');
    const verify = (text: string) => text.includes('"content":{"tools"');
    const result = await interleaved(
      [
        httpContender(
          'local',
          'in-process counters',
          { url: local.mcpUrl, requests: [{ body, headers: envelopeHeaders(local.key) }], verify },
          local.memory,
        ),
        httpContender(
          'redis',
          'Redis counters (REDIS_URL set)',
          { url: shared.mcpUrl, requests: [{ body, headers: envelopeHeaders(shared.key) }], verify },
          shared.memory,
        ),
      ],
      settings.tools,
      log,
    );
    const ratio = pairedRatio(result, 'redis', 'local');
    const rows = [result.summaries.get('local')!, result.summaries.get('redis')!];
    section.tables.push({
      columns: ['Limiter store', 'rps', 'p50 ms', 'p99 ms', 'failed'],
      rows: rows.map((x) => [x.label, fmt.rps(x.rps), fmt.ms(x.p50), fmt.ms(x.p99), String(x.failures)]),
    });
    section.notes.push(
      `Redis / in-process throughput: ${fmt.ratio(ratio)} (rate-limit headers seen: ${limitHeaders.join(', ')}). With REDIS_URL the server also keeps its result cache and sessions in Redis; list_tools touches neither, so the difference is the limiter's round trips.`,
    );
    section.data = { local: rows[0], redis: rows[1], ratio, limitHeaders };
    book.ratio({ label: 'Redis limiter / in-process limiter', value: ratio, group: 'vs baseline' });
  } finally {
    await Promise.all(servers.map((s) => s.dispose()));
  }
}
