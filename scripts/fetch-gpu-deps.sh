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
# Make the tree relocatable (it is used from wherever the repository is copied to):
# - Debian's doctest CMake package hard-codes its prefix as /usr; derive it from the
#   file's own location instead, so its include directory is .deps/root/usr/include.
sed -i 's|set(_IMPORT_PREFIX "/usr")|get_filename_component(_IMPORT_PREFIX "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)|' \
  .deps/root/usr/lib/cmake/doctest/doctestTargets.cmake
# - absolute symbolic links (zlib1g-dev's libz.so -> /lib/x86_64-linux-gnu/libz.so.1...)
#   would point at the GPU machine's own files, if any: point them inside .deps/root.
while IFS= read -r link; do
  target=$(readlink "$link")
  case $target in /*) [ -e ".deps/root$target" ] && ln -sfn "$(realpath --relative-to="$(dirname "$link")" ".deps/root$target")" "$link" ;; esac
done < <(find .deps/root -type l)
echo "fetch-gpu-deps: $(du -sh .deps | cut -f1) in .deps/root from: ${pkgs[*]}"
