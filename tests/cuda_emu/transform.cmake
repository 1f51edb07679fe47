# Turns one real .cu file into C++ that g++ compiles against emu_cuda.h. Run at build
# time (tests/cuda_emu/CMakeLists.txt), so the emulated code is always the current kernel:
#   cmake -DIN=<file.cu> -DOUT=<file.cpp> -DNAME=<file.cu, for messages> -P transform.cmake
# Every rewrite keeps the line count, and the output starts with #line, so compiler
# messages and emulator failures point at the .cu lines. What it rewrites:
#   k<<<grid, block, smem, stream>>>(args)
#       -> k << ::emu::Cfg("k", THREADED, grid, block, smem, stream) >> ::emu::kernel_args(args)
#       (THREADED: k reaches __syncthreads or a warp intrinsic, see below and emu_cuda.h)
#   __shared__ [__align__(n)] T a[..], b[..];  ->  EMU_SHARED(T, a, [..]); EMU_SHARED(T, b, [..]);
#   extern __shared__ T a[];                   ->  EMU_DYN_SHARED(T, a);
#   grid_1d(                                   ->  ::emu::grid_1d(   (a driver may cap grids)
#   #pragma unroll                             ->  a comment (g++ -Wall warns on it)
# and appends the list of the file's kernels (emu::KernelList) for the coverage check.
# Anything it does not know (a launch split over lines, a __shared__ it cannot parse)
# stops the build with the file's name.
cmake_minimum_required(VERSION 3.24)
foreach(v IN ITEMS IN OUT NAME)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "transform.cmake: -D${v}=... is required")
  endif()
endforeach()
file(READ "${IN}" src)

# Which kernels run threaded: those whose code names __syncthreads or a warp intrinsic,
# directly or through a __device__ function of this file that does (to any depth). The
# file is cut at every __global__ / __device__ into regions; a function's region runs to
# the next marker, which may take in host code after it: that only adds threaded kernels.
# A kernel wrongly left serial (a barrier from a header, a lambda) fails loudly at its
# first barrier (emu_cuda.h), never silently.
set(sync_re "__syncthreads|__syncwarp|__shfl_|__ballot_sync|__any_sync|__all_sync")
set(name_re "([A-Za-z_][A-Za-z0-9_]*)[ \t\r\n]*\\(")
# A private copy where ; [ ] cannot upset CMake's lists.
string(REPLACE ";" " " text "${src}")
string(REPLACE "[" " " text "${text}")
string(REPLACE "]" " " text "${text}")
string(REGEX REPLACE "__launch_bounds__\\(([^()]|\\([^()]*\\))*\\)" "" text "${text}")
string(REGEX REPLACE "(__global__|__device__)" ";\\1" regions "${text}")
set(kernels "")
set(device_funcs "")
set(syncing "")
foreach(region IN LISTS regions)
  if(NOT region MATCHES "^__(global|device)__")
    continue()
  endif()
  string(REGEX MATCH "${name_re}" first_call "${region}")
  string(REGEX REPLACE "${name_re}" "\\1" fn "${first_call}")
  if(region MATCHES "^__global__")
    if(NOT region MATCHES "^__global__[ \t\r\n]+void[ \t\r\n]+${fn}[ \t\r\n]*\\(")
      continue()  # __global__ in a comment, not a kernel
    endif()
    list(APPEND kernels "${fn}")
    string(APPEND region_of_kernel_${fn} "${region}")
  else()
    list(APPEND device_funcs "${fn}")
    string(APPEND region_of_device_${fn} "${region}")
    if(region MATCHES "${sync_re}")
      list(APPEND syncing "${fn}")  # device functions only: a kernel cannot call a kernel
    endif()
  endif()
endforeach()
list(REMOVE_DUPLICATES kernels)
list(REMOVE_DUPLICATES device_funcs)
set(changed TRUE)
while(changed)  # device functions that call a syncing one sync too
  set(changed FALSE)
  foreach(fn IN LISTS device_funcs)
    if(fn IN_LIST syncing)
      continue()
    endif()
    foreach(s IN LISTS syncing)
      if(region_of_device_${fn} MATCHES "[^A-Za-z0-9_]${s}[ \t\r\n]*[(<]")
        list(APPEND syncing "${fn}")
        set(changed TRUE)
        break()
      endif()
    endforeach()
  endforeach()
endwhile()
set(kernel_list "")
foreach(k IN LISTS kernels)
  set(threaded_${k} 0)
  if(region_of_kernel_${k} MATCHES "${sync_re}")
    set(threaded_${k} 1)
  else()
    foreach(s IN LISTS syncing)
      if(region_of_kernel_${k} MATCHES "[^A-Za-z0-9_]${s}[ \t\r\n]*[(<]")
        set(threaded_${k} 1)
        break()
      endif()
    endforeach()
  endif()
  list(APPEND kernel_list "\"${k}\"")
endforeach()
list(JOIN kernel_list ", " kernel_list)

string(REGEX REPLACE "#pragma unroll[^\n]*" "// #pragma unroll (dropped for g++)" src "${src}")

# Launches of this file's kernels. The kernel's name (and template arguments without
# nested <>) stands right before <<<; the config and the arguments may span lines.
foreach(k IN LISTS kernels)
  string(REGEX REPLACE "([^A-Za-z0-9_])(${k})(<[^<>;]*>)<<<" "\\1\\2\\3 << ::emu::Cfg(\"\\2\", ${threaded_${k}}, " src
                       "${src}")
  string(REGEX REPLACE "([^A-Za-z0-9_])(${k})<<<" "\\1\\2 << ::emu::Cfg(\"\\2\", ${threaded_${k}}, " src "${src}")
endforeach()
string(REPLACE ">>>(" ") >> ::emu::kernel_args(" src "${src}")

# Shared memory. Emulated shared memory is 64-byte aligned, so __align__ can go. A
# declaration with several declarators is peeled one declarator at a time.
string(REGEX REPLACE "__shared__[ \t]+__align__\\([0-9]+\\)[ \t]+" "__shared__ " src "${src}")
string(REGEX REPLACE "extern[ \t]+__shared__[ \t]+([^;[]*[^;[ \t])[ \t]+([A-Za-z_][A-Za-z0-9_]*)\\[\\];"
       "EMU_DYN_SHARED(\\1, \\2);" src "${src}")
set(decl "__shared__[ \t]+([^;[]*[^;[ \t])[ \t]+([A-Za-z_][A-Za-z0-9_]*)((\\[[^];]+\\])+)")
while(src MATCHES "${decl},[ \t]*")
  string(REGEX REPLACE "${decl},[ \t]*" "EMU_SHARED(\\1, \\2, \\3); __shared__ \\1 " src "${src}")
endwhile()
string(REGEX REPLACE "${decl};" "EMU_SHARED(\\1, \\2, \\3);" src "${src}")

string(REGEX REPLACE "([^A-Za-z0-9_:.>])grid_1d\\(" "\\1::emu::grid_1d(" src "${src}")

foreach(left IN ITEMS "<<<" ">>>" "__shared__")
  string(FIND "${src}" "${left}" at)
  if(NOT at EQUAL -1)
    string(SUBSTRING "${src}" ${at} 80 context)
    message(FATAL_ERROR "transform.cmake: ${NAME}: cannot rewrite `${left}` in:\n  ${context}\n"
                        "Extend tests/cuda_emu/transform.cmake (or write the construct as the other .cu files do).")
  endif()
endforeach()

set(out "// Generated from ${NAME} by tests/cuda_emu/transform.cmake at build time. Do not edit.\n")
string(APPEND out "#include \"tests/cuda_emu/emu_cuda.h\"\n#line 1 \"${IN}\"\n${src}")
string(APPEND out "\n// The kernels of ${NAME}, for the drivers' coverage check.\n")
string(APPEND out "static const ::emu::KernelList emu_kernels_of_this_file(\"${NAME}\", {${kernel_list}});\n")
# Rewrite only on change, so an unchanged kernel does not recompile.
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
  if(old STREQUAL out)
    return()
  endif()
endif()
file(WRITE "${OUT}" "${out}")
