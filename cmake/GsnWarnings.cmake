# gsn_target_defaults(target): the flags every gsn target gets.
function(gsn_target_defaults target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wno-unused-parameter>
    # GCC 12 reports -Wmaybe-uninitialized inside Eigen's AVX-512 GEMM kernels (false
    # positives from inlined system headers that no pragma in our code can reach).
    $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CXX_COMPILER_ID:GNU>>:-Wno-maybe-uninitialized>
    # ptxas warns when a kernel spills registers or uses local memory (a stack frame: an
    # array indexed at run time, a reference that may name a local); with GSN_WERROR that
    # fails the build, so a kernel change that starts spilling is caught without a GPU.
    $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-Wall,-Wextra,-Wno-unused-parameter --expt-relaxed-constexpr
                                -lineinfo -Xptxas=--warn-on-spills,--warn-on-local-memory-usage>)
  if(GSN_WERROR)  # on in scripts/test.sh, so CI fails on a new warning in gsn's code
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Werror>
                                             $<$<COMPILE_LANGUAGE:CUDA>:-Werror=all-warnings -Xcompiler=-Werror>)
  endif()
  if(GSN_NATIVE)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-march=native>
                                             $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-march=native>)
  endif()
  if(GSN_SANITIZE)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-fsanitize=${GSN_SANITIZE} -fno-omit-frame-pointer>)
    target_link_options(${target} PRIVATE -fsanitize=${GSN_SANITIZE})
  endif()
endfunction()
