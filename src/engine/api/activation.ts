// The /v1/activation/* answers, computed as Neuronpedia's inference server computes them
// (apps/inference/neuronpedia_inference/endpoints/activation/*.py at HEAD; the behaviour is
// summarised in the shared reference inference-engine.md §1). No HTTP here: the server and the
// in-process host both call these. Each is planned (checks, tokens, SAEs, the forward jobs it
// needs) then finished once its jobs have run, alone or batched with other requests'.
import { InvalidInput } from '../../errors.js';
import type { Registry } from '../registry.js';
import { prepareTokens, type EngineLimits } from './common.js';
import { topIndices } from '../top.js';
import { forwardJob, type ForwardJob, type Planned } from './forward-jobs.js';

export interface AllRequest {
  prompt: string;
  model: string;
  sourceSet: string;
  selectedSources: string[];
  sortByTokenIndexes: number[];
  ignoreBos: boolean;
  numResults?: number | null;
}

interface AllRow {
  source: string;
  index: number;
  values: number[];
  maxValue: number;
  maxValueIndex: number;
  sumValues: number;
}

export async function planAll(registry: Registry, limits: EngineLimits, req: AllRequest): Promise<Planned> {
  const loaded = await registry.model(req.model);
  const sources = req.selectedSources.length > 0 ? req.selectedSources : registry.sourceSet(req.model, req.sourceSet);
  if (sources.length === 0) throw new InvalidInput('Invalid source set');
  const numResults = Math.min(req.numResults ?? 25, 1000);
  const { ids, tokens } = prepareTokens(loaded, req.prompt, limits);
  const T = ids.length;
  for (const i of req.sortByTokenIndexes) {
    if (!Number.isInteger(i) || i < 0 || i >= T) throw new InvalidInput(`sortByTokenIndexes: ${i} is not a token index (0 to ${T - 1})`);
  }
  const saes = await Promise.all(sources.map((s) => registry.sae(req.model, s)));
  // Each source's own top rows, kept as its activations arrive (whatever order the SAEs run in).
  const perSource: (AllRow & { key: number })[][] = [];
  const job = forwardJob(loaded, ids, [], saes);
  job.onActs = (si, acts) => {
    const d = saes[si]!.cfg.dSae;
    if (req.ignoreBos) acts.fill(0, 0, d);
    // Row by row (the activations are [T, d_sae]): each feature's max, its first argmax, and the
    // sum at sortByTokenIndexes (duplicates count twice, as upstream), in the order given.
    const max = new Float64Array(d).fill(-Infinity);
    const argmax = new Int32Array(d);
    for (let t = 0; t < T; t++) {
      for (let f = 0, o = t * d; f < d; f++, o++) {
        if (acts[o]! > max[f]!) [max[f], argmax[f]] = [acts[o]!, t];
      }
    }
    const sum = new Float64Array(d);
    for (const t of req.sortByTokenIndexes) for (let f = 0; f < d; f++) sum[f]! += acts[t * d + f]!;
    const key = req.sortByTokenIndexes.length > 0 ? sum : max;
    // Upstream's stable descending sort: ties keep lower feature indexes (then earlier sources) first.
    perSource[si] = topIndices(key, numResults).map((f) => ({
      source: sources[si]!,
      index: f,
      values: Array.from({ length: T }, (_, t) => acts[t * d + f]!),
      maxValue: max[f]!,
      maxValueIndex: argmax[f]!,
      sumValues: sum[f]!,
      key: key[f]!,
    }));
  };
  const finish = () => {
    let top: (AllRow & { key: number })[] = [];
    for (const fresh of perSource) top = [...top, ...fresh].sort((a, b) => b.key - a.key).slice(0, numResults);
    return { activations: top.map(({ key: _key, ...row }) => row), tokens };
  };
  return { jobs: [job], finish };
}

export interface TopkRequest {
  prompt: string;
  model: string;
  source: string;
  ignoreBos: boolean;
  topK?: number | null;
}

export async function planTopkByToken(registry: Registry, limits: EngineLimits, req: TopkRequest): Promise<Planned> {
  const loaded = await registry.model(req.model);
  const sae = await registry.sae(req.model, req.source);
  const { ids, tokens } = prepareTokens(loaded, req.prompt, limits);
  const d = sae.cfg.dSae;
  const k = Math.min(req.topK ?? 5, d);
  let results: unknown[] = [];
  const job = forwardJob(loaded, ids, [], [sae]);
  job.onActs = (_, acts) => {
    results = ids.map((id, t) => {
      const row = acts.subarray(t * d, (t + 1) * d);
      return {
        tokenPosition: t,
        token: tokens[t]!,
        isSpecial: loaded.tokenizer.isSpecial(id),
        topFeatures: topIndices(row, k).map((f) => ({ featureIndex: f, activationValue: row[f]! })),
      };
    });
  };
  // ignoreBos drops position 0 from both lists; tokenPosition stays the absolute index.
  const finish = () => (req.ignoreBos ? { tokens: tokens.slice(1), results: results.slice(1) } : { tokens, results });
  return { jobs: [job], finish };
}

export interface SingleRequest {
  prompt: string;
  model: string;
  source?: string | null;
  index?: string | number | null;
  vector?: number[] | null;
  hook?: string | null;
}

export async function planSingle(registry: Registry, limits: EngineLimits, req: SingleRequest): Promise<Planned> {
  const loaded = await registry.model(req.model);
  const bySae = req.source != null && req.index != null;
  const byVector = req.vector != null && req.hook != null;
  if (bySae === byVector) {
    throw new InvalidInput('Either provide a source and index, or a vector and hook, but not both');
  }
  const special = (id: number) => loaded.tokenizer.isSpecial(id);
  if (byVector) {
    // The vector form adds no BOS (GPT-2's tokenizer adds none) and zeroes nothing.
    const { ids, tokens } = prepareTokens(loaded, req.prompt, limits, false);
    const vector = req.vector!;
    const d = loaded.model.config.dModel;
    if (vector.length !== d) throw new InvalidInput(`vector has ${vector.length} values; the hook has ${d}`);
    const job = forwardJob(loaded, ids, [req.hook!]);
    const finish = () => {
      const resid = job.resid!.get(req.hook!)!;
      const values = ids.map((_, t) => vector.reduce((s, v, i) => s + v * resid[t * d + i]!, 0));
      return { activation: maxOf(values), tokens, tokensIsSpecial: ids.map(special) };
    };
    return { jobs: [job], finish };
  }
  const index = Number(req.index);
  const sae = await registry.sae(req.model, req.source!);
  if (!Number.isInteger(index) || index < 0 || index >= sae.cfg.dSae) {
    throw new InvalidInput(`index ${String(req.index)} is not a feature of ${req.source} (0 to ${sae.cfg.dSae - 1})`);
  }
  const { ids, tokens } = prepareTokens(loaded, req.prompt, limits);
  let values: number[] = [];
  const job = forwardJob(loaded, ids, [], [sae]);
  job.onActs = (_, acts) => {
    values = ids.map((id, t) => (id === loaded.model.config.bosTokenId ? 0 : acts[t * sae.cfg.dSae + index]!));
  };
  // Upstream zeroes every BOS position, then drops the first (the BOS it prepended).
  const finish = () => ({ activation: maxOf(values.slice(1)), tokens: tokens.slice(1), tokensIsSpecial: ids.slice(1).map(special) });
  return { jobs: [job], finish };
}

function maxOf(values: number[]) {
  let maxValueIndex = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[maxValueIndex]!) maxValueIndex = i;
  return { values, maxValue: values.length ? values[maxValueIndex]! : 0, maxValueIndex };
}

export async function planSource(
  registry: Registry,
  limits: EngineLimits,
  req: { prompts: string[]; model: string; source: string },
): Promise<Planned> {
  const loaded = await registry.model(req.model);
  const sae = await registry.sae(req.model, req.source);
  const d = sae.cfg.dSae;
  const results: { tokens: string[]; activeFeatures: Record<string, [number, number][]> }[] = [];
  const jobs: ForwardJob[] = req.prompts.map((prompt, p) => {
    const { ids, tokens } = prepareTokens(loaded, prompt, limits);
    const job = forwardJob(loaded, ids, [], [sae]);
    job.onActs = (_, acts) => {
      const activeFeatures: Record<string, [number, number][]> = {};
      for (let f = 0; f < d; f++) {
        for (let t = 0; t < ids.length; t++) {
          const v = acts[t * d + f]!;
          if (v > 0) (activeFeatures[String(f)] ??= []).push([t, v]);
        }
      }
      results[p] = { tokens, activeFeatures };
    };
    return job;
  });
  return { jobs, finish: () => ({ results }) };
}
