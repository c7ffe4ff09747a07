import fs from 'node:fs';
import path from 'node:path';
import { repoPath } from '../paths';
import { BUNDLE_DIR } from './bundle-dir';

/**
 * Builds the pages' front-end (web/): one script and one stylesheet per page, into dist/pages/, with esbuild.
 * Run by `npm run build` (and by the page tests before they start). The server only reads the result
 * (src/pages/assets.ts): esbuild is a build-time tool, a devDependency. Why esbuild: maintained, one small
 * native binary, bundles TypeScript and CSS (the DSFR's `@import`s, its fonts as files, its icons as data
 * URLs) in milliseconds without a configuration file; the pages need no framework, so no runtime comes with them.
 */
export const PAGE_NAMES = ['widget', 'valideur', 'qualite'] as const;
export type PageName = (typeof PAGE_NAMES)[number];


export interface BundleSizes {
  [file: string]: { bytes: number; gzip: number };
}

export async function buildPageBundles(outdir = BUNDLE_DIR()): Promise<BundleSizes> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  const result = await esbuild.build({
    entryPoints: [...PAGE_NAMES.map((name) => repoPath('web', `${name}.ts`)), repoPath('web', 'embed.ts'), repoPath('web', 'pages.css')],
    outdir,
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    loader: { '.woff2': 'file', '.woff': 'file', '.svg': 'dataurl' },
    assetNames: 'fonts/[name]-[hash]',
    legalComments: 'none',
    metafile: true,
    logLevel: 'silent',
  });
  const { gzipSync } = await import('node:zlib');
  const sizes: BundleSizes = {};
  for (const file of Object.keys(result.metafile.outputs)) {
    if (!/\.(js|css)$/.test(file)) continue;
    const body = fs.readFileSync(path.resolve(file));
    sizes[path.basename(file)] = { bytes: body.length, gzip: gzipSync(body).length };
  }
  fs.writeFileSync(path.join(outdir, 'sizes.json'), `${JSON.stringify(sizes, null, 2)}\n`);
  return sizes;
}

if (require.main === module) {
  buildPageBundles().then(
    (sizes) => {
      for (const [file, size] of Object.entries(sizes)) console.log(`dist/pages/${file}: ${(size.bytes / 1024).toFixed(1)} KB, ${(size.gzip / 1024).toFixed(1)} KB gzipped`);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
