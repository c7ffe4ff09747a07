/**
 * The layering of src/, checked. Nodes: each sub-folder of src/ (`src/graph`, `src/loaders`, …, a folder's
 * own sub-folders included) and each file directly in src/ (`src/context.ts`, `src/app.ts`, …). Edges: the
 * relative imports of every .ts file under src/ but src/generated (codegen's output): `import … from`,
 * `import type`, `export … from`, `import('…')`, read by TypeScript's own pre-parser (comments and strings
 * are not imports).
 *
 * Why: a cycle between folders means neither can be understood, tested or moved without the other, and it
 * is how "plain data shapes at the bottom" erodes one convenient import at a time.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.join(__dirname, '..');
const SRC = path.join(ROOT, 'src');
const EXCLUDED = [path.join(SRC, 'generated')];

/** The layers below GraphQL: plain data, storage, partners and loaders never import a file of src/graph. */
const BELOW_GRAPH = ['src/loaders', 'src/store', 'src/partners', 'src/domain'];

interface Import {
  from: string;
  to: string;
}

function sourceFiles(dir: string): string[] {
  if (EXCLUDED.includes(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The file a relative specifier names, as TypeScript resolves it (`./x` → x.ts, x/index.ts; JSON and .js kept). */
function resolve(fromFile: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(fromFile), specifier);
  const candidates = [base, `${base}.ts`, path.join(base, 'index.ts'), `${base}.js`, path.join(base, 'index.js')];
  return candidates.find((candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile());
}

/** `src/graph/service.ts` → `src/graph`; `src/context.ts` → itself; outside src/: undefined. */
function nodeOf(file: string): string | undefined {
  const relative = path.relative(SRC, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  return `src/${relative.split(path.sep)[0]}`;
}

function relativeImports(): Import[] {
  return sourceFiles(SRC).flatMap((file) => {
    const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    return importedFiles
      .map((ref) => ref.fileName)
      .filter((specifier) => specifier.startsWith('.'))
      .flatMap((specifier) => {
        const target = resolve(file, specifier); // one that resolves to nothing is the compiler's to report
        return target ? [{ from: path.relative(ROOT, file), to: path.relative(ROOT, target) }] : [];
      });
  });
}

/** Strongly connected components of more than one node (Tarjan): each holds at least one cycle. */
function cyclicComponents(edges: Map<string, Set<string>>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    indexOf.set(node, index);
    lowLink.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!indexOf.has(next)) {
        visit(next);
        lowLink.set(node, Math.min(lowLink.get(node)!, lowLink.get(next)!));
      } else if (onStack.has(next)) {
        lowLink.set(node, Math.min(lowLink.get(node)!, indexOf.get(next)!));
      }
    }
    if (lowLink.get(node) === indexOf.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const node of [...edges.keys()].sort()) if (!indexOf.has(node)) visit(node);
  return components;
}

/** One cycle through `start` inside its component, as `a → b → a`. */
function cycleThrough(start: string, component: Set<string>, edges: Map<string, Set<string>>): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const next of [...(edges.get(node) ?? [])].sort()) {
      if (!component.has(next)) continue;
      if (next === start) {
        const cycle = [start];
        for (let at: string | undefined = node; at !== undefined && at !== start; at = previous.get(at)) cycle.splice(1, 0, at);
        return [...cycle, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start];
}

const imports = relativeImports();
const edges = new Map<string, Set<string>>();
const evidence = new Map<string, string[]>(); // "a → b": the imports that make the edge
for (const { from, to } of imports) {
  const a = nodeOf(path.join(ROOT, from));
  const b = nodeOf(path.join(ROOT, to));
  if (!a || !b || a === b) continue;
  if (!edges.has(a)) edges.set(a, new Set());
  edges.get(a)!.add(b);
  const key = `${a} → ${b}`;
  evidence.set(key, [...(evidence.get(key) ?? []), `${from} imports ${to}`]);
}

function describeCycle(cycle: string[]): string {
  const steps = cycle.slice(1).map((node, i) => `  ${cycle[i]} → ${node}: ${evidence.get(`${cycle[i]} → ${node}`)!.join('; ')}`);
  return [`cycle ${cycle.join(' → ')}`, ...steps].join('\n');
}

describe('architecture of src/', () => {
  test('the imports are read (sanity check of the reader)', () => {
    expect(imports.length).toBeGreaterThan(100);
    expect(imports).toContainEqual({ from: 'src/app.ts', to: 'src/context.ts' });
    expect(edges.get('src/app.ts')).toContain('src/graph');
  });

  test('the graph of folders (and of the files directly in src/) has no cycle', () => {
    const cycles = cyclicComponents(edges).map(
      (component) => `${describeCycle(cycleThrough(component[0], new Set(component), edges))}\n  (entangled: ${component.join(', ')})`,
    );
    expect(cycles).toEqual([]);
  });

  test.each(BELOW_GRAPH)('nothing under %s imports from src/graph (GraphQL-facing code sits above)', (folder) => {
    const offending = imports.filter(({ from, to }) => from.startsWith(`${folder}/`) && to.startsWith('src/graph/')).map(({ from, to }) => `${from} imports ${to}`);
    expect(offending).toEqual([]);
  });
});
