// `npm run verify-engine -- <model> <source>`: does the built-in engine compute what the imported
// export says? Takes a fixed sample of the source's stored top activations, turns their token
// strings back into ids, runs the model and the SAE on exactly those tokens (no BOS added: the
// stored tokens are the whole context) and compares the feature's value at every position.
import type { Db } from '../../db/client.js';
import { sampleActivationsOfSource } from '../../db/queries/activations.js';
import { encodeSource, residualsAt } from '../../engine/api/common.js';
import type { Registry } from '../../engine/registry.js';
import { NotFound } from '../../errors.js';

export interface VerifyOptions {
  modelId: string;
  sourceId: string;
  /** Activation rows to recompute. */
  sample: number;
  /** Largest absolute difference counted as agreeing. */
  tolerance: number;
}

export interface VerifyReport {
  rows: number;
  /** Rows whose token strings do not map back to ids (pieces of a multibyte character), too long for the model, or of a feature the SAE lacks. */
  skipped: number;
  values: number;
  maxAbsDiff: number;
  meanAbsDiff: number;
  /** Share of compared values within the tolerance (1 when none was compared). */
  withinTolerance: number;
  /** Where the largest difference is. */
  worst: { index: number; activationId: string; position: number; stored: number; engine: number } | undefined;
}

export async function verifyEngine(db: Db, registry: Registry, opts: VerifyOptions): Promise<VerifyReport> {
  const rows = await sampleActivationsOfSource(db, opts.modelId, opts.sourceId, opts.sample);
  if (rows.length === 0) throw new NotFound(`No imported activations of ${opts.modelId}/${opts.sourceId} to verify.`);
  const loaded = await registry.model(opts.modelId);
  const sae = await registry.sae(opts.modelId, opts.sourceId);
  const report: VerifyReport = {
    rows: rows.length,
    skipped: 0,
    values: 0,
    maxAbsDiff: 0,
    meanAbsDiff: 0,
    withinTolerance: 1,
    worst: undefined,
  };
  let sum = 0;
  let within = 0;
  for (const row of rows) {
    const ids = loaded.tokenizer.idsOfStrings(row.tokens);
    const index = Number(row.index);
    if (!ids || ids.length === 0 || ids.length > loaded.model.config.nCtx || row.values.length !== ids.length || !(index < sae.cfg.dSae)) {
      report.skipped++;
      continue;
    }
    const acts = encodeSource(sae, residualsAt(loaded, ids, [sae.cfg.hookName]), ids.length);
    for (let t = 0; t < ids.length; t++) {
      const engine = acts[t * sae.cfg.dSae + index]!;
      const diff = Math.abs(engine - row.values[t]!);
      report.values++;
      sum += diff;
      if (diff <= opts.tolerance) within++;
      if (diff > report.maxAbsDiff || !report.worst) {
        report.maxAbsDiff = Math.max(report.maxAbsDiff, diff);
        report.worst = { index, activationId: row.id, position: t, stored: row.values[t]!, engine };
      }
    }
  }
  if (report.values > 0) {
    report.meanAbsDiff = sum / report.values;
    report.withinTolerance = within / report.values;
  }
  return report;
}

export function formatVerifyReport(opts: VerifyOptions, r: VerifyReport): string {
  const lines = [
    `${opts.modelId}/${opts.sourceId}: ${r.rows - r.skipped} of ${r.rows} sampled activations recomputed (${r.skipped} skipped: tokens not mapping back to ids), ${r.values} values`,
    `max abs diff ${r.maxAbsDiff.toExponential(3)}, mean abs diff ${r.meanAbsDiff.toExponential(3)}`,
    `${(r.withinTolerance * 100).toFixed(2)}% within ${opts.tolerance}`,
  ];
  if (r.worst && r.maxAbsDiff > opts.tolerance)
    lines.push(
      `largest: feature ${r.worst.index}, activation ${r.worst.activationId}, token ${r.worst.position}: stored ${r.worst.stored}, engine ${r.worst.engine}`,
    );
  return lines.join('\n');
}
