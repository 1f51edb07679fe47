// The device layer of a CPU-only build (GSN_CUDA=OFF or no nvcc): CUDA is never available
// and every device call says so. Compiled only when the CUDA backend is not built.
#include "kernels/core/backend.h"
#include "kernels/core/error.h"

namespace gsn {

bool cuda_built() { return false; }
bool cuda_available() { return false; }
std::string cuda_status() { return "built without CUDA (GSN_CUDA=OFF or no nvcc at configure time)"; }

#define GSN_NO_CUDA() GSN_THROW("this gsn build has no CUDA backend (rebuild with -DGSN_CUDA=ON)")
void* cuda_malloc(std::size_t) { GSN_NO_CUDA(); }
void cuda_free(void*, std::size_t) { GSN_NO_CUDA(); }
void cuda_empty_cache() {}
CudaMemoryStats cuda_memory_stats() { return {}; }
void cuda_reset_peak() {}
void cuda_copy_h2d(void*, const void*, std::size_t) { GSN_NO_CUDA(); }
void cuda_copy_d2h(void*, const void*, std::size_t) { GSN_NO_CUDA(); }
void cuda_copy_d2d(void*, const void*, std::size_t) { GSN_NO_CUDA(); }
void cuda_memset(void*, int, std::size_t) { GSN_NO_CUDA(); }
void cuda_fill_f32(void*, std::size_t, float) { GSN_NO_CUDA(); }
void cuda_synchronize() {}

}  // namespace gsn
