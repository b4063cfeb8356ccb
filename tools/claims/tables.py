#!/usr/bin/env python3
"""The five tables of docs/how-it-works.md from the runs of tools/claims/run.sh.

usage: tables.py OUT GPT_STEPS MT_STEPS   (OUT holds gpt-VARIANT-SEED/ and mt-VARIANT-SEED/ folders)

Figures are the mean of the seeds found, with their range (min–max). Validation loss is the last evaluation's
(teacher-forced cross-entropy, nats per token); tokens/s are the trainer's own (evaluations excluded).
"""
import json
import math
import re
import sys
from pathlib import Path

SEEDS = (1, 2, 3)


def last_log(run):
    return json.loads((run / "log.jsonl").read_text().strip().splitlines()[-1])


def runs(out, kind, name):
    """The finished runs of a variant: their last evaluation is the one the step limit ended training with."""
    found = [out / f"{kind}-{name}-{s}" for s in SEEDS]
    return [r for r in found if (r / "log.jsonl").exists() and last_log(r).get("stopped_by") == "steps"]


def config(run):
    checkpoint = run / "best" if (run / "best").exists() else run / "last"
    name = "config.json" if (checkpoint / "config.json").exists() else "translator_config.json"
    return json.loads((checkpoint / name).read_text())


def parameters(run):
    return int(re.search(r"model: ([\d,]+) parameters", (run / "train.err").read_text()).group(1).replace(",", ""))


def unused_parameters(run, kind):
    """Parameter-free attention leaves W_q, W_k, W_v (and a translator's cross-attention q, kv) without use."""
    c = config(run)
    if kind == "gpt":
        width, bias = c["n_embd"], c.get("sharpformer_bias", True)
        return c["n_layer"] * (3 * width * width + (3 * width if bias else 0))
    width, bias = c["n_embd"], c.get("bias", True)
    per = 3 * width * width + (3 * width if bias else 0)
    return (c["encoder_layers"] + 2 * c["decoder_layers"]) * per


def tokens_per_second(run, kind):
    err = (run / "train.err").read_text()
    if kind == "gpt":   # one line per (resumed) part: "K steps in X s of training (Y tokens/s; …)"
        parts = [(float(x), float(y.replace(",", ""))) for x, y in re.findall(r"steps in ([\d.]+) s of training \(([\d,]+) tokens/s", err)]
        seconds = sum(x for x, _ in parts)
        return sum(x * y for x, y in parts) / seconds if seconds else float("nan")
    # One line per (resumed) part: "…; K steps at Y target tokens/s …"; a part of 0 steps has no speed. Steps weigh
    # the parts (their batches hold about the same tokens), so the figure is the parts' tokens over their seconds.
    parts = [(int(k.replace(",", "")), float(y.replace(",", ""))) for k, y in re.findall(r"([\d,]+) steps at ([\d,]+) target tokens/s", err)]
    parts = [(k, y) for k, y in parts if k > 0 and y > 0]
    return sum(k for k, _ in parts) / sum(k / y for k, y in parts) if parts else float("nan")


def stat(values, digits):
    if not values:
        return "—"
    mean = sum(values) / len(values)
    text = f"{mean:,.{digits}f}"
    if len(values) > 1:
        text += f" ({min(values):,.{digits}f}–{max(values):,.{digits}f})"
    return text


def row(out, kind, name, unused=False):
    found = runs(out, kind, name)
    if not found:
        return None
    params = [parameters(r) - (unused_parameters(r, kind) if unused else 0) for r in found]
    logs = [last_log(r) for r in found]
    return {
        "seeds": len(found),
        "params": f"{params[0]:,}",
        "loss": stat([l["val_loss"] for l in logs], 4),
        "bleu": stat([l["bleu"] for l in logs], 1) if kind == "mt" else "",
        "speed": stat([tokens_per_second(r, kind) for r in found], 0),
    }


def table(header, lines, numbers=True):
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" if i == 0 or not numbers else "---:" for i in range(len(header))) + "|")
    for line in lines:
        print("| " + " | ".join(line) + " |")
    print()


def variant_table(out, variants):
    lines = []
    for label, name, unused in variants:
        for kind, corpus in (("gpt", "tinyshakespeare"), ("mt", "en→ru")):
            r = row(out, kind, name, unused)
            if r:
                lines.append([f"{label}, {corpus}", r["params"], r["loss"], r["bleu"] or "—", r["speed"], str(r["seeds"])])
    table(["variant, corpus", "parameters (used)", "val loss", "BLEU", "tokens/s (1 thread)", "seeds"], lines)


def heads_mean(explanation, stack, kind):
    """Per layer of the stack: the mean over heads of the mean row entropy and of the mean largest weight."""
    s = next(x for x in explanation["stacks"] if x["name"] == stack)
    result = []
    for layer in s["layers"]:
        a = next(x for x in layer["attention"] if x["kind"] == kind)
        result.append((sum(h["entropy"] for h in a["heads"]) / len(a["heads"]), sum(h["max_weight"] for h in a["heads"]) / len(a["heads"])))
    return result


def stops(steps):
    """Where run.sh stops the full-attention runs for explain: 0, ¼, ½, ¾ and the end."""
    return (0, steps // 4, steps // 2, 3 * steps // 4, steps)


def cell(per_seed, layer):
    """'entropy / largest weight' of one layer, the mean of the seeds' (each already the mean of the heads)."""
    return f"{sum(p[layer][0] for p in per_seed) / len(per_seed):.2f} / {sum(p[layer][1] for p in per_seed) / len(per_seed):.2f}"


def explained(found, step):
    """The explain --json of each run at a step (explain-STEP.json), where it was written."""
    return [json.loads((r / f"explain-{step}.json").read_text()) for r in found if (r / f"explain-{step}.json").exists()]


def gpt_peakedness(out, gpt_steps):
    full = runs(out, "gpt", "full")
    if not full:
        return
    probe = json.loads((full[0] / f"explain-0.json").read_text())
    t = len(probe["stacks"][0]["tokens"])
    uniform = sum(math.log(i + 1) for i in range(t)) / t
    layers = len(probe["stacks"][0]["layers"])
    print(f"GPT, full attention, the {t}-token probe (a causal row that spreads evenly: mean entropy {uniform:.2f} nats); "
          "entropy in nats / mean largest weight, mean of the seeds:\n")
    lines = []
    for stop in stops(gpt_steps):
        per_seed = [heads_mean(e, "decoder", "self") for e in explained(full, stop)]
        if per_seed:
            lines.append([f"step {stop}"] + [cell(per_seed, l) for l in range(layers)])
    for name in ("parameter-free", "merged-qk"):
        per_seed = [heads_mean(e, "decoder", "self") for e in explained(runs(out, "gpt", name), gpt_steps)]
        if per_seed:
            lines.append([f"{name}, step {gpt_steps}"] + [cell(per_seed, l) for l in range(layers)])
    table(["checkpoint"] + [f"layer {l}" for l in range(layers)], lines)


# The translator's attentions: (stack in explain --json, attention kind, column label).
TRANSLATOR_ATTENTION = (("encoder", "self", "encoder self"), ("decoder", "self", "decoder self"), ("decoder", "cross", "cross"))


def mt_cells(explanations):
    """Per attention of TRANSLATOR_ATTENTION and per layer of its stack: the seeds' mean entropy / largest weight."""
    cells = []
    for stack, kind, _ in TRANSLATOR_ATTENTION:
        per_seed = [heads_mean(e, stack, kind) for e in explanations]
        cells += [cell(per_seed, l) for l in range(len(per_seed[0]))]
    return cells


def mt_peakedness(out, mt_steps):
    full = runs(out, "mt", "full")
    first = explained(full, 0)
    if not first:
        return
    stacks = {s["name"]: s for s in first[0]["stacks"]}
    s, t = len(stacks["encoder"]["tokens"]), len(stacks["decoder"]["tokens"])
    spread = sum(math.log(i + 1) for i in range(t)) / t
    print(f"Translator, the first validation pair ({s} source tokens; its reference, {t} tokens, as the target prefix). "
          f"Rows that spread evenly: {math.log(s):.2f} nats over the source (encoder self, cross), {spread:.2f} in the causal decoder self-attention; "
          "entropy in nats / mean largest weight, mean of the seeds:\n")
    header = ["checkpoint"] + [f"{label}, layer {l}" for stack, _, label in TRANSLATOR_ATTENTION for l in range(len(stacks[stack]["layers"]))]
    lines = []
    for stop in stops(mt_steps):
        explanations = explained(full, stop)
        if explanations:
            lines.append([f"step {stop}"] + mt_cells(explanations))
    for name in ("parameter-free", "merged-qk"):
        explanations = [json.loads((r / "explain.json").read_text()) for r in runs(out, "mt", name) if (r / "explain.json").exists()]
        if explanations:
            lines.append([f"{name}, step {mt_steps}"] + mt_cells(explanations))
    table(header, lines)


def peakedness(out, gpt_steps, mt_steps):
    gpt_peakedness(out, gpt_steps)
    mt_peakedness(out, mt_steps)


def neurons(out):
    files = sorted((out / "neurons").glob("explain-*.json"))
    if not files:
        return
    hits = {}   # (layer, neuron) -> [(activation, context, promotes)]
    for f in files:
        e = json.loads(f.read_text())
        s = e["stacks"][0]
        text = [t["text"] for t in s["tokens"]]
        for layer in s["layers"]:
            for n in layer["neurons"]:
                p = n["position"]
                context = "".join(text[max(0, p - 14):p]) + "[" + text[p] + "]"
                hits.setdefault((layer["layer"], n["neuron"]), []).append((n["activation"], context, [x["text"] for x in n["promotes"]]))
    layers = sorted({l for l, _ in hits})
    lines = []
    for layer in (layers[0], layers[-1]):
        strongest = sorted((k for k in hits if k[0] == layer), key=lambda k: -max(a for a, _, _ in hits[k]))[:3]
        for k in strongest:
            top = sorted(hits[k], key=lambda h: -h[0])[:3]
            contexts = "<br>".join(f"`{c}` {a:.2f}" for a, c, _ in top)
            lines.append([f"layer {layer}, neuron {k[1]}", contexts, " ".join(f"`{t}`" for t in top[0][2])])
    print(f"GPT gpt-full-1, {len(files)} windows of 60 characters of the validation text; the windows where each neuron fired "
          "most (the firing character in brackets, · a space, ⏎ a line break), and the tokens its output raises most:\n")
    table(["neuron", "contexts (activation)", "promotes"], lines, numbers=False)


def main():
    out, gpt_steps, mt_steps = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    print(f"GPT: shakespeare-cpu, {gpt_steps} steps; translator: demo, {mt_steps} steps; seeds {', '.join(map(str, SEEDS))}.\n")
    print("Table 1: parameter-free attention against learned Q, K, V\n")
    variant_table(out, [("full", "full", False), ("parameter-free", "parameter-free", True)])
    print("Table 2: the feed-forward nonlinearity\n")
    variant_table(out, [("gelu (gelu_exact in the GPT)", "full", False), ("relu", "relu", False), ("identity", "identity", False),
                        ("none (no block)", "none", False)])
    print("Table 3: one merged W_q·W_kᵀ per head against separate W_q, W_k\n")
    variant_table(out, [("separate W_q, W_k", "full", False), ("merged-qk", "merged-qk", False)])
    print("Table 4: how peaked the rows of W become\n")
    peakedness(out, gpt_steps, mt_steps)
    print("Table 5: feed-forward neurons as a pattern memory\n")
    neurons(out)


if __name__ == "__main__":
    main()
