#!/usr/bin/python3
"""Writes the engine's test fixtures: tiny random GPT-2s in Hugging Face's
safetensors layout, SAEs in SAELens folder layout, and reference outputs
computed by scripts/tiny_models_reference.py (float64 torch).

Run with Debian's python3 (apt-get install -y python3-torch python3-numpy):
    /usr/bin/python3 scripts/make-tiny-models.py
Output: test/fixtures/engine/{models,saes}/... and expected.json. Seeded: the
output is the same on every run, so the committed files can be regenerated.
"""

import json
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tiny_models_reference as ref  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "engine")
VOCAB = 50257
rng = np.random.default_rng(20260820)


def encode_tensor(arr, dtype):
    a = np.ascontiguousarray(arr, dtype=np.float32)
    if dtype == "F32":
        return a.astype("<f4").tobytes()
    if dtype == "F16":
        return a.astype("<f2").tobytes()
    if dtype == "BF16":
        return torch.from_numpy(a).to(torch.bfloat16).view(torch.int16).numpy().astype("<i2").tobytes()
    raise ValueError(dtype)


def write_safetensors(path, tensors, pad_header=True):
    """tensors: list of (name, np.ndarray, dtype). Format: u64-LE header length, JSON header, data."""
    header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for name, arr, dtype in tensors:
        blob = encode_tensor(arr, dtype)
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [off, off + len(blob)]}
        blobs.append(blob)
        off += len(blob)
    h = json.dumps(header, separators=(",", ":")).encode()
    if pad_header:  # safetensors pads the header with spaces to 8 bytes; one fixture does not
        h += b" " * (-len(h) % 8)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def normal(shape, std):
    return rng.normal(0.0, std, size=shape).astype(np.float32)


def make_gpt2(name, n_layer, d, n_head, n_ctx, emb_dtype, prefix, pad_header):
    t = [("wte.weight", normal((VOCAB, d), 0.5), emb_dtype), ("wpe.weight", normal((n_ctx, d), 0.1), "F32")]
    for L in range(n_layer):
        p = f"h.{L}."
        t += [
            (p + "ln_1.weight", 1 + normal((d,), 0.1), "F32"),
            (p + "ln_1.bias", normal((d,), 0.05), "F32"),
            (p + "attn.bias", np.tril(np.ones((n_ctx, n_ctx), np.float32)).reshape(1, 1, n_ctx, n_ctx), "F32"),
            (p + "attn.c_attn.weight", normal((d, 3 * d), 0.25), "F32"),
            (p + "attn.c_attn.bias", normal((3 * d,), 0.05), "F32"),
            (p + "attn.c_proj.weight", normal((d, d), 0.2), "F32"),
            (p + "attn.c_proj.bias", normal((d,), 0.05), "F32"),
            (p + "ln_2.weight", 1 + normal((d,), 0.1), "F32"),
            (p + "ln_2.bias", normal((d,), 0.05), "F32"),
            (p + "mlp.c_fc.weight", normal((d, 4 * d), 0.2), "F32"),
            (p + "mlp.c_fc.bias", normal((4 * d,), 0.05), "F32"),
            (p + "mlp.c_proj.weight", normal((4 * d, d), 0.1), "F32"),
            (p + "mlp.c_proj.bias", normal((d,), 0.05), "F32"),
        ]
    t += [("ln_f.weight", 1 + normal((d,), 0.1), "F32"), ("ln_f.bias", normal((d,), 0.05), "F32")]
    t = [(prefix + k, v, dt) for k, v, dt in t]
    folder = os.path.join(ROOT, "models", name)
    write_safetensors(os.path.join(folder, "model.safetensors"), t, pad_header)
    cfg = {
        "architectures": ["GPT2LMHeadModel"],
        "model_type": "gpt2",
        "activation_function": "gelu_new",
        "bos_token_id": 50256,
        "eos_token_id": 50256,
        "layer_norm_epsilon": 1e-05,
        "n_ctx": n_ctx,
        "n_positions": n_ctx,
        "n_embd": d,
        "n_head": n_head,
        "n_layer": n_layer,
        "n_inner": None,
        "vocab_size": VOCAB,
        "tie_word_embeddings": True,
    }
    json.dump(cfg, open(os.path.join(folder, "config.json"), "w"), indent=2)
    return folder


def make_sae(sae_id, cfg, arch, d_in, d_sae, f16_keys=(), extra=()):
    w_dec = normal((d_sae, d_in), 1.0)
    w_dec *= (rng.uniform(0.3, 3.0, size=(d_sae, 1)) / np.linalg.norm(w_dec, axis=1, keepdims=True)).astype(np.float32)
    t = [("W_enc", normal((d_in, d_sae), 0.4), ), ("W_dec", w_dec), ("b_dec", normal((d_in,), 0.1))]
    if arch == "gated":
        t += [("b_gate", normal((d_sae,), 0.3)), ("b_mag", normal((d_sae,), 0.3)), ("r_mag", normal((d_sae,), 0.2))]
    else:
        t += [("b_enc", normal((d_sae,), 0.3) - 0.2)]
    if arch == "jumprelu":
        t += [("threshold", rng.uniform(0.0, 0.8, size=(d_sae,)).astype(np.float32))]
    t += list(extra)
    folder = os.path.join(ROOT, "saes", sae_id)
    write_safetensors(
        os.path.join(folder, "sae_weights.safetensors"), [(k, v, "F16" if k in f16_keys else "F32") for k, v in t]
    )
    json.dump(cfg, open(os.path.join(folder, "cfg.json"), "w"), indent=2)
    return folder


def cfg6(arch, hook, d_in, d_sae, **kw):
    meta = {"model_name": "tiny-gpt2", "hook_name": hook, "hook_head_index": None, "prepend_bos": True,
            "context_size": 128, "sae_lens_version": "6.5.1", "neuronpedia_id": None}
    base = {"architecture": arch, "d_in": d_in, "d_sae": d_sae, "dtype": "float32", "device": "cpu",
            "apply_b_dec_to_input": True, "normalize_activations": "none", "reshape_activations": "none"}
    base.update(kw)
    base["metadata"] = meta
    return base


def cfg_pre6(hook, d_in, d_sae, **kw):
    base = {"model_name": "tiny-gpt2", "hook_point": hook, "hook_point_layer": int(hook.split(".")[1]),
            "hook_point_head_index": None, "d_in": d_in, "d_sae": d_sae, "dtype": "torch.float32",
            "device": "cpu", "context_size": 128, "normalize_activations": False, "sae_lens_version": "3.13.0"}
    base.update(kw)
    return base


def r(x, nd=7):
    if isinstance(x, torch.Tensor):
        x = x.tolist()
    if isinstance(x, list):
        return [r(v, nd) for v in x]
    return round(float(x), nd)


if __name__ == "__main__":
    import make_tiny_cases  # noqa: E402  (the cases live beside this file, to keep each file short)

    main = make_gpt2("tiny-gpt2", 3, 32, 4, 128, "F16", "", True)
    prefixed = make_gpt2("tiny-gpt2-prefixed", 2, 8, 2, 64, "BF16", "transformer.", False)
    D, S = 32, 40
    saes = {
        "standard-6x": make_sae("standard-6x", cfg6("standard", "blocks.1.hook_resid_pre", D, S), "standard", D, S),
        "standard-pre6": make_sae(
            "standard-pre6", cfg_pre6("blocks.0.hook_resid_pre", D, S), "standard", D, S,
            f16_keys=("W_dec",), extra=[("scaling_factor", np.ones(S, np.float32))],
        ),
        "jumprelu-6x": make_sae(
            "jumprelu-6x",
            cfg6("jumprelu", "blocks.2.hook_resid_post", D, S, apply_b_dec_to_input=False,
                 normalize_activations="constant_norm_rescale"),
            "jumprelu", D, S,
        ),
        "topk-6x": make_sae("topk-6x", cfg6("topk", "blocks.2.hook_resid_pre", D, S, k=6), "topk", D, S),
        "topk-rescale-6x": make_sae(
            "topk-rescale-6x",
            cfg6("topk", "blocks.1.hook_resid_post", D, S, k=6, rescale_acts_by_decoder_norm=True), "topk", D, S,
        ),
        "gated-6x": make_sae(
            "gated-6x", cfg6("gated", "blocks.1.hook_resid_post", D, S, normalize_activations="layer_norm"),
            "gated", D, S,
        ),
        "topk-pre6": make_sae(
            "topk-pre6",
            cfg_pre6("blocks.1.hook_resid_pre", D, S, activation_fn_str="topk", activation_fn_kwargs={"k": 5}),
            "topk", D, S,
        ),
        # Attention-output SAE: reads the heads' z concatenated (SAELens reshape_activations hook_z).
        "standard-hookz-6x": make_sae(
            "standard-hookz-6x", cfg6("standard", "blocks.1.attn.hook_z", D, S, reshape_activations="hook_z"),
            "standard", D, S,
        ),
    }
    expected = make_tiny_cases.build(ref, main, prefixed, saes, r)
    with open(os.path.join(ROOT, "expected.json"), "w") as f:
        json.dump(expected, f, separators=(",", ":"))
    total = sum(os.path.getsize(os.path.join(dp, fn)) for dp, _, fns in os.walk(ROOT) for fn in fns)
    print(f"wrote {ROOT} ({total / 1e6:.2f} MB)")
