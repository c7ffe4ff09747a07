/**
 * Query limits: what one request may ask of a public API. Each limit is a module of its own, with its rule
 * in its header: `depth.ts` and `aliases.ts` are graphql-js validation rules (the document alone says it);
 * `cost.ts` and `representations.ts` are Apollo Server plugins, because they need the request's variables
 * (`first: $n`, `representations: $r`). Every refusal is a QUERY_TOO_COMPLEX error (HTTP 400).
 */
export { maxDepthRule } from './depth';
export { maxAliasesRule } from './aliases';
export { costPlugin, operationCost } from './cost';
export { representationsPlugin } from './representations';

export { DEFAULT_LIMITS, type QueryLimits } from './defaults';
