#!/usr/bin/env bash
# The main job: train GSN (tiny preset) on the built-in synthetic data on the CPU, print
# the held-out correlations next to PSNR's and SSIM's, and score one pair with the
# trained checkpoint. Takes a few minutes on two cores. Output: runs/demo/.
#   GSN_DEMO_STEPS=...  to train longer or shorter (default 300 steps)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${GSN_JOBS:-$(nproc)}
steps=${GSN_DEMO_STEPS:-300}

bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$jobs" --target gsn_app_train gsn_app_score gsn_app_synth

out=runs/demo
mkdir -p "$out"
echo "== training GSN (tiny) on the built-in synthetic data for $steps steps"
build/bin/gsn-train --data synthetic --preset tiny --steps "$steps" --batch 16 --crop 48 --lr 3e-3 \
  --eval-every 100 --device cpu --seed 1 --out "$out" --overwrite

echo "== scoring a pair the model has not seen"
build/bin/gsn-synth --out "$out/pairs" --refs 1 --size 128 --seed 999 --types jpeg,gaussian_blur --levels 1,5 --overwrite >/dev/null
build/bin/gsn-score --checkpoint "$out/best.safetensors" --ref "$out/pairs/ref-0.png" --dist "$out/pairs/ref-0_jpeg_1.png"
build/bin/gsn-score --checkpoint "$out/best.safetensors" --ref "$out/pairs/ref-0.png" --dist "$out/pairs/ref-0_jpeg_5.png"
echo "== report: $out/report.html"
