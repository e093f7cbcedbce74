// The models and SAEs an engine serves, from a models folder:
//   <dir>/<model id>/config.json, model.safetensors          (Hugging Face GPT-2 layout)
//   <dir>/<model id>/saes/<source id>/cfg.json, sae_weights.safetensors   (SAELens layout)
// Source ids are Neuronpedia's `<layer>-<source set>` (`6-res-jb`), so a source set is every
// source whose id ends in `-<set>`. Models load on first use and stay loaded. SAEs load on first
// use within a memory budget (ENGINE_MEMORY_MB, models counted too): the least recently used SAE
// is unloaded to make room. Requests run one batch at a time in the engine worker; an SAE unloaded
// while a batch is being planned stays alive (and counted out of the budget) until that batch ends.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInput } from '../errors.js';
import { Gpt2 } from './gpt2.js';
import type { LanguageModel } from './model.js';
import { loadedBytes } from './models-folder.js';
import { Sae } from './sae.js';
import { gpt2Tokenizer, type Tokenizer } from './tokenizer.js';

export interface LoadedModel {
  id: string;
  model: LanguageModel;
  tokenizer: Tokenizer;
}

export interface RegistryOptions {
  /** Bytes the loaded models and SAEs may take together; undefined: no limit. */
  memoryBytes?: number;
}

/** What the engine holds and has done, for /v1/engine/status. */
export interface EngineStatus {
  models: string[];
  /** `model/source`, least recently used first. */
  saes: string[];
  usedMb: number;
  budgetMb: number | null;
  unloadedSaes: number;
  /** Steering: tokens generated, generations stopped by their client, most generations in one pass. */
  steer: { tokens: number; cancelled: number; largestBatch: number };
  /** Forward-pass batches (worker/queue.ts): how many ran, and the requests they answered. */
  batches: { count: number; requests: number; largest: number };
}

const MB = 1024 * 1024;
const fetchHint = (model: string, what: string) => `fetch it with: npm run models -- fetch ${model} ${what}`;

export class Registry {
  private readonly models = new Map<string, Promise<LoadedModel>>();
  private readonly modelBytes = new Map<string, number>();
  /** Insertion order is recency: a hit moves the entry to the end. */
  private readonly saes = new Map<string, { sae: Promise<Sae>; bytes: number }>();
  private unloaded = 0;
  /** Counted by steering (api/steer.ts): tokens generated, generations stopped by their client. */
  readonly steerStats = { tokens: 0, cancelled: 0, largestBatch: 0 };
  /** Counted by the request queue (worker/queue.ts). */
  readonly batchStats = { count: 0, requests: 0, largest: 0 };

  constructor(
    readonly dir: string,
    private readonly opts: RegistryOptions = {},
  ) {}

  /** Model ids present in the folder (a subfolder with a config.json). */
  modelIds(): string[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(this.dir, d.name, 'config.json')))
      .map((d) => d.name)
      .sort();
  }

  /** Source ids of a model's SAEs. */
  sourceIds(modelId: string): string[] {
    const dir = join(this.dir, modelId, 'saes');
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => (d.isDirectory() || d.isSymbolicLink()) && existsSync(join(dir, d.name, 'cfg.json')))
      .map((d) => d.name)
      .sort();
  }

  /** The sources of a source set, in layer order (`2-x` before `10-x`). */
  sourceSet(modelId: string, set: string): string[] {
    return this.sourceIds(modelId)
      .filter((s) => s.slice(s.indexOf('-') + 1) === set)
      .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10) || a.localeCompare(b));
  }

  model(modelId: string): Promise<LoadedModel> {
    if (!this.modelIds().includes(modelId)) {
      const loaded = this.modelIds();
      throw new InvalidInput(`Model ${modelId} is not loaded on this server (loaded: ${loaded.join(', ') || 'none'})`);
    }
    let entry = this.models.get(modelId);
    if (!entry) {
      const folder = join(this.dir, modelId);
      const weights = join(folder, 'model.safetensors');
      if (!existsSync(weights))
        throw new InvalidInput(`Model ${modelId} has no model.safetensors in ${folder}; ${fetchHint(modelId, '')}`.trim());
      const bytes = loadedBytes(weights);
      this.makeRoom(bytes, `model ${modelId}`);
      this.modelBytes.set(modelId, bytes);
      entry = Gpt2.load(folder).then((model) => ({ id: modelId, model, tokenizer: gpt2Tokenizer() }));
      entry.catch(() => {
        this.models.delete(modelId);
        this.modelBytes.delete(modelId);
      });
      this.models.set(modelId, entry);
    }
    return entry;
  }

  sae(modelId: string, source: string): Promise<Sae> {
    if (!this.sourceIds(modelId).includes(source))
      throw new InvalidInput(`Invalid source: ${source} (not in the engine's models folder; ${fetchHint(modelId, source)})`);
    const key = `${modelId}/${source}`;
    const hit = this.saes.get(key);
    if (hit) {
      this.saes.delete(key);
      this.saes.set(key, hit);
      return hit.sae;
    }
    const folder = join(this.dir, modelId, 'saes', source);
    const weights = join(folder, 'sae_weights.safetensors');
    if (!existsSync(weights))
      throw new InvalidInput(`SAE ${key} has no sae_weights.safetensors in ${folder}; ${fetchHint(modelId, source)}`);
    const bytes = loadedBytes(weights);
    this.makeRoom(bytes, `SAE ${key}`);
    const sae = Sae.load(folder);
    sae.catch(() => this.saes.delete(key));
    this.saes.set(key, { sae, bytes });
    return sae;
  }

  /** Unloads least recently used SAEs until `bytes` more fit the budget; refuses what never fits. */
  private makeRoom(bytes: number, what: string): void {
    const budget = this.opts.memoryBytes;
    if (budget === undefined) return;
    const fixed = [...this.modelBytes.values()].reduce((a, b) => a + b, 0);
    if (fixed + bytes > budget) {
      throw new InvalidInput(
        `The engine cannot load ${what}: it needs ${(bytes / MB).toFixed(1)} MB and ENGINE_MEMORY_MB is ${(budget / MB).toFixed(0)} ` +
          `with ${(fixed / MB).toFixed(1)} MB taken by models. Raise ENGINE_MEMORY_MB.`,
      );
    }
    for (const key of this.saes.keys()) {
      if (this.used() + bytes <= budget) break;
      this.saes.delete(key);
      this.unloaded++;
    }
  }

  private used(): number {
    let total = 0;
    for (const b of this.modelBytes.values()) total += b;
    for (const e of this.saes.values()) total += e.bytes;
    return total;
  }

  status(): EngineStatus {
    return {
      models: [...this.models.keys()],
      saes: [...this.saes.keys()],
      usedMb: Math.round((this.used() / MB) * 1000) / 1000,
      budgetMb: this.opts.memoryBytes === undefined ? null : this.opts.memoryBytes / MB,
      unloadedSaes: this.unloaded,
      steer: { ...this.steerStats },
      batches: { ...this.batchStats },
    };
  }
}
