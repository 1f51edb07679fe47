// The conv layer shapes of the GSN presets (docs/gsn.md), shared by bench/ops_conv.cpp (CPU)
// and bench/ops_conv.cu (CUDA). The encoder runs on 2B = 32 images (B = 16 pairs); the
// fusion convs and the attention convs run on B = 16.
//   stem CDC(3->c0) at full resolution; block l: CDC(in->c1), CDC(c1->c2), CDC(c2->cb),
//   then max pool /2; block 1 input c0 at full res, block 2 cb at /2, block 3 cb at /4;
//   fusion CDC(9cb->cf), CDC(cf->cf/2) at /8; attention 2->1, k = 7, 5, 3 at /2, /4, /8.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace gsn::bench {

struct ConvLayer {
  std::string name;  // "tiny.b1.c2"
  int64_t N, C, H, O;
  int k;
  bool cdc;  // a CDC layer (3x3, pad 1); otherwise the attention conv (pad k/2)
};

inline std::vector<ConvLayer> gsn_conv_layers(const std::string& preset) {
  const bool tiny = preset == "tiny";
  const int64_t c0 = tiny ? 16 : 64, c1 = tiny ? 32 : 128, c2 = tiny ? 48 : 196, cb = tiny ? 32 : 128,
                cf = tiny ? 64 : 128, R = tiny ? 64 : 192, N = 32, B = 16;
  std::vector<ConvLayer> L;
  L.push_back({preset + ".stem", N, 3, R, c0, 3, true});
  const int64_t in[3] = {c0, cb, cb};
  for (int l = 0; l < 3; ++l) {
    const int64_t r = R >> l;
    const std::string p = preset + ".b" + std::to_string(l + 1);
    L.push_back({p + ".c1", N, in[l], r, c1, 3, true});
    L.push_back({p + ".c2", N, c1, r, c2, 3, true});
    L.push_back({p + ".c3", N, c2, r, cb, 3, true});
  }
  L.push_back({preset + ".fuse1", B, 9 * cb, R / 8, cf, 3, true});
  L.push_back({preset + ".fuse2", B, cf, R / 8, cf / 2, 3, true});
  const int ks[3] = {7, 5, 3};
  for (int l = 0; l < 3; ++l) L.push_back({preset + ".attn" + std::to_string(l + 1), B, 2, R >> (l + 1), 1, ks[l], false});
  return L;
}

}  // namespace gsn::bench
