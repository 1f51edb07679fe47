// Checkpoints of a Module: its parameters and buffers under their dotted names, plus any
// extra tensors (optimizer state, under "optim.") and string metadata (config, step,
// score normalisation, data set), in one safetensors file written atomically.
#pragma once
#include <map>
#include <string>

#include "nn/module.h"
#include "nn/safetensors.h"

namespace gsn::nn {

void save_checkpoint(const std::string& path, Module& model, const std::map<std::string, Tensor>& extra,
                     const std::map<std::string, std::string>& metadata);

// How many values of t are NaN or Inf, and where the first is (-1: none). load_checkpoint
// refuses a tensor with any; the trainer checks a model's with all_finite() before saving.
int64_t count_non_finite(const Tensor& t, int64_t* first = nullptr);
// Whether every parameter and buffer of the model is finite.
bool all_finite(Module& model);

// Loads the model's tensors in place (on the model's device) and returns the rest of the
// file: the extra tensors and the metadata. Refuses, naming the file and the tensor, a
// checkpoint that lacks one of the model's tensors, has one of another shape, or has
// model-like tensors the model does not know (a different architecture).
SafetensorsFile load_checkpoint(const std::string& path, Module& model);
// The same for a file already read (to look at its metadata first); path names it in errors.
SafetensorsFile load_checkpoint(SafetensorsFile file, const std::string& path, Module& model);

}  // namespace gsn::nn
