// Turning a user's --device choice into a Device.
//   "cpu"  -> CPU
//   "cuda" -> CUDA, or an error saying why there is none
//   "auto" -> CUDA when a device answers, else CPU with one line on stderr saying why
#pragma once
#include <string>

#include "kernels/core/dtype.h"

namespace gsn {

Device resolve_device(const std::string& choice);

}  // namespace gsn
