import { ENGINES, createTestStore, type TestStore } from '../support/engines';
import { createTestApp } from '../support/graphql';
import { syncSources, writeOffer } from '../../src/store/write';
import * as fixture from '../fixtures/offer';

// Masking: an internal failure (here, a table gone from under the server) reaches the client as
// "Internal server error" with its code, and nothing of the SQL, the table or the stack.
describe.each(ENGINES)('error masking on %s', (engine) => {
  let store: TestStore;

  beforeAll(async () => {
    store = await createTestStore(engine);
    await syncSources(store);
    await writeOffer(store, { structures: fixture.structures, services: fixture.services }, { now: fixture.NOW });
    await store.prisma.$executeRawUnsafe('DROP TABLE communes CASCADE');
  });
  afterAll(() => store?.dispose());

  const query = `{ structure(id: "dora--paris-11") { nom territoire { nom } } }`;

  test('outside development: masked, with the rest of the data', async () => {
    const api = await createTestApp(store, { development: false });
    const { data, errors } = await api.query(query);
    await api.stop();
    expect(data).toEqual({ structure: { nom: 'Centre social Belleville', territoire: null } });
    expect(errors).toHaveLength(1);
    expect(errors![0].path).toEqual(['structure', 'territoire']);
    for (const error of errors!) {
      expect(error.message).toBe('Internal server error');
      expect(error.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    }
    expect(JSON.stringify(errors)).not.toMatch(/communes|relation|SELECT|stack|\.ts:/i);
  });

  test('in development: the cause and the stack are shown', async () => {
    const api = await createTestApp(store, { development: true });
    const { errors } = await api.query(query);
    await api.stop();
    expect(errors![0].message).toMatch(/communes/);
    expect(errors![0].extensions).toHaveProperty('stacktrace');
  });
});
