import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
} from 'jose';
import type { Database } from '../../store/db/database';
import type { SigningAlg } from './config';

interface LoadedKey {
  kid: string;
  alg: SigningAlg;
  publicJwk: JWK;
  publicKey: CryptoKey;
  privateKey: CryptoKey;
}

const parse = (v: unknown): JWK => (typeof v === 'string' ? JSON.parse(v) : (v as JWK));

/**
 * Kith's token signing keys, kept in `auth_signing_keys`. The first start generates one (ES256 by
 * default, or RS256); the newest key that is not retired signs, and every key not retired verifies
 * and is published at `/.well-known/jwks.json`. Private keys are stored as JWKs in the database.
 */
export class SigningKeys {
  private keys = new Map<string, LoadedKey>();
  private active: LoadedKey | undefined;
  private lastLoad = 0;

  constructor(
    private readonly db: Database,
    private readonly alg: SigningAlg,
  ) {}

  /** Loads the keys, generating the first one when there is none (safe when two nodes start together). */
  async init(): Promise<void> {
    await this.db.transaction(async (client) => {
      await client.query('select pg_advisory_xact_lock(7150101)');
      const { rows } = await client.query(
        'select kid from auth_signing_keys where retired_at is null and alg = $1 limit 1',
        [this.alg],
      );
      if (!rows.length) await this.insertNewKey(client);
    });
    await this.reload();
  }

  private async insertNewKey(client: { query: Database['query'] }): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair(this.alg, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const privateJwk = await exportJWK(privateKey);
    await client.query(
      'insert into auth_signing_keys (kid, alg, private_jwk, public_jwk) values ($1, $2, $3::jsonb, $4::jsonb)',
      [
        kid,
        this.alg,
        JSON.stringify({ ...privateJwk, kid, alg: this.alg }),
        JSON.stringify({ ...publicJwk, kid, alg: this.alg, use: 'sig' }),
      ],
    );
    return kid;
  }

  async reload(): Promise<void> {
    const { rows } = await this.db.query(
      `select kid, alg, private_jwk, public_jwk from auth_signing_keys
       where retired_at is null order by created_at desc, kid`,
    );
    const keys = new Map<string, LoadedKey>();
    let active: LoadedKey | undefined;
    for (const r of rows) {
      const alg = r.alg as SigningAlg;
      const loaded: LoadedKey = {
        kid: r.kid,
        alg,
        publicJwk: parse(r.public_jwk),
        publicKey: (await importJWK(parse(r.public_jwk), alg)) as CryptoKey,
        privateKey: (await importJWK(parse(r.private_jwk), alg)) as CryptoKey,
      };
      keys.set(r.kid, loaded);
      if (!active && alg === this.alg) active = loaded;
    }
    this.keys = keys;
    this.active = active;
    this.lastLoad = Date.now();
  }

  /** The key that signs new tokens. */
  signingKey(): { kid: string; alg: SigningAlg; key: CryptoKey } {
    if (!this.active) throw new Error('No signing key: call init() first');
    return { kid: this.active.kid, alg: this.active.alg, key: this.active.privateKey };
  }

  /**
   * The public key for a token's `kid`. An unknown kid reloads from the database (another node may
   * have rotated), at most once every 10 seconds.
   */
  async verificationKey(kid: string | undefined): Promise<{ alg: SigningAlg; key: CryptoKey } | undefined> {
    if (!kid) return undefined;
    let k = this.keys.get(kid);
    if (!k && Date.now() - this.lastLoad > 10_000) {
      await this.reload();
      k = this.keys.get(kid);
    }
    return k ? { alg: k.alg, key: k.publicKey } : undefined;
  }

  /** The public JWK Set served at `/.well-known/jwks.json`. */
  jwks(): JSONWebKeySet {
    return { keys: [...this.keys.values()].map((k) => k.publicJwk) };
  }

  /**
   * Generates a new signing key; the previous one keeps verifying until the next rotation retires
   * it (so tokens it signed live out their short life). Returns the new kid.
   */
  async rotate(): Promise<string> {
    const kid = await this.db.transaction(async (client) => {
      await client.query('select pg_advisory_xact_lock(7150101)');
      const { rows } = await client.query(
        'select kid from auth_signing_keys where retired_at is null order by created_at desc, kid',
      );
      if (rows.length > 1)
        await client.query('update auth_signing_keys set retired_at = now() where kid = any($1::text[])', [
          rows.slice(1).map((r: any) => r.kid),
        ]);
      return this.insertNewKey(client);
    });
    await this.reload();
    return kid;
  }
}
