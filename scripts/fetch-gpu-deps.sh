#!/usr/bin/env bash
# Prepares .deps/ (git-ignored): gsn's non-CUDA dependencies as Debian packages unpacked
# into .deps/root, for a GPU machine that has nvcc, CMake and ninja but no package
# registry. scripts/gpu-check.sh uses .deps/root when it exists; carry .deps with it.
#   bash scripts/fetch-gpu-deps.sh        (here, once; needs apt-get download)
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs=(libeigen3-dev doctest-dev libbenchmark-dev libbenchmark1debian libpng-dev libpng16-16
      zlib1g-dev zlib1g libjpeg62-turbo-dev libjpeg62-turbo libjpeg-dev libcli11-dev nlohmann-json3-dev)
rm -rf .deps
mkdir -p .deps/debs .deps/root
(cd .deps/debs && apt-get download "${pkgs[@]}" >/dev/null)
for deb in .deps/debs/*.deb; do dpkg -x "$deb" .deps/root; done
rm -rf .deps/debs .deps/root/usr/share/doc .deps/root/usr/share/man
echo "fetch-gpu-deps: $(du -sh .deps | cut -f1) in .deps/root from: ${pkgs[*]}"
