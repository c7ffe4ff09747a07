import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadPartnersConfig } from '../../src/partners/config';
import { PARTNER_DESCRIPTORS, PARTNER_TYPES, createConnector } from '../../src/partners';
import { authorizationHeader } from '../../src/partners/http';
import { createLogger } from '../../src/logger';

let dir: string;
let cwd: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-partners-'));
  cwd = process.cwd();
});

afterEach(() => {
  process.chdir(cwd);
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(content: unknown, name = 'partners.json'): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const dora = { id: 'dora', type: 'dora', baseUrl: 'https://api.dora.inclusion.beta.gouv.fr/', token: 't', sources: ['dora'] };

describe('loadPartnersConfig', () => {
  it('gives no partners without a file', () => {
    process.chdir(dir);
    expect(loadPartnersConfig({})).toEqual([]);
  });

  it('reads passerelle.config.json from the working directory, with defaults', () => {
    write({ partners: [dora] }, 'passerelle.config.json');
    process.chdir(dir);
    expect(loadPartnersConfig({})).toEqual([
      {
        id: 'dora',
        type: 'dora',
        baseUrl: 'https://api.dora.inclusion.beta.gouv.fr',
        token: 't',
        live: false,
        sources: ['dora'],
        cacheTtlSeconds: 300,
        timeoutMs: 2000,
      },
    ]);
  });

  it('reads the file named by PASSERELLE_CONFIG', () => {
    const file = write({
      partners: [{ ...dora, live: true, cacheTtlSeconds: 60, timeoutMs: 500 }],
    });
    const [p] = loadPartnersConfig({ PASSERELLE_CONFIG: file });
    expect(p).toMatchObject({ live: true, cacheTtlSeconds: 60, timeoutMs: 500 });
  });

  it('fails when PASSERELLE_CONFIG names a missing file', () => {
    const file = path.join(dir, 'missing.json');
    expect(() => loadPartnersConfig({ PASSERELLE_CONFIG: file })).toThrow(`no such file: ${file}`);
  });

  it('names the file and the path of each invalid value', () => {
    const file = write({
      partners: [dora, { id: 'di', type: 'data-inclusion', baseUrl: 'not a url', sources: ['dora'], timeoutMs: -1 }, { ...dora, id: 'x', type: 'nope' }],
    });
    let message = '';
    try {
      loadPartnersConfig({ PASSERELLE_CONFIG: file });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(file);
    expect(message).toContain('partners[1].baseUrl: must be an http:// or https:// URL');
    expect(message).toContain('partners[1].timeoutMs:');
    expect(message).toContain('partners[2].type:');
  });

  it('rejects invalid JSON, unknown keys, unknown sources and missing fields', () => {
    expect(() => loadPartnersConfig({ PASSERELLE_CONFIG: write('{ "partners": [') })).toThrow(/not valid JSON/);
    expect(() => loadPartnersConfig({ PASSERELLE_CONFIG: write({ partners: [{ ...dora, extra: 1 }] }) })).toThrow(/partners\[0\]: .*extra/);
    expect(() => loadPartnersConfig({ PASSERELLE_CONFIG: write({ partners: [{ ...dora, sources: ['dora', 'nowhere'] }] }) })).toThrow(
      'partners[0].sources[1]: "nowhere" is not a source slug',
    );
    const { baseUrl: _omitted, ...noUrl } = dora;
    expect(() => loadPartnersConfig({ PASSERELLE_CONFIG: write({ partners: [noUrl] }) })).toThrow(/partners\[0\]\.baseUrl: /);
  });

  it('rejects duplicate ids', () => {
    const file = write({ partners: [dora, { ...dora, sources: ['soliguide'] }] });
    expect(() => loadPartnersConfig({ PASSERELLE_CONFIG: file })).toThrow('partners[1].id: "dora" is already the id of partners[0]');
  });

  it('rejects a source claimed by two live partners, but not by a live and a harvested one', () => {
    const di = { id: 'di', type: 'data-inclusion', baseUrl: 'https://api.data.inclusion.gouv.fr', sources: ['dora', 'soliguide'] };
    const both = write({ partners: [{ ...dora, live: true }, { ...di, live: true }] });
    expect(() => loadPartnersConfig({ PASSERELLE_CONFIG: both })).toThrow(
      'partners[1].sources: source "dora" is already resolved live by partner "dora"',
    );
    const one = write({ partners: [{ ...dora, live: true }, di] });
    expect(loadPartnersConfig({ PASSERELLE_CONFIG: one })).toHaveLength(2);
  });

  it('resolves tokenEnv, and fails when the variable is unset', () => {
    const { token: _t, ...noToken } = dora;
    const file = write({ partners: [{ ...noToken, tokenEnv: 'DORA_TOKEN' }] });
    const [p] = loadPartnersConfig({ PASSERELLE_CONFIG: file, DORA_TOKEN: 'from-env' });
    expect(p.token).toBe('from-env');
    expect(p).not.toHaveProperty('tokenEnv');
    expect(() => loadPartnersConfig({ PASSERELLE_CONFIG: file })).toThrow(
      'partners[0].tokenEnv: the environment variable DORA_TOKEN is not set',
    );
    const secret = write({ partners: [{ ...noToken, tokenEnv: 'DORA_TOKEN' }] }, 'other.json');
    try {
      loadPartnersConfig({ PASSERELLE_CONFIG: secret, DORA_TOKEN: '' });
    } catch (error) {
      expect((error as Error).message).not.toContain('from-env');
    }
  });

  it('rejects token and tokenEnv together', () => {
    const file = write({ partners: [{ ...dora, tokenEnv: 'DORA_TOKEN' }] });
    expect(() => loadPartnersConfig({ PASSERELLE_CONFIG: file, DORA_TOKEN: 'x' })).toThrow('partners[0].tokenEnv: give either token or tokenEnv');
  });
});

describe('partner types', () => {
  it('are the descriptors: the config accepts exactly their types, and each brings its auth scheme and connector', () => {
    expect(PARTNER_TYPES).toEqual(['data-inclusion', 'dora', 'soliguide', 'emplois']);
    for (const type of PARTNER_TYPES) {
      expect(PARTNER_DESCRIPTORS[type].type).toBe(type);
      expect(authorizationHeader(type, 't0k3n')).toBe(`${PARTNER_DESCRIPTORS[type].authScheme} t0k3n`);
      const partner = { id: `p-${type}`, type, baseUrl: 'https://partner.example.org', live: true, sources: ['dora'], cacheTtlSeconds: 1, timeoutMs: 1 };
      expect(createConnector(partner, { request: async () => ({}) }, createLogger('silent')).partner).toBe(partner);
    }
    expect(authorizationHeader('dora', 'x')).toBe('Token x');
    expect(authorizationHeader('data-inclusion', 'x')).toBe('Bearer x');
    expect(authorizationHeader('soliguide', 'x')).toBe('JWT x');
    expect(() => createConnector({ id: 'x', type: 'nope' as never, baseUrl: 'https://a.b', live: false, sources: [], cacheTtlSeconds: 1, timeoutMs: 1 }, { request: async () => ({}) }, createLogger('silent'))).toThrow('partner x: unknown type "nope"');
  });
});
