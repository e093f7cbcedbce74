// Scores an explanation, as POST /api/explanation/score does upstream: checks, the scorer, then an
// ExplanationScore row whose jsonDetails is the per-example breakdown (snake_case, as upstream).
import { createId } from '@paralleldrive/cuid2';
import { canReadFeature } from '../access/readable-sources.js';
import type { Viewer } from '../access/viewer.js';
import type { Db } from '../../db/client.js';
import { listActivations } from '../../db/queries/activations.js';
import { hasScore, insertExplanationScore } from '../../db/queries/explanation-scores.js';
import { findScoreModel, listScoreModelNames } from '../../db/queries/explanation-types.js';
import { findExplanation } from '../../db/queries/explanations.js';
import { InvalidInput, NotConfigured, NotFound } from '../../errors.js';
import type { AutointerpClient, ClassifierBreakdown } from '../../upstream/autointerp.js';
import type { ChatClient } from '../../upstream/chat.js';
import type { EmbeddingClient } from '../../upstream/embeddings.js';
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
  /** When set, the autointerp server scores (it takes precedence over `llm` and `embeddings`). */
  autointerp?: AutointerpClient;
  random?: () => number;
}

/** The model Neuronpedia's autointerp server embeds with, as upstream names it in scores. */
const AUTOINTERP_EMBEDDING_MODEL = 'stella_en_400m_v5';

/** The autointerp server's breakdown in the snake_case jsonDetails upstream stores. */
function fromAutointerp(breakdown: ClassifierBreakdown[]) {
  return breakdown.map((b) => ({
    text: b.strTokens.join(''),
    distance: b.distance,
    ground_truth: b.groundTruth,
    prediction: b.prediction,
    highlighted: b.highlighted,
    correct: b.correct,
    probability: b.probability,
    conditional_probability: b.probability,
    activations: b.activations,
    str_tokens: b.strTokens,
  }));
}

/** The model that fuzz and recall score with: a known ExplanationScoreModel, or a 400 that lists the valid ones. */
async function scorerModelRow(db: Db, scorer: ScorerType, name: string | undefined) {
  const model = name ? await findScoreModel(db, name) : undefined;
  if (model) return model;
  const valid = await listScoreModelNames(db);
  const choices =
    valid.length > 0
      ? `Valid models are: ${valid.join(', ')}.`
      : "This mirror knows no score models yet: import the export's v1/config/explanation_score_model.jsonl.";
  throw new InvalidInput(name ? `Unsupported explanation score model: ${name}. ${choices}` : `${scorer} needs a scorerModel. ${choices}`);
}

/** Upstream's Natural Language Autoencoder scorers (since May 2026), run by its separate NLA server. */
export const NLA_SCORER_TYPES = ['nla_reconstructor', 'nla_verbalizer', 'nla_verbalizer_last'] as const;

export async function scoreExplanation(db: Db, request: ScoreRequest, viewer: Viewer, services: ScoreServices) {
  // Known upstream scorers that need a service this mirror has no client for: 503 (a setting
  // upstream has), not 400 (a typo), so scripts can tell the two apart.
  if ((NLA_SCORER_TYPES as readonly string[]).includes(request.scorerType)) {
    throw new NotConfigured(
      `${request.scorerType} is scored by Neuronpedia's NLA server (upstream's NLA server host and NLA_SERVER_SECRET settings); this mirror has no NLA client, so it cannot score ${NLA_SCORER_TYPES.join(', ')}. It scores with ${SCORER_TYPES.join(', ')}.`,
    );
  }
  // The three scorers this mirror implements need no ExplanationScoreType row (a fresh mirror may
  // hold only some of them); anything else is refused with the list.
  if (!(SCORER_TYPES as readonly string[]).includes(request.scorerType)) {
    throw new InvalidInput(
      `Unsupported explanation score type: ${request.scorerType}. This mirror scores with ${SCORER_TYPES.join(', ')}.`,
    );
  }
  const scorer = request.scorerType as ScorerType;
  const { autointerp } = services;
  if (scorer === 'eleuther_embedding' && !services.embeddings && !autointerp) {
    throw new NotConfigured(
      'Embedding scoring needs an embedding service: set EMBEDDING_URL (an OpenAI-compatible endpoint) or AUTOINTERP_URL.',
    );
  }
  if (scorer !== 'eleuther_embedding' && !services.llm && !autointerp) {
    throw new NotConfigured('Scoring with an LLM needs LLM_URL (an OpenAI-compatible endpoint) or AUTOINTERP_URL.');
  }

  const target = await findExplanation(db, request.explanationId);
  if (!target || !(await canReadFeature(db, target, viewer))) throw new NotFound(`Explanation not found: ${request.explanationId}`);

  let modelName: string;
  let llmModel = '';
  if (scorer === 'eleuther_embedding') {
    modelName = autointerp ? AUTOINTERP_EMBEDDING_MODEL : services.embeddings!.model;
  } else {
    const model = await scorerModelRow(db, scorer, request.scorerModel);
    modelName = model.name;
    llmModel = model.openRouterModelId ?? model.name;
  }
  const existing = await hasScore(db, target.id, scorer, modelName);
  if (existing) throw new InvalidInput('Explanation score using this same method and model already exists');

  const data = scoringSamples(await listActivations(db, target));
  let result: { value: number; details: Array<Record<string, unknown>> };
  if (autointerp) {
    // Upstream sends the activating rows followed by the zero set; the server splits them again.
    const rows = [...data.activating, ...data.zero].map(({ tokens, values }) => ({ tokens, values }));
    if (scorer === 'eleuther_embedding') {
      const answer = await autointerp.embedding(rows, target.description);
      const byText = new Map(rows.map((r) => [r.tokens.join(''), r]));
      result = {
        value: answer.score,
        details: answer.breakdown.map((b) => ({
          ...b,
          activations: byText.get(b.text)?.values ?? [],
          str_tokens: byText.get(b.text)?.tokens ?? [],
        })),
      };
    } else {
      const answer = await autointerp.fuzzDetection(scorer === 'eleuther_fuzz' ? 'FUZZ' : 'DETECTION', rows, target.description, llmModel);
      result = { value: answer.score, details: fromAutointerp(answer.breakdown) };
    }
  } else if (scorer === 'eleuther_embedding') {
    result = await embeddingScore(target.description, data, services.embeddings!, services.random);
  } else {
    result = await classifierScore(
      scorer === 'eleuther_fuzz' ? 'fuzz' : 'detection',
      target.description,
      data,
      services.llm!,
      llmModel,
      services.random,
    );
  }
  return insertExplanationScore(db, {
    id: createId(),
    initiatedByUserId: viewer.id,
    value: result.value,
    explanationId: target.id,
    explanationScoreTypeName: scorer,
    explanationScoreModelName: modelName,
    jsonDetails: JSON.stringify(result.details),
  });
}
