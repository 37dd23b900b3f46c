// oidc-provider ships no type declarations. This names only what this project uses; the values
// it hands back (models, interaction details) are typed loosely where they are read.
declare module 'oidc-provider' {
  // biome-ignore lint/suspicious/noExplicitAny: the library's own objects are untyped JavaScript.
  type Loose = any;
  export class Provider {
    constructor(issuer: string, configuration?: Record<string, unknown>);
    proxy: boolean;
    issuer: string;
    callback(): (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;
    on(event: string, listener: (...args: Loose[]) => void): this;
    interactionDetails(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): Promise<Loose>;
    interactionFinished(
      req: import('node:http').IncomingMessage,
      res: import('node:http').ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    Grant: Loose;
    Client: Loose;
    AccessToken: Loose;
    RefreshToken: Loose;
    AuthorizationCode: Loose;
  }
  export default Provider;
  export const errors: Record<string, new (description?: string, detail?: string) => Error & { status: number; error: string }>;
  export const interactionPolicy: Loose;
}
