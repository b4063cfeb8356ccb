#!/usr/bin/env python3
"""Reference run of a small GPT-2 in plain PyTorch, for Sharpformer's parity test (llm.c's test_gpt2 in spirit).

Builds GPT-2 from a seed with transformers' tensor names and math (Conv1D weights stored (in, out), q, k, v side by
side in c_attn, tanh GELU, LayerNorm eps 1e-5, output head tied to wte), with biases and LayerNorm gains drawn at
random so that every parameter matters. Writes a Hugging Face GPT-2 folder (config.json, model.safetensors) and
reference.safetensors with the batch (ids and targets, as float32), the logits (B, T, V), the loss, every
parameter's gradient under "grad.<name>" and the losses of 10 AdamW steps on that batch.

    python3 tools/parity/make_gpt2_fixture.py OUT_DIR            # write the fixture
    python3 tools/parity/make_gpt2_fixture.py --check FIXTURE    # recompute and compare with a committed fixture

Needs only PyTorch (Debian's python3-torch 1.13) and numpy; no transformers package.
"""
import json
import math
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from safetensors_io import read_arrays as read_safetensors, write_arrays

SEED = 1337
N_LAYER, N_HEAD, N_EMBD, N_POSITIONS, VOCAB = 2, 4, 32, 64, 503
BATCH, TIME = 2, 64
# AdamW as Sharpformer's AdamWOptimizer: decay on matrices and embeddings (rank >= 2) only, eps 1e-8.
LR, BETAS, EPS, WEIGHT_DECAY, STEPS = 1e-3, (0.9, 0.95), 1e-8, 0.1, 10


def parameters(gen):
    """GPT-2's tensors in transformers' order and layout, drawn from the generator."""
    def normal(*shape, std=0.02):
        return torch.randn(*shape, generator=gen) * std

    c = N_EMBD
    p = {"wte.weight": normal(VOCAB, c), "wpe.weight": normal(N_POSITIONS, c, std=0.01)}
    for l in range(N_LAYER):
        h = f"h.{l}."
        for norm in ("ln_1", "ln_2"):
            p[h + norm + ".weight"] = 1 + normal(c, std=0.1)
            p[h + norm + ".bias"] = normal(c)
        for name, fan_in, fan_out in (("attn.c_attn", c, 3 * c), ("attn.c_proj", c, c),
                                      ("mlp.c_fc", c, 4 * c), ("mlp.c_proj", 4 * c, c)):
            p[h + name + ".weight"] = normal(fan_in, fan_out)   # Conv1D: (in, out)
            p[h + name + ".bias"] = normal(fan_out)
    p["ln_f.weight"] = 1 + normal(c, std=0.1)
    p["ln_f.bias"] = normal(c)
    return {k: v.contiguous().requires_grad_(True) for k, v in p.items()}


ACTIVATIONS = {"gelu_new": lambda x: F.gelu(x, approximate="tanh"), "gelu_pytorch_tanh": lambda x: F.gelu(x, approximate="tanh"),
               "gelu": F.gelu, "relu": F.relu}


def forward(p, ids, n_layer=N_LAYER, n_head=N_HEAD, activation="gelu_new"):
    """Logits (B, T, V) of GPT2LMHeadModel's forward pass, written out; p maps GPT-2's tensor names to tensors."""
    b, t = ids.shape
    c, nh, act = p["wte.weight"].shape[1], n_head, ACTIVATIONS[activation]
    x = p["wte.weight"][ids] + p["wpe.weight"][torch.arange(t)]                  # (B, T, C)
    causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
    for l in range(n_layer):
        h = f"h.{l}."
        a = F.layer_norm(x, (c,), p[h + "ln_1.weight"], p[h + "ln_1.bias"], eps=1e-5)
        qkv = a @ p[h + "attn.c_attn.weight"] + p[h + "attn.c_attn.bias"]       # (B, T, 3C)
        q, k, v = qkv.split(c, dim=2)
        q, k, v = (z.view(b, t, nh, c // nh).transpose(1, 2) for z in (q, k, v))  # (B, nh, T, hs)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(c // nh)
        att = att.masked_fill(~causal, float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, c)                          # (B, T, C)
        x = x + y @ p[h + "attn.c_proj.weight"] + p[h + "attn.c_proj.bias"]
        m = F.layer_norm(x, (c,), p[h + "ln_2.weight"], p[h + "ln_2.bias"], eps=1e-5)
        m = act(m @ p[h + "mlp.c_fc.weight"] + p[h + "mlp.c_fc.bias"])
        x = x + m @ p[h + "mlp.c_proj.weight"] + p[h + "mlp.c_proj.bias"]
    x = F.layer_norm(x, (c,), p["ln_f.weight"], p["ln_f.bias"], eps=1e-5)
    return x @ p["wte.weight"].T                                                 # tied head


def loss_of(p, ids, targets):
    logits = forward(p, ids)
    return logits, F.cross_entropy(logits.view(-1, VOCAB), targets.view(-1))


def run():
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    p = parameters(gen)
    initial = {k: v.detach().clone() for k, v in p.items()}
    ids = torch.randint(0, VOCAB, (BATCH, TIME), generator=gen)
    targets = torch.randint(0, VOCAB, (BATCH, TIME), generator=gen)

    logits, loss = loss_of(p, ids, targets)
    loss.backward()
    grads = {k: v.grad.detach().clone() for k, v in p.items()}

    decay = [v for v in p.values() if v.dim() >= 2]
    no_decay = [v for v in p.values() if v.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": WEIGHT_DECAY}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=LR, betas=BETAS, eps=EPS)
    losses = []
    for _ in range(STEPS):
        opt.zero_grad(set_to_none=True)
        _, step_loss = loss_of(p, ids, targets)
        step_loss.backward()
        opt.step()
        losses.append(step_loss.item())

    reference = {"ids": ids.float(), "targets": targets.float(), "logits": logits.detach(), "loss": loss.detach().reshape(1),
                 "losses": torch.tensor(losses)}
    reference.update({"grad." + k: g for k, g in grads.items()})
    return initial, reference


def config_json():
    """config.json as transformers writes it for GPT2LMHeadModel (no Sharpformer keys: biases on, full attention)."""
    return {
        "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "activation_function": "gelu_new",
        "vocab_size": VOCAB, "n_positions": N_POSITIONS, "n_ctx": N_POSITIONS, "n_embd": N_EMBD,
        "n_layer": N_LAYER, "n_head": N_HEAD, "n_inner": None, "layer_norm_epsilon": 1e-05,
        "resid_pdrop": 0.0, "embd_pdrop": 0.0, "attn_pdrop": 0.0, "initializer_range": 0.02,
        "scale_attn_weights": True, "scale_attn_by_inverse_layer_idx": False, "reorder_and_upcast_attn": False,
        "bos_token_id": None, "eos_token_id": None, "use_cache": True, "torch_dtype": "float32",
    }


def write_safetensors(path, tensors, metadata):
    write_arrays(path, {name: t.detach().contiguous().numpy() for name, t in tensors.items()}, metadata)


def write(out):
    out.mkdir(parents=True, exist_ok=True)
    initial, reference = run()
    (out / "config.json").write_text(json.dumps(config_json(), indent=2) + "\n")
    write_safetensors(out / "model.safetensors", initial, {"format": "pt"})
    write_safetensors(out / "reference.safetensors", reference, {"format": "sharpformer-parity"})
    print(f"wrote {out}: loss {reference['loss'].item():.6f}, 10 AdamW losses "
          + " ".join(f"{x:.6f}" for x in reference["losses"].tolist()))


def check(fixture):
    """Recomputes the fixture; the committed one must agree to fp32 summation-order noise (other CPUs, other BLAS)."""
    initial, reference = run()
    committed = {**read_safetensors(fixture / "model.safetensors"), **read_safetensors(fixture / "reference.safetensors")}
    worst = 0.0
    for name, t in {**initial, **reference}.items():
        want = committed.get(name)
        got = t.detach().numpy()
        if want is None or want.shape != got.shape:
            sys.exit(f"{fixture}: tensor {name} is missing or has another shape; regenerate the fixture")
        scale = max(float(np.abs(got).max()), 1e-30)
        worst = max(worst, float(np.abs(got - want).max()) / scale)
    if json.loads((fixture / "config.json").read_text()) != config_json():
        sys.exit(f"{fixture}/config.json differs from what the script writes; regenerate the fixture")
    if worst > 1e-4:
        sys.exit(f"{fixture}: the script no longer reproduces the fixture (worst error {worst:.2e} of a tensor's largest value)")
    print(f"{fixture}: reproduced (worst error {worst:.2e} of a tensor's largest value)")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        check(Path(sys.argv[2]))
    elif len(sys.argv) == 2:
        write(Path(sys.argv[1]))
    else:
        sys.exit(__doc__)
