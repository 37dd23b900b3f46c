/** Number formatting shared by the table, the Markdown and the chart. */
export const fmt = {
  rps: (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '—'),
  ms: (v: number) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v.toFixed(1)) : '—'),
  mib: (v: number | null | undefined) => (v !== null && v !== undefined && Number.isFinite(v) ? v.toFixed(1) : '—'),
  ratio: (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}x` : '—'),
  verdict: (pass: boolean | null) => (pass === null ? 'n/a' : pass ? 'PASS' : 'MISS'),
};
