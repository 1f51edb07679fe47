# Decides whether the CUDA backend is built (GSN_WITH_CUDA) and sets it up.
#   GSN_CUDA=OFF  : never; no CUDA header is included and no CUDA library is linked.
#   GSN_CUDA=ON   : always; configuring fails when nvcc is missing.
#   GSN_CUDA=AUTO : when CMake finds a CUDA compiler.
# Binaries link the CUDA runtime (cudart), never the driver library (libcuda), so a CUDA
# build starts on a machine without a GPU and falls back to the CPU.
set(GSN_WITH_CUDA OFF)
if(NOT GSN_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  if(NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
  endif()
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    set(GSN_WITH_CUDA ON)
  elseif(GSN_CUDA STREQUAL "ON")
    message(FATAL_ERROR "GSN_CUDA=ON but no CUDA compiler was found (set CMAKE_CUDA_COMPILER or PATH)")
  else()
    message(STATUS "gsn: no CUDA compiler found; building the CPU backend only")
  endif()
endif()

if(GSN_WITH_CUDA)
  if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
    set(CMAKE_CUDA_ARCHITECTURES "80;90" CACHE STRING "GPU architectures (A100: 80, H100/H200: 90)")
  endif()
  enable_language(CUDA)
  set(CMAKE_CUDA_STANDARD 17)
  set(CMAKE_CUDA_STANDARD_REQUIRED ON)
  find_package(CUDAToolkit REQUIRED)
  # cuDNN is a baseline for tests and benchmarks only; the training path never needs it.
  find_path(GSN_CUDNN_INCLUDE cudnn.h HINTS ${CUDAToolkit_INCLUDE_DIRS} $ENV{CUDNN_INCLUDE_DIR})
  find_library(GSN_CUDNN_LIBRARY NAMES cudnn libcudnn.so.9 HINTS ${CUDAToolkit_LIBRARY_DIR} ${CUDAToolkit_LIBRARY_ROOT}/lib
               $ENV{CUDNN_LIBRARY_DIR})
  if(GSN_CUDNN_INCLUDE AND GSN_CUDNN_LIBRARY)
    set(GSN_WITH_CUDNN ON)
    add_library(gsn_cudnn INTERFACE)
    target_include_directories(gsn_cudnn SYSTEM INTERFACE ${GSN_CUDNN_INCLUDE})
    target_link_libraries(gsn_cudnn INTERFACE ${GSN_CUDNN_LIBRARY})
    message(STATUS "gsn: cuDNN baseline: ${GSN_CUDNN_LIBRARY}")
  else()
    set(GSN_WITH_CUDNN OFF)
    message(STATUS "gsn: cuDNN not found; the cuDNN baselines are not built")
  endif()
endif()
