// PostGraphile's subpath exports, typed for this project's `moduleResolution: node` (which ignores a package's
// `exports` map). Node resolves them at run time; these declarations only tell TypeScript what they hold.
declare module 'postgraphile/presets/amber' {
  export * from 'postgraphile/dist/presets/amber';
}
declare module 'postgraphile/adaptors/pg' {
  export * from '@dataplan/pg/dist/adaptors/pg';
}
declare module 'postgraphile/grafserv/node' {
  import type { Server } from 'node:http';
  import type { PostGraphileInstance } from 'postgraphile';
  type GrafservFactory = Parameters<PostGraphileInstance['createServ']>[0];
  /** Grafserv's adaptor for node:http (the grafserv package nests under postgraphile's own node_modules). */
  export const grafserv: (config: Parameters<GrafservFactory>[0]) => ReturnType<GrafservFactory> & { addTo(server: Server): Promise<void> };
}
