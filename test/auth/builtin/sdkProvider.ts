import type { OAuthClientProvider } from '@modelcontextprotocol/client';

/**
 * An in-memory OAuthClientProvider, as a desktop MCP client keeps one. With `clientMetadataUrl`
 * the SDK uses that URL as its client_id (a Client ID Metadata Document) instead of registering.
 */
export function memoryProvider(
  redirectUrl: () => string,
  onAuthorize: (url: URL) => void,
  options: { clientName?: string; clientMetadataUrl?: string } = {},
) {
  const state: { client?: any; tokens?: any; verifier?: string } = {};
  const provider: OAuthClientProvider = {
    get redirectUrl() {
      return redirectUrl();
    },
    clientMetadataUrl: options.clientMetadataUrl,
    get clientMetadata() {
      return {
        client_name: options.clientName ?? 'SDK end-to-end test',
        redirect_uris: [redirectUrl()],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      };
    },
    clientInformation: () => state.client,
    saveClientInformation: (info) => {
      state.client = info;
    },
    tokens: () => state.tokens,
    saveTokens: (tokens) => {
      state.tokens = tokens;
    },
    redirectToAuthorization: (url) => onAuthorize(url),
    saveCodeVerifier: (verifier) => {
      state.verifier = verifier;
    },
    codeVerifier: () => state.verifier!,
  };
  return { provider, state };
}
