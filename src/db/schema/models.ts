// Models and the SAE families trained on them, with Neuronpedia's table and column names (Prisma schema).
// Creator columns hold user ids as strings without a foreign key: exports name creators (e.g. the
// `bot` user) that a mirror has no account for, and access checks only compare ids.
import { boolean, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { createdAt, textArray } from './columns.js';
import { visibility } from './enums.js';

export const model = pgTable(
  'Model',
  {
    /** e.g. `gpt2-small`. */
    id: text('id').primaryKey(),
    displayNameShort: text('displayNameShort').notNull().default(''),
    displayName: text('displayName').notNull().default(''),
    creatorId: text('creatorId').notNull(),
    tlensId: text('tlensId'),
    openRouterId: text('openRouterId'),
    /** Width of the residual stream; uploaded vectors must have exactly this length. */
    dimension: integer('dimension'),
    thinking: boolean('thinking').notNull().default(false),
    visibility: visibility('visibility').notNull().default('PRIVATE'),
    defaultSourceSetName: text('defaultSourceSetName'),
    defaultSourceId: text('defaultSourceId'),
    defaultGraphSourceSetName: text('defaultGraphSourceSetName'),
    inferenceEnabled: boolean('inferenceEnabled').notNull().default(false),
    instruct: boolean('instruct').notNull().default(false),
    layers: integer('layers').notNull(),
    neuronsPerLayer: integer('neuronsPerLayer').notNull(),
    createdAt: createdAt(),
    owner: text('owner').notNull(),
    updatedAt: timestamp('updatedAt', { precision: 3, mode: 'date' }).notNull().defaultNow(),
    website: text('website'),
  },
  (t) => [index('Model_visibility_idx').on(t.visibility), index('Model_creatorId_idx').on(t.creatorId)],
);

export const sourceRelease = pgTable(
  'SourceRelease',
  {
    name: text('name').primaryKey(),
    visibility: visibility('visibility').notNull().default('PRIVATE'),
    isNewUi: boolean('isNewUi').notNull().default(false),
    featured: boolean('featured').notNull().default(false),
    description: text('description').notNull(),
    descriptionShort: text('descriptionShort'),
    urls: text('urls').array().notNull(),
    creatorEmail: text('creatorEmail'),
    creatorName: text('creatorName').notNull(),
    creatorNameShort: text('creatorNameShort'),
    creatorId: text('creatorId').notNull(),
    defaultSourceSetName: text('defaultSourceSetName'),
    defaultSourceId: text('defaultSourceId'),
    defaultUmapSourceIds: textArray('defaultUmapSourceIds'),
    createdAt: createdAt(),
  },
  (t) => [index('SourceRelease_visibility_idx').on(t.visibility)],
);

/** A family of SAEs (e.g. `res-jb`), one per model; its sources are `<layer>-<name>`. */
export const sourceSet = pgTable(
  'SourceSet',
  {
    modelId: text('modelId')
      .notNull()
      .references(() => model.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    hasDashboards: boolean('hasDashboards').notNull().default(true),
    allowInferenceSearch: boolean('allowInferenceSearch').notNull().default(true),
    visibility: visibility('visibility').notNull().default('PRIVATE'),
    description: text('description').notNull(),
    type: text('type').notNull().default(''),
    creatorName: text('creatorName').notNull(),
    urls: text('urls').array().notNull(),
    creatorEmail: text('creatorEmail'),
    creatorId: text('creatorId').notNull(),
    releaseName: text('releaseName'),
    hasGraphs: boolean('hasGraphs').notNull().default(false),
    graphEnabled: boolean('graphEnabled').notNull().default(false),
    similarityMatrixEnabled: boolean('similarityMatrixEnabled').notNull().default(false),
    defaultOfModelId: text('defaultOfModelId'),
    defaultGraphModelId: text('defaultGraphModelId'),
    /** Tokens of context shown around the max activation, as an index into the UI's choices. */
    defaultRange: integer('defaultRange').notNull().default(1),
    defaultShowBreaks: boolean('defaultShowBreaks').notNull().default(true),
    showDfa: boolean('showDfa').notNull().default(false),
    showCorrelated: boolean('showCorrelated').notNull().default(false),
    showHeadAttribution: boolean('showHeadAttribution').notNull().default(false),
    showUmap: boolean('showUmap').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'SourceSet_modelId_name_key', columns: [t.modelId, t.name] }),
    index('SourceSet_visibility_idx').on(t.visibility),
    index('SourceSet_releaseName_idx').on(t.releaseName),
  ],
);

/** One SAE (or the neurons of one layer): `id` is the "layer" of feature URLs, e.g. `6-res-jb`. */
export const source = pgTable(
  'Source',
  {
    id: text('id').notNull(),
    modelId: text('modelId')
      .notNull()
      .references(() => model.id, { onDelete: 'cascade' }),
    hasDashboards: boolean('hasDashboards').notNull().default(true),
    inferenceEnabled: boolean('inferenceEnabled').notNull().default(false),
    saelensConfig: jsonb('saelensConfig'),
    saelensRelease: text('saelensRelease'),
    saelensSaeId: text('saelensSaeId'),
    hfRepoId: text('hfRepoId'),
    hfFolderId: text('hfFolderId'),
    visibility: visibility('visibility').notNull().default('PRIVATE'),
    defaultOfModelId: text('defaultOfModelId'),
    setName: text('setName').notNull(),
    creatorId: text('creatorId').notNull(),
    hasUmap: boolean('hasUmap').notNull().default(false),
    hasUmapLogSparsity: boolean('hasUmapLogSparsity').notNull().default(false),
    hasUmapClusters: boolean('hasUmapClusters').notNull().default(false),
    num_prompts: integer('num_prompts'),
    num_tokens_in_prompt: integer('num_tokens_in_prompt'),
    dataset: text('dataset'),
    notes: text('notes'),
    cosSimMatchModelId: text('cosSimMatchModelId'),
    cosSimMatchSourceId: text('cosSimMatchSourceId'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'Source_modelId_id_key', columns: [t.modelId, t.id] }),
    foreignKey({
      name: 'Source_modelId_setName_fkey',
      columns: [t.modelId, t.setName],
      foreignColumns: [sourceSet.modelId, sourceSet.name],
    }).onDelete('cascade'),
    index('Source_modelId_setName_idx').on(t.modelId, t.setName),
    index('Source_visibility_idx').on(t.visibility),
  ],
);
