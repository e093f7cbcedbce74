// The v1/config files of a sample export (explanation, score and eval types), as the real exporter
// writes them.
import { BOT_ID, iso } from './sample-records.js';

/** The v1/config files: name → records. */
export function configRecords(created: Date): Record<string, object[]> {
  return {
    explanation_type: [
      {
        name: 'oai_token-act-pair',
        displayName: 'OpenAI Automated Interpretability',
        description: 'Token/activation pairs',
        featured: true,
        isAttention: false,
        explainerModelSettingsId: null,
        settings: null,
        url: null,
        creatorName: 'OpenAI',
        creatorId: BOT_ID,
        createdAt: iso(created),
        updatedAt: iso(created),
      },
      {
        name: 'eleuther_acts_top20',
        displayName: 'Eleuther Acts Top 20',
        description: 'Top 20 activating examples',
        featured: true,
        isAttention: false,
        explainerModelSettingsId: null,
        settings: null,
        url: null,
        creatorName: 'EleutherAI',
        creatorId: BOT_ID,
        createdAt: iso(created),
        updatedAt: iso(created),
      },
    ],
    explanation_model_type: [
      {
        name: 'gpt-4o-mini',
        displayName: 'GPT-4o mini',
        description: 'OpenAI',
        featured: true,
        openRouterModelId: 'openai/gpt-4o-mini',
        url: null,
        creatorName: 'OpenAI',
        createdAt: iso(created),
        updatedAt: iso(created),
      },
    ],
    explanation_score_type: [
      {
        name: 'eleuther_fuzz',
        displayName: 'Fuzz',
        description: 'Fuzzing',
        featured: true,
        isAttention: false,
        scoreDescription: 'Balanced accuracy',
        scorerModel: null,
        settings: null,
        url: null,
        creatorName: 'EleutherAI',
        creatorId: BOT_ID,
        createdAt: iso(created),
        updatedAt: iso(created),
      },
    ],
    explanation_score_model: [
      {
        name: 'gpt-4o-mini',
        displayName: 'GPT-4o mini',
        description: 'OpenAI',
        featured: true,
        openRouterModelId: null,
        url: null,
        creatorName: 'OpenAI',
        createdAt: iso(created),
        updatedAt: iso(created),
      },
    ],
    eval_type: [
      {
        name: 'sae_bench',
        displayName: 'SAE Bench',
        description: 'Evaluations',
        longerDescription: '',
        outputSchema: { type: 'object' },
        featured: false,
        url: null,
        createdAt: iso(created),
        updatedAt: iso(created),
      },
    ],
  };
}
