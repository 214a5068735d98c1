// Per-key request rate limit: a token bucket per key id that holds up to `perMinute` requests and
// refills continuously, so a key may burst to its minute's budget but not beyond it on average.
const MS_PER_MINUTE = 60_000;

export type Clock = () => number;

export type RateDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

export interface RateLimiter {
  take(keyId: string): RateDecision;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export function createRateLimiter(perMinute: number, now: Clock = Date.now): RateLimiter {
  const buckets = new Map<string, Bucket>();
  const refillPerMs = perMinute / MS_PER_MINUTE;
  return {
    take(keyId) {
      const time = now();
      let bucket = buckets.get(keyId);
      if (bucket === undefined) {
        // Bounded by the number of configured keys: only verified key ids reach the limiter.
        bucket = { tokens: perMinute, updatedAt: time };
        buckets.set(keyId, bucket);
      } else {
        bucket.tokens = Math.min(perMinute, bucket.tokens + (time - bucket.updatedAt) * refillPerMs);
        bucket.updatedAt = time;
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true };
      }
      const waitMs = (1 - bucket.tokens) / refillPerMs;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    },
  };
}
