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
  m.model = std::make_unique<nn::GsnModel>(config, 0);
  m.model->to(device);
  SafetensorsFile rest = nn::load_checkpoint(std::move(file), checkpoint, *m.model);
  m.model->eval();
  auto meta = [&](const char* key, const std::string& dflt) {
    auto f = rest.metadata.find(key);
    return f == rest.metadata.end() ? dflt : f->second;
  };
  try {
    m.norm.mean = std::stod(meta("score_mean", "0"));
    m.norm.std = std::stod(meta("score_std", "1"));
    m.step = std::stoll(meta("step", "0"));
  } catch (const std::exception&) {
    GSN_THROW(checkpoint, ": score_mean, score_std or step in the metadata is not a number");
  }
  // Scores are q * std + mean: a zero or non-finite std (or mean) would make every score
  // the same number or NaN.
  GSN_CHECK(std::isfinite(m.norm.mean) && std::isfinite(m.norm.std) && m.norm.std > 0, checkpoint,
            ": the score normalisation in the metadata is unusable (score_mean ", m.norm.mean, ", score_std ",
            m.norm.std, "); it must be finite, with score_std > 0");
  m.dataset = meta("dataset", "unknown");
  return m;
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
