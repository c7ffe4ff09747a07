import DataLoader from 'dataloader';
import type { Access } from '../auth/source-licences';
import { partnerUnavailable } from '../errors';
import type { PartnerRegistry } from '../partners/registry';
import { PartnerError, type Connector } from '../partners/types';
import type { RowShape } from '../store/row-shape';

interface OfferByIdOptions<M extends { id: string }, R extends { id: string }> {
  kind: 'structure' | 'service';
  access: Access;
  partners?: PartnerRegistry;
  /** Every column of a record: what internal callers get (federation, filters on partner records). */
  fullShape: RowShape;
  fromStore(ids: string[], shape: RowShape): Promise<M[]>;
  fromPartner(connector: Connector, ids: string[]): Promise<R[]>;
  toModel(record: R, partner: string, fetchedAt: Date): M;
  /** A record may be shown (source licences on what the id alone does not tell, e.g. a service's structure). */
  visible?(model: M): boolean;
}

/** Records by id, each read in the shape its selection needs (every column when none is given). */
export interface OfferByIdLoader<M> {
  load(id: string, shape?: RowShape): Promise<M | null>;
  loadMany(ids: readonly string[], shape?: RowShape): Promise<(M | null | Error)[]>;
}

interface ShapedId {
  id: string;
  shape: RowShape;
}

/**
 * Records by id, grouped by who answers (SOURCE → store or live partner): per shape asked, one store
 * statement for the store's ids, and per live partner one batched call for the ids not in the
 * cross-request cache (partners answer whole records, whatever the shape). A partner that cannot answer
 * fails only its own ids, with PARTNER_UNAVAILABLE — unless the store holds them (harvested): then the
 * stored copy is served. The rest resolves.
 */
export function offerByIdLoader<M extends { id: string }, R extends { id: string }>(
  options: OfferByIdOptions<M, R>,
): OfferByIdLoader<M> {
  const { access, partners, kind } = options;
  const visible = options.visible ?? (() => true);
  const loader = new DataLoader<ShapedId, M | null, string>(
    async (keys) => {
      const answers = new Map<string, M | null | Error>();
      const storeIds = new Map<string, { shape: RowShape; ids: Set<string> }>();
      const byPartner = new Map<Connector, Set<string>>();
      for (const { id, shape } of keys) {
        if (!access.canSee(id)) continue;
        const connector = partners?.answererOf(id);
        if (!connector) {
          const group = storeIds.get(shape.key);
          if (group) group.ids.add(id);
          else storeIds.set(shape.key, { shape, ids: new Set([id]) });
        }
        else addTo(byPartner, connector, id);
      }
      const work: Promise<void>[] = [];
      for (const { shape, ids } of storeIds.values()) {
        work.push(
          options.fromStore([...ids], shape).then((models) => {
            for (const model of models) answers.set(`${shape.key}\u0000${model.id}`, model);
          }),
        );
      }
      for (const [connector, idSet] of byPartner) {
        const partner = connector.partner;
        const ids = [...idSet];
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
                const stored = new Map((await options.fromStore(ids, options.fullShape)).map((m) => [m.id, m]));
                for (const id of ids) answers.set(id, stored.get(id) ?? partnerUnavailable(partner.id, error));
              },
            ),
        );
      }
      await Promise.all(work);
      return keys.map(({ id, shape }) => {
        const answer = answers.get(`${shape.key}\u0000${id}`) ?? answers.get(id) ?? null;
        return answer instanceof Error || answer === null || visible(answer) ? answer : null;
      });
    },
    { cacheKeyFn: ({ id, shape }) => `${shape.key}\u0000${id}` },
  );
  return {
    load: (id, shape = options.fullShape) => loader.load({ id, shape }),
    loadMany: (ids, shape = options.fullShape) => loader.loadMany(ids.map((id) => ({ id, shape }))),
  };
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}
