import type { Command } from 'commander';
import type { CliContext } from '../context';
import { registerTerritories } from './territories';
import { registerSeed } from './seed';
import { registerMigrate } from './migrate';
import { registerClients } from './clients';
import { registerTokens } from './tokens';
import { registerHarvest } from './harvest';
import { registerDedup } from './dedup';
import { registerImport } from './import';
import { registerExport } from './export';
import { registerWebhooks } from './webhooks';

export type RegisterCommand = (program: Command, context: CliContext) => void;

/** Every CLI command; add a module here to add a command. */
export const commands: RegisterCommand[] = [registerTerritories, registerSeed, registerMigrate, registerClients, registerTokens, registerHarvest, registerImport, registerDedup, registerExport, registerWebhooks];
