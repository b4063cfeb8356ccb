#!/usr/bin/env python3
"""Trains a Sharpformer GPT folder on in PyTorch with DistributedDataParallel, and writes it back as a GPT folder.

The path of docs/interop.md "To PyTorch, and on with its distributed training", run with plain torch (Debian's
python3-torch 1.13; no transformers package): the folder's tensors, read under GPT-2's names, become the parameters
of a module whose forward pass is make_gpt2_fixture.forward (GPT2LMHeadModel's math); WORLD processes on the CPU
(backend gloo; on GPUs it would be nccl, one process per device) each draw their own batches, DDP averages the
gradients, AdamW steps, and rank 0 writes OUT as Hugging Face's save_pretrained would (config.json, tokenizer,
model.safetensors with the "transformer." prefix), which `sharpformer generate --model OUT` reads.

    /usr/bin/python3 tools/parity/ddp_train.py MODEL_DIR TEXT OUT [--steps 50] [--world 2] [--batch 8] [--lr 3e-4] [--seed 1]

MODEL_DIR needs char_tokenizer.json (a character model: the script maps TEXT to ids itself).
"""
import argparse
import json
import os
import re
import shutil
from pathlib import Path

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP

from make_gpt2_fixture import forward
from safetensors_io import read_arrays, write_arrays


class Gpt2(torch.nn.Module):
    """GPT-2's tensors as parameters (dots in names become "__", which torch does not allow in names)."""

    def __init__(self, tensors, config):
        super().__init__()
        self.config = config
        for name, t in tensors.items():
            self.register_parameter(name.replace(".", "__"), torch.nn.Parameter(torch.from_numpy(t.copy())))

    def tensors(self):
        return {name.replace("__", "."): p for name, p in self.named_parameters()}

    def forward(self, ids):
        c = self.config
        return forward(self.tensors(), ids, c["n_layer"], c["n_head"], c["activation_function"])


def load(folder):
    config = json.loads((folder / "config.json").read_text())
    if config.get("model_type") != "gpt2":
        raise SystemExit(f"{folder}/config.json: model_type is not gpt2")
    tensors = {k.removeprefix("transformer."): v for k, v in read_arrays(folder / "model.safetensors").items()}
    # The causal-mask buffers of older transformers versions carry nothing learned.
    tensors = {k: v for k, v in tensors.items() if not re.fullmatch(r"h\.\d+\.attn\.(bias|masked_bias)", k)}
    return config, tensors


def run(rank, a, config, tensors, data):
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ.setdefault("MASTER_PORT", "29517")
    dist.init_process_group("gloo", rank=rank, world_size=a.world)
    torch.set_num_threads(1)
    model = DDP(Gpt2(tensors, config))
    optimizer = torch.optim.AdamW(model.parameters(), lr=a.lr, betas=(0.9, 0.99), weight_decay=0.1)
    gen = torch.Generator().manual_seed(a.seed * 1000 + rank)   # each rank its own batches
    t = config["n_positions"]
    for step in range(1, a.steps + 1):
        starts = torch.randint(0, len(data) - t - 1, (a.batch,), generator=gen)
        x = torch.stack([data[s:s + t] for s in starts])
        y = torch.stack([data[s + 1:s + t + 1] for s in starts])
        loss = F.cross_entropy(model(x).view(-1, config["vocab_size"]), y.view(-1))
        optimizer.zero_grad()
        loss.backward()   # DDP all-reduces (averages) the gradients across the ranks here
        optimizer.step()
        mean = loss.detach().clone()
        dist.all_reduce(mean)
        if rank == 0 and (step == 1 or step % 10 == 0 or step == a.steps):
            print(f"step {step}/{a.steps}: loss {mean.item() / a.world:.4f} (mean of {a.world} ranks)", flush=True)
    if rank == 0:
        a.out.mkdir(parents=True, exist_ok=True)
        weights = {"transformer." + k: p.detach().numpy() for k, p in model.module.tensors().items()}
        write_arrays(a.out / "model.safetensors", weights, {"format": "pt"})
        (a.out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
        shutil.copyfile(a.model / "char_tokenizer.json", a.out / "char_tokenizer.json")
        print(f"wrote {a.out}")
    dist.destroy_process_group()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("text", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--world", type=int, default=2)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--lr", type=float, default=3e-4)
    parser.add_argument("--seed", type=int, default=1)
    a = parser.parse_args()
    chars_file = a.model / "char_tokenizer.json"
    if not chars_file.is_file():
        parser.error(f"{chars_file} is missing: the script tokenizes TEXT itself, for character models only")
    alphabet = json.loads(chars_file.read_text())["chars"]
    index = {ch: i for i, ch in enumerate(alphabet)}
    text = a.text.read_text(encoding="utf-8")
    unknown = sorted(set(text) - index.keys())
    if unknown:
        parser.error(f"{a.text}: characters outside the model's alphabet: {''.join(unknown)[:20]!r}")
    data = torch.tensor([index[ch] for ch in text], dtype=torch.long)
    config, tensors = load(a.model)
    mp.spawn(run, args=(a, config, tensors, data), nprocs=a.world, join=True)


if __name__ == "__main__":
    main()
