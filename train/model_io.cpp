#include "train/model_io.h"

#include <cmath>
#include <cstring>
#include <utility>

#include "data/crop.h"
#include "nn/checkpoint.h"

namespace gsn::train {

LoadedModel load_model(const std::string& checkpoint, Device device, const std::string& preset_fallback) {
  // Read the metadata first: it says which model to build.
  SafetensorsFile file = load_safetensors(checkpoint);
  nn::GsnConfig config;
  auto it = file.metadata.find("config");
  if (it != file.metadata.end()) {
    config = nn::GsnConfig::from_json(it->second);
  } else {
    GSN_CHECK(!preset_fallback.empty(), checkpoint, ": no 'config' in the metadata (not written by gsn); pass --preset");
    config = nn::GsnConfig::from_preset(preset_fallback);
  }
  LoadedModel m;
  m.has_config = it != file.metadata.end();
  m.model = std::make_unique<nn::GsnModel>(config, 0);
  m.model->to(device);
  SafetensorsFile rest = nn::load_checkpoint(std::move(file), checkpoint, *m.model);
  m.model->eval();
  m.norm.mean = metadata_number(rest.metadata, "score_mean", checkpoint, 0.0);
  m.norm.std = metadata_number(rest.metadata, "score_std", checkpoint, 1.0);
  m.step = static_cast<int64_t>(metadata_number(rest.metadata, "step", checkpoint, 0.0));
  // Scores are q * std + mean: a zero or non-finite std (or mean) would make every score
  // the same number or NaN.
  GSN_CHECK(std::isfinite(m.norm.mean) && std::isfinite(m.norm.std) && m.norm.std > 0, checkpoint,
            ": the score normalisation in the metadata is unusable (score_mean ", m.norm.mean, ", score_std ",
            m.norm.std, "); it must be finite, with score_std > 0");
  auto dataset = rest.metadata.find("dataset");
  m.dataset = dataset == rest.metadata.end() ? "unknown" : dataset->second;
  auto options = rest.metadata.find("options");
  if (options != rest.metadata.end()) m.training_options = options->second;
  return m;
}

double metadata_number(const std::map<std::string, std::string>& metadata, const char* key, const std::string& path,
                       std::optional<double> fallback) {
  auto it = metadata.find(key);
  if (it == metadata.end()) {
    GSN_CHECK(fallback.has_value(), path, ": no '", key, "' in the checkpoint's metadata");
    return *fallback;
  }
  try {
    std::size_t used = 0;
    const double v = std::stod(it->second, &used);
    if (used == it->second.size()) return v;
  } catch (const std::exception&) {
  }
  GSN_THROW(path, ": '", key, "' in the checkpoint's metadata is not a number: '", it->second, "'");
}

Tensor image_tensor(const data::Image& image) {
  Tensor t = Tensor::empty({1, 3, image.height, image.width});
  std::memcpy(t.raw(), image.rgb.data(), image.rgb.size() * sizeof(float));
  return t;
}

Tensor five_crop_tensor(const data::Image& image, int crop) {
  std::vector<data::CropWindow> w = data::five_crops(image.width, image.height, crop);
  Tensor t = Tensor::empty({static_cast<int64_t>(w.size()), 3, crop, crop});
  const std::size_t row = static_cast<std::size_t>(3) * crop * crop;
  for (std::size_t i = 0; i < w.size(); ++i) data::copy_crop(image, w[i], t.data<float>() + i * row);
  return t;
}

}  // namespace gsn::train
