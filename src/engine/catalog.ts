// Where Neuronpedia's models and SAE sets live on the Hugging Face hub, for `npm run models -- fetch`.
// Repositories and paths are SAELens's (sae_lens/pretrained_saes.yaml, entry `gpt2-small-res-jb`:
// repo jbloom/GPT2-Small-SAEs-Reformatted, one folder per hook holding cfg.json and
// sae_weights.safetensors; Neuronpedia's `12-res-jb` is blocks.11.hook_resid_post). Add a model or a
// set here; the folder layout the engine reads is in registry.ts.

export interface CatalogFile {
  /** Path in the hub repository. */
  path: string;
  /** Name in the models folder. */
  as: string;
}

export interface CatalogModel {
  repo: string;
  files: CatalogFile[];
  saeSets: Record<string, CatalogSaeSet>;
}

export interface CatalogSaeSet {
  repo: string;
  /** Neuronpedia source id (`6-res-jb`) → folder in the repository holding the SAELens files. */
  sources: Record<string, string>;
}

/** The files of one SAELens SAE folder. */
export const SAE_FILES = ['cfg.json', 'sae_weights.safetensors'] as const;

const resJbSources: Record<string, string> = Object.fromEntries([
  ...Array.from({ length: 12 }, (_, layer) => [`${layer}-res-jb`, `blocks.${layer}.hook_resid_pre`]),
  ['12-res-jb', 'blocks.11.hook_resid_post'],
]);

export const CATALOG: Record<string, CatalogModel> = {
  'gpt2-small': {
    repo: 'openai-community/gpt2',
    files: [
      { path: 'config.json', as: 'config.json' },
      { path: 'model.safetensors', as: 'model.safetensors' },
    ],
    saeSets: {
      'res-jb': { repo: 'jbloom/GPT2-Small-SAEs-Reformatted', sources: resJbSources },
    },
  },
};

export interface PlannedFile {
  repo: string;
  path: string;
  /** Relative to the models folder. */
  dest: string;
}

/**
 * The files to fetch for a model and some of its SAE sets; an entry may also name one source
 * (`6-res-jb`) instead of a whole set. Throws with the known names when one is not in the table.
 */
export function planFetch(modelId: string, sets: string[], catalog = CATALOG): PlannedFile[] {
  const model = catalog[modelId];
  if (!model) throw new Error(`Unknown model ${modelId}: the table knows ${Object.keys(catalog).join(', ')} (src/engine/catalog.ts)`);
  const plan: PlannedFile[] = model.files.map((f) => ({ repo: model.repo, path: f.path, dest: `${modelId}/${f.as}` }));
  for (const name of sets) {
    const whole = model.saeSets[name];
    const single = Object.values(model.saeSets).find((s) => name in s.sources);
    const set = whole ?? single;
    if (!set) {
      const known = Object.keys(model.saeSets).join(', ') || 'none';
      throw new Error(`Unknown SAE set or source ${name} for ${modelId}: the table knows ${known} (or one source of them, e.g. 6-res-jb)`);
    }
    const sources = whole ? Object.entries(set.sources) : [[name, set.sources[name]!] as const];
    for (const [source, folder] of sources)
      for (const file of SAE_FILES) plan.push({ repo: set.repo, path: `${folder}/${file}`, dest: `${modelId}/saes/${source}/${file}` });
  }
  return plan;
}
