"""Independent reference implementation for the engine tests (float64 torch).

GPT-2 forward follows Hugging Face's modeling_gpt2.py (Conv1D `y = x @ W + b`,
fused c_attn split q|k|v, causal softmax attention, gelu_new MLP, tied
unembedding); SAE encode and fold_W_dec_norm follow SAELens 6.x
(sae_lens/saes/*.py, loading/pretrained_sae_loaders.py::handle_pre_6_0_config).
Steering follows interp-engine's eager path as described in
/work/shared/reference/inference-engine.md §1. Written by hand because there is
no transformers/sae-lens package on this machine: this file must not share code
with the TypeScript engine it checks.
"""

import json
import math
import struct

import torch

DT = torch.float64
SAFE_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        buf = bytearray(raw[8 + n + b : 8 + n + e])
        dtype = SAFE_DTYPES[info["dtype"]]
        t = torch.frombuffer(buf, dtype=dtype) if len(buf) else torch.zeros(0, dtype=dtype)
        out[name] = t.reshape(info["shape"]).to(DT)
    return out


# ---------------------------------------------------------------- GPT-2


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def layer_norm(x, w, b, eps=1e-5):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * w + b


def load_gpt2(folder):
    cfg = json.load(open(f"{folder}/config.json"))
    raw = read_safetensors(f"{folder}/model.safetensors")
    w = {(k[len("transformer.") :] if k.startswith("transformer.") else k): v for k, v in raw.items()}
    return cfg, w


def steer_delta(h, spec):
    """h: [T, d]. spec: dict(vector, coeff, method, normalize). Returns h'."""
    v = spec["vector"]
    if spec["normalize"]:
        v = v / v.norm()
    c = spec["coeff"]
    if spec["method"] == "SIMPLE_ADDITIVE":
        return h + c * v
    vh = v / v.norm()
    proj = h @ vh  # [T]
    if spec["method"] == "ORTHOGONAL_DECOMP":
        return h + ((c - 1.0) * proj)[:, None] * vh
    if spec["method"] == "PROJECTION_CAP":
        return h + (torch.clamp(proj, max=c) - proj)[:, None] * vh
    raise ValueError(spec["method"])


def apply_steer(h, hook, steers):
    for s in steers:
        if s["hook"] == hook:
            h = steer_delta(h, s)
    return h


def gpt2_forward(cfg, w, ids, steers=()):
    """Full recompute over all positions. Returns (hooks dict of [T, d] tensors, logits [T, V])."""
    n_layer, n_head, d = cfg["n_layer"], cfg["n_head"], cfg["n_embd"]
    dh = d // n_head
    T = len(ids)
    hooks = {}
    tok = w["wte.weight"][torch.tensor(ids)]
    # blocks.0.hook_resid_pre steering acts on the embedding module's output (wte), before wpe.
    tok = apply_steer(tok, "blocks.0.hook_resid_pre", steers)
    x = tok + w["wpe.weight"][:T]
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    for L in range(n_layer):
        p = f"h.{L}."
        hooks[f"blocks.{L}.hook_resid_pre"] = x
        a = layer_norm(x, w[p + "ln_1.weight"], w[p + "ln_1.bias"])
        qkv = a @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]
        q, k, v = qkv.split(d, dim=-1)
        q = q.reshape(T, n_head, dh).transpose(0, 1)
        k = k.reshape(T, n_head, dh).transpose(0, 1)
        v = v.reshape(T, n_head, dh).transpose(0, 1)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(dh)
        att = torch.where(mask, att, torch.tensor(torch.finfo(DT).min, dtype=DT))
        att = torch.softmax(att, dim=-1)
        z = (att @ v).transpose(0, 1).reshape(T, d)
        z = apply_steer(z, f"blocks.{L}.attn.hook_z", steers)
        hooks[f"blocks.{L}.attn.hook_z"] = z
        attn_out = z @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
        hooks[f"blocks.{L}.hook_attn_out"] = attn_out
        x = x + attn_out
        hooks[f"blocks.{L}.hook_resid_mid"] = x
        m = layer_norm(x, w[p + "ln_2.weight"], w[p + "ln_2.bias"])
        m = gelu_new(m @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"])
        mlp_out = m @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
        hooks[f"blocks.{L}.hook_mlp_out"] = mlp_out
        x = x + mlp_out
        # The output of block L is both resid_post[L] and resid_pre[L+1]; steer it once per name.
        x = apply_steer(x, f"blocks.{L}.hook_resid_post", steers)
        x = apply_steer(x, f"blocks.{L + 1}.hook_resid_pre", steers)
        hooks[f"blocks.{L}.hook_resid_post"] = x
    xf = layer_norm(x, w["ln_f.weight"], w["ln_f.bias"])
    logits = xf @ w["wte.weight"].T
    return hooks, logits


def greedy(cfg, w, ids, max_new, steers=()):
    """Greedy decode by full recompute (no KV cache). Returns (new ids, smallest top-2 margin)."""
    ids = list(ids)
    out, margin = [], float("inf")
    for _ in range(max_new):
        _, logits = gpt2_forward(cfg, w, ids, steers)
        top = torch.topk(logits[-1], 2)
        margin = min(margin, float(top.values[0] - top.values[1]))
        nxt = int(top.indices[0])
        out.append(nxt)
        ids.append(nxt)
        if nxt == 50256:
            break
    return out, margin


# ---------------------------------------------------------------- SAEs


def parse_sae_cfg(raw):
    """SAELens handle_config_defaulting: pre-6.0 flat configs become 6.x ones."""
    version = raw.get("sae_lens_version") or raw.get("metadata", {}).get("sae_lens_version")
    if version and int(str(version).split(".")[0]) >= 6:
        cfg = dict(raw)
        cfg.setdefault("apply_b_dec_to_input", True)
        cfg.setdefault("normalize_activations", "none")
        cfg["hook_name"] = raw["metadata"]["hook_name"]
        return cfg
    ren = {"hook_point": "hook_name", "hook_point_head_index": "hook_head_index", "activation_fn_str": "activation_fn"}
    cfg = {ren.get(k, k): v for k, v in raw.items()}
    cfg.setdefault("apply_b_dec_to_input", True)
    cfg.setdefault("architecture", "standard")
    if cfg.get("activation_fn") == "topk" and cfg.get("activation_fn_kwargs", {}).get("k") is not None:
        cfg["architecture"] = "topk"
        cfg["k"] = cfg["activation_fn_kwargs"]["k"]
    na = cfg.get("normalize_activations")
    if isinstance(na, bool):
        na = "expected_average_only_in" if na else "none"
    cfg["normalize_activations"] = na or "none"
    return cfg


def load_sae(folder):
    cfg = parse_sae_cfg(json.load(open(f"{folder}/cfg.json")))
    p = read_safetensors(f"{folder}/sae_weights.safetensors")
    p.pop("scaling_factor", None)
    arch = cfg["architecture"]
    # Neuronpedia: fold_W_dec_norm, except TopK without decoder-norm rescaling.
    if not (arch == "topk" and not cfg.get("rescale_acts_by_decoder_norm", False)):
        n = p["W_dec"].norm(dim=-1)
        p["W_dec"] = p["W_dec"] / n[:, None]
        p["W_enc"] = p["W_enc"] * n[None, :]
        for key in ("b_enc", "threshold", "b_gate", "b_mag"):
            if key in p:
                p[key] = p[key] * n
    return cfg, p


def sae_encode(cfg, p, x):
    if cfg["normalize_activations"] == "constant_norm_rescale":
        x = x * (cfg["d_in"] ** 0.5) / x.norm(dim=-1, keepdim=True)
    elif cfg["normalize_activations"] == "layer_norm":
        x = x - x.mean(-1, keepdim=True)
        x = x / (x.std(-1, keepdim=True) + 1e-5)
    s = x - p["b_dec"] * float(cfg["apply_b_dec_to_input"])
    arch = cfg["architecture"]
    if arch == "gated":
        gate = ((s @ p["W_enc"] + p["b_gate"]) > 0).to(DT)
        mag = torch.relu(s @ (p["W_enc"] * p["r_mag"].exp()) + p["b_mag"])
        return gate * mag
    pre = s @ p["W_enc"] + p["b_enc"]
    if arch == "standard":
        return torch.relu(pre)
    if arch == "jumprelu":
        return torch.relu(pre) * (pre > p["threshold"]).to(DT)
    if arch == "topk":
        if cfg.get("rescale_acts_by_decoder_norm", False):
            pre = pre * p["W_dec"].norm(dim=-1)
        vals, idx = torch.topk(pre, cfg["k"], dim=-1)
        out = torch.zeros_like(pre)
        return out.scatter(-1, idx, torch.relu(vals))
    raise ValueError(arch)
