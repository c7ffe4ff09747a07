import { PartnerError, type PartnerTransport } from '../../src/partners/types';

export type Init = Parameters<PartnerTransport['request']>[1];

/**
 * A tiny in-process PartnerTransport for connector tests: paths mapped to fixtures (undefined → 404),
 * every call recorded, requests in flight counted (to check bounded concurrency).
 */
export class FakeTransport implements PartnerTransport {
  readonly calls: { path: string; init?: Init }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(
    private readonly partnerId: string,
    private readonly route: (path: string, init?: Init) => unknown,
    private readonly delayMs = 0,
  ) {}

  async request(path: string, init?: Init): Promise<unknown> {
    this.calls.push({ path, init });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      const body = this.route(path, init);
      if (body === undefined) throw new PartnerError(this.partnerId, `${init?.method ?? 'GET'} ${path}: HTTP 404`, 'http', 404);
      return structuredClone(body);
    } finally {
      this.inFlight--;
    }
  }
}
