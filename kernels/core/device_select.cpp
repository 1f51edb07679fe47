#include "kernels/core/device_select.h"

#include <cstdio>

#include "kernels/core/backend.h"
#include "kernels/core/error.h"

namespace gsn {

Device resolve_device(const std::string& choice) {
  if (choice == "cpu") return Device::CPU;
  if (choice == "cuda") {
    GSN_CHECK(cuda_available(), "--device cuda: ", cuda_status());
    return Device::CUDA;
  }
  if (choice == "auto") {
    if (cuda_available()) return Device::CUDA;
    std::fprintf(stderr, "gsn: CUDA not used: %s; running on the CPU\n", cuda_status().c_str());
    return Device::CPU;
  }
  GSN_THROW("unknown device '", choice, "' (expected cpu, cuda or auto)");
}

}  // namespace gsn
