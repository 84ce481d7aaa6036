#!/bin/sh
# Makes the input files of experiments/llm_routing_example.yaml: four "LLMs" answering 4-way
# multiple-choice queries, as probabilities with a dollar cost per query, imported with
# `lazystack import`. The answers come from the synthetic generator (arch synthetic on the
# synthetic dataset: seeded, correlated errors, small models over-confident); the cost of a query
# is its token count (prompt + answer, seeded, shared by all models) times each model's price.
# Usage (from the repository root, after building): scripts/make_llm_routing_example.sh
# Writes cache/llm_routing/{llm-*.h5}; then: build/cli/lazystack run experiments/llm_routing_example.yaml
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${LAZYSTACK:-$root/build/cli/lazystack}
out=$root/cache/llm_routing
mkdir -p "$out"

# 1. Answers: the synthetic generator's logits (its own cache under $out/generator).
cat >"$out/generator.yaml" <<YAML
experiment: llm_routing_generator
dataset: {name: synthetic, classes: 4, val_size: 4000, test_size: 4000, seed: 7}
cost: given
profile_repeats: 1
cache_dir: $out/generator
results_dir: $out/generator/results
zoo:
  - {name: llm-small, arch: synthetic, accuracy: 0.55, correlation: 0.6, temperature: 0.6, cost: 1}
  - {name: llm-medium, arch: synthetic, accuracy: 0.68, correlation: 0.6, temperature: 0.8, cost: 1}
  - {name: llm-large, arch: synthetic, accuracy: 0.78, correlation: 0.6, cost: 1}
  - {name: llm-frontier, arch: synthetic, accuracy: 0.86, correlation: 0.6, cost: 1}
methods:
  single: {}
YAML
LAZYSTACK_CACHE= "$bin" -q run "$out/generator.yaml" >/dev/null

# 2. Probabilities and per-query dollar costs, in the HDF5 layout `lazystack import` reads.
/usr/bin/python3 - "$out" <<'PY'
import glob, os, sys
import h5py
import numpy as np
out = sys.argv[1]
# Dollars per 1k tokens (input and output billed alike here), roughly 100x from small to frontier.
price_per_1k = {"llm-small": 0.0002, "llm-medium": 0.001, "llm-large": 0.004, "llm-frontier": 0.02}
rng = np.random.default_rng(11)
tokens = {}
for split in ("val", "test"):
    prompt = np.round(rng.lognormal(mean=np.log(300), sigma=0.6, size=4000))
    answer = rng.integers(1, 40, size=4000)
    tokens[split] = prompt + answer
for name, price in price_per_1k.items():
    (src,) = glob.glob(os.path.join(out, "generator", "logits", "synthetic", name + "-*.h5"))
    with h5py.File(src, "r") as f, h5py.File(os.path.join(out, name + "_input.h5"), "w") as g:
        for split in ("val", "test"):
            logits = f[split + "/logits"][:].astype(np.float64)
            p = np.exp(logits - logits.max(axis=1, keepdims=True))
            g[split + "/probabilities"] = p / p.sum(axis=1, keepdims=True)
            g[split + "/labels"] = f[split + "/labels"][:]
            g[split + "/costs"] = tokens[split] * price / 1000.0
PY

# 3. Import each model (probabilities + per-query costs) into a logit-cache file.
for name in llm-small llm-medium llm-large llm-frontier; do
  "$bin" -q import --name $name --h5 "$out/${name}_input.h5" --kind probabilities \
    -o "$out/$name.h5" >/dev/null
done
echo "wrote $out/llm-{small,medium,large,frontier}.h5"
