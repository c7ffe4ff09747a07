import DataLoader from 'dataloader';
import type { Access } from '../auth/source-licences';
import { partnerUnavailable } from '../errors';
import type { PartnerRegistry } from '../partners/registry';
import { PartnerError, type Connector } from '../partners/types';

interface OfferByIdOptions<M extends { id: string }, R extends { id: string }> {
  kind: 'structure' | 'service';
  access: Access;
  partners?: PartnerRegistry;
  fromStore(ids: string[]): Promise<M[]>;
  fromPartner(connector: Connector, ids: string[]): Promise<R[]>;
  toModel(record: R, partner: string, fetchedAt: Date): M;
  /** A record may be shown (source licences on what the id alone does not tell, e.g. a service's structure). */
  visible?(model: M): boolean;
}

/**
 * Records by id, grouped by who answers (SOURCE → store or live partner): one store query for the
 * store's ids, and per live partner one batched call for the ids not in the cross-request cache.
 * A partner that cannot answer fails only its own ids, with PARTNER_UNAVAILABLE — unless the store holds
 * them (harvested): then the stored copy is served. The rest resolves.
 */
export function offerByIdLoader<M extends { id: string }, R extends { id: string }>(
  options: OfferByIdOptions<M, R>,
): DataLoader<string, M | null> {
  const { access, partners, kind } = options;
  const visible = options.visible ?? (() => true);
  return new DataLoader<string, M | null>(async (keys) => {
    const answers = new Map<string, M | null | Error>();
    const storeIds: string[] = [];
    const byPartner = new Map<Connector, string[]>();
    for (const id of new Set(keys)) {
      if (!access.canSee(id)) continue;
      const connector = partners?.answererOf(id);
      if (!connector) storeIds.push(id);
      else byPartner.set(connector, [...(byPartner.get(connector) ?? []), id]);
    }
    const work: Promise<void>[] = [];
    if (storeIds.length) {
      work.push(
        options.fromStore(storeIds).then((models) => {
          for (const model of models) answers.set(model.id, model);
        }),
      );
    }
    for (const [connector, ids] of byPartner) {
      const partner = connector.partner;
      work.push(
        partners!.cache
          .getMany(partner, ids.map((id) => `${kind}:${id}`), async (missing) => {
            const fetchedAt = new Date();
            const records = await options.fromPartner(connector, missing.map((k) => k.slice(kind.length + 1)));
            return new Map(records.map((r) => [`${kind}:${r.id}`, options.toModel(r, partner.id, fetchedAt)]));
          })
          .then(
            (found) => {
              for (const id of ids) answers.set(id, found.get(`${kind}:${id}`) ?? null);
            },
            async (error: unknown) => {
              if (!(error instanceof PartnerError)) throw error;
              // The partner is down: records harvested from it are still served from the store.
              const stored = new Map((await options.fromStore(ids)).map((m) => [m.id, m]));
              for (const id of ids) answers.set(id, stored.get(id) ?? partnerUnavailable(partner.id, error));
            },
          ),
      );
    }
    await Promise.all(work);
    return keys.map((id) => {
      const answer = answers.get(id) ?? null;
      return answer instanceof Error || answer === null || visible(answer) ? answer : null;
    });
  });
}
