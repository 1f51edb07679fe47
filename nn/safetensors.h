// safetensors files: the checkpoint format (huggingface.co/docs/safetensors).
//
//   bytes 0..7   N, the header length, unsigned 64-bit little-endian
//   bytes 8..8+N a JSON object: {"__metadata__": {"key": "string", ...},
//                                "name": {"dtype": "F32", "shape": [..], "data_offsets": [b, e]}, ...}
//                (padded with spaces to a multiple of 8 bytes)
//   then         the tensors' raw little-endian bytes; offsets are relative to this point
//
// PyTorch (safetensors.torch.load_file) and NumPy read our files as they are. Writing goes
// to a temporary file in the same folder, is flushed to disk, then renamed over the
// target, so a crash or a full disk never leaves a half-written checkpoint behind.
#pragma once
#include <map>
#include <string>

#include "kernels/core/tensor.h"

namespace gsn {

struct SafetensorsFile {
  std::map<std::string, Tensor> tensors;  // CPU tensors, float32 or float64
  std::map<std::string, std::string> metadata;
};

// Tensors may live on any device; they are copied to the CPU to be written.
void save_safetensors(const std::string& path, const std::map<std::string, Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata);

// Throws gsn::Error naming the file (and the tensor, where one is at fault) for a missing
// or truncated file, a malformed header, an unsupported dtype, a shape that does not
// match its byte range, or byte ranges outside the file or overlapping each other.
SafetensorsFile load_safetensors(const std::string& path);

}  // namespace gsn
