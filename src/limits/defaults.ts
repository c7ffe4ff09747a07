/** The query limits' settings and defaults (a module of its own: the configuration reads it without the rules). */
export interface QueryLimits {
  /** Deepest field nesting (PASSERELLE_MAX_DEPTH). */
  maxDepth: number;
  /** Aliases in one operation (PASSERELLE_MAX_ALIASES). */
  maxAliases: number;
  /** Estimated cost of one operation (PASSERELLE_MAX_COST). */
  maxCost: number;
  /** `_entities` representations in one operation. */
  maxRepresentations: number;
}

export const DEFAULT_LIMITS: QueryLimits = { maxDepth: 12, maxAliases: 100, maxCost: 50_000, maxRepresentations: 1000 };

/**
 * `first` on a connection: what it is when not given, and at most (src/graph/pagination.ts applies them).
 * Here because the cost limit counts a connection without `first` at its default.
 */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;
