#!/usr/bin/python3
"""GSN in PyTorch, the same model as gsn's (nn/gsn_model.h, docs/gsn.md), to check gsn's
scores against and to time the same training step (docs/performance.md).

Needs python3 (stdlib), torch and numpy only -- on Debian 12: apt-get install
python3-torch python3-numpy, then run with /usr/bin/python3 (a pyenv python on PATH does
not see Debian's torch). It reads gsn's safetensors checkpoints and 8/16-bit PNGs itself.

  --check CKPT --pairs DIR   score DIR/pairs.csv (as gsn-synth writes it) with the
                             checkpoint in eval mode, and compare with gsn-score's scores
                             (--gsn-scores CSV, or run --gsn-score BIN to get them)
  --bench                    time forward (model + loss), backward and the whole step
                             (forward + backward + zero_grad, no optimizer) in pairs/s for
                             tiny at 64x64 and paper at 192x192, batch 16, train mode,
                             as bench/bench_train_step.cpp does; on CUDA in float32
                             (TF32 off) unless --tf32
"""
import argparse
import csv
import json
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# nn/gsn_config.cpp's presets (the config JSON in a checkpoint overrides them).
PRESETS = {
    "tiny": dict(c0=16, c1=32, c2=48, cb=32, cf=64),
    "paper": dict(c0=64, c1=128, c2=196, cb=128, cf=128),
}
DEFAULTS = dict(theta=0.7, att_kernel=[7, 5, 3], attention=True, bn_momentum=0.1, bn_eps=1e-5,
                input_mean=[0.485, 0.456, 0.406], input_std=[0.229, 0.224, 0.225])


def preset_config(name):
    return dict(DEFAULTS, preset=name, **PRESETS[name])


# ---------------------------------------------------------------------------- the model

class CDConv2d(nn.Module):
    """Central difference conv, 3x3 pad 1, no bias: conv(x, w) - theta * conv1x1(x, sum(w)).
    form "twoconv" is CDCN's two convolutions; "folded" is gsn's one conv with the centre
    tap replaced by w_c - theta * sum(w) (the same function)."""

    form = "twoconv"

    def __init__(self, cin, cout, theta):
        super().__init__()
        self.theta = theta
        self.weight = nn.Parameter(torch.empty(cout, cin, 3, 3))
        nn.init.kaiming_normal_(self.weight, mode="fan_in", nonlinearity="relu")
        centre = torch.zeros(1, 1, 3, 3)
        centre[0, 0, 1, 1] = 1.0
        self.register_buffer("centre", centre, persistent=False)

    def forward(self, x):
        if self.theta == 0:
            return F.conv2d(x, self.weight, padding=1)
        s = self.weight.sum((2, 3), keepdim=True)
        if CDConv2d.form == "folded":
            return F.conv2d(x, self.weight - self.theta * s * self.centre, padding=1)
        return F.conv2d(x, self.weight, padding=1) - self.theta * F.conv2d(x, s)


class ConvBnRelu(nn.Module):
    def __init__(self, cin, cout, c):
        super().__init__()
        self.conv = CDConv2d(cin, cout, c["theta"])
        self.bn = nn.BatchNorm2d(cout, eps=c["bn_eps"], momentum=c["bn_momentum"])

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class SpatialAttention(nn.Module):
    def __init__(self, k):
        super().__init__()
        self.conv = nn.Conv2d(2, 1, k, padding=k // 2, bias=False)

    def forward(self, p):
        m = torch.cat([p.mean(1, keepdim=True), p.amax(1, keepdim=True)], 1)
        return p * torch.sigmoid(self.conv(m))


class GSN(nn.Module):
    def __init__(self, config):
        super().__init__()
        c = dict(DEFAULTS, **config)
        self.config = c
        self.stem = ConvBnRelu(3, c["c0"], c)
        blocks = []
        for l in range(3):
            cin = c["c0"] if l == 0 else c["cb"]
            blocks.append(nn.Sequential(ConvBnRelu(cin, c["c1"], c), ConvBnRelu(c["c1"], c["c2"], c),
                                        ConvBnRelu(c["c2"], c["cb"], c), nn.MaxPool2d(3, 2, 1)))
        self.blocks = nn.Sequential(*blocks)
        if c["attention"]:
            self.att = nn.Sequential(*[SpatialAttention(k) for k in c["att_kernel"]])
        self.fuse = nn.Sequential(ConvBnRelu(9 * c["cb"], c["cf"], c), ConvBnRelu(c["cf"], c["cf"] // 2, c))
        self.head = nn.Sequential(nn.Linear(c["cf"] // 2, c["cf"] // 4), nn.ReLU(), nn.Linear(c["cf"] // 4, 1))
        self.register_buffer("in_mean", torch.tensor(c["input_mean"], dtype=torch.float32).view(1, 3, 1, 1),
                             persistent=False)
        self.register_buffer("in_std", torch.tensor(c["input_std"], dtype=torch.float32).view(1, 3, 1, 1),
                             persistent=False)

    def forward(self, ref, dist):
        B = ref.shape[0]
        x = (torch.cat([ref, dist], 0) - self.in_mean) / self.in_std  # one siamese pass, 2B images
        h = self.stem(x)
        levels = []
        for l in range(3):
            h = self.blocks[l](h)
            fr, fd = h[:B], h[B:]
            p = torch.cat([fr, fd, fr - fd], 1)
            levels.append(self.att[l](p) if self.config["attention"] else p)
        size = levels[2].shape[-2:]
        z = torch.cat([F.adaptive_avg_pool2d(levels[0], size), F.adaptive_avg_pool2d(levels[1], size), levels[2]], 1)
        z = self.fuse(z).mean((2, 3))
        return self.head(z).reshape(B)


def gsn_loss(q, y, lam=1.0, tau=1.0):
    """losses/losses.h: mean((q-y)^2) + lambda * sum_i P_i (log P_i - log Q_i), P = softmax(y/tau),
    Q = softmax(q/tau) over the batch; the KL is a plain sum (not / B, not * tau^2)."""
    loss = ((q - y) ** 2).mean()
    if lam != 0:
        logp = F.log_softmax(y / tau, 0)
        logq = F.log_softmax(q / tau, 0)
        loss = loss + lam * (logp.exp() * (logp - logq)).sum()
    return loss


# ------------------------------------------------------------------------ file formats

def read_safetensors(path):
    """-> ({name: torch tensor}, metadata dict). Little-endian F32/F64/I64/I32 only."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {}) or {}
    dtypes = {"F32": "<f4", "F64": "<f8", "I64": "<i8", "I32": "<i4"}
    tensors = {}
    for name, info in header.items():
        if info["dtype"] not in dtypes:
            raise ValueError(f"{path}: tensor {name}: dtype {info['dtype']} not supported")
        b, e = info["data_offsets"]
        arr = np.frombuffer(data, dtype=dtypes[info["dtype"]], count=(e - b) // np.dtype(dtypes[info["dtype"]]).itemsize,
                            offset=8 + n + b).reshape(info["shape"])
        tensors[name] = torch.from_numpy(arr.astype(arr.dtype.newbyteorder("="), copy=True))
    return tensors, meta


def load_gsn(path):
    tensors, meta = read_safetensors(path)
    if "config" not in meta:
        raise ValueError(f"{path}: no 'config' in the metadata (not written by gsn-train)")
    model = GSN(json.loads(meta["config"]))
    state = {k: v.float() for k, v in tensors.items() if not k.startswith("optim.")}
    res = model.load_state_dict(state, strict=False)
    bad_missing = [k for k in res.missing_keys if not k.endswith("num_batches_tracked")]
    if bad_missing or res.unexpected_keys:
        raise ValueError(f"{path}: missing {bad_missing}, unexpected {res.unexpected_keys}")
    return model, meta


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def read_png(path):
    """8- or 16-bit gray / RGB / RGBA PNG, not interlaced -> float32 [3, H, W] in [0, 1],
    each sample v / (2^bits - 1) as gsn's reader computes it."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG")
    pos, idat, ihdr = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    w, h, depth, color, _, _, interlace = ihdr
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(color)
    if channels is None or depth not in (8, 16) or interlace:
        raise ValueError(f"{path}: only 8/16-bit gray, RGB, RGBA, non-interlaced PNGs (color {color}, depth {depth})")
    bpp = channels * depth // 8
    stride = w * bpp
    raw = zlib.decompress(b"".join(idat))
    out = np.zeros((h, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.int64)
    for y in range(h):
        ft = raw[y * (stride + 1)]
        line = np.frombuffer(raw, dtype=np.uint8, count=stride, offset=y * (stride + 1) + 1).astype(np.int64)
        if ft == 0:
            cur = line
        elif ft == 2:
            cur = (line + prev) & 255
        elif ft in (1, 3, 4):  # depend on the bytes to the left: byte by byte
            cur = line.tolist()
            up = prev.tolist()
            for i in range(stride):
                a = cur[i - bpp] if i >= bpp else 0
                if ft == 1:
                    cur[i] = (cur[i] + a) & 255
                elif ft == 3:
                    cur[i] = (cur[i] + ((a + up[i]) >> 1)) & 255
                else:
                    c = up[i - bpp] if i >= bpp else 0
                    cur[i] = (cur[i] + _paeth(a, up[i], c)) & 255
            cur = np.array(cur, dtype=np.int64)
        else:
            raise ValueError(f"{path}: bad filter type {ft}")
        out[y] = cur
        prev = cur
    if depth == 16:
        samples = out.reshape(h, w * channels, 2).astype(np.uint32)
        samples = (samples[..., 0] << 8) | samples[..., 1]
        maxv = 65535
    else:
        samples = out
        maxv = 255
    px = samples.reshape(h, w, channels)
    if channels in (1, 2):
        px = np.repeat(px[..., :1], 3, axis=2)
    else:
        px = px[..., :3]
    img = px.astype(np.float32) / np.float32(maxv)
    return np.ascontiguousarray(img.transpose(2, 0, 1))


# ---------------------------------------------------------------------------- --check

def read_pairs(pairs_csv):
    folder = os.path.dirname(os.path.abspath(pairs_csv))
    pairs = []
    with open(pairs_csv, newline="") as f:
        for i, row in enumerate(csv.reader(f)):
            if not row or (i == 0 and row[0] == "ref"):
                continue
            pairs.append(tuple(p if os.path.isabs(p) else os.path.join(folder, p) for p in row[:2]))
    return pairs


def check(args):
    model, meta = load_gsn(args.check)
    model.eval()
    s_mean, s_std = float(meta.get("score_mean", "0")), float(meta.get("score_std", "1"))
    pairs_csv = os.path.join(args.pairs, "pairs.csv") if os.path.isdir(args.pairs) else args.pairs
    pairs = read_pairs(pairs_csv)
    if args.gsn_scores:
        gsn_csv = args.gsn_scores
    else:
        # JSON: gsn-score writes its doubles there in full (its CSV has 6 significant digits)
        gsn_csv = os.path.join(tempfile.mkdtemp(prefix="torch_gsn_"), "gsn_scores.json")
        subprocess.run([args.gsn_score, "--checkpoint", args.check, "--list", pairs_csv, "--output", gsn_csv,
                        "--format", "json", "--device", "cpu"], check=True)
    if gsn_csv.endswith(".json"):
        with open(gsn_csv) as f:
            gsn = [float(p["score"]) for p in json.load(f)["pairs"]]
    else:
        with open(gsn_csv, newline="") as f:
            gsn = [float(r["score"]) for r in csv.DictReader(f)]
    if len(gsn) != len(pairs):
        sys.exit(f"{gsn_csv}: {len(gsn)} scores for {len(pairs)} pairs")
    ours = []
    with torch.no_grad():
        for ref, dist in pairs:
            a = torch.from_numpy(read_png(ref))[None]
            b = torch.from_numpy(read_png(dist))[None]
            q = model(a, b).double().mean().item()
            ours.append(q * s_std + s_mean)
    ours, gsn = np.array(ours), np.array(gsn)
    diff = np.abs(ours - gsn)
    rel = diff / np.maximum(np.abs(gsn), 1e-12)
    qdiff = diff / s_std  # in the model's standardised units
    i = int(np.argmax(diff))
    print(f"torch {torch.__version__}, {len(pairs)} pairs from {pairs_csv}, checkpoint {args.check}")
    print(f"scores: torch {ours.min():.6g}..{ours.max():.6g}, gsn {gsn.min():.6g}..{gsn.max():.6g}")
    print(f"max |score diff| {diff.max():.3g} (pair {i}: torch {ours[i]:.9g}, gsn {gsn[i]:.9g}), "
          f"mean {diff.mean():.3g}; max relative {rel.max():.3g}; max |q diff| (standardised) {qdiff.max():.3g}")
    if not gsn_csv.endswith(".json"):
        print("(gsn-score's CSV has 6 significant digits: differences in the 6th digit are its rounding)")
    ok = rel.max() <= args.rtol
    print("AGREE" if ok else f"DISAGREE (max relative difference above {args.rtol})")
    return 0 if ok else 1


# ---------------------------------------------------------------------------- --bench

def bench_one(preset, size, batch, warmup, iters, device="cpu"):
    torch.manual_seed(0)
    model = GSN(preset_config(preset)).train().to(device)
    g = torch.Generator().manual_seed(1)
    ref = torch.rand(batch, 3, size, size, generator=g).to(device)
    dist = torch.rand(batch, 3, size, size, generator=g).to(device)
    y = torch.randn(batch, generator=g).to(device)
    # CUDA runs asynchronously: wait for the device at every timing point (as gsn's
    # bench_train_step does).
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    fwd, bwd, step = [], [], []
    for it in range(warmup + iters):
        sync()
        t0 = time.perf_counter()
        loss = gsn_loss(model(ref, dist), y)
        sync()
        t1 = time.perf_counter()
        loss.backward()
        sync()
        t2 = time.perf_counter()
        model.zero_grad(set_to_none=False)  # gsn's zero_grad also zeroes in place
        sync()
        t3 = time.perf_counter()
        if it >= warmup:
            fwd.append(t1 - t0)
            bwd.append(t2 - t1)
            step.append(t3 - t0)
    return {k: statistics.median(v) for k, v in (("forward", fwd), ("backward", bwd), ("step", step))}


def bench(args):
    torch.set_num_threads(args.threads)
    CDConv2d.form = args.cdc
    # PyTorch lets cuDNN run float32 convs on TF32 tensor cores by default (10-bit
    # mantissa products); gsn computes in float32 throughout, so the like-for-like timing
    # turns TF32 off. --tf32 times PyTorch's default for comparison.
    torch.backends.cudnn.allow_tf32 = args.tf32
    torch.backends.cuda.matmul.allow_tf32 = args.tf32
    if args.device == "cuda" and not torch.cuda.is_available():
        print("torch_gsn: --device cuda, but this PyTorch sees no CUDA device", file=sys.stderr)
        return 2
    cap = [ln.strip(" -") for ln in torch.__config__.show().splitlines() if "CPU capability" in ln or "MKL-DNN" in ln]
    where = (f"CUDA {torch.cuda.get_device_name(0)}, cuDNN {torch.backends.cudnn.version()}" if args.device == "cuda"
             else f"{torch.get_num_threads()} threads")
    if args.device == "cuda":
        where += ", TF32 on (PyTorch's default)" if args.tf32 else ", TF32 off (float32 as gsn)"
    print(f"torch {torch.__version__}, {where}, CDC form {args.cdc}, batch {args.batch}; "
          f"{'; '.join(cap)}; mkldnn {torch.backends.mkldnn.is_available()}")
    runs = [("tiny", 64, args.tiny_warmup, args.tiny_iters), ("paper", 192, args.paper_warmup, args.paper_iters)]
    print("| preset | part | ms (median) | pairs/s | iterations |")
    print("|---|---|---:|---:|---:|")
    for preset, size, warmup, iters in runs:
        if args.only and preset != args.only:
            continue
        r = bench_one(preset, size, args.batch, warmup, iters, args.device)
        for part in ("forward", "backward", "step"):
            print(f"| {preset}.{size} | {part} | {r[part] * 1e3:.1f} | {args.batch / r[part]:.2f} | "
                  f"{iters} (+{warmup} warm-up) |", flush=True)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", metavar="CKPT", help="a gsn-train checkpoint (safetensors)")
    ap.add_argument("--pairs", metavar="DIR", help="a gsn-synth folder (or its pairs.csv)")
    ap.add_argument("--gsn-scores", metavar="FILE", help="gsn-score --output for the same pairs (.json or CSV)")
    ap.add_argument("--gsn-score", metavar="BIN", default="build/bin/gsn-score",
                    help="gsn-score binary to run when --gsn-scores is not given")
    ap.add_argument("--rtol", type=float, default=1e-4, help="largest relative score difference accepted")
    ap.add_argument("--bench", action="store_true")
    ap.add_argument("--only", choices=["tiny", "paper"], help="bench one preset only")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu", help="where --bench runs (cuda: the GPU machine)")
    ap.add_argument("--tf32", action="store_true",
                    help="let cuDNN and cuBLAS use TF32 (PyTorch's default for convs; off: float32 as gsn)")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--cdc", choices=["twoconv", "folded"], default="twoconv")
    ap.add_argument("--tiny-warmup", type=int, default=3)
    ap.add_argument("--tiny-iters", type=int, default=15)
    ap.add_argument("--paper-warmup", type=int, default=1)
    ap.add_argument("--paper-iters", type=int, default=3)
    args = ap.parse_args()
    if args.check:
        if not args.pairs:
            ap.error("--check needs --pairs")
        return check(args)
    if args.bench:
        return bench(args)
    ap.error("give --check CKPT --pairs DIR, or --bench")


if __name__ == "__main__":
    sys.exit(main())
