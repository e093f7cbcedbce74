// Explanations one at a time: upload (SAELens's autointerp upload), read with details, delete; and
// deleting a score. An explanation is as visible as its feature: one the caller may not read is
// answered exactly like a missing one.
import { createId } from '@paralleldrive/cuid2';
import type { Db } from '../../db/client.js';
import { deleteExplanationScoreRow, findExplanationScore, listScoresOfExplanation } from '../../db/queries/explanation-scores.js';
import { deleteExplanationRow, findExplanationWithAuthor, insertExplanation } from '../../db/queries/explanations.js';
import { type FeatureKey } from '../../db/queries/features.js';
import { Forbidden, NotFound } from '../../errors.js';
import type { EmbeddingClient } from '../../upstream/embeddings.js';
import { canReadFeature } from '../access/readable-sources.js';
import type { Viewer } from '../access/viewer.js';
import { readFeature } from '../feature/read-feature.js';

export interface UploadedExplanation extends FeatureKey {
  explanation: string;
  explanationModel: string | null;
  typeName: string | null;
  score: number | null;
}

/**
 * POST /api/explanation/new. Upstream's route is a stub since 2024; its commented-out code (and
 * SAELens's upload) define the behaviour kept here: the key holder is the author, the feature must
 * exist and be readable, the answer names the feature's page. The score SAELens sends becomes
 * scoreV1, which orders a feature's explanations.
 */
export async function uploadExplanation(db: Db, viewer: Viewer, input: UploadedExplanation, embeddings?: EmbeddingClient) {
  const key = { modelId: input.modelId, layer: input.layer, index: input.index };
  if (!(await canReadFeature(db, key, viewer))) throw new NotFound();
  // Searchable at once when an embedding service is configured (else `npm run embed-explanations` fills it later).
  const embedding = embeddings ? (await embeddings.embed([input.explanation]))[0]! : null;
  const now = new Date();
  return insertExplanation(db, {
    id: createId(),
    ...key,
    description: input.explanation,
    authorId: viewer.id,
    triggeredByUserId: viewer.id,
    explanationModelName: input.explanationModel,
    typeName: input.typeName,
    scoreV1: input.score ?? 0,
    embedding,
    createdAt: now,
    updatedAt: now,
  });
}

/** The explanation, when it exists and its feature is readable by the viewer; 404 otherwise. */
async function readableExplanation(db: Db, id: string, viewer: Viewer | null) {
  const found = await findExplanationWithAuthor(db, id);
  if (!found || !(await canReadFeature(db, found.explanation, viewer))) throw new NotFound();
  return found;
}

/** GET /api/explanation/{id}: upstream's getExplanationByIdWithDetails (author, scores, feature, model). */
export async function explanationWithDetails(db: Db, id: string, viewer: Viewer | null) {
  const found = await readableExplanation(db, id, viewer);
  const [scores, feature] = await Promise.all([listScoresOfExplanation(db, id), readFeature(db, found.explanation, viewer)]);
  if (!feature.found) throw new NotFound();
  const { model, ...neuron } = feature.feature;
  return {
    ...found.explanation,
    author: found.authorName === null ? null : { name: found.authorName },
    scores,
    neuron,
    model,
    // Mirror has no votes and no v1 simulation activations; upstream's keys, empty.
    activationsV1: [],
    votes: [],
  };
}

/** POST /api/explanation/{id}/delete: by its author or an admin. */
export async function deleteExplanation(db: Db, id: string, viewer: Viewer) {
  const found = await readableExplanation(db, id, viewer);
  if (found.explanation.authorId !== viewer.id && !viewer.admin) throw new Forbidden('You can only delete explanations you created.');
  await deleteExplanationRow(db, id);
}

/** POST /api/explanation/score/{id}/delete: by whoever ran the scoring, or an admin. */
export async function deleteExplanationScore(db: Db, id: string, viewer: Viewer) {
  const found = await findExplanationScore(db, id);
  if (!found || !(await canReadFeature(db, found, viewer))) throw new NotFound();
  if (found.score.initiatedByUserId !== viewer.id && !viewer.admin)
    throw new Forbidden('You can only delete explanation scores you created.');
  await deleteExplanationScoreRow(db, id);
}
