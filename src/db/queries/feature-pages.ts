// Reads over a whole source: a page of its live features (features-offset), its explanations'
// UMAP coordinates (umap); and a user's steering vectors on one model (steer/presets).
import { and, asc, eq, gt, ne, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { explanation, neuron } from '../schema/index.js';

/**
 * Indices of a source's features with activations (maxActApprox > 0), in natural order (2 before
 * 10), one page: upstream's getNeuronsOffset query.
 */
export async function pageLiveFeatureIndices(db: Db, modelId: string, layer: string, offset: number, limit: number): Promise<string[]> {
  const rows = await db
    .select({ index: neuron.index })
    .from(neuron)
    .where(and(eq(neuron.modelId, modelId), eq(neuron.layer, layer), gt(neuron.maxActApprox, 0)))
    .orderBy(sql`substring(${neuron.index} from '^[0-9]{1,18}')::numeric NULLS LAST`, asc(neuron.index))
    .limit(limit)
    .offset(offset);
  return rows.map((r) => r.index);
}

/** Explanations placed on the source's UMAP (both coordinates non-zero), as upstream selects them. */
export async function listUmapExplanations(db: Db, modelId: string, layer: string) {
  return db
    .select({
      id: explanation.id,
      layer: explanation.layer,
      index: explanation.index,
      description: explanation.description,
      umap_cluster: explanation.umap_cluster,
      umap_x: explanation.umap_x,
      umap_y: explanation.umap_y,
      umap_log_feature_sparsity: explanation.umap_log_feature_sparsity,
    })
    .from(explanation)
    .where(and(eq(explanation.modelId, modelId), eq(explanation.layer, layer), ne(explanation.umap_x, 0), ne(explanation.umap_y, 0)))
    .orderBy(asc(explanation.id));
}

/** A user's steering vectors on one model, newest first. */
export async function listVectorsOfModelAndUser(db: Db, modelId: string, userId: string) {
  return db
    .select({
      modelId: neuron.modelId,
      layer: neuron.layer,
      index: neuron.index,
      vectorLabel: neuron.vectorLabel,
      vectorDefaultSteerStrength: neuron.vectorDefaultSteerStrength,
    })
    .from(neuron)
    .where(and(eq(neuron.modelId, modelId), eq(neuron.creatorId, userId), eq(neuron.hasVector, true)))
    .orderBy(asc(neuron.createdAt), asc(neuron.layer), asc(neuron.index));
}
