"""PyTorch baseline for scripts/bench-engine.ts: the same search-all work (gpt2-small forward
over 32 tokens, capture the residual at N res-jb hooks, encode each with a 768x24576 SAE, top
25 per SAE) on this CPU, float32. Usage: bench_engine_torch.py <threads> <n_saes>"""

import math
import sys
import time

import torch

threads, n_saes = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(threads)
torch.manual_seed(0)
D, L, V, T, S = 768, 12, 50257, 32, 24576
g = lambda *shape: torch.randn(*shape) * 0.05
wte, wpe = g(V, D), g(1024, D)
blocks = [dict(attn=g(D, 3 * D), ab=torch.zeros(3 * D), proj=g(D, D), pb=torch.zeros(D),
               fc=g(D, 4 * D), fb=torch.zeros(4 * D), out=g(4 * D, D), ob=torch.zeros(D)) for _ in range(L)]
ones, zeros = torch.ones(D), torch.zeros(D)
saes = [(g(D, S), torch.zeros(S), torch.zeros(D)) for _ in range(n_saes)]


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def search(ids):
    x = wte[ids] + wpe[: len(ids)]
    resid = [x]
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    for b in blocks:
        a = torch.nn.functional.layer_norm(x, (D,), ones, zeros)
        q, k, v = (a @ b["attn"] + b["ab"]).split(D, -1)
        q, k, v = (t.reshape(T, 12, 64).transpose(0, 1) for t in (q, k, v))
        att = torch.softmax(torch.where(mask, q @ k.transpose(-1, -2) / 8.0, torch.tensor(-1e30)), -1)
        x = x + (att @ v).transpose(0, 1).reshape(T, D) @ b["proj"] + b["pb"]
        m = torch.nn.functional.layer_norm(x, (D,), ones, zeros)
        x = x + gelu_new(m @ b["fc"] + b["fb"]) @ b["out"] + b["ob"]
        resid.append(x)
    out = []
    for i, (w_enc, b_enc, b_dec) in enumerate(saes):
        acts = torch.relu((resid[i] - b_dec) @ w_enc + b_enc)
        acts[0] = 0
        out.append(torch.topk(acts.max(0).values, 25))
    return out


ids = torch.arange(T) + 100
with torch.no_grad():
    search(ids)
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        search(ids)
        runs.append((time.perf_counter() - t0) * 1000)
print(f"pytorch {torch.__version__} ({threads} thread(s)): search-all 32 tokens x {n_saes} SAEs: {sorted(runs)[1]:.0f} ms median of 3")
