// Stand-in for the CUDA runtime header: the emulation's subset (tests/cuda_emu/emu_cuda.h),
// so the emulated .cu files build without the CUDA toolkit. With GSN_EMU_FAKE_DEVICE (the
// backend_alloc_test target only) also a fake device for the real backend_cuda.cu.
#pragma once
#include "tests/cuda_emu/emu_cuda.h"
#ifdef GSN_EMU_FAKE_DEVICE
#include "tests/cuda_emu/fake_device.h"
#endif
