// SAELens `cfg.json`, in both shapes it has had: 6.x (nested `metadata`, `architecture`) and
// pre-6.0 (flat keys, `hook_point`, `activation_fn_str`), read into one form as SAELens's
// `handle_config_defaulting` / `handle_pre_6_0_config` do.

export type SaeArchitecture = 'standard' | 'jumprelu' | 'topk' | 'gated';
export type NormalizeActivations = 'none' | 'expected_average_only_in' | 'constant_norm_rescale' | 'layer_norm';

export interface SaeConfig {
  architecture: SaeArchitecture;
  dIn: number;
  dSae: number;
  hookName: string;
  hookHeadIndex: number | null;
  applyBDecToInput: boolean;
  normalizeActivations: NormalizeActivations;
  /** topk only. */
  k: number;
  /** topk only: multiply pre-activations by the decoder row norms before choosing the top k. */
  rescaleActsByDecoderNorm: boolean;
  reshapeActivations: 'none' | 'hook_z';
}

const ARCHITECTURES = new Set(['standard', 'jumprelu', 'topk', 'gated']);
const NORMALIZE = new Set(['none', 'expected_average_only_in', 'constant_norm_rescale', 'layer_norm']);

type Raw = Record<string, unknown>;

function majorVersion(raw: Raw): number {
  const meta = (raw.metadata ?? {}) as Raw;
  const v = raw.sae_lens_version ?? meta.sae_lens_version;
  return typeof v === 'string' ? Number.parseInt(v, 10) || 0 : 0;
}

export function parseSaeConfig(raw: Raw, where = 'cfg.json'): SaeConfig {
  const fail = (msg: string): never => {
    throw new Error(`${where}: ${msg}`);
  };
  const pre6 = majorVersion(raw) < 6;
  const meta = (raw.metadata ?? {}) as Raw;
  let architecture = (raw.architecture as string | undefined) ?? 'standard';
  let k = typeof raw.k === 'number' ? raw.k : 100;
  let normalize = raw.normalize_activations;
  let hookName = pre6 ? (raw.hook_point ?? raw.hook_name) : (meta.hook_name ?? raw.hook_name);
  const headIndex = pre6 ? raw.hook_point_head_index : meta.hook_head_index;
  if (pre6) {
    const fn = raw.activation_fn_str ?? raw.activation_fn;
    const kwargs = (raw.activation_fn_kwargs ?? {}) as Raw;
    if (fn === 'topk' && typeof kwargs.k === 'number') {
      architecture = 'topk';
      k = kwargs.k;
    }
    if (typeof normalize === 'boolean') normalize = normalize ? 'expected_average_only_in' : 'none';
  }
  normalize ??= 'none';
  hookName ??= fail('no hook name (metadata.hook_name or hook_point)');
  if (typeof hookName !== 'string') fail('hook name is not a string');
  if (!ARCHITECTURES.has(architecture)) fail(`architecture ${architecture} is not supported`);
  if (!NORMALIZE.has(normalize as string)) fail(`normalize_activations ${String(normalize)} is not supported`);
  const dIn = raw.d_in;
  const dSae = raw.d_sae;
  if (typeof dIn !== 'number' || typeof dSae !== 'number') fail('d_in and d_sae must be numbers');
  const reshape = raw.reshape_activations ?? ((hookName as string).includes('hook_z') ? 'hook_z' : 'none');
  return {
    architecture: architecture as SaeArchitecture,
    dIn: dIn as number,
    dSae: dSae as number,
    hookName: hookName as string,
    hookHeadIndex: typeof headIndex === 'number' ? headIndex : null,
    applyBDecToInput: raw.apply_b_dec_to_input !== false,
    normalizeActivations: normalize as NormalizeActivations,
    k,
    rescaleActsByDecoderNorm: raw.rescale_acts_by_decoder_norm === true,
    reshapeActivations: reshape === 'hook_z' ? 'hook_z' : 'none',
  };
}
