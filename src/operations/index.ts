import * as authOperations from './auth-operations';
import * as dedupOperations from './dedup-operations';
import * as harvestOperations from './harvest-operations';
import { importOperation } from './import-operations';
import { exportOperation } from '../exports/export-operation';
import * as storeOperations from './store-operations';
import * as webhookOperations from './webhook-operations';
import type { Operation } from './types';

export * from './types';

/** Every operation the CLI can run, locally or through a running server, by name. */
export const operations: Record<string, Operation> = {
  'migrate.deploy': storeOperations.migrateDeploy,
  'migrate.status': storeOperations.migrateStatus,
  'territories.import': storeOperations.territoriesImport,
  'territories.import-centres': storeOperations.territoriesImportCentres,
  seed: storeOperations.seed,
  harvest: harvestOperations.harvest,
  dedup: dedupOperations.dedup,
  import: importOperation,
  export: exportOperation,
  'clients.add': authOperations.clientsAdd,
  'clients.list': authOperations.clientsList,
  'clients.revoke': authOperations.clientsRevoke,
  'clients.usage': authOperations.clientsUsage,
  'tokens.issue': authOperations.tokensIssue,
  'tokens.list': authOperations.tokensList,
  'tokens.revoke': authOperations.tokensRevoke,
  'webhooks.add': webhookOperations.webhooksAdd,
  'webhooks.list': webhookOperations.webhooksList,
  'webhooks.remove': webhookOperations.webhooksRemove,
  'webhooks.retry': webhookOperations.webhooksRetry,
  'webhooks.replay': webhookOperations.webhooksReplay,
};

export type OperationName = keyof typeof operations;
