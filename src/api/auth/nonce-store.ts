/**
 * Remembers Hawk nonces so a captured request cannot be replayed while its timestamp is still inside
 * the allowed skew. Hawk identifies a request by (clientId, nonce, ts).
 */
export interface NonceStore {
  /** Records the nonce and answers whether it had already been seen (true = replay). */
  seen(clientId: string, nonce: string, ts: number): Promise<boolean>;
}

/**
 * A nonce with timestamp `ts` is accepted only while |ts − now| ≤ skew, and is recorded at about that
 * moment, so after twice the skew any replay fails the timestamp check anyway and the record can go.
 */
export function nonceRetentionMs(timestampSkewSec: number): number {
  return 2 * timestampSkewSec * 1000;
}
