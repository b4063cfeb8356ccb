#!/usr/bin/env bash
# The claims of docs/how-it-works.md as experiments. Trains every variant for the same number of steps with seeds
# 1, 2, 3 on tinyshakespeare (preset shakespeare-cpu) and on the built-in en→ru corpus (preset demo), records how
# peaked full attention's rows are at five points of the GPT and translator runs, reads feed-forward neurons of the trained GPT,
# and prints the five tables (tools/claims/tables.py). The GPT runs and the translator runs go side by side, one
# kernel thread each.
#
#   tools/claims/run.sh [--gpt-steps 2000] [--mt-steps 1500] [--out runs/claims] [--data DIR] [--only gpt|mt]
set -euo pipefail

gpt_steps=2000 mt_steps=1500 out=runs/claims data=../shared/data only=
while [[ $# -gt 0 ]]; do
  case $1 in
    --gpt-steps) gpt_steps=$2; shift 2 ;;
    --mt-steps) mt_steps=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    *) echo "run.sh: unknown option $1 (expected --gpt-steps, --mt-steps, --out, --data or --only)" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)
sf=${SHARPFORMER:-$here/../../src/Sharpformer.Cli/bin/Release/net10.0/sharpformer}
text=$data/tinyshakespeare/input.txt
[[ -x $sf ]] || { echo "run.sh: $sf is not built (dotnet build -c Release)" >&2; exit 2; }
[[ -f $text ]] || { echo "run.sh: $text is missing (--data names the folder that holds tinyshakespeare/)" >&2; exit 2; }
mkdir -p "$out"
# 60 characters of the validation part (the last 10% of the text): the probe whose attention rows are measured.
probe=$({ tail -c 3000 "$text" || true; } | head -c 60)
printf '%s' "$probe" > "$out/probe.txt"

gpt() {   # name, extra options…: one GPT run of gpt_steps; full attention stops at 0, ¼, ½, ¾ and the end for explain
  # train prints its closing lines (steps, seconds, tokens/s) on standard output: they go to train.err with the progress.
  local name=$1; shift
  for s in 1 2 3; do
    local dir=$out/gpt-$name-$s
    rm -rf "$dir"; mkdir -p "$dir"
    if [[ $name == full ]]; then
      local first=1
      for stop in 0 $((gpt_steps / 4)) $((gpt_steps / 2)) $((3 * gpt_steps / 4)) "$gpt_steps"; do
        if [[ $first == 1 ]]; then
          "$sf" train --threads 1 --data "$text" --config shakespeare-cpu --steps "$gpt_steps" --seed "$s" --out "$dir" --stop-at "$stop" "$@" >> "$dir/train.err" 2>&1
          first=0
        else
          "$sf" train --threads 1 --data "$text" --out "$dir" --resume --stop-at "$stop" >> "$dir/train.err" 2>&1
        fi
        "$sf" explain --threads 1 --model "$dir/last" --text="$probe" --json > "$dir/explain-$stop.json"
      done
    else
      "$sf" train --threads 1 --data "$text" --config shakespeare-cpu --steps "$gpt_steps" --seed "$s" --out "$dir" "$@" > "$dir/train.err" 2>&1
      "$sf" explain --threads 1 --model "$dir/last" --text="$probe" --json > "$dir/explain-$gpt_steps.json"
    fi
    echo "$(date -u +%H:%M:%S) gpt $name seed $s done" >&2
  done
}

mt() {    # name, extra options…: one translator run of mt_steps on the built-in corpus; full attention stops as the GPT's
  local name=$1; shift
  # The first validation pair: the source, and its reference as the target prefix.
  local source target
  source=$(head -n 1 "$out/enru/valid.tsv" | cut -f 1)
  target=$(head -n 1 "$out/enru/valid.tsv" | cut -f 2)
  for s in 1 2 3; do
    local dir=$out/mt-$name-$s
    rm -rf "$dir"; mkdir -p "$dir"
    if [[ $name == full ]]; then
      local first=1
      for stop in 0 $((mt_steps / 4)) $((mt_steps / 2)) $((3 * mt_steps / 4)) "$mt_steps"; do
        if [[ $first == 1 ]]; then
          "$sf" train-translation --threads 1 --train "$out/enru/train.tsv" --valid "$out/enru/valid.tsv" --config demo --steps "$mt_steps" \
            --time-limit 0 --eval-interval "$mt_steps" --seed "$s" --out "$dir" --stop-at "$stop" "$@" 2>> "$dir/train.err" >/dev/null
          first=0
        else
          "$sf" train-translation --threads 1 --train "$out/enru/train.tsv" --valid "$out/enru/valid.tsv" --out "$dir" --resume \
            --stop-at "$stop" 2>> "$dir/train.err" >/dev/null
        fi
        "$sf" explain --threads 1 --model "$dir/last" --text="$source" --target="$target" --json > "$dir/explain-$stop.json"
      done
      # Each stop evaluates, so best/ may be an earlier stop's: the trained model is last/ at the end.
      cp "$dir/explain-$mt_steps.json" "$dir/explain.json"
    else
      "$sf" train-translation --threads 1 --train "$out/enru/train.tsv" --valid "$out/enru/valid.tsv" --config demo --steps "$mt_steps" \
        --time-limit 0 --eval-interval "$mt_steps" --seed "$s" --out "$dir" "$@" 2> "$dir/train.err" >/dev/null
      "$sf" explain --threads 1 --model "$dir" --text="$source" --target="$target" --json > "$dir/explain.json"
    fi
    echo "$(date -u +%H:%M:%S) mt $name seed $s done" >&2
  done
}

[[ $only == mt ]] || (
  gpt full; gpt parameter-free --attention parameter-free; gpt merged-qk --attention merged-qk
  gpt relu --activation relu; gpt identity --activation identity; gpt none --activation none
  # Feed-forward neurons of the first full-attention GPT, read on 40 windows of the validation text.
  mkdir -p "$out/neurons"
  for i in $(seq 0 39); do
    { tail -c $((3000 + 64 * i)) "$text" || true; } | head -c 60 > "$out/neurons/window-$i.txt"   # tail may die of SIGPIPE once head has its 60
    "$sf" explain --threads 1 --model "$out/gpt-full-1" --text="$(cat "$out/neurons/window-$i.txt")" --json > "$out/neurons/explain-$i.json"
  done
) &
gpt_jobs=$!
[[ $only == gpt ]] || (
  "$sf" corpus builtin --out "$out/enru" > /dev/null
  mt full; mt parameter-free --attention parameter-free; mt merged-qk --attention merged-qk
  mt relu --activation relu; mt identity --activation identity; mt none --activation none
) &
mt_jobs=$!
wait $gpt_jobs $mt_jobs
python3 "$here/tables.py" "$out" "$gpt_steps" "$mt_steps"
