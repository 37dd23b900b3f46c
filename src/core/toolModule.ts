import type { Logger } from 'winston';
import type { Config } from '../config/index.js';
import type { WorkspaceEvents } from '../infra/workspaceEvents.js';
import type { ToolOperation } from './operation.js';
import type { ResourceDeclaration } from './resource.js';

/** What a tool factory gets: configuration and shared infrastructure, nothing global. */
export interface ToolEnv {
  config: Config;
  logger: Logger;
  /** file_system publishes changes here; web_search's local index listens. */
  workspaceEvents: WorkspaceEvents;
  /**
   * Evicts result-cache entries by tag, for tools whose side effects the executor cannot see
   * (the process tool: a command may change any file, also when it is cancelled midway).
   */
  invalidate?: (tags: string[]) => Promise<void>;
}

/** A tool: its operations plus optional lifecycle hooks. */
export interface ToolModule {
  /** Envelope tool name, e.g. `file_system`. */
  name: string;
  operations: ToolOperation[];
  /**
   * Operations this tool has but configuration switched off (FS_READ_ONLY, DB_READ_ONLY), with the
   * reason: a call naming one is told why, instead of "unknown operation".
   */
  withheld?: { operations: ToolOperation[]; reason: string };
  /** MCP resource families this tool serves (file_system: the workspace files). */
  resources?: ResourceDeclaration[];
  /** Readiness probe for /readyz: resolves when the tool's dependencies answer, throws otherwise. */
  ready?: () => Promise<void>;
  /** Releases pools, handles and timers on shutdown. */
  close?: () => Promise<void>;
}

export type ToolFactory = (env: ToolEnv) => Promise<ToolModule> | ToolModule;
