import { deployMigrations } from '../store/migrate';
import { operations } from './index';
import { InputError } from '../errors';
import type { OperationContext, OperationResult } from './types';

/** Runs a named operation on a store: the one way both the CLI and a server run them. */
export async function runOperation(name: string, args: unknown, context: OperationContext): Promise<OperationResult> {
  const operation = operations[name];
  if (!operation) throw new InputError(`unknown operation "${name}"`);
  if (operation.migrate) await deployMigrations(context.store);
  return operation.run(context, args ?? {});
}
