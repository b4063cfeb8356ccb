#!/usr/bin/env python3
"""A randomly initialised GPT-2 in the Hugging Face layout, at GPT-2 124M's shape unless told otherwise.

Writes what the hub's `gpt2` folder holds, with random weights in place of the trained ones: config.json as
transformers writes it for GPT2LMHeadModel, model.safetensors (transformers' tensor names, Conv1D matrices stored
(in, out), the h.N.attn.bias causal-mask buffers the hub's file carries), and GPT-2's vocab.json + merges.txt
(the shared data's encoder.json and vocab.bpe, which are those files). Weights are drawn as GPT-2 initialises
them: N(0, 0.02) matrices and embeddings, c_proj matrices N(0, 0.02/sqrt(2 n_layer)), zero biases, unit
LayerNorm gains. For timing and loading at full size (docs/interop.md); the parity fixture is make_gpt2_fixture.py.

    /usr/bin/python3 tools/parity/random_gpt2_folder.py OUT [--layers 12] [--heads 12] [--width 768] [--positions 1024]
        [--gpt2-bpe ../shared/data/gpt2-bpe] [--seed 0]

Needs numpy only (Debian: python3-numpy).
"""
import argparse
import json
import shutil
from pathlib import Path

import numpy as np

from safetensors_io import write_arrays

VOCAB = 50257


def tensors(layers, width, positions, seed):
    rng = np.random.default_rng(seed)

    def normal(*shape, std=0.02):
        return (rng.standard_normal(shape, dtype=np.float32) * std).astype(np.float32)

    t = {"wte.weight": normal(VOCAB, width), "wpe.weight": normal(positions, width, std=0.01)}
    causal = np.tril(np.ones((positions, positions), dtype=np.float32)).reshape(1, 1, positions, positions)
    for l in range(layers):
        h = f"h.{l}."
        for norm in ("ln_1", "ln_2"):
            t[h + norm + ".weight"] = np.ones(width, np.float32)
            t[h + norm + ".bias"] = np.zeros(width, np.float32)
        t[h + "attn.bias"] = causal
        for name, fan_in, fan_out in (("attn.c_attn", width, 3 * width), ("attn.c_proj", width, width),
                                      ("mlp.c_fc", width, 4 * width), ("mlp.c_proj", 4 * width, width)):
            std = 0.02 / np.sqrt(2 * layers) if name.endswith("c_proj") else 0.02
            t[h + name + ".weight"] = normal(fan_in, fan_out, std=std)   # Conv1D: (in, out)
            t[h + name + ".bias"] = np.zeros(fan_out, np.float32)
    t["ln_f.weight"] = np.ones(width, np.float32)
    t["ln_f.bias"] = np.zeros(width, np.float32)
    return t


def config(layers, heads, width, positions):
    return {
        "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "activation_function": "gelu_new",
        "vocab_size": VOCAB, "n_positions": positions, "n_ctx": positions, "n_embd": width,
        "n_layer": layers, "n_head": heads, "n_inner": None, "layer_norm_epsilon": 1e-05,
        "resid_pdrop": 0.1, "embd_pdrop": 0.1, "attn_pdrop": 0.1, "initializer_range": 0.02,
        "scale_attn_weights": True, "scale_attn_by_inverse_layer_idx": False, "reorder_and_upcast_attn": False,
        "bos_token_id": 50256, "eos_token_id": 50256, "use_cache": True, "torch_dtype": "float32",
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--layers", type=int, default=12)
    parser.add_argument("--heads", type=int, default=12)
    parser.add_argument("--width", type=int, default=768)
    parser.add_argument("--positions", type=int, default=1024)
    parser.add_argument("--gpt2-bpe", type=Path, default=Path(__file__).resolve().parents[3] / "shared/data/gpt2-bpe")
    parser.add_argument("--seed", type=int, default=0)
    a = parser.parse_args()
    if a.width % a.heads:
        parser.error(f"--width {a.width} is not a multiple of --heads {a.heads}")
    for name in ("encoder.json", "vocab.bpe"):
        if not (a.gpt2_bpe / name).is_file():
            parser.error(f"{a.gpt2_bpe / name} is missing (--gpt2-bpe names the folder with GPT-2's encoder.json and vocab.bpe)")
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "config.json").write_text(json.dumps(config(a.layers, a.heads, a.width, a.positions), indent=2) + "\n")
    write_arrays(a.out / "model.safetensors", tensors(a.layers, a.width, a.positions, a.seed), {"format": "pt"})
    shutil.copyfile(a.gpt2_bpe / "encoder.json", a.out / "vocab.json")
    shutil.copyfile(a.gpt2_bpe / "vocab.bpe", a.out / "merges.txt")
    size = (a.out / "model.safetensors").stat().st_size
    print(f"wrote {a.out}: {a.layers} layers, {a.heads} heads, width {a.width}, {a.positions} positions, "
          f"model.safetensors {size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
