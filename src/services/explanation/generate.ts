// Writes an explanation for a feature with an LLM and stores it, as POST /api/explanation/generate
// does upstream: checks, example selection, the explainer prompt, one retry for an answer that
// does not parse, then an Explanation row (embedded when an embedding service is configured).
import { createId } from '@paralleldrive/cuid2';
import { canReadFeature } from '../access/readable-sources.js';
import type { Viewer } from '../access/viewer.js';
import type { Db } from '../../db/client.js';
import { listActivations } from '../../db/queries/activations.js';
import { findExplanationModelType, findExplanationType } from '../../db/queries/explanation-types.js';
import { hasExplanationBy, insertExplanation } from '../../db/queries/explanations.js';
import { type FeatureKey } from '../../db/queries/features.js';
import { InvalidInput, NotConfigured, NotFound, UpstreamFailed } from '../../errors.js';
import type { AutointerpClient } from '../../upstream/autointerp.js';
import type { ChatClient } from '../../upstream/chat.js';
import type { EmbeddingClient } from '../../upstream/embeddings.js';
import { explainerMessages, parseExplanation, selectExamples } from './explainer.js';

export const SUPPORTED_TYPES = ['eleuther_acts_top20'];

/** What the autointerp server answers (with status 200) when its LLM's answer did not parse. */
const UNPARSED_BY_AUTOINTERP = 'Explanation could not be parsed.';

export interface GenerateRequest extends FeatureKey {
  explanationType: string;
  explanationModelName: string;
}

export interface Services {
  llm: ChatClient | undefined;
  embeddings: EmbeddingClient | undefined;
  /** When set, the autointerp server writes the explanation (it takes precedence over `llm`). */
  autointerp?: AutointerpClient;
}

export async function generateExplanation(db: Db, request: GenerateRequest, viewer: Viewer, services: Services) {
  const type = await findExplanationType(db, request.explanationType);
  if (!type) throw new InvalidInput('Unsupported explanation type');
  const model = await findExplanationModelType(db, request.explanationModelName);
  if (!model) throw new InvalidInput('Unsupported explanation model');
  if (!SUPPORTED_TYPES.includes(type.name)) {
    throw new InvalidInput(`This mirror does not generate ${type.name} explanations yet; supported: ${SUPPORTED_TYPES.join(', ')}.`);
  }
  const { llm, autointerp } = services;
  if (!llm && !autointerp) {
    throw new NotConfigured(
      'Explanation generation needs an LLM: set LLM_URL to an OpenAI-compatible endpoint (and LLM_API_KEY if it needs one), or AUTOINTERP_URL to an autointerp server.',
    );
  }
  const key = { modelId: request.modelId, layer: request.layer, index: request.index };
  if (!(await canReadFeature(db, key, viewer))) throw new NotFound();
  const existing = await hasExplanationBy(db, key, type.name, model.name);
  if (existing) throw new InvalidInput('An auto-interp with this explanation type and model already exists.');

  const examples = selectExamples(await listActivations(db, key));
  if (examples.length === 0) throw new InvalidInput('This feature has no activations to explain.');
  const messages = explainerMessages(examples);
  const llmModel = model.openRouterModelId ?? model.name;
  // An answer that does not parse is asked for once more, then reported; never stored.
  const ask = autointerp
    ? async () => {
        const answer = (
          await autointerp.explain(
            examples.map(({ tokens, values }) => ({ tokens, values })),
            llmModel,
          )
        ).trim();
        return answer && answer !== UNPARSED_BY_AUTOINTERP ? answer : undefined;
      }
    : async () => parseExplanation(await llm!.complete(llmModel, messages, { maxTokens: 500, temperature: 1.0 }));
  let description: string | undefined;
  for (let attempt = 0; attempt < 2 && description === undefined; attempt++) description = await ask();
  if (description === undefined) throw new UpstreamFailed('The LLM answered twice without an "[EXPLANATION]:" line; nothing was stored.');

  const embedding = services.embeddings ? (await services.embeddings.embed([description]))[0]! : null;
  const now = new Date();
  return insertExplanation(db, {
    id: createId(),
    ...key,
    description,
    authorId: viewer.id,
    triggeredByUserId: viewer.id,
    typeName: type.name,
    explanationModelName: model.name,
    embedding,
    createdAt: now,
    updatedAt: now,
  });
}
