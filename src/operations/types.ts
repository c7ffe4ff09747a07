import type { Config } from '../config';
import type { UsageRecorder } from '../auth/usage';
import type { Store } from '../store/database';

/** What an operation prints, and the exit code the CLI should end with. */
export interface OperationResult {
  lines: string[];
  exitCode?: number;
}

export interface OperationContext {
  store: Store;
  /** The configuration of the process that runs the operation (the server's, when routed through it). */
  config: Config;
  /** The server's request counter, when the operation runs on a server: flushed before usage is read. */
  usage?: UsageRecorder;
}

/**
 * An operator's action on the store. Operations are named and take JSON arguments, so that the CLI can
 * run one itself or, when a server holds the embedded store, send it to that server to run.
 */
export interface Operation<A = any> {
  /** Apply pending migrations first, as the server does on start. */
  migrate?: boolean;
  run(context: OperationContext, args: A): Promise<OperationResult>;
}

