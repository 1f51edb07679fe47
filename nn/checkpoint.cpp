#include "nn/checkpoint.h"

#include <cmath>
#include <cstdint>
#include <vector>

namespace gsn::nn {

namespace {
// Extra tensors live under these prefixes; everything else must belong to the model.
bool is_extra(const std::string& name) { return name.rfind("optim.", 0) == 0 || name.rfind("extra.", 0) == 0; }
}  // namespace

void save_checkpoint(const std::string& path, Module& model, const std::map<std::string, Tensor>& extra,
                     const std::map<std::string, std::string>& metadata) {
  std::map<std::string, Tensor> all;
  for (auto& [name, v] : model.named_parameters()) all[name] = v.value();
  for (auto& [name, t] : model.named_buffers()) all[name] = *t;
  for (const auto& [name, t] : extra) {
    GSN_CHECK(is_extra(name), path, ": extra tensor '", name, "' must be named optim.* or extra.*");
    all[name] = t;
  }
  save_safetensors(path, all, metadata);
}

int64_t count_non_finite(const Tensor& t, int64_t* first) {
  int64_t bad = 0;
  if (first) *first = -1;
  const std::vector<double> values = t.to_vector<double>();
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i]) && bad++ == 0 && first) *first = static_cast<int64_t>(i);
  return bad;
}

bool all_finite(Module& model) {
  for (auto& [name, v] : model.named_parameters())
    if (count_non_finite(v.value()) > 0) return false;
  for (auto& [name, t] : model.named_buffers())
    if (count_non_finite(*t) > 0) return false;
  return true;
}

SafetensorsFile load_checkpoint(const std::string& path, Module& model) {
  return load_checkpoint(load_safetensors(path), path, model);
}

SafetensorsFile load_checkpoint(SafetensorsFile file, const std::string& path, Module& model) {
  auto take = [&](const std::string& name, Tensor& dst) {
    auto it = file.tensors.find(name);
    GSN_CHECK(it != file.tensors.end(), path, ": checkpoint has no tensor '", name, "' (another model or preset?)");
    Tensor src = it->second;
    GSN_CHECK(src.shape() == dst.shape(), path, ": tensor '", name, "' has shape ", src.shape().str(),
              ", the model expects ", dst.shape().str());
    if (src.dtype() != dst.dtype()) src = src.to(dst.dtype());
    // A NaN or Inf weight does not always show in the scores (a max pool or a BN can pass
    // over it, and then every pair scores alike): refuse it here, by name.
    int64_t first = -1;
    const int64_t bad = count_non_finite(src, &first);
    GSN_CHECK(bad == 0, path, ": tensor '", name, "' has ", bad, " NaN or Inf values of ", src.numel(), " (the first at ",
              first, "): a broken or diverged checkpoint");
    dst.copy_from(src);
    file.tensors.erase(it);
  };
  for (auto& [name, v] : model.named_parameters()) take(name, v.value_mut());
  for (auto& [name, t] : model.named_buffers()) take(name, *t);
  for (const auto& [name, t] : file.tensors)
    GSN_CHECK(is_extra(name), path, ": tensor '", name, "' is not part of this model (another architecture?)");
  return file;
}

}  // namespace gsn::nn
