import fs from 'node:fs';
import path from 'node:path';

let root: string | undefined;

/** The repository root (the folder holding package.json), from src/ under Jest or dist/src/ when built. */
export function repoRoot(): string {
  if (root) return root;
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = up;
  }
  root = dir;
  return dir;
}

export function repoPath(...parts: string[]): string {
  return path.join(repoRoot(), ...parts);
}
