// Steering as Neuronpedia's current inference server does it (interp-engine's eager path): at the
// hook, at every position (prompt, BOS and each generated token), `h` becomes
//   SIMPLE_ADDITIVE    h + c·v
//   ORTHOGONAL_DECOMP  h + (c − 1)(h·v̂)v̂      (c = 1 no-op, 0 ablates, −1 reflects)
//   PROJECTION_CAP     h + (min(h·v̂, c) − h·v̂)v̂
// with c = strength × strengthMultiplier and v̂ = v/‖v‖. Upstream's eager path treats
// PROJECTION_CAP as additive and only its vLLM path caps; we implement the cap it documents.
// Several specs on one hook apply in request order, each on the already-steered `h`.
import { InvalidInput } from '../errors.js';
import type { HookFn } from './model.js';

export const STEER_METHODS = ['SIMPLE_ADDITIVE', 'ORTHOGONAL_DECOMP', 'PROJECTION_CAP'] as const;
export type SteerMethod = (typeof STEER_METHODS)[number];

export interface SteerSpec {
  hook: string;
  vector: Float32Array;
  /** strength × strengthMultiplier. */
  coefficient: number;
  method: SteerMethod;
  /** Scale the vector to unit norm first (`normalizeSteering`). */
  normalize: boolean;
}

const STEERABLE = /^blocks\.(\d+)\.(hook_resid_pre|hook_resid_post|attn\.hook_z)$/;

/**
 * The model hook a steering hook name acts on. `blocks.0.hook_resid_pre` is the embedding
 * module's output (before positions are added), as upstream hooks the `wte` module; for additive
 * steering that equals adding to the residual.
 */
export function steerPoint(hook: string, nLayer: number): string {
  const m = STEERABLE.exec(hook);
  if (!m || Number(m[1]) >= nLayer) {
    throw new InvalidInput(`Unsupported steering hook: ${hook}`);
  }
  return hook === 'blocks.0.hook_resid_pre' ? 'hook_embed' : hook;
}

export function steeringHook(specs: SteerSpec[], nLayer: number, width: number): HookFn {
  const byPoint = new Map<string, { spec: SteerSpec; v: Float32Array; unit: Float32Array }[]>();
  for (const spec of specs) {
    if (spec.vector.length !== width) {
      throw new InvalidInput(`Steering vector has ${spec.vector.length} values; the hook has ${width}`);
    }
    if (!Number.isFinite(spec.coefficient) || spec.vector.some((x) => !Number.isFinite(x))) {
      throw new InvalidInput('Steering vector and strength must be finite numbers');
    }
    let norm = 0;
    for (const x of spec.vector) norm += x * x;
    norm = Math.sqrt(norm);
    if (norm === 0 && (spec.normalize || spec.method !== 'SIMPLE_ADDITIVE')) {
      throw new InvalidInput('Steering vector has zero norm');
    }
    const unit = spec.vector.map((x) => x / norm);
    const point = steerPoint(spec.hook, nLayer);
    const list = byPoint.get(point) ?? [];
    list.push({ spec, v: spec.normalize ? unit : spec.vector, unit });
    byPoint.set(point, list);
  }
  return (name, h, rows, w) => {
    const list = byPoint.get(name);
    if (!list) return;
    for (const { spec, v, unit } of list) {
      const c = spec.coefficient;
      for (let r = 0; r < rows; r++) {
        const o = r * w;
        if (spec.method === 'SIMPLE_ADDITIVE') {
          for (let i = 0; i < w; i++) h[o + i]! += c * v[i]!;
          continue;
        }
        let proj = 0;
        for (let i = 0; i < w; i++) proj += h[o + i]! * unit[i]!;
        const delta = spec.method === 'ORTHOGONAL_DECOMP' ? (c - 1) * proj : Math.min(proj, c) - proj;
        for (let i = 0; i < w; i++) h[o + i]! += delta * unit[i]!;
      }
    }
  };
}
