// POST /api/feature/upload-batch (and the docs page's /api/upload/dashboard): up to 128 features of
// one source with their logits, explanations and activations, stored in one transaction, all or
// nothing. Checks and messages as the real server (apps/webapp/app/api/feature/upload-batch).
import { createId } from '@paralleldrive/cuid2';
import type { Static } from 'typebox';
import { canReadAll, type Viewer } from '../access/viewer.js';
import type { Db } from '../../db/client.js';
import { listKnownNames, listNames } from '../../db/queries/explanation-types.js';
import { insertUploadedFeatures } from '../../db/queries/neurons.js';
import { findSourceSet, listSourcesOfSet } from '../../db/queries/sources.js';
import { Forbidden, InvalidInput, NotFound } from '../../errors.js';
import type { FeatureUploadBody } from '../../schemas/feature.js';
import { DEFAULT_CREATOR_ID } from '../../constants.js';
import type { EmbeddingClient } from '../../upstream/embeddings.js';

type Body = Static<typeof FeatureUploadBody>;

/** `6-res-jb` → `res-jb`; upstream cuts at the first `-` and at `__`. */
export function setNameOfSource(sourceId: string): string {
  const afterLayer = sourceId.includes('-') ? sourceId.slice(sourceId.indexOf('-') + 1) : 'neurons';
  return afterLayer.split('__')[0]!;
}

async function checkNames(db: Db, kind: 'method' | 'model', names: Set<string>) {
  if (names.size === 0) return;
  const known = await listKnownNames(db, kind, [...names]);
  const missing = [...names].filter((n) => !known.has(n));
  if (missing.length > 0) {
    const all = await listNames(db, kind);
    throw new InvalidInput(
      `Invalid Explanation ${kind === 'method' ? 'Method' : 'Model'} Names: ${missing.join(', ')}. Valid ${kind}s are: ${all.join(', ')}.`,
    );
  }
}

type Feature = Body['features'][number];

export interface UploadTarget {
  modelId: string;
  sourceId: string;
  setName: string;
  viewer: Viewer;
}

/** Checks that the source exists and belongs to the caller; upstream's order and messages. */
export async function uploadTarget(db: Db, modelIdRaw: string, sourceRaw: string, viewer: Viewer): Promise<UploadTarget> {
  const modelId = modelIdRaw.toLowerCase();
  const sourceId = sourceRaw.toLowerCase();
  const setName = setNameOfSource(sourceId);
  const found = await findSourceSet(db, modelId, setName);
  // Someone else's private set (or model) answers exactly as a missing one: its existence is private too.
  if (!found || !canReadAll([found.model, found.sourceSet], viewer)) throw new NotFound('Source set not found.');
  if (found.sourceSet.creatorId !== viewer.id && !viewer.admin) throw new Forbidden('User is not the creator of this source set.');
  const sources = await listSourcesOfSet(db, modelId, setName);
  if (!sources.some((s) => s.id === sourceId)) throw new NotFound('Source not found.');
  return { modelId, sourceId, setName, viewer };
}

/** Checks a batch of features (lengths, explanation names) and returns the rows to insert. */
export async function featureRows(db: Db, target: UploadTarget, features: Feature[], embeddings?: EmbeddingClient) {
  const { modelId, sourceId, setName, viewer } = target;
  for (const feature of features) {
    for (const act of feature.activations) {
      if (act.tokens.length !== act.values.length) {
        throw new InvalidInput(
          `One of the activations tokens lengths does not match its values length. Activation text: ${act.tokens.join(', ')}`,
        );
      }
    }
  }
  const explanations = features.flatMap((f) => (f.explanations ?? []).map((e) => ({ ...e, index: f.index })));
  const methods = new Set(explanations.map((e) => e.methodName?.toLowerCase()).filter((m): m is string => !!m));
  const models = new Set(explanations.map((e) => e.modelName?.toLowerCase()).filter((m): m is string => !!m));
  await checkNames(db, 'method', methods);
  await checkNames(db, 'model', models);

  const now = new Date();
  const neurons = features.map((f) => ({
    modelId,
    layer: sourceId,
    index: String(f.index),
    creatorId: viewer.id,
    sourceSetName: setName,
    frac_nonzero: f.density ?? -1,
    hasVector: false,
    maxActApprox: Math.max(0, ...f.activations.flatMap((a) => a.values)),
    pos_str: f.topLogits?.map((l) => l.token) ?? [],
    pos_values: f.topLogits?.map((l) => l.value) ?? [],
    neg_str: f.bottomLogits?.map((l) => l.token) ?? [],
    neg_values: f.bottomLogits?.map((l) => l.value) ?? [],
    createdAt: now,
  }));
  const activations = features.flatMap((f) =>
    f.activations.map((a) => {
      const maxValue = Math.max(...a.values);
      return {
        id: createId(),
        tokens: a.tokens,
        values: a.values,
        index: String(f.index),
        layer: sourceId,
        modelId,
        creatorId: DEFAULT_CREATOR_ID,
        maxValue,
        maxValueTokenIndex: a.values.indexOf(maxValue),
        minValue: Math.min(...a.values),
        dataSource: `User ${viewer.name}`,
        dataIndex: viewer.id,
        binMin: a.quantileMin ?? null,
        binMax: a.quantileMax ?? null,
        binContains: a.quantileFraction ?? null,
        createdAt: now,
      };
    }),
  );
  // As upstream, explanations are embedded on upload (when an embedding service is configured);
  // otherwise `npm run embed-explanations` fills them in later.
  const vectors = embeddings && explanations.length > 0 ? await embeddings.embed(explanations.map((e) => e.text)) : undefined;
  const explanationRows = explanations.map((e, i) => ({
    id: createId(),
    modelId,
    layer: sourceId,
    index: String(e.index),
    description: e.text,
    authorId: viewer.id,
    typeName: e.methodName?.toLowerCase() ?? null,
    explanationModelName: e.modelName?.toLowerCase() ?? null,
    embedding: vectors?.[i] ?? null,
    createdAt: now,
    updatedAt: now,
  }));
  return { neurons, activations, explanations: explanationRows };
}

export async function uploadFeatures(db: Db, body: Body, viewer: Viewer, embeddings?: EmbeddingClient): Promise<number> {
  const target = await uploadTarget(db, body.modelId, body.source, viewer);
  if (new Set(body.features.map((f) => f.index)).size !== body.features.length) throw new InvalidInput('All indexes must be unique.');
  const rows = await featureRows(db, target, body.features, embeddings);
  // All or nothing: one transaction.
  return db.transaction((tx) => insertUploadedFeatures(tx as unknown as Db, rows));
}
