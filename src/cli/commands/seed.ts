import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext } from '../context';

function count(name: string, allowZero: boolean) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < (allowZero ? 0 : 1) || (name === 'structures' && !Number.isInteger(parsed))) {
      throw new InvalidArgumentError(`${name} must be a ${name === 'structures' ? 'positive integer' : 'number ≥ 0'}`);
    }
    return parsed;
  };
}

/** `passerelle seed [--structures N] [--services-per-structure M] [--seed S]`. */
export function registerSeed(program: Command, context: CliContext): void {
  program
    .command('seed')
    .description('write a deterministic demonstration offer (v1 structures and services) into the store; idempotent')
    .option('--structures <n>', 'number of structures', count('structures', false), 2000)
    .option('--services-per-structure <m>', 'mean number of services per structure', count('services-per-structure', true), 3)
    .option('--seed <s>', 'random seed (same seed, same offer)', 'passerelle')
    .action((options: { structures: number; servicesPerStructure: number; seed: string }) =>
      context.execute('seed', { structures: options.structures, servicesPerStructure: options.servicesPerStructure, seed: options.seed }),
    );
}
