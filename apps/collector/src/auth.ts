// API keys: a bearer token is random; the config holds only its SHA-256 and its scopes. Verifiers sit
// behind ApiKeyVerifier so another scheme (a key service, mTLS identities) can be plugged in.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { sha256Hex, type ApiKeyEntry, type ApiScope } from "@synthorg/schema";

/** Random bytes in a generated key: 256 bits, as much as the hash that stands for it. */
export const API_KEY_BYTES = 32;
/** Generated keys start with this so secret scanners and humans can recognise them. */
export const API_KEY_PREFIX = "sak_";
const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

export interface VerifiedKey {
  readonly id: string;
  readonly scopes: ReadonlySet<ApiScope>;
}

export interface ApiKeyVerifier {
  /** The key a presented bearer token stands for, or null when it is not a known key. */
  verify(token: string): VerifiedKey | null | Promise<VerifiedKey | null>;
}

export { sha256Hex };

/**
 * Verifies tokens against configured SHA-256 hashes. Every configured hash is compared with
 * timingSafeEqual, with no early exit, so timing says nothing about which (or whether a) key matched.
 */
export function createSha256Verifier(entries: readonly ApiKeyEntry[]): ApiKeyVerifier {
  const keys = entries.map((entry) => ({
    digest: Buffer.from(entry.sha256, "hex"),
    key: Object.freeze({ id: entry.id, scopes: new Set(entry.scopes) }),
  }));
  return {
    verify(token) {
      const digest = createHash("sha256").update(token, "utf8").digest();
      let found: VerifiedKey | null = null;
      for (const candidate of keys) {
        if (timingSafeEqual(candidate.digest, digest)) found = candidate.key;
      }
      return found;
    },
  };
}

/** The token from an `Authorization: Bearer <token>` header, or null when absent or malformed. */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = BEARER.exec(header);
  return match?.[1] ?? null;
}

/** A fresh key: the token is shown once; the entry (its hash) goes into the config. */
export function createApiKey(id: string, scopes: readonly ApiScope[]): { token: string; entry: ApiKeyEntry } {
  const token = API_KEY_PREFIX + randomBytes(API_KEY_BYTES).toString("base64url");
  return { token, entry: { id, scopes: [...new Set(scopes)], sha256: sha256Hex(token) } };
}
