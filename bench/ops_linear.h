// The GEMM shapes gsn trains with, shared by bench/ops_linear.cpp (CPU) and
// bench/ops_linear.cu (CUDA). Names: "<preset>.<layer>.<pass>".
//
// Conv layers as implicit GEMMs (3x3, Cin -> Cout, output H x W, `imgs` images):
//   fwd  Y[Cout, imgs*H*W]  = W[Cout, Cin*9] col[Cin*9, imgs*H*W]     NN  M=Cout      N=imgs*H*W  K=Cin*9
//   dw   dW[Cout, Cin*9]    = dY[Cout, imgs*H*W] col^T                NT  M=Cout      N=Cin*9     K=imgs*H*W
//   dx   dcol[Cin*9, imgs*H*W] = W^T dY                               TN  M=Cin*9     N=imgs*H*W  K=Cout
// The head's Linear layers: y[B, out] = x[B, in] w[out, in]^T        NT  M=B         N=out       K=in
//
// Presets (docs/gsn.md): tiny c0,c1,c2,cb,cf = 16,32,48,32,64 on 64x64 crops; paper
// 64,128,196,128,128 on 192x192 crops; B = 16 pairs, so the encoder sees 2B = 32 images
// and the fusion convs (after the siamese difference) B = 16. Spatial size: stem and
// block 1 at full resolution, block 2 at /2, block 3 at /4, fusion at /8.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace gsn::bench {

struct GemmShape {
  std::string name;
  bool ta, tb;
  int64_t M, N, K;
  bool cpu;  // also timed on the CPU (2 cores here: the big paper layers would take minutes)
  double flops() const { return 2.0 * static_cast<double>(M) * static_cast<double>(N) * static_cast<double>(K); }
  std::string label() const {
    return std::string(ta ? "T" : "N") + (tb ? "T" : "N") + " M=" + std::to_string(M) + " N=" + std::to_string(N) +
           " K=" + std::to_string(K);
  }
};

inline std::vector<GemmShape> gemm_shapes() {
  constexpr int64_t kTinyImgs = 32, kPaperImgs = 32, kB = 16;
  const int64_t t64 = kTinyImgs * 64 * 64, t16 = kTinyImgs * 16 * 16, tf = kB * 8 * 8;
  const int64_t p192 = kPaperImgs * 192 * 192, p96 = kPaperImgs * 96 * 96, p48 = kPaperImgs * 48 * 48,
                pf = kB * 24 * 24;
  return {
      // tiny preset (the CPU trains it)
      {"tiny.stem.fwd", false, false, 16, t64, 3 * 9, true},
      {"tiny.block1.conv2.fwd", false, false, 48, t64, 32 * 9, true},
      {"tiny.block1.conv2.dw", false, true, 48, 32 * 9, t64, true},
      {"tiny.block1.conv2.dx", true, false, 32 * 9, t64, 48, true},
      {"tiny.block3.conv2.fwd", false, false, 48, t16, 32 * 9, true},
      {"tiny.fuse.conv1.fwd", false, false, 64, tf, 9 * 32 * 9, true},
      {"tiny.fuse.conv2.fwd", false, false, 32, tf, 64 * 9, true},
      {"tiny.head.fc1", false, true, kB, 16, 32, true},
      {"tiny.head.fc2", false, true, kB, 1, 16, true},
      // paper preset (the GPU trains it)
      {"paper.stem.fwd", false, false, 64, p192, 3 * 9, false},
      {"paper.block1.conv2.fwd", false, false, 196, p192, 128 * 9, false},
      {"paper.block2.conv2.fwd", false, false, 196, p96, 128 * 9, false},
      {"paper.block2.conv2.dw", false, true, 196, 128 * 9, p96, false},
      {"paper.block2.conv2.dx", true, false, 128 * 9, p96, 196, false},
      {"paper.block3.conv2.fwd", false, false, 196, p48, 128 * 9, false},
      {"paper.fuse.conv1.fwd", false, false, 128, pf, 9 * 128 * 9, false},
      {"paper.fuse.conv2.fwd", false, false, 64, pf, 128 * 9, true},
      {"paper.head.fc1", false, true, kB, 32, 64, true},
      {"paper.head.fc2", false, true, kB, 1, 32, true},
  };
}

}  // namespace gsn::bench
