#!/usr/bin/env node
// `npx passerelle …`: runs the compiled CLI (npm install builds it; `npm run build` rebuilds it).
const path = require('node:path');
const fs = require('node:fs');
const main = path.join(__dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
if (!fs.existsSync(main)) {
  process.stderr.write('passerelle: the CLI is not built yet; run `npm run build` first.\n');
  process.exit(1);
}
require(main).main(process.argv).catch((error) => {
  process.stderr.write(`passerelle: ${error && error.message ? error.message : String(error)}\n`);
  process.exit(1);
});
