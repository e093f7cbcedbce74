// Saved steering outputs (Prisma `SteerOutput`, `SteerOutputToNeuron`): the steering cache and the
// results `/api/steer-load` reads back by id. Column names as upstream.
import {
  boolean,
  doublePrecision,
  foreignKey,
  index,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';
import { neuron } from './features.js';
import { model } from './models.js';

export const steerOutputType = pgEnum('SteerOutputType', ['DEFAULT', 'STEERED']);
export type SteerOutputType = (typeof steerOutputType.enumValues)[number];

export const steerOutput = pgTable(
  'SteerOutput',
  {
    id: text('id').primaryKey(),
    type: steerOutputType('type').notNull(),
    modelId: text('modelId')
      .notNull()
      .references(() => model.id, { onDelete: 'cascade' }),
    steerSpecialTokens: boolean('steerSpecialTokens').notNull().default(false),
    inputText: text('inputText').notNull(),
    inputTextMd5: text('inputTextMd5'),
    inputTextChatTemplate: text('inputTextChatTemplate'),
    inputTextChatTemplateMd5: text('inputTextChatTemplateMd5'),
    outputText: text('outputText').notNull(),
    outputTextChatTemplate: text('outputTextChatTemplate'),
    temperature: doublePrecision('temperature').notNull(),
    numTokens: integer('numTokens').notNull(),
    freqPenalty: doublePrecision('freqPenalty').notNull(),
    seed: doublePrecision('seed').notNull(),
    strengthMultiplier: doublePrecision('strengthMultiplier').notNull(),
    steerMethod: text('steerMethod').notNull().default('SIMPLE_ADDITIVE'),
    createdAt: createdAt(),
    creatorId: text('creatorId'),
    version: integer('version').notNull().default(1),
    /** JSON text, as upstream. */
    logprobs: text('logprobs'),
    /** Set on STEERED chat outputs: the DEFAULT output shown beside it. */
    connectedDefaultOutputId: text('connectedDefaultOutputId').references((): AnyPgColumn => steerOutput.id, { onDelete: 'cascade' }),
    capMonitorOutput: text('capMonitorOutput'),
  },
  (t) => [
    index('steerIndex').on(
      t.modelId,
      t.type,
      t.inputTextMd5,
      t.temperature,
      t.numTokens,
      t.freqPenalty,
      t.seed,
      t.strengthMultiplier,
      t.version,
      t.steerSpecialTokens,
      t.steerMethod,
    ),
    index('steerIndex2').on(
      t.modelId,
      t.type,
      t.inputTextChatTemplateMd5,
      t.temperature,
      t.numTokens,
      t.freqPenalty,
      t.seed,
      t.strengthMultiplier,
      t.version,
      t.steerSpecialTokens,
      t.steerMethod,
    ),
  ],
);

/** The features (with strengths) a STEERED output was generated with: part of its cache key. */
export const steerOutputToNeuron = pgTable(
  'SteerOutputToNeuron',
  {
    modelId: text('modelId').notNull(),
    layer: text('layer').notNull(),
    index: text('index').notNull(),
    strength: doublePrecision('strength').notNull(),
    steerOutputId: text('steerOutputId')
      .notNull()
      .references(() => steerOutput.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ name: 'SteerOutputToNeuron_pkey', columns: [t.steerOutputId, t.modelId, t.layer, t.index, t.strength] }),
    foreignKey({
      name: 'SteerOutputToNeuron_neuron_fkey',
      columns: [t.modelId, t.layer, t.index],
      foreignColumns: [neuron.modelId, neuron.layer, neuron.index],
    }).onDelete('cascade'),
    index('SteerOutputToNeuron_modelId_layer_index_idx').on(t.modelId, t.layer, t.index),
  ],
);
