import type { SearchProviderName } from '../../../config/search.js';

/** One search result, already in the shape `search` returns (ChatGPT's search contract). */
export interface SearchHit {
  id: string;
  title: string;
  url: string;
  snippet?: string;
}

/** A web search backend. Errors are ToolErrors the caller can act on; secrets never appear in them. */
export interface SearchProvider {
  name: Exclude<SearchProviderName, 'local'>;
  search(query: string, limit: number, signal: AbortSignal): Promise<SearchHit[]>;
}
