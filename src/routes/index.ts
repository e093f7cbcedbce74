// Every route plugin, registered in this order by the app.
import getActivations from './api/activation/get-activations.js';
import adminImport from './api/admin/import.js';
import getFeature from './api/feature/get-feature.js';
import getFeatures from './api/feature/get-features.js';
import listModels from './api/models/list-models.js';
import getSourceSet from './api/source-set/get-source-set.js';
import uploadFeatures from './api/uploads/features.js';
import lists from './api/uploads/lists.js';
import uploadModels from './api/uploads/models.js';
import vectors from './api/uploads/vectors.js';
import generateExplanation from './api/explanation/generate.js';
import scoreExplanation from './api/explanation/score.js';
import explanationSearch from './api/explanation/search.js';
import inferenceActivations from './api/inference/activations.js';
import inferenceSearch from './api/inference/search.js';
import steer from './api/inference/steer.js';
import health from './health.js';

export const routes = [
  health,
  getFeature,
  getFeatures,
  getActivations,
  getSourceSet,
  listModels,
  adminImport,
  uploadModels,
  vectors,
  uploadFeatures,
  lists,
  explanationSearch,
  generateExplanation,
  scoreExplanation,
  inferenceSearch,
  inferenceActivations,
  steer,
];
