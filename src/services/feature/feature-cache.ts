// Feature reads are the hot path and their data changes only on import or upload, so the
// serialized JSON is kept in memory. Each entry remembers the visibility of what it came from, so
// access is still checked on every hit. Local writes clear the cache; the TTL bounds how stale a
// read can be after a write made by another server process on the same Postgres.
import { LRUCache } from 'lru-cache';
import type { Owned } from '../access/viewer.js';
import { type FeatureJsonRow } from '../../db/queries/features-json.js';
import { type ModelRow, type NeuronRow, type SourceRow, type SourceSetRow } from '../../db/queries/features.js';
import { type SourceSetWithSources } from '../../db/queries/sources.js';

/** A source with its model and set, as access checks read them (findSourcesWithParents). */
export interface SourceWithParents {
  model: ModelRow;
  source: SourceRow;
  sourceSet: SourceSetRow | null;
}

/** A serialized body kept for reuse, with its gzip form made on first demand (by the sender). */
export interface ReusableJson {
  /** UTF-8 bytes, encoded once: a hit then writes them as they are, as a bare server would. */
  body: Buffer;
  gzip?: Buffer;
}

export interface CachedFeature extends ReusableJson {
  /** Model, source set and source of the feature: all must be readable by the viewer. */
  guards: Owned[];
}

/** A feature as its web page reads it (readFeature's object), with the same guards. */
export interface CachedPageFeature {
  feature: Record<string, unknown>;
  guards: Owned[];
}

type Entry = CachedFeature | CachedPageFeature | FeatureJsonRow | SourceSetWithSources | ModelRow | SourceWithParents | NeuronRow;

export class FeatureCache {
  // One LRU for both kinds of entry, so FEATURE_CACHE_SIZE bounds them together and clear() empties both.
  private readonly cache: LRUCache<string, Entry> | undefined;

  constructor(maxEntries: number, ttlMs: number) {
    this.cache = maxEntries > 0 && ttlMs > 0 ? new LRUCache({ max: maxEntries, ttl: ttlMs }) : undefined;
  }

  static key(modelId: string, layer: string, index: string): string {
    return `${modelId}\u0000${layer}\u0000${index}`;
  }

  get(key: string): CachedFeature | undefined {
    return this.cache?.get(key) as CachedFeature | undefined;
  }

  set(key: string, value: CachedFeature): void {
    this.cache?.set(key, value);
  }

  /** A feature as its page reads it: the page renders from the object, not from the API's JSON text. */
  getPageFeature(key: string): CachedPageFeature | undefined {
    return this.cache?.get(`page\u0000${key}`) as CachedPageFeature | undefined;
  }

  setPageFeature(key: string, value: CachedPageFeature): void {
    this.cache?.set(`page\u0000${key}`, value);
  }

  /** A feature as search-all joins it (listFeaturesJson): its row, top activation and explanations. */
  getSearchFeature(modelId: string, layer: string, index: string): FeatureJsonRow | undefined {
    return this.cache?.get(`search\u0000${FeatureCache.key(modelId, layer, index)}`) as FeatureJsonRow | undefined;
  }

  setSearchFeature(modelId: string, row: FeatureJsonRow): void {
    this.cache?.set(`search\u0000${FeatureCache.key(modelId, row.layer, row.index)}`, row);
  }

  /** A source set with its model and sources, for access checks (search-all). */
  getSourceSet(modelId: string, setName: string): SourceSetWithSources | undefined {
    return this.cache?.get(`set\u0000${modelId}\u0000${setName}`) as SourceSetWithSources | undefined;
  }

  setSourceSet(value: SourceSetWithSources): void {
    this.cache?.set(`set\u0000${value.sourceSet.modelId}\u0000${value.sourceSet.name}`, value);
  }

  // Rows steering checks on every request (model, sources with their parents, the steered
  // neurons): only rows that exist are kept, so a model, source or feature created since is found
  // by the next request; writes that change existing ones clear the cache like any feature write.

  getModel(modelId: string): ModelRow | undefined {
    return this.cache?.get(`model\u0000${modelId}`) as ModelRow | undefined;
  }

  setModel(row: ModelRow): void {
    this.cache?.set(`model\u0000${row.id}`, row);
  }

  getSource(modelId: string, layer: string): SourceWithParents | undefined {
    return this.cache?.get(`source\u0000${modelId}\u0000${layer}`) as SourceWithParents | undefined;
  }

  setSource(row: SourceWithParents): void {
    this.cache?.set(`source\u0000${row.source.modelId}\u0000${row.source.id}`, row);
  }

  getNeuron(modelId: string, layer: string, index: string): NeuronRow | undefined {
    return this.cache?.get(`neuron\u0000${FeatureCache.key(modelId, layer, index)}`) as NeuronRow | undefined;
  }

  setNeuron(row: NeuronRow): void {
    this.cache?.set(`neuron\u0000${FeatureCache.key(row.modelId, row.layer, row.index)}`, row);
  }

  /** Called after any write that can change a feature read (imports, uploads, deletions). */
  clear(): void {
    this.cache?.clear();
  }
}
