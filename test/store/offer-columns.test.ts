import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { COLUMNS, TABLE, type OfferEntity } from '../../src/store/offer-columns';
import { SEARCH_COLUMN } from '../../src/store/full-text';

describe.each(ENGINES)('the offer columns known to the read path on %s', (engine) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(engine);
  });
  afterAll(() => store?.dispose());

  test.each(['service', 'structure'] as OfferEntity[])('are exactly the columns of the %s table', async (entity) => {
    const rows = await store.prisma.$queryRawUnsafe<{ column_name: string }[]>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`,
      TABLE[entity],
    );
    const known = [...COLUMNS[entity].values()].map((c) => c.column).sort();
    // The full-text tsvector is read by searches only (src/store/full-text.ts), never served.
    expect(known).toEqual(rows.map((r) => r.column_name).filter((c) => c !== SEARCH_COLUMN).sort());
  });
});
