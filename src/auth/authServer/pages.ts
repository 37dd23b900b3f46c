import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { SERVER_INFO } from '../../serverInfo.js';

/** Security: everything shown on our pages that a client or a request supplied goes through this. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`=/]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Security headers of every HTML page of the authorization server: no framing (clickjacking of
 * the Approve button), no scripts at all, styles only from this response, forms only to us and
 * to the client's registered redirect origin (Chromium applies form-action to the redirect
 * that follows the POST), no referrer to other sites (the page URL names the interaction; a
 * same-origin referrer keeps the Origin header of our own form POST), never cached.
 */
export function setPageHeaders(res: ServerResponse, nonce: string, formTargets: string[] = []): void {
  const formAction = ["'self'", ...formTargets].join(' ');
  res.setHeader(
    'Content-Security-Policy',
    `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'self' data:; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
  );
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
}

export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

const STYLE = `
body{font:16px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f4f5f7;color:#1d2330;margin:0}
main{max-width:30rem;margin:3rem auto;background:#fff;border-radius:12px;box-shadow:0 2px 12px #0002;padding:2rem}
h1{font-size:1.3rem;margin:0 0 1rem}
.who{background:#f4f5f7;border-radius:8px;padding:.75rem 1rem;margin:0 0 1rem}
.who b{word-break:break-all}
.muted{color:#5a6272;font-size:.9rem}
fieldset{border:1px solid #d6d9e0;border-radius:8px;margin:0 0 1rem;padding:.5rem 1rem}
label{display:block;margin:.35rem 0}
input[type=password]{width:100%;box-sizing:border-box;padding:.55rem;border:1px solid #b8bdc8;border-radius:6px;font:inherit}
.error{background:#fde8e8;color:#8a1c1c;border-radius:8px;padding:.6rem 1rem;margin:0 0 1rem}
.buttons{display:flex;gap:.75rem;margin-top:1.25rem}
button{flex:1;padding:.65rem;border-radius:6px;font:inherit;font-weight:600;cursor:pointer;border:1px solid #b8bdc8;background:#fff}
button.approve{background:#1f5fd6;border-color:#1f5fd6;color:#fff}
code{font-size:.9em}`;

function page(nonce: string, title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="same-origin"><title>${escapeHtml(title)} · ${escapeHtml(SERVER_INFO.title)}</title>
<style nonce="${nonce}">${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

export interface ConsentView {
  action: string;
  csrf: string;
  clientName: string;
  clientId: string;
  redirectHost: string;
  /** The scopes the client asked for, as shown (name and what it allows). */
  requested: { name: string; meaning: string }[];
  writeRequested: boolean;
  /** The client asked for exec (the process tool): a separate, unticked checkbox. */
  execRequested: boolean;
  /** The login method's fields (its own HTML, escaped by it): who is approving. */
  loginFields: string;
  error?: string;
}

/** The consent page: who asks, where the answer goes, what it may do; the login method's fields say who approves. */
export function consentPage(nonce: string, view: ConsentView): string {
  const scopes = view.requested.map((s) => `<li><code>${escapeHtml(s.name)}</code>: ${escapeHtml(s.meaning)}</li>`).join('');
  const access = view.writeRequested
    ? `<fieldset><legend>Allow</legend>
<label><input type="radio" name="access" value="read" checked> Read only</label>
<label><input type="radio" name="access" value="write"> Read and write</label></fieldset>`
    : '<input type="hidden" name="access" value="read">';
  // Running commands is its own decision, never bundled with read or write, and off unless ticked.
  const exec = view.execRequested
    ? `<fieldset><legend>Commands</legend>
<label><input type="checkbox" id="exec" name="exec" value="yes"> Also allow running commands in the workspace (<code>exec</code>): programs on the server's allowlist, in a sandbox</label></fieldset>`
    : '';
  return page(
    nonce,
    'Authorize access',
    `<h1>Allow access to ${escapeHtml(SERVER_INFO.title)}?</h1>
<div class="who"><b id="client-name">${escapeHtml(view.clientName)}</b><br>
<span class="muted">will be sent back to <b id="redirect-host">${escapeHtml(view.redirectHost)}</b></span><br>
<span class="muted">client id <code>${escapeHtml(view.clientId)}</code></span></div>
<p>It asks for:</p><ul>${scopes}</ul>
${view.error ? `<p class="error" role="alert">${escapeHtml(view.error)}</p>` : ''}
<form method="post" action="${escapeHtml(view.action)}" autocomplete="off">
<input type="hidden" name="csrf" value="${escapeHtml(view.csrf)}">
${access}
${exec}
${view.loginFields}
<div class="buttons"><button class="approve" type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button></div>
</form>`,
  );
}

/** An error page of ours (nothing is redirected when the client or its redirect URI is not trusted). */
export function errorPage(nonce: string, title: string, description: string): string {
  return page(
    nonce,
    title,
    `<h1>${escapeHtml(title)}</h1><p class="error" role="alert">${escapeHtml(description)}</p>
<p class="muted">Close this window and start the connection again from your client.</p>`,
  );
}
