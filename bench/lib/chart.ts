import type { Ratio } from './results.js';

const WIDTH = 720;
const LABEL_W = 250;
const BAR_H = 18;
const GAP = 8;
const PLOT_W = WIDTH - LABEL_W - 70;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * A small hand-written horizontal bar chart: one panel per group, each with its own linear scale,
 * a bar per ratio, the 1.0x line and a tick where the target is.
 */
const GROUP_TITLES: Record<string, string> = {
  'vs baseline': 'Throughput relative to a baseline (higher is better)',
  ours: 'Our paths and engines against each other (higher is better)',
  'speed-up': 'Speed-ups (higher is better)',
};

export function renderChart(ratios: Ratio[], subtitle: string): string {
  const groups = [...new Set(ratios.map((r) => r.group))];
  const parts: string[] = [];
  let y = 44;
  for (const group of groups) {
    const bars = ratios.filter((r) => r.group === group);
    const max = Math.max(1.1, ...bars.map((r) => Math.max(r.value, r.target ?? 0) * 1.1));
    const x = (v: number) => LABEL_W + (Math.max(0, v) / max) * PLOT_W;
    parts.push(`<text x="10" y="${y}" class="group">${escapeXml(GROUP_TITLES[group] ?? group)}</text>`);
    y += 10;
    const top = y;
    for (const bar of bars) {
      const pass = bar.target === undefined ? undefined : bar.value >= bar.target;
      const colour = pass === undefined ? '#7a8ca3' : pass ? '#3a8f5c' : '#c0533a';
      parts.push(`<text x="${LABEL_W - 8}" y="${y + BAR_H - 5}" text-anchor="end">${escapeXml(bar.label)}</text>`);
      parts.push(`<rect x="${LABEL_W}" y="${y}" width="${(x(bar.value) - LABEL_W).toFixed(1)}" height="${BAR_H}" fill="${colour}"/>`);
      parts.push(`<text x="${(x(bar.value) + 4).toFixed(1)}" y="${y + BAR_H - 5}">${bar.value.toFixed(2)}x</text>`);
      if (bar.target !== undefined) {
        parts.push(
          `<line x1="${x(bar.target).toFixed(1)}" x2="${x(bar.target).toFixed(1)}" y1="${y - 2}" y2="${y + BAR_H + 2}" class="target"/>`,
        );
      }
      y += BAR_H + GAP;
    }
    parts.push(`<line x1="${x(1).toFixed(1)}" x2="${x(1).toFixed(1)}" y1="${top - 4}" y2="${y - GAP + 4}" class="one"/>`);
    parts.push(`<text x="${x(1).toFixed(1)}" y="${y + 6}" text-anchor="middle" class="axis">1.0x</text>`);
    y += 28;
  }
  const height = y;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    '<style>.group{font-weight:600}.axis{fill:#555;font-size:10px}.one{stroke:#333;stroke-dasharray:3 3}.target{stroke:#111;stroke-width:2}</style>',
    '<rect width="100%" height="100%" fill="#fff"/>',
    `<text x="10" y="18" font-size="14" font-weight="600">mcp-tool-server benchmark ratios</text>`,
    `<text x="10" y="32" class="axis">${escapeXml(subtitle)} — black tick = target; green meets it, red misses it</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
