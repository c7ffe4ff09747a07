import { GraphQLError, type ASTNode, type GraphQLFormattedError } from 'graphql';

/**
 * Every `extensions.code` the API returns. Clients may switch on these; they are part of the contract,
 * so add codes here rather than inventing them at call sites.
 */
export const ErrorCode = {
  /** An argument is wrong: the message names it and the bad value. */
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /** The query itself does not parse or does not match the schema (Apollo's own codes). */
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  /** The HTTP request is not a GraphQL request (Apollo's code: bad method, body, CSRF preflight…). */
  BAD_REQUEST: 'BAD_REQUEST',
  /** The operation name does not match an operation of the document (Apollo's code). */
  OPERATION_RESOLUTION_FAILURE: 'OPERATION_RESOLUTION_FAILURE',
  /** Automatic persisted queries (Apollo's codes). */
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  PERSISTED_QUERY_NOT_SUPPORTED: 'PERSISTED_QUERY_NOT_SUPPORTED',
  /**
   * A token was sent but is not valid (bad signature, expired, revoked…): HTTP 401, and the message says
   * which check failed. Never downgraded to anonymous: a reuser must learn its token is broken.
   */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /**
   * A query limit (src/limits/) refused the operation before anything ran: it is too deep, has too many
   * aliases, costs too much (nested connections multiply: `first: 1000` inside `first: 1000` asks for a
   * million records), or sends too many `_entities` representations. HTTP 400. Why a code of its own: the
   * operation is valid GraphQL, and a client must learn to ask for less rather than fix its syntax. The
   * message names the limit, the measured value and the maximum; `extensions.limit` (`depth`, `aliases`,
   * `cost`, `representations`), `extensions.value` and `extensions.maximum` say the same for programs.
   */
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  /**
   * Too many requests from this caller (its client, or its IP when anonymous): HTTP 429, nothing ran.
   * The `Retry-After` header and `extensions.retryAfter` say in how many seconds to try again; the message
   * names the limit (burst and rate per second). Why a code of its own: a client must wait, not fix its
   * request, and a program can back off on the code alone.
   */
  RATE_LIMITED: 'RATE_LIMITED',
  /**
   * A token whose client registered origins (`clients add --origins`, the search widget's tokens) was sent from
   * a page of another origin (the request's `Origin`): HTTP 403, nothing ran. A code of its own: the token is
   * valid, the page using it is not one its client declared; the remedy is to register the origin, not to
   * fix the token.
   */
  ORIGIN_REFUSED: 'ORIGIN_REFUSED',
  /** Something named by the request does not exist, where null is not an answer. */
  NOT_FOUND: 'NOT_FOUND',
  /**
   * A live partner could not answer (timeout, error, circuit open): its records are missing from the
   * response, which still holds the store's and the other partners' data; `extensions.partner` names it.
   */
  PARTNER_UNAVAILABLE: 'PARTNER_UNAVAILABLE',
  /** The store is not ready yet (starting, migrating). */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /**
   * A store statement ran past its time (PostgreSQL's `statement_timeout`, PASSERELLE_STATEMENT_TIMEOUT) and
   * was cancelled: HTTP 503. Why a code of its own rather than INTERNAL_SERVER_ERROR: nothing is broken, the
   * request asked for more than the store answers in that time; the client may retry later or ask for less.
   */
  QUERY_TIMEOUT: 'QUERY_TIMEOUT',
  /**
   * The change feed's `since` is older than the history it keeps (tombstones are pruned after
   * PASSERELLE_CHANGES_RETENTION): the reader may have missed deletions, so it must download the export again
   * and resume from the export's cursor. HTTP 410 on `/exports/changes.ndjson`. A code of its own because the
   * client's remedy is specific (re-download), not "fix your input".
   */
  CHANGES_CURSOR_EXPIRED: 'CHANGES_CURSOR_EXPIRED',
  /**
   * The caller is known (or anonymous) but may not do this: a write without a token carrying the `import`
   * scope, a webhook of another client. HTTP 403. Distinct from UNAUTHENTICATED: the token is valid.
   */
  FORBIDDEN: 'FORBIDDEN',
  /**
   * A producer's write names a source its client may not write (the record's `source`, its id's
   * `<source>--` prefix, or its structure_id's): HTTP 403, nothing of the request was written;
   * `extensions.index` and `extensions.field` say which record and which field.
   */
  FORBIDDEN_SOURCE: 'FORBIDDEN_SOURCE',
  /** A write carries more records (PASSERELLE_PUSH_MAX_RECORDS) or bytes (PASSERELLE_PUSH_MAX_BYTES) than allowed: HTTP 413. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** Anything else; details stay in the server's logs (masked unless NODE_ENV=development). */
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Input the caller got wrong (a file's row, a record's field, a command's argument), outside GraphQL:
 * its message says what and where, and is shown as is — no stack, and not logged as a failure.
 */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

const PUBLIC_CODES = new Set<string>(Object.values(ErrorCode));

/** Characters of a value quoted in a message, at most (longer ones are cut and end with "…"). */
export const MAX_SHOWN_LENGTH = 100;
/** Characters of an error message, at most: a safety net for messages that quote what they were sent. */
export const MAX_MESSAGE_LENGTH = 500;

function cut(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

/**
 * A value as a message quotes it: JSON (so a NUL byte or a newline shows as an escape), at most
 * MAX_SHOWN_LENGTH characters. A client that sent 900 KB must not get them back, nor the log keep them.
 */
export function shown(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value.length > MAX_SHOWN_LENGTH * 2 ? value.slice(0, MAX_SHOWN_LENGTH * 2) : value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return cut(text, MAX_SHOWN_LENGTH);
}

/** A message cut to MAX_MESSAGE_LENGTH characters (graphql-js quotes whole values in its coercion errors). */
export function boundedMessage(formatted: GraphQLFormattedError): GraphQLFormattedError {
  return formatted.message.length <= MAX_MESSAGE_LENGTH ? formatted : { ...formatted, message: cut(formatted.message, MAX_MESSAGE_LENGTH) };
}

export function badUserInput(argument: string, message: string): GraphQLError {
  return new GraphQLError(cut(`${argument}: ${message}`, MAX_MESSAGE_LENGTH), {
    extensions: { code: ErrorCode.BAD_USER_INPUT, argument },
  });
}

/**
 * A store statement cancelled by its time limit. Thrown by the store (src/store/database.ts), below GraphQL:
 * a plain error whose `extensions` graphql-js copies onto the error it reports (code QUERY_TIMEOUT, HTTP 503).
 */
export class StatementTimeoutError extends Error {
  readonly extensions = { code: ErrorCode.QUERY_TIMEOUT, http: { status: 503 } };
  constructor(timeoutMs: number, options?: { cause?: unknown }) {
    super(`the store did not answer within ${timeoutMs.toLocaleString('en-US')} ms: ask for less (lower first, fewer totalCount), or retry later`, options);
    this.name = new.target.name;
  }
}

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code: ErrorCode.UNAUTHENTICATED,
      http: { status: 401, headers: new Map([['www-authenticate', 'Bearer realm="passerelle", error="invalid_token"']]) },
    },
  });
}

export function originRefused(origin: string, clientId: string): GraphQLError {
  return new GraphQLError(`the origin ${origin} is not one of the origins registered for client ${clientId}: its tokens are refused from that page`, {
    extensions: { code: ErrorCode.ORIGIN_REFUSED, http: { status: 403 } },
  });
}

export function partnerUnavailable(partner: string, cause: { reason: string; status?: number }): GraphQLError {
  const detail = cause.reason === 'http' && cause.status ? `HTTP ${cause.status}` : cause.reason;
  return new GraphQLError(`partner ${partner} is unavailable (${detail}); its records are missing from this response`, {
    extensions: { code: ErrorCode.PARTNER_UNAVAILABLE, partner, reason: cause.reason },
  });
}

export function forbidden(message: string, extensions: Record<string, unknown> = {}, code: 'FORBIDDEN' | 'FORBIDDEN_SOURCE' = 'FORBIDDEN'): GraphQLError {
  return new GraphQLError(cut(message, MAX_MESSAGE_LENGTH), { extensions: { code: ErrorCode[code], ...extensions, http: { status: 403 } } });
}

export function payloadTooLarge(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.PAYLOAD_TOO_LARGE, ...extensions, http: { status: 413 } } });
}

export function notFound(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.NOT_FOUND } });
}

export type QueryLimit = 'depth' | 'aliases' | 'cost' | 'representations';

const thousands = new Intl.NumberFormat('en-US');

/**
 * A query limit's refusal, e.g. `query cost 1,000,050 exceeds the maximum of 50,000: lower first on nested
 * connections` (HTTP 400).
 */
export function queryTooComplex(
  limit: QueryLimit,
  measure: string,
  value: number,
  maximum: number,
  advice: string,
  nodes?: ASTNode | readonly ASTNode[],
): GraphQLError {
  return new GraphQLError(`${measure} ${thousands.format(value)} exceeds the maximum of ${thousands.format(maximum)}: ${advice}`, {
    nodes,
    extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, limit, value, maximum, http: { status: 400 } },
  });
}

/**
 * Apollo Server gives every validation rule's error the code GRAPHQL_VALIDATION_FAILED; a query limit
 * checked as a validation rule (depth, aliases) gets its own code back here.
 */
export function withLimitCode(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  if (!isLimitError(error)) return formatted;
  return { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.QUERY_TOO_COMPLEX } };
}

/** The code an error reaches the client with (the request log reports the same). */
export function errorCode(error: GraphQLError): string {
  return isLimitError(error) ? ErrorCode.QUERY_TOO_COMPLEX : String(error.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR);
}

function isLimitError(error: unknown): boolean {
  const original = error instanceof GraphQLError ? error.originalError : undefined;
  return original instanceof GraphQLError && original.extensions.code === ErrorCode.QUERY_TOO_COMPLEX;
}

/** True when an error carries a code of ours (or Apollo's request-level ones) and may be shown as is. */
export function isPublicCode(code: unknown): boolean {
  return typeof code === 'string' && PUBLIC_CODES.has(code);
}
