// Stand-in for the CUDA runtime header: the emulation's subset (tests/cuda_emu/emu_cuda.h),
// so the emulated .cu files build without the CUDA toolkit.
#pragma once
#include "tests/cuda_emu/emu_cuda.h"
