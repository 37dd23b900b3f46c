// Pieces shared by the scripts that write generated parts of README.md.

/** A Markdown table with every column padded to its widest cell (the README's table format). */
export function markdownTable(header, rows) {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export const escapePipes = (text) => String(text).replace(/\|/g, '\\|');

/** `text` with what stands between the `<!-- name:start -->` and `<!-- name:end -->` markers replaced. */
export function betweenMarkers(text, name, content) {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < 0) throw new Error(`README.md lacks the ${start} … ${end} markers`);
  return `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`;
}
