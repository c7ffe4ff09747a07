import type { ServerName } from '../shapes';
import type { ChildServerSpec } from './child-server';
import { floorSpec } from './floor';
import { passerelleSpec } from './passerelle';
import { postgraphileSpec } from './postgraphile';

/** How to launch each server of the comparison on a PostgreSQL database. */
export const LAUNCHERS: Record<ServerName, (databaseUrl: string, port: number, cwd: string) => ChildServerSpec> = {
  passerelle: (databaseUrl, port, cwd) => passerelleSpec({ databaseUrl }, port, cwd),
  postgraphile: postgraphileSpec,
  floor: floorSpec,
};

export { ChildServer, freePort } from './child-server';
