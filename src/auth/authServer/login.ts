import type { Request, Router } from 'express';
import type { Scope } from '../../core/caller.js';

/** Who approved a grant, as a login method knows them now. */
export interface LoginAccount {
  /** oidc-provider's accountId, stored in every grant and token (stable across restarts). */
  accountId: string;
  /** Short name for logs, audit lines and the caller's display name. */
  name: string;
  /** The caller id its tokens act as (`key:<name>` for an API key). */
  callerId: string;
  /** How the consent page names it in a refusal, e.g. `The key "ci"`. */
  label: string;
  /** The most a token it approves may do. */
  scopes: ReadonlySet<Scope>;
}

export type LoginVerdict =
  | { ok: true; account: LoginAccount }
  /** Shown on the consent page again, with this status; the method has already logged it. */
  | { ok: false; status: number; message: string };

/** The authorization the consent page is showing, for a method that carries it through a sign-in of its own. */
export interface LoginInteraction {
  /** oidc-provider's interaction id: the consent page is `${CONSENT_PATH}/<uid>`. */
  uid: string;
  /** The client_id of the authorization being approved. */
  clientId: string;
}

/** What a method may know of the consent request besides the form. */
export interface LoginRequest {
  /** The interaction being approved (the one renderFields was given for this page). */
  interactionId: string;
  /** The client's address, as Express's req.ip (TRUST_PROXY honoured), grouped per /56 for IPv6. */
  address: string;
  /** The client_id of the authorization being approved, for audit lines. */
  clientId: string;
  request: Request;
}

/**
 * The "who is approving" step of the consent page. The page shows the client and the scopes; the
 * method contributes its form fields, checks the submitted form, and later resolves the account
 * a grant names. The API key (apiKeyLogin.ts) is the one method today; an upstream login (GitHub,
 * Google) would be another, passed as createAuthorizationServer's `login`: see README, "Another
 * way to log in".
 * Security: find() is asked on every token use; answering undefined (account removed, key
 * rotated, user no longer allowed) refuses every token and refresh token the account approved.
 */
export interface LoginMethod {
  readonly id: string;
  /**
   * HTML inside the consent form, before Approve/Deny; the method escapes everything it shows. An
   * upstream login links to its own route with interaction.uid, so its callback can come back here.
   */
  renderFields(interaction: LoginInteraction): string;
  /** Decides who submitted the consent form (called only after the CSRF and Origin checks pass). */
  verify(form: Record<string, unknown>, request: LoginRequest): Promise<LoginVerdict>;
  /** The account behind a grant, as of now; undefined when it may no longer approve anything. */
  find(accountId: string): LoginAccount | undefined;
  /** Why a token is refused when find() no longer knows its account (shown to the client). */
  readonly goneMessage: string;
  /** Routes of its own (an upstream login's callback), mounted next to the consent page. */
  readonly router?: Router;
}
