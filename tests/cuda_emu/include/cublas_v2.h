// Stand-in for cuBLAS: only the types kernels/core/cuda_check.cuh names (cuBLAS itself is
// not emulated; the kernels under test never call it).
#pragma once
#include "tests/cuda_emu/emu_cuda.h"
