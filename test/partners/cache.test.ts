import { PartnerCache } from '../../src/partners/cache';
import type { PartnerConfig } from '../../src/partners/types';

const partner = (id: string, cacheTtlSeconds = 300): PartnerConfig => ({
  id,
  type: 'dora',
  baseUrl: 'http://127.0.0.1:1',
  live: true,
  sources: ['dora'],
  cacheTtlSeconds,
  timeoutMs: 1000,
});

describe('PartnerCache', () => {
  it('returns a cached value on a hit', async () => {
    const cache = new PartnerCache();
    const load = jest.fn(async () => ({ id: 'dora--1' }));
    const p = partner('dora');
    expect(await cache.getOrLoad(p, 'service:dora--1', load)).toEqual({ id: 'dora--1' });
    expect(await cache.getOrLoad(p, 'service:dora--1', load)).toEqual({ id: 'dora--1' });
    expect(load).toHaveBeenCalledTimes(1);
    expect(cache.stats()).toEqual({ hits: 1, misses: 1 });
  });

  it('caches null (a record the partner does not have)', async () => {
    const cache = new PartnerCache();
    const load = jest.fn(async () => null);
    await cache.getOrLoad(partner('dora'), 'k', load);
    expect(await cache.getOrLoad(partner('dora'), 'k', load)).toBeNull();
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('keys by partner', async () => {
    const cache = new PartnerCache();
    expect(await cache.getOrLoad(partner('a'), 'k', async () => 'from a')).toBe('from a');
    expect(await cache.getOrLoad(partner('b'), 'k', async () => 'from b')).toBe('from b');
    expect(await cache.getOrLoad(partner('a'), 'k', async () => 'again')).toBe('from a');
  });

  it('shares one in-flight load between concurrent identical calls', async () => {
    const cache = new PartnerCache();
    let release!: (v: string) => void;
    const load = jest.fn(() => new Promise<string>((resolve) => (release = resolve)));
    const all = Promise.all(Array.from({ length: 10 }, () => cache.getOrLoad(partner('dora'), 'k', load)));
    await Promise.resolve();
    await Promise.resolve();
    release('value');
    expect(await all).toEqual(Array(10).fill('value'));
    expect(load).toHaveBeenCalledTimes(1);
    expect(cache.stats().misses).toBe(1);
  });

  it('expires entries after the partner TTL', async () => {
    let clock = 1_000;
    const cache = new PartnerCache({ now: () => clock });
    const fast = partner('fast', 10);
    const slow = partner('slow', 60);
    let n = 0;
    const load = async () => ++n;
    expect(await cache.getOrLoad(fast, 'k', load)).toBe(1);
    expect(await cache.getOrLoad(slow, 'k', load)).toBe(2);
    clock += 9_000;
    expect(await cache.getOrLoad(fast, 'k', load)).toBe(1);
    clock += 2_000;
    expect(await cache.getOrLoad(fast, 'k', load)).toBe(3);
    expect(await cache.getOrLoad(slow, 'k', load)).toBe(2);
    clock += 60_000;
    expect(await cache.getOrLoad(slow, 'k', load)).toBe(4);
  });

  it('expires with the real clock too', async () => {
    const cache = new PartnerCache();
    const p = partner('p', 0.05);
    let n = 0;
    expect(await cache.getOrLoad(p, 'k', async () => ++n)).toBe(1);
    expect(await cache.getOrLoad(p, 'k', async () => ++n)).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await cache.getOrLoad(p, 'k', async () => ++n)).toBe(2);
  });

  it('does not cache failures (nor sync throws), and the next call loads again', async () => {
    const cache = new PartnerCache();
    const p = partner('dora');
    const failing = jest.fn(async () => {
      throw new Error('down');
    });
    const concurrent = await Promise.allSettled([cache.getOrLoad(p, 'k', failing), cache.getOrLoad(p, 'k', failing)]);
    expect(concurrent.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(failing).toHaveBeenCalledTimes(1);
    await expect(
      cache.getOrLoad(p, 'k', () => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    expect(await cache.getOrLoad(p, 'k', async () => 'ok')).toBe('ok');
    expect(cache.size).toBe(1);
  });

  it('bounds the number of entries', async () => {
    const cache = new PartnerCache({ max: 3 });
    const p = partner('p');
    for (let i = 0; i < 5; i++) await cache.getOrLoad(p, `k${i}`, async () => i);
    expect(cache.size).toBe(3);
    expect(await cache.getOrLoad(p, 'k0', async () => 'reloaded')).toBe('reloaded');
    expect(await cache.getOrLoad(p, 'k4', async () => 'reloaded')).toBe(4);
  });

  it('invalidates a key or a whole partner', async () => {
    const cache = new PartnerCache();
    const a = partner('a');
    const b = partner('b');
    await cache.getOrLoad(a, 'x', async () => 1);
    await cache.getOrLoad(a, 'y', async () => 1);
    await cache.getOrLoad(b, 'x', async () => 1);
    cache.invalidate(a, 'x');
    expect(cache.size).toBe(2);
    cache.invalidate(a);
    expect(cache.size).toBe(1);
  });
});
