import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const outputs = ['src/generated/graphql.ts', 'src/generated/client.ts'];

// Types are generated from graphql/ (the contract): the server's resolver types and the example
// operations' typed documents. When the SDL or an example changes, `npm run codegen` must be run and its
// output committed; this test fails otherwise. It runs the project's own codegen.yml, writing to
// temporary files instead of the committed ones.
test('the committed generated files match graphql/', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-codegen-'));
  let config = fs.readFileSync(path.join(root, 'codegen.yml'), 'utf8');
  for (const output of outputs) {
    const key = `\n  ${output}:\n`; // a key of `generates:`
    expect(config).toContain(key);
    config = config.replace(key, `\n  ${JSON.stringify(path.join(dir, path.basename(output)))}:\n`);
  }
  const configPath = path.join(dir, 'codegen.yml');
  fs.writeFileSync(configPath, config);
  execFileSync(process.execPath, [path.join(root, 'node_modules/@graphql-codegen/cli/cjs/bin.js'), '--config', configPath, '--silent'], {
    cwd: root,
    stdio: 'pipe',
  });
  for (const output of outputs) {
    expect(fs.readFileSync(path.join(root, output), 'utf8')).toBe(fs.readFileSync(path.join(dir, path.basename(output)), 'utf8'));
  }
  fs.rmSync(dir, { recursive: true, force: true });
});
