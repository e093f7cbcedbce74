// POST /api/steer/presets: upstream's fixed prompt and feature presets for a model (presets.json,
// copied from apps/webapp/app/api/steer/presets/route.tsx), plus the caller's own vectors on it.
import type { Db } from '../../db/client.js';
import { findModel } from '../../db/queries/models.js';
import { listVectorsOfModelAndUser } from '../../db/queries/neurons.js';
import { NotFound } from '../../errors.js';
import { canRead, type Viewer } from '../access/viewer.js';
import presets from './presets.json' with { type: 'json' };

interface FeaturePreset {
  name: string;
  features: unknown[];
  [more: string]: unknown;
}
const PROMPT_PRESETS = presets.PROMPT_PRESETS as Record<string, Array<{ name: string; prompt: string }>>;
const FEATURE_PRESETS = presets.FEATURE_PRESETS as Record<string, FeaturePreset[]>;
const DEFAULT_SELECTED_FEATURES = presets.DEFAULT_SELECTED_FEATURES as Record<string, unknown[]>;

export async function steerPresets(db: Db, modelId: string, viewer: Viewer | null) {
  const model = await findModel(db, modelId);
  if (!model || !canRead(model, viewer)) throw new NotFound('Model Not Found');
  const featurePresets: FeaturePreset[] = [...(FEATURE_PRESETS[modelId] ?? [])];
  if (viewer) {
    // Upstream puts each of the user's vectors first (unshift), so the newest leads.
    for (const vector of await listVectorsOfModelAndUser(db, modelId, viewer.id)) {
      featurePresets.unshift({
        name: vector.vectorLabel || '',
        features: [
          {
            modelId: vector.modelId,
            layer: vector.layer,
            index: parseInt(vector.index, 10),
            explanation: vector.vectorLabel || '',
            strength: vector.vectorDefaultSteerStrength || 10,
            hasVector: true,
          },
        ],
        isUserVector: true,
      });
    }
  }
  return {
    model,
    defaultPrompt: '',
    promptPresets: PROMPT_PRESETS[modelId],
    featurePresets,
    defaultSelectedFeatures: DEFAULT_SELECTED_FEATURES[modelId],
  };
}
