// The models and SAEs an engine serves, from a models folder:
//   <dir>/<model id>/config.json, model.safetensors          (Hugging Face GPT-2 layout)
//   <dir>/<model id>/saes/<source id>/cfg.json, sae_weights.safetensors   (SAELens layout)
// Source ids are Neuronpedia's `<layer>-<source set>` (`6-res-jb`), so a source set is every
// source whose id ends in `-<set>`. Models and SAEs load on first use and stay loaded.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInput } from '../errors.js';
import { Gpt2 } from './gpt2.js';
import type { LanguageModel } from './model.js';
import { Sae } from './sae.js';
import { gpt2Tokenizer, type Tokenizer } from './tokenizer.js';

export interface LoadedModel {
  id: string;
  model: LanguageModel;
  tokenizer: Tokenizer;
}

export class Registry {
  private readonly models = new Map<string, Promise<LoadedModel>>();
  private readonly saes = new Map<string, Promise<Sae>>();

  constructor(readonly dir: string) {}

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
      entry = Gpt2.load(join(this.dir, modelId)).then((model) => ({ id: modelId, model, tokenizer: gpt2Tokenizer() }));
      entry.catch(() => this.models.delete(modelId));
      this.models.set(modelId, entry);
    }
    return entry;
  }

  sae(modelId: string, source: string): Promise<Sae> {
    if (!this.sourceIds(modelId).includes(source)) throw new InvalidInput(`Invalid source: ${source}`);
    const key = `${modelId}\u0000${source}`;
    let entry = this.saes.get(key);
    if (!entry) {
      entry = Sae.load(join(this.dir, modelId, 'saes', source));
      entry.catch(() => this.saes.delete(key));
      this.saes.set(key, entry);
    }
    return entry;
  }
}
