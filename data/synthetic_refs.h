// Reference images made in code, for the built-in synthetic data set: no files needed.
//
// Three families, each drawn entirely from the Generator it is given (the same generator
// state gives the same image to the bit):
//   dead_leaves      random occluding discs, radii with density r^-3 on [rmin, rmax]
//                    (scale-invariant, like natural images: Lee, Mumford & Huang 2001),
//                    flat natural colours, painted front to back until every pixel is
//                    covered; sharp edges at every scale.
//   smooth_gradient  a two-colour linear ramp plus a soft colour blob and a faint
//                    low-frequency ripple: large smooth areas, where banding and blocking show.
//   texture          1/f value noise (summed octaves, amplitude proportional to wavelength)
//                    plus a few oriented sinusoidal gratings, mapped between two natural
//                    colours and modulated by a low-frequency shading field.
// "Natural colours": luma uniform in [0.06, 0.94]; chroma (JFIF Cb, Cr) normal with
// sigma 0.06, and 0.16 for one colour in six: mostly muted colours, a few saturated ones.
#pragma once
#include <cstddef>

#include "data/image.h"
#include "kernels/core/random.h"

namespace gsn::data {

enum class RefKind { DeadLeaves, Gradient, Texture };

const char* ref_kind_name(RefKind kind);  // "dead_leaves", "gradient", "texture"
// The mix the synthetic data set uses for reference k: dead leaves for k % 4 == 0 or 1,
// a gradient for 2, a texture for 3.
RefKind ref_kind_for(std::size_t k);

// rmax <= 0 means half the shorter side.
Image dead_leaves(int width, int height, Generator& gen, double rmin = 1.0, double rmax = 0.0);
Image smooth_gradient(int width, int height, Generator& gen);
Image texture(int width, int height, Generator& gen);
Image make_reference(RefKind kind, int width, int height, Generator& gen);

}  // namespace gsn::data
