import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const committedPath = 'src/generated/graphql.ts';

// The resolver types are generated from graphql/ (the contract). When the SDL changes, `npm run codegen`
// must be run and its output committed; this test fails otherwise. It runs the project's own codegen.yml,
// writing to a temporary file instead of the committed one.
test('the committed resolver types match the SDL in graphql/', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-codegen-'));
  const output = path.join(dir, 'graphql.ts');
  const config = fs.readFileSync(path.join(root, 'codegen.yml'), 'utf8');
  expect(config).toContain(`${committedPath}:`);
  const configPath = path.join(dir, 'codegen.yml');
  fs.writeFileSync(configPath, config.replace(`${committedPath}:`, `${JSON.stringify(output)}:`));
  execFileSync(process.execPath, [path.join(root, 'node_modules/@graphql-codegen/cli/cjs/bin.js'), '--config', configPath, '--silent'], {
    cwd: root,
    stdio: 'pipe',
  });
  const committed = fs.readFileSync(path.join(root, committedPath), 'utf8');
  expect(committed).toBe(fs.readFileSync(output, 'utf8'));
  fs.rmSync(dir, { recursive: true, force: true });
});
