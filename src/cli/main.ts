import { Command } from 'commander';
import { createCliContext } from './context';
import { commands } from './commands';

/** `passerelle <command>`: operators' commands. Each lives in its own module under commands/. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const program = new Command('passerelle').description('Passerelle operators’ commands').showHelpAfterError();
  const context = createCliContext(env);
  for (const register of commands) register(program, context);
  await program.parseAsync(argv);
}
