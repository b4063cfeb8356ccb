#!/usr/bin/env python3
"""Runs a Sharpformer GPT folder (a Hugging Face GPT-2 folder) in plain PyTorch: greedy decoding from prompt ids.

    python3 tools/parity/torch_gpt2.py MODEL_DIR PROMPT        # a model with char_tokenizer.json: text in, text out
    python3 tools/parity/torch_gpt2.py MODEL_DIR --ids ID ...  # any model: ids in, ids out

Prints the prompt and 40 greedy tokens.

The forward pass is make_gpt2_fixture.forward (GPT2LMHeadModel's math under GPT-2's tensor names); the weights are
read from model.safetensors as transformers' from_pretrained would read them, "transformer." prefix or not.
"""
import json
import sys
from pathlib import Path

import torch

from make_gpt2_fixture import forward, read_safetensors


def load(folder):
    config = json.loads((folder / "config.json").read_text())
    assert config["model_type"] == "gpt2", "not a GPT-2 folder"
    tensors = read_safetensors(folder / "model.safetensors")
    p = {k.removeprefix("transformer."): torch.from_numpy(v.copy()) for k, v in tensors.items()}
    return config, p


def main():
    folder = Path(sys.argv[1])
    config, p = load(folder)
    chars = folder / "char_tokenizer.json"
    alphabet = json.loads(chars.read_text())["chars"] if chars.exists() else None
    if sys.argv[2] == "--ids":
        prompt = [int(x) for x in sys.argv[3:]]
    else:
        assert alphabet is not None, "a text prompt needs char_tokenizer.json; pass --ids otherwise"
        prompt = [alphabet.index(ch) for ch in sys.argv[2]]
    ids = torch.tensor([prompt], dtype=torch.long)
    with torch.no_grad():
        for _ in range(40):
            logits = forward(p, ids[:, -config["n_positions"]:], config["n_layer"], config["n_head"], config["activation_function"])
            ids = torch.cat([ids, logits[:, -1].argmax(-1, keepdim=True)], dim=1)
    out = ids[0].tolist()
    print("".join(alphabet[i] for i in out) if alphabet is not None and sys.argv[2] != "--ids" else " ".join(map(str, out)))


if __name__ == "__main__":
    main()
