// Request and response schemas of /api/saelens/*.
import { Type } from 'typebox';

/** GET /api/saelens/latent-decoder?repo&path&index */
export const LatentDecoderQuery = Type.Object({
  repo: Type.String({ minLength: 1, maxLength: 256, description: 'Hugging Face repo id, e.g. `jbloom/GPT2-Small-SAEs-Reformatted`.' }),
  path: Type.String({
    minLength: 1,
    maxLength: 1024,
    description: 'Path of a `.safetensors` file in the repo, e.g. `blocks.0.hook_resid_pre/sae_weights.safetensors`.',
  }),
  index: Type.String({ pattern: '^[0-9]{1,10}$', description: 'Latent (decoder row), a non-negative integer.' }),
});
export const LatentDecoderResponse = Type.Object({
  repo: Type.String(),
  path: Type.String(),
  index: Type.Integer(),
  dtype: Type.String(),
  num_latents: Type.Integer(),
  d_model: Type.Integer(),
  values: Type.Array(Type.Number()),
});
