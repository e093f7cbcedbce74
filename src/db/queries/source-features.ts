// A page of one source's features in index order, for the source page.
import { and, asc, count, eq, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { neuron } from '../schema/index.js';

/** Numeric order for numeric indexes (upstream stores them as text), text order for the rest. */
const indexOrder = [sql`CASE WHEN ${neuron.index} ~ '^[0-9]{1,18}$' THEN ${neuron.index}::bigint END NULLS LAST`, asc(neuron.index)];

export async function listSourceFeatures(db: Db, modelId: string, layer: string, offset: number, limit: number) {
  return db
    .select({
      modelId: neuron.modelId,
      layer: neuron.layer,
      index: neuron.index,
      maxActApprox: neuron.maxActApprox,
      frac_nonzero: neuron.frac_nonzero,
      visibility: neuron.visibility,
      creatorId: neuron.creatorId,
      vectorLabel: neuron.vectorLabel,
    })
    .from(neuron)
    .where(and(eq(neuron.modelId, modelId), eq(neuron.layer, layer)))
    .orderBy(...indexOrder)
    .offset(offset)
    .limit(limit);
}

export async function countSourceFeatures(db: Db, modelId: string, layer: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(neuron)
    .where(and(eq(neuron.modelId, modelId), eq(neuron.layer, layer)));
  return Number(row?.n ?? 0);
}
