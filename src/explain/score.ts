// Scores an explanation, as POST /api/explanation/score does upstream: checks, the scorer, then an
// ExplanationScore row whose jsonDetails is the per-example breakdown (snake_case, as upstream).
import { createId } from '@paralleldrive/cuid2';
import { and, eq } from 'drizzle-orm';
import { canReadFeature } from '../access/readable-sources.js';
import type { Viewer } from '../access/viewer.js';
import type { Db } from '../db/client.js';
import { listActivations } from '../db/queries/features.js';
import { explanation, explanationScore, explanationScoreModel, explanationScoreType } from '../db/schema/index.js';
import { ApiError } from '../errors.js';
import type { ChatClient } from '../upstream/chat.js';
import type { EmbeddingClient } from '../upstream/embeddings.js';
import { classifierScore, embeddingScore, scoringSamples } from './scorers.js';

export const SCORER_TYPES = ['eleuther_fuzz', 'eleuther_recall', 'eleuther_embedding'] as const;
export type ScorerType = (typeof SCORER_TYPES)[number];

export interface ScoreRequest {
  explanationId: string;
  scorerType: string;
  scorerModel?: string;
}

export interface ScoreServices {
  llm: ChatClient | undefined;
  embeddings: EmbeddingClient | undefined;
  random?: () => number;
}

export async function scoreExplanation(db: Db, request: ScoreRequest, viewer: Viewer, services: ScoreServices) {
  const [type] = await db.select().from(explanationScoreType).where(eq(explanationScoreType.name, request.scorerType)).limit(1);
  if (!type || !(SCORER_TYPES as readonly string[]).includes(type.name)) throw new ApiError('BAD_REQUEST', 'Unsupported explanation score type');
  const scorer = type.name as ScorerType;

  const [target] = await db.select().from(explanation).where(eq(explanation.id, request.explanationId)).limit(1);
  if (!target || !(await canReadFeature(db, target, viewer))) throw new ApiError('NOT_FOUND', `Explanation not found: ${request.explanationId}`);

  let modelName: string;
  let llmModel = '';
  if (scorer === 'eleuther_embedding') {
    if (!services.embeddings) throw new ApiError('SERVICE_NOT_CONFIGURED', 'Embedding scoring needs an embedding service: set EMBEDDING_URL (an OpenAI-compatible endpoint).');
    modelName = services.embeddings.model;
  } else {
    const [model] = request.scorerModel ? await db.select().from(explanationScoreModel).where(eq(explanationScoreModel.name, request.scorerModel)).limit(1) : [];
    if (!model) throw new ApiError('BAD_REQUEST', 'Unsupported explanation score model');
    if (!services.llm) throw new ApiError('SERVICE_NOT_CONFIGURED', 'Scoring with an LLM needs LLM_URL (an OpenAI-compatible endpoint).');
    modelName = model.name;
    llmModel = model.openRouterModelId ?? model.name;
  }
  const [existing] = await db
    .select({ id: explanationScore.id })
    .from(explanationScore)
    .where(and(eq(explanationScore.explanationId, target.id), eq(explanationScore.explanationScoreTypeName, scorer), eq(explanationScore.explanationScoreModelName, modelName)))
    .limit(1);
  if (existing) throw new ApiError('BAD_REQUEST', 'Explanation score using this same method and model already exists');

  const data = scoringSamples(await listActivations(db, target));
  const result =
    scorer === 'eleuther_embedding'
      ? await embeddingScore(target.description, data, services.embeddings!, services.random)
      : await classifierScore(scorer === 'eleuther_fuzz' ? 'fuzz' : 'detection', target.description, data, services.llm!, llmModel, services.random);
  const [row] = await db
    .insert(explanationScore)
    .values({
      id: createId(),
      initiatedByUserId: viewer.id,
      value: result.value,
      explanationId: target.id,
      explanationScoreTypeName: scorer,
      explanationScoreModelName: modelName,
      jsonDetails: JSON.stringify(result.details),
    })
    .returning();
  return row!;
}
