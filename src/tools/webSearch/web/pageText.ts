import { htmlToTextOffThread } from '../htmlOffThread.js';

/** Media types fetch reads: text of any kind, HTML/XHTML, JSON and XML (incl. `+json`/`+xml`). */
export function isTextMediaType(mediaType: string): boolean {
  if (mediaType.startsWith('text/')) return true;
  return (
    mediaType === 'application/json' ||
    mediaType === 'application/xml' ||
    mediaType === 'application/xhtml+xml' ||
    mediaType === 'application/javascript' ||
    mediaType === 'application/x-ndjson' ||
    /^application\/[a-z0-9.+-]+\+(json|xml)$/.test(mediaType)
  );
}

export interface PageText {
  title: string;
  text: string;
}

/** Decodes a fetched body in its declared charset and turns HTML into readable text (in a worker thread, stopped by `signal`). */
export async function pageText(body: Buffer, contentType: string, url: URL, signal?: AbortSignal): Promise<PageText> {
  const [rawType = '', ...params] = contentType.split(';');
  const mediaType = rawType.trim().toLowerCase();
  const charset = params.map((p) => p.trim().match(/^charset\s*=\s*"?([^";]+)"?$/i)?.[1]).find(Boolean);
  const source = decode(body, charset);
  if (mediaType === 'text/html' || mediaType === 'application/xhtml+xml') {
    const html = await htmlToTextOffThread(source, { signal });
    return { title: html.title || fallbackTitle(url), text: html.text };
  }
  return { title: fallbackTitle(url), text: source };
}

function decode(body: Buffer, charset: string | undefined): string {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset ?? 'utf-8');
  } catch {
    decoder = new TextDecoder('utf-8'); // unknown label: UTF-8 is the web's default
  }
  return decoder.decode(body);
}

function fallbackTitle(url: URL): string {
  const last = url.pathname.split('/').filter(Boolean).pop();
  if (!last) return url.hostname;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}
