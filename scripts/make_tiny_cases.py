"""The reference cases of scripts/make-tiny-models.py: which prompts, hooks, SAEs
and steering specs the engine tests check, and their expected outputs."""

import numpy as np
import torch

# Known GPT-2 ids (tiktoken gpt2 / r50k_base); the TypeScript tests check the tokenizer against them.
PROMPTS = [
    {"text": "Hello world", "ids": [15496, 995]},
    {"text": "I often think about", "ids": [40, 1690, 892, 546]},
    {"text": "this is about dogs!", "ids": [5661, 318, 546, 6844, 0]},
]
BOS = 50256
SAMPLE = list(range(0, 50257, 211)) + [50256]


def logits_summary(logits, r):
    idx = torch.tensor(SAMPLE)
    return {
        "indices": SAMPLE,
        "values": r(logits[:, idx], 5),
        "argmax": logits.argmax(-1).tolist(),
        "logsumexp": r(torch.logsumexp(logits, -1), 5),
    }


def logprobs(ref, cfg, w, ids, gen, steers, n=5):
    """Per generated token: its log_softmax at that step and the top n (ids), as NP-TL's
    make_logprob_from_logits (the engine's nLogprobs)."""
    out = []
    for i, tok in enumerate(gen):
        _, logits = ref.gpt2_forward(cfg, w, list(ids) + gen[:i], steers)
        lp = torch.log_softmax(logits[-1], -1)
        top = torch.topk(lp, n)
        out.append({"token": tok, "logprob": round(float(lp[tok]), 5),
                    "top": [[int(j), round(float(v), 5)] for v, j in zip(top.values, top.indices)]})
    return out


def resolve(ref, saes_loaded, spec):
    """Fixture steering spec -> reference spec with a concrete vector and coefficient."""
    if "sae" in spec:
        cfg, p = saes_loaded[spec["sae"]]
        vec, hook = p["W_dec"][spec["index"]], cfg["hook_name"]
    else:
        vec, hook = torch.tensor(spec["vector"], dtype=ref.DT), spec["hook"]
    coeff = spec["strength"] * spec["strengthMultiplier"]
    return {"hook": hook, "vector": vec, "coeff": coeff, "method": spec["method"], "normalize": spec["normalize"]}


def build(ref, main_dir, prefixed_dir, sae_dirs, r):
    rng = np.random.default_rng(7)
    cfg, w = ref.load_gpt2(main_dir)
    out = {"prompts": PROMPTS, "models": {}, "saes": {}, "generation": []}

    fwd = []
    for pr in PROMPTS:
        ids = [BOS] + pr["ids"]
        hooks, logits = ref.gpt2_forward(cfg, w, ids)
        fwd.append({"ids": ids, "hooks": {k: r(v, 6) for k, v in hooks.items()}, "logits": logits_summary(logits, r)})
    out["models"]["tiny-gpt2"] = {"forward": fwd}

    pcfg, pw = ref.load_gpt2(prefixed_dir)
    ids = [BOS] + PROMPTS[0]["ids"]
    hooks, logits = ref.gpt2_forward(pcfg, pw, ids)
    out["models"]["tiny-gpt2-prefixed"] = {
        "forward": [{"ids": ids, "hooks": {k: r(v, 6) for k, v in hooks.items()}, "logits": logits_summary(logits, r)}]
    }

    loaded = {}
    ids = [BOS] + PROMPTS[2]["ids"]
    hooks, _ = ref.gpt2_forward(cfg, w, ids)
    for sae_id, folder in sae_dirs.items():
        scfg, p = ref.load_sae(folder)
        loaded[sae_id] = (scfg, p)
        acts = ref.sae_encode(scfg, p, hooks[scfg["hook_name"]])
        assert (acts > 0).any(), sae_id
        if scfg["architecture"] == "topk":  # no near-ties at the k-th place, so the selection is stable
            pre_sorted = torch.sort(acts, -1, descending=True).values
            assert (pre_sorted[:, scfg["k"] - 1] > 0).all(), sae_id
        out["saes"][sae_id] = {
            "hook": scfg["hook_name"],
            "architecture": scfg["architecture"],
            "ids": ids,
            "acts": r(acts, 6),
            "W_enc_col3": r(p["W_enc"][:, 3], 6),
            "W_dec_row3": r(p["W_dec"][3], 6),
        }

    def vec(scale):
        v = rng.normal(0, 1, size=32)
        return [round(float(x), 6) for x in v / np.linalg.norm(v) * scale]

    prompt = PROMPTS[1]["ids"]
    specs = [("default", [])]
    hooks_to_try = ["blocks.0.hook_resid_pre", "blocks.1.hook_resid_pre", "blocks.2.hook_resid_post",
                    "blocks.1.attn.hook_z"]
    methods = [("SIMPLE_ADDITIVE", 3.0), ("ORTHOGONAL_DECOMP", -2.0), ("PROJECTION_CAP", -1.0)]
    for mi, (method, strength) in enumerate(methods):
        for hi, hook in enumerate(hooks_to_try):
            normalize = (mi + hi) % 2 == 1
            s = {"hook": hook, "vector": vec(2.0), "strength": strength, "strengthMultiplier": 1.5,
                 "method": method, "normalize": normalize}
            specs.append((f"{method} {hook} normalize={normalize}", [s]))
    specs.append(("two features on one hook (standard-6x, folded rows)", [
        {"sae": "standard-6x", "index": 3, "strength": 5.0, "strengthMultiplier": 1.0,
         "method": "SIMPLE_ADDITIVE", "normalize": False},
        {"sae": "standard-6x", "index": 17, "strength": -3.0, "strengthMultiplier": 1.0,
         "method": "SIMPLE_ADDITIVE", "normalize": False},
    ]))
    specs.append(("feature orthogonal ablation (jumprelu-6x)", [
        {"sae": "jumprelu-6x", "index": 7, "strength": 0.0, "strengthMultiplier": 1.0,
         "method": "ORTHOGONAL_DECOMP", "normalize": False}]))
    specs.append(("vectors on two hooks", [
        {"hook": "blocks.0.hook_resid_post", "vector": vec(1.0), "strength": 2.0, "strengthMultiplier": 1.0,
         "method": "SIMPLE_ADDITIVE", "normalize": False},
        {"hook": "blocks.2.hook_resid_pre", "vector": vec(1.0), "strength": 0.5, "strengthMultiplier": 1.0,
         "method": "PROJECTION_CAP", "normalize": True}]))
    specs.append(("hook_z SAE feature (standard-hookz-6x)", [
        {"sae": "standard-hookz-6x", "index": 5, "strength": 6.0, "strengthMultiplier": 1.0,
         "method": "SIMPLE_ADDITIVE", "normalize": False}]))
    eos = [round(float(x), 6) for x in w["wte.weight"][BOS].tolist()]
    specs.append(("EOS stop", [{"hook": "blocks.2.hook_resid_post", "vector": eos, "strength": 100.0,
                                "strengthMultiplier": 1.0, "method": "SIMPLE_ADDITIVE", "normalize": False}]))

    default_ids, default_logits = None, None
    for name, fixture_specs in specs:
        steers = [resolve(ref, loaded, s) for s in fixture_specs]
        ids = [BOS] + prompt
        gen, margin = ref.greedy(cfg, w, ids, 8, steers)
        assert margin > 1e-3, (name, margin)
        _, logits = ref.gpt2_forward(cfg, w, ids, steers)
        if name == "default":
            default_ids, default_logits = gen, logits[-1]
        else:  # every spec must change the numbers; most also change the greedy ids
            assert (logits[-1] - default_logits).abs().max() > 1e-2, f"steering changed nothing: {name}"
            if gen == default_ids:
                print(f"note: same greedy ids as default: {name}")
        if name == "EOS stop":
            assert gen[-1] == BOS and len(gen) < 8, gen
        case = {"name": name, "ids": ids, "maxNew": 8, "steers": fixture_specs,
                "expected": gen, "margin": margin, "prefill": logits_summary(logits[-1:], r)}
        if len(out["generation"]) < 2:  # the default and one steered generation, to keep the file small
            case["logprobs"] = logprobs(ref, cfg, w, ids, gen, steers)
        out["generation"].append(case)
    return out
