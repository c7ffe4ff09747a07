import type { Store } from './store/database';
import { createLoaders, type Loaders } from './loaders';

/** What every resolver of one request gets: the store and that request's own loaders. */
export interface Context {
  store: Store;
  loaders: Loaders;
}

export function createContext(store: Store): Context {
  return { store, loaders: createLoaders(store.prisma) };
}
