import autocannon from 'autocannon';

/**
 * One load measurement with autocannon (programmatic API, in the harness's process): N connections each
 * POSTing the same body back to back for a fixed time. Every response must equal `expectBody` (the answer
 * checked before measuring); one that does not counts as a mismatch, reported beside non-2xx and errors.
 */

export interface LoadRequest {
  url: string;
  body: string;
  /** The exact response body every request must get. */
  expectBody?: string;
  connections: number;
  seconds: number;
}

export interface LoadFigures {
  /** Completed requests per second over the run (responses ÷ elapsed seconds). */
  rps: number;
  /** Latency percentiles, milliseconds. */
  p50: number;
  p99: number;
  /** Completed responses. */
  requests: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  /** 2xx responses whose body differed from the expected one. */
  mismatches: number;
}

export async function measureLoad(request: LoadRequest): Promise<LoadFigures> {
  const result = await autocannon({
    url: request.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: request.body,
    connections: request.connections,
    duration: request.seconds,
    timeout: 30,
    expectBody: request.expectBody,
  });
  const requests = result.requests.total;
  return {
    rps: result.duration > 0 ? requests / result.duration : 0,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests,
    non2xx: result.non2xx,
    errors: result.errors,
    mismatches: result.mismatches,
  };
}
