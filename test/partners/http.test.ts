import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger';
import { createTransport, parseRetryAfter } from '../../src/partners/http';
import { PartnerError, type PartnerConfig, type PartnerType } from '../../src/partners/types';
import { reply, startFakePartner, type FakePartner } from './fake-server';

const TOKEN = 's3cr3t-t0ken-value';

function partner(url: string, overrides: Partial<PartnerConfig> = {}): PartnerConfig {
  return {
    id: 'p1',
    type: 'data-inclusion',
    baseUrl: url,
    token: TOKEN,
    live: true,
    sources: ['dora'],
    cacheTtlSeconds: 300,
    timeoutMs: 1000,
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<PartnerError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(PartnerError);
    return error as PartnerError;
  }
  throw new Error('expected a PartnerError');
}

let fake: FakePartner;

beforeEach(async () => {
  fake = await startFakePartner((req) => {
    if (req.path === '/api/v1/services') return { items: [{ id: 'a' }], query: req.query };
    if (req.path === '/api/v1/echo') return { method: req.method, body: req.body };
    if (req.path === '/api/v1/teapot') return reply(418, { detail: 'teapot' });
    return undefined;
  });
});

afterEach(async () => {
  await fake.close();
});

describe('requests', () => {
  it.each<[PartnerType, string]>([
    ['data-inclusion', `Bearer ${TOKEN}`],
    ['dora', `Token ${TOKEN}`],
    ['emplois', `Token ${TOKEN}`],
    ['soliguide', `JWT ${TOKEN}`],
  ])('sends the %s auth header', async (type, header) => {
    const transport = createTransport(partner(fake.url, { type }));
    await transport.request('/api/v1/services');
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0].headers.authorization).toBe(header);
  });

  it('sends no Authorization header without a token', async () => {
    const transport = createTransport(partner(fake.url, { token: undefined }));
    await transport.request('/api/v1/services');
    expect(fake.requests[0].headers.authorization).toBeUndefined();
  });

  it('encodes query parameters, arrays as repeated keys, and joins paths on the base URL', async () => {
    const urls: string[] = [];
    const transport = createTransport(partner(`${fake.url}/api/v1/`), { onCall: (url) => urls.push(url) });
    const result = await transport.request('services', {
      query: { thematiques: ['numerique', 'mobilite--etre-mobile'], code_departement: '69', size: 20 },
    });
    expect(result).toEqual({
      items: [{ id: 'a' }],
      query: { thematiques: ['numerique', 'mobilite--etre-mobile'], code_departement: '69', size: '20' },
    });
    expect(fake.requests[0].path).toBe('/api/v1/services');
    expect(urls).toEqual([`${fake.url}/api/v1/services?thematiques=numerique&thematiques=mobilite--etre-mobile&code_departement=69&size=20`]);
    expect(urls[0]).not.toContain(TOKEN);
  });

  it('sends a JSON body on POST', async () => {
    const transport = createTransport(partner(fake.url));
    const result = await transport.request('/api/v1/echo', { method: 'POST', body: { ids: ['a', 'b'] } });
    expect(result).toEqual({ method: 'POST', body: { ids: ['a', 'b'] } });
    expect(fake.requests[0].headers['content-type']).toBe('application/json');
  });
});

describe('failures and retries', () => {
  it('times out each attempt after timeoutMs and gives up after the retries', async () => {
    fake.setFault({ kind: 'slow', ms: 1000 });
    const transport = createTransport(partner(fake.url, { timeoutMs: 100 }), { retries: 2, backoffMs: 5 });
    const started = Date.now();
    const error = await failure(transport.request('/api/v1/services'));
    expect(error.reason).toBe('timeout');
    expect(error.partnerId).toBe('p1');
    expect(transport.calls).toBe(3);
    expect(fake.requests).toHaveLength(3);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('retries a 500 and succeeds', async () => {
    fake.setFault({ kind: 'status', status: 500, times: 1 });
    const transport = createTransport(partner(fake.url), { backoffMs: 5 });
    await expect(transport.request('/api/v1/services')).resolves.toMatchObject({ items: [{ id: 'a' }] });
    expect(transport.calls).toBe(2);
    expect(fake.requests).toHaveLength(2);
  });

  it('fails with the status after retrying persistent 5xx', async () => {
    fake.setFault({ kind: 'status', status: 503 });
    const transport = createTransport(partner(fake.url), { retries: 1, backoffMs: 5 });
    const error = await failure(transport.request('/api/v1/services'));
    expect(error).toMatchObject({ reason: 'http', status: 503 });
    expect(transport.calls).toBe(2);
  });

  it('honours Retry-After on 429 then succeeds', async () => {
    fake.setFault({ kind: 'rate-limit', retryAfter: 1, times: 1 });
    const transport = createTransport(partner(fake.url), { backoffMs: 5 });
    const started = Date.now();
    await expect(transport.request('/api/v1/services')).resolves.toMatchObject({ items: [{ id: 'a' }] });
    const elapsed = Date.now() - started;
    expect(transport.calls).toBe(2);
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(3000);
  });

  it('fails at once when Retry-After asks more than the cap', async () => {
    fake.setFault({ kind: 'rate-limit', retryAfter: 60, times: 1 });
    const sleeps: number[] = [];
    const transport = createTransport(partner(fake.url), {
      maxRetryAfterMs: 5000,
      sleep: async (ms) => void sleeps.push(ms),
    });
    const error = await failure(transport.request('/api/v1/services'));
    expect(error).toMatchObject({ reason: 'http', status: 429 });
    expect(transport.calls).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:03 GMT', now)).toBe(3000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('does not retry a 404 or another 4xx', async () => {
    const transport = createTransport(partner(fake.url), { backoffMs: 5 });
    expect(await failure(transport.request('/api/v1/nothing'))).toMatchObject({ reason: 'http', status: 404 });
    expect(await failure(transport.request('/api/v1/teapot'))).toMatchObject({ reason: 'http', status: 418 });
    expect(transport.calls).toBe(2);
    expect(fake.requests).toHaveLength(2);
  });

  it('reports malformed JSON without retrying', async () => {
    fake.setFault({ kind: 'malformed' });
    const transport = createTransport(partner(fake.url), { backoffMs: 5 });
    expect(await failure(transport.request('/api/v1/services'))).toMatchObject({ reason: 'malformed' });
    expect(transport.calls).toBe(1);
  });

  it('never returns a truncated page (retried as a network failure)', async () => {
    fake.setFault({ kind: 'truncated' });
    const transport = createTransport(partner(fake.url), { retries: 1, backoffMs: 5 });
    expect(await failure(transport.request('/api/v1/services'))).toMatchObject({ reason: 'network' });
    expect(transport.calls).toBe(2);
    fake.setFault({ kind: 'truncated', times: 1 });
    await expect(transport.request('/api/v1/services')).resolves.toMatchObject({ items: [{ id: 'a' }] });
  });

  it('reports a refused connection as a network error', async () => {
    const url = fake.url;
    await fake.close();
    fake = await startFakePartner(() => ({}));
    const transport = createTransport(partner(url), { retries: 1, backoffMs: 5 });
    expect(await failure(transport.request('/x'))).toMatchObject({ reason: 'network' });
    expect(transport.calls).toBe(2);
  });

  it('backs off exponentially with jitter', async () => {
    fake.setFault({ kind: 'status', status: 502 });
    const sleeps: number[] = [];
    const transport = createTransport(partner(fake.url), {
      retries: 3,
      backoffMs: 100,
      random: () => 0.5,
      sleep: async (ms) => void sleeps.push(ms),
    });
    await failure(transport.request('/api/v1/services'));
    expect(sleeps).toEqual([75, 150, 300]);
  });

  it('never logs the token', async () => {
    let logged = '';
    const sink = new Writable({
      write(chunk, _encoding, callback) {
        logged += String(chunk);
        callback();
      },
    });
    fake.setFault({ kind: 'status', status: 500 });
    const transport = createTransport(partner(fake.url), { logger: createLogger('trace', sink), retries: 1, backoffMs: 1 });
    await failure(transport.request('/api/v1/services'));
    expect(logged).toContain('partner call failed');
    expect(logged).not.toContain(TOKEN);
  });
});

describe('circuit breaker', () => {
  it('opens after N failed requests, half-opens after openMs, closes on success', async () => {
    fake.setFault({ kind: 'status', status: 500 });
    const transport = createTransport(partner(fake.url), { retries: 1, backoffMs: 1, breaker: { failures: 3, openMs: 150 } });
    for (let i = 0; i < 3; i++) {
      expect(await failure(transport.request('/api/v1/services'))).toMatchObject({ reason: 'http', status: 500 });
    }
    expect(fake.requests).toHaveLength(6);
    expect(transport.breakerState()).toBe('open');

    for (let i = 0; i < 5; i++) {
      expect(await failure(transport.request('/api/v1/services'))).toMatchObject({ reason: 'circuit-open' });
    }
    expect(fake.requests).toHaveLength(6);
    expect(transport.calls).toBe(6);

    await new Promise((resolve) => setTimeout(resolve, 180));
    expect(transport.breakerState()).toBe('half-open');
    fake.setFault(null);
    await expect(transport.request('/api/v1/services')).resolves.toMatchObject({ items: [{ id: 'a' }] });
    expect(fake.requests).toHaveLength(7);
    expect(transport.breakerState()).toBe('closed');
  });

  it('reopens when the half-open trial fails, and lets one trial through at a time', async () => {
    let clock = 0;
    fake.setFault({ kind: 'status', status: 500 });
    const transport = createTransport(partner(fake.url), {
      retries: 2,
      backoffMs: 1,
      now: () => clock,
      breaker: { failures: 2, openMs: 1000 },
    });
    await failure(transport.request('/a'));
    await failure(transport.request('/a'));
    expect(fake.requests).toHaveLength(6);
    expect(transport.breakerState()).toBe('open');

    clock = 1000;
    expect(transport.breakerState()).toBe('half-open');
    // The trial is one attempt, without retries; a failure reopens at once.
    expect(await failure(transport.request('/a'))).toMatchObject({ reason: 'http', status: 500 });
    expect(fake.requests).toHaveLength(7);
    expect(transport.breakerState()).toBe('open');
    expect(await failure(transport.request('/a'))).toMatchObject({ reason: 'circuit-open' });

    clock = 2000;
    fake.setFault({ kind: 'slow', ms: 50 });
    const trial = transport.request('/api/v1/services');
    const concurrent = await failure(transport.request('/api/v1/services'));
    expect(concurrent.reason).toBe('circuit-open');
    await expect(trial).resolves.toMatchObject({ items: [{ id: 'a' }] });
    expect(fake.requests).toHaveLength(8);
    expect(transport.breakerState()).toBe('closed');
  });

  it('does not count 4xx answers against the partner', async () => {
    const transport = createTransport(partner(fake.url), { breaker: { failures: 2, openMs: 10_000 } });
    for (let i = 0; i < 4; i++) await failure(transport.request('/api/v1/nothing'));
    expect(transport.breakerState()).toBe('closed');
    expect(fake.requests).toHaveLength(4);
  });

  it('resets the failure count on success', async () => {
    const transport = createTransport(partner(fake.url), { retries: 0, breaker: { failures: 2, openMs: 10_000 } });
    fake.setFault({ kind: 'status', status: 500, times: 1 });
    await failure(transport.request('/api/v1/services'));
    await transport.request('/api/v1/services');
    fake.setFault({ kind: 'status', status: 500, times: 1 });
    await failure(transport.request('/api/v1/services'));
    expect(transport.breakerState()).toBe('closed');
  });
});
