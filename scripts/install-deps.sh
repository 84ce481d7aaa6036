#!/usr/bin/env bash
# Installs every Debian package lazystack needs to build, test and run. Idempotent: packages
# already present are skipped, so a second run costs one dpkg query. Apt only (see DESIGN.md 11).
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libtorch-dev libopenblas0-openmp          # LibTorch; OpenBLAS or Linear layers run 5-40x slower
  libopencv-dev                             # image IO, ml learners, dnn
  libhdf5-dev                               # logit cache (C++ API)
  libfmt-dev libyaml-cpp-dev libcli11-dev nlohmann-json3-dev
  libxgboost-dev                            # tabular gradient boosting
  libgtest-dev libbenchmark-dev
  gnuplot-nox                               # figures
  python3-h5py                              # tests: cache files must read in h5py
  python3-onnx                              # tests: ONNX fixtures (tests/zoo/fixtures)
  dataset-fashion-mnist opencv-doc          # offline data
  python3-sklearn                           # offline data: scikit-learn's iris, wine, ... CSVs
  chromium chromium-driver                  # tests: the results site in headless Chromium (WebDriver)
  zlib1g-dev
  clang libclang-rt-14-dev                  # make fuzz: libFuzzer, ASan, UBSan
  slurmctld slurmd slurm-client munge       # --executor slurm; tests: scripts/slurm-local.sh cluster
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} Debian packages present"
  exit 0
fi

echo "install-deps: installing ${#missing[@]} missing Debian package(s): ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "install-deps: error: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get update -qq; then
  echo "install-deps: error: 'apt-get update' failed; is a Debian mirror reachable?" >&2
  exit 1
fi
if ! $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/lazystack-apt.log 2>&1; then
  echo "install-deps: error: 'apt-get install' failed; last lines of /tmp/lazystack-apt.log:" >&2
  tail -n 20 /tmp/lazystack-apt.log >&2
  exit 1
fi
echo "install-deps: done"
