import type { Logger } from '../logger';
import { watchCircuit } from '../metrics';
import { countPartnerCall } from '../request-scope';
import { sourceOfId } from '../domain/ids';
import { PartnerCache } from './cache';
import { createTransport, type TransportOptions } from './http';
import { createConnector } from './index';
import type { Connector, PartnerConfig } from './types';

/**
 * Who answers for a record: the store, or a live partner. Ids are `<source>--<producer id>`, so the
 * answer is known from the id before anything is fetched; this registry holds the one mapping from a
 * source to its live partner, the partners' connectors, and the cache they share across requests.
 */
export class PartnerRegistry {
  readonly cache: PartnerCache;
  private readonly connectors = new Map<string, Connector>();
  private readonly liveBySource = new Map<string, Connector>();

  constructor(partners: readonly PartnerConfig[], logger: Logger, options: { transport?: TransportOptions; cache?: PartnerCache } = {}) {
    this.cache = options.cache ?? new PartnerCache();
    for (const partner of partners) {
      const transport = createTransport(partner, {
        logger,
        ...options.transport,
        onCall: (url) => {
          countPartnerCall();
          options.transport?.onCall?.(url);
        },
      });
      watchCircuit(partner.id, transport.breakerState);
      const connector = createConnector(partner, transport, logger);
      this.connectors.set(partner.id, connector);
      if (partner.live) for (const source of partner.sources) this.liveBySource.set(source, connector);
    }
  }

  /** The live partner answering for this record id, or undefined when the store answers. */
  answererOf(id: string): Connector | undefined {
    return this.liveBySource.get(sourceOfId(id));
  }

  /**
   * The live partners a list asks: every live partner when `live` is asked, else those answering for a
   * source the filter names — each with the sources it answers for within that filter.
   */
  liveFor(filterSources: readonly string[] | undefined, live: boolean): { connector: Connector; sources: string[] }[] {
    const chosen = new Map<Connector, string[]>();
    for (const [source, connector] of this.liveBySource) {
      const named = filterSources?.includes(source) ?? false;
      if (filterSources?.length ? named : live) chosen.set(connector, [...(chosen.get(connector) ?? []), source]);
    }
    return [...chosen].map(([connector, sources]) => ({ connector, sources }));
  }

  connector(partnerId: string): Connector | undefined {
    return this.connectors.get(partnerId);
  }
}
