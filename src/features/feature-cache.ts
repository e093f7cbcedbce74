// Feature reads are the hot path and their data changes only on import or upload, so the
// serialized JSON is kept in memory. Each entry remembers the visibility of what it came from, so
// access is still checked on every hit. Local writes clear the cache; the TTL bounds how stale a
// read can be after a write made by another server process on the same Postgres.
import { LRUCache } from 'lru-cache';
import type { Owned } from '../access/viewer.js';
import type { ReusableJson } from '../http/send-json-text.js';

export interface CachedFeature extends ReusableJson {
  /** Model, source set and source of the feature: all must be readable by the viewer. */
  guards: Owned[];
}

export class FeatureCache {
  private readonly cache: LRUCache<string, CachedFeature> | undefined;

  constructor(maxEntries: number, ttlMs: number) {
    this.cache = maxEntries > 0 && ttlMs > 0 ? new LRUCache({ max: maxEntries, ttl: ttlMs }) : undefined;
  }

  static key(modelId: string, layer: string, index: string): string {
    return `${modelId}\u0000${layer}\u0000${index}`;
  }

  get(key: string): CachedFeature | undefined {
    return this.cache?.get(key);
  }

  set(key: string, value: CachedFeature): void {
    this.cache?.set(key, value);
  }

  /** Called after any write that can change a feature read (imports, uploads, deletions). */
  clear(): void {
    this.cache?.clear();
  }
}
