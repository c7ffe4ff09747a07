import { repoPath } from '../paths';

/** Where `npm run build` writes the pages' bundles (src/pages/bundle.ts) and the server reads them. */
export const BUNDLE_DIR = () => repoPath('dist', 'pages');
