import { ToolError, isToolError } from '../../core/errors.js';
import { defineOperation, type ToolAnnotations, type ToolOperation } from '../../core/operation.js';
import { fileUrl, parseDocumentId } from './ids.js';
import type { LocalIndex } from './local/localIndex.js';
import { fetchInputSchema, fetchOutputSchema } from './schemas.js';
import { WORKSPACE_TAG } from './searchOperation.js';
import { isTextMediaType, pageText } from './web/pageText.js';
import type { Resolver } from './web/resolveTarget.js';
import { safeFetch } from './web/safeFetch.js';

export interface FetchParams {
  id: string;
}

export interface FetchResult {
  id: string;
  title: string;
  text: string;
  url: string;
  metadata: Record<string, string | number | boolean>;
}

export interface FetchDeps {
  index: LocalIndex;
  annotations: ToolAnnotations;
  webEnabled: boolean;
  allowedTargets: ReadonlySet<string>;
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  cacheTtlMs: number;
  /** DNS for web fetches; tests inject one. */
  resolve?: Resolver;
}

export function createFetchOperation(deps: FetchDeps): ToolOperation<FetchParams, FetchResult> {
  return defineOperation<FetchParams, FetchResult>({
    tool: 'web_search',
    operation: 'fetch',
    mcpName: 'fetch',
    title: 'Fetch document',
    description:
      'One search result\'s full text as {"id","title","text","url","metadata"} (HTML as text). ' +
      `Pass the id as search gave it (e.g. "file:notes/plan.md"${deps.webEnabled ? ' or a URL' : ''}).`,
    inputSchema: fetchInputSchema,
    outputSchema: fetchOutputSchema,
    annotations: deps.annotations,
    scope: 'read',
    cache:
      deps.cacheTtlMs > 0
        ? {
            ttlMs: deps.cacheTtlMs,
            // Workspace documents carry the workspace tag that every file_system write evicts (the
            // tag file_system uses itself; per-path tags could miss writes through moves or links).
            tags: (params) => {
              try {
                return parseDocumentId(params.id).kind === 'web' ? ['fetch:web'] : [WORKSPACE_TAG];
              } catch {
                return [WORKSPACE_TAG];
              }
            },
          }
        : undefined,
    async handler(params, ctx): Promise<FetchResult> {
      const ref = parseDocumentId(params.id);
      if (ref.kind === 'file') {
        const doc = await deps.index.read(ref.path, ctx.signal);
        return {
          id: params.id,
          title: doc.title,
          text: doc.text,
          url: fileUrl(doc.path),
          metadata: { source: 'workspace', path: doc.path, bytes: doc.size, modified: doc.modified.toISOString() },
        };
      }
      if (!deps.webEnabled) {
        throw new ToolError(
          'FORBIDDEN',
          'This server does not fetch web pages (FETCH_WEB_ENABLED is off). Only workspace documents (file: ids) can be fetched.',
          { reason: 'web_disabled' },
        );
      }
      try {
        const page = await safeFetch(ref.url, {
          allowedTargets: deps.allowedTargets,
          timeoutMs: deps.timeoutMs,
          maxBytes: deps.maxBytes,
          maxRedirects: deps.maxRedirects,
          acceptContentType: isTextMediaType,
          resolve: deps.resolve,
          signal: ctx.signal,
        });
        const { title, text } = await pageText(page.body, page.contentType, page.url, ctx.signal);
        return {
          id: params.id,
          title,
          text,
          url: page.url.href,
          metadata: {
            source: 'web',
            contentType: page.contentType.split(';')[0]!.trim().toLowerCase(),
            bytes: page.body.length,
            truncated: page.truncated,
            redirects: page.redirects,
          },
        };
      } catch (error) {
        if (isToolError(error) && error.code === 'FORBIDDEN') {
          ctx.logger.warn('web fetch refused by the SSRF guard', {
            requestId: ctx.requestId,
            caller: ctx.caller.id,
            reason: error.details?.reason,
          });
        }
        throw error;
      }
    },
  });
}
