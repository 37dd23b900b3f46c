import { readEnum, type Env } from './env.js';

/** web_search tool settings (issue: web_search tool). */
export interface SearchConfig {
  provider: 'local' | 'searxng' | 'brave';
}

export function parseSearchConfig(env: Env): SearchConfig {
  return {
    provider: readEnum(env, 'SEARCH_PROVIDER', ['local', 'searxng', 'brave'] as const, 'local'),
  };
}
