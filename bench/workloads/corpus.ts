import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Deterministic PRNG (mulberry32): the same workspace on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ne',
  'ru',
  'sa',
  'to',
  'vi',
  'ze',
  'po',
  'qua',
  'ber',
  'dan',
  'fel',
  'gor',
  'hin',
  'jun',
  'kel',
  'mor',
  'nix',
  'ost',
  'pra',
  'ril',
  'sten',
  'tur',
  'ulm',
  'vor',
  'wex',
  'yor',
  'zin',
];
const TOPICS = [
  'invoice',
  'deployment',
  'latency',
  'kubernetes',
  'forecast',
  'revenue',
  'migration',
  'database',
  'incident',
  'postmortem',
  'onboarding',
  'roadmap',
  'security',
  'compliance',
  'budget',
  'customer',
  'release',
  'backup',
  'outage',
  'pipeline',
];

export interface Corpus {
  vocabulary: string[];
  documents: number;
  bytes: number;
}

/**
 * Writes `count` Markdown/text documents (≈1 KiB each, 100 per folder) whose words follow a
 * skewed (Zipf-like) distribution, so some terms are common and most are rare, as in real text.
 */
export function writeCorpus(dir: string, count: number, seed = 42): Corpus {
  const random = prng(seed);
  const vocabulary: string[] = [...TOPICS];
  const seen = new Set(vocabulary);
  while (vocabulary.length < 3000) {
    const n = 2 + Math.floor(random() * 2);
    let word = '';
    for (let i = 0; i < n; i++) word += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    if (!seen.has(word)) {
      seen.add(word);
      vocabulary.push(word);
    }
  }
  const word = () => vocabulary[Math.floor(vocabulary.length * random() ** 3)]!;
  const sentence = () => {
    const words = Array.from({ length: 6 + Math.floor(random() * 10) }, word);
    return `${words.join(' ')}.`;
  };
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const folder = path.join(dir, 'notes', `d${String(Math.floor(i / 100)).padStart(3, '0')}`);
    if (i % 100 === 0) mkdirSync(folder, { recursive: true });
    const paragraphs = Array.from({ length: 3 }, () => Array.from({ length: 3 + Math.floor(random() * 3) }, sentence).join(' '));
    const text = `# ${word()} ${word()} ${word()}\n\n${paragraphs.join('\n\n')}\n`;
    const name = `doc-${String(i).padStart(5, '0')}.${i % 5 === 0 ? 'txt' : 'md'}`;
    writeFileSync(path.join(folder, name), text);
    bytes += Buffer.byteLength(text);
  }
  return { vocabulary, documents: count, bytes };
}

/** Queries of one or two words, drawn from the common-to-middling part of the vocabulary. */
export function queries(vocabulary: string[], count: number, seed = 7): string[] {
  const random = prng(seed);
  const pick = () => vocabulary[Math.floor(random() * Math.min(600, vocabulary.length))]!;
  return Array.from({ length: count }, () => (random() < 0.5 ? pick() : `${pick()} ${pick()}`));
}
