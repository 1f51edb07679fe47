// Square windows cut out of an image into a batch tensor's row, optionally mirrored.
// A pair's ref and dist are always cut with the same CropWindow, so the model compares
// the same pixels.
#pragma once
#include <vector>

#include "data/image.h"

namespace gsn::data {

struct CropWindow {
  int x = 0;  // top-left corner
  int y = 0;
  int size = 0;
  bool flip = false;  // mirror left-right
};

// Writes the window's 3 x size x size floats (CHW) to out; throws when it does not fit.
void copy_crop(const Image& image, const CropWindow& window, float* out);

// The fixed evaluation crops: centre, then top-left, top-right, bottom-left, bottom-right.
// Throws (naming the image size) when the image is smaller than `size`.
std::vector<CropWindow> five_crops(int width, int height, int size);

}  // namespace gsn::data
