#!/usr/bin/env bash
# Installs what gsn needs to build and test, from Debian's packages.
#   As root: installs whatever is missing with apt-get (runs 'apt-get update' first).
#   Otherwise: prints the apt-get command to run, and exits 1 if anything is missing.
# The CUDA toolkit (nvcc, cuBLAS, cuDNN) is optional: with it the CUDA backend builds too.
set -euo pipefail

packages=(cmake ninja-build g++ libeigen3-dev doctest-dev libbenchmark-dev libpng-dev libjpeg-dev
          libcli11-dev nlohmann-json3-dev
          pkg-config python3)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all build dependencies are installed"
elif [ "$(id -u)" -eq 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: missing packages: ${missing[*]}"
  echo "setup: run: sudo apt-get install ${missing[*]}"
  exit 1
fi

if command -v nvcc >/dev/null 2>&1 || [ -x /usr/local/cuda/bin/nvcc ]; then
  echo "setup: CUDA toolkit found; the CUDA backend will be built"
else
  echo "setup: no CUDA toolkit (nvcc); building the CPU backend only"
fi
