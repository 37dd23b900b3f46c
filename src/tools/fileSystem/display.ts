/**
 * How a caller's path appears in messages: JSON-quoted (so control characters are visible) and
 * shortened. Only ever called with text the caller sent or workspace-relative paths.
 */
export function quote(text: string): string {
  const shown = text.length > 300 ? `${text.slice(0, 300)}…` : text;
  return JSON.stringify(shown);
}
