#!/usr/bin/env bash
# horn beside its peers (Keras 3 on jax/torch/tensorflow, PyTorch eager and compiled) in one run,
# on the classic mnist_mlp / mnist_cnn / imdb_lstm workloads of ../shared/bench; prints markdown.
#   eval "$(bash ../shared/bench/setup_peers.sh)"    # once per machine: the peers' venvs
#   bash benchmarks/run_peers.sh > benchmarks/results.md
# horn runs in PY_MODULE (default: python3, where `pip install .` put it).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bench=${HORN_BENCH:-$here/../../shared/bench}
MODULE=horn PY_MODULE=${PY_MODULE:-$(command -v python3)} exec bash "$bench/run_all.sh"
