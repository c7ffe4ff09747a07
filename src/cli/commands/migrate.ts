import type { Command } from 'commander';
import type { CliContext } from '../context';
import { createMigration } from '../../store/migrate';

/**
 * `passerelle migrate create NAME | deploy | status`: Passerelle's migrations, on Prisma's WebAssembly
 * schema engine (the Prisma CLI's `migrate` needs a native engine that cannot be downloaded offline).
 */
export function registerMigrate(program: Command, context: CliContext): void {
  const migrate = program
    .command('migrate')
    .description('create, apply and inspect the store migrations (prisma/migrations, Prisma-compatible)');

  migrate
    .command('create')
    .argument('<name>', 'what the migration does, e.g. add_service_tags')
    .description('write prisma/migrations/<timestamp>_<name>/migration.sql from what prisma/schema.prisma adds to the migrations (no database needed)')
    .action(async (name: string) => {
      const folder = await createMigration(name);
      context.out(folder ? `created ${folder}` : 'no change: the migrations already match prisma/schema.prisma');
    });

  migrate
    .command('deploy')
    .description('apply the pending migrations to the configured store')
    .action(() => context.execute('migrate.deploy'));

  migrate
    .command('status')
    .description('list applied and pending migrations; exits with 1 if any is pending or broken')
    .action(() => context.execute('migrate.status'));
}
