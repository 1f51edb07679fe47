#include "kernels/core/parallel.h"

#include <omp.h>

namespace gsn {

void set_num_threads(int n) {
  static const int default_threads = omp_get_max_threads();
  omp_set_num_threads(n > 0 ? n : default_threads);
}
int num_threads() { return omp_get_max_threads(); }

}  // namespace gsn
