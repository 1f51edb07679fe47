// Loading a trained GSN for scoring and evaluation: the model rebuilt from the config in
// the checkpoint's metadata, its weights, and the score normalisation that maps its
// output back to the training data set's scale.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "nn/gsn_model.h"
#include "train/evaluate.h"

namespace gsn::train {

struct LoadedModel {
  std::unique_ptr<nn::GsnModel> model;
  ScoreNorm norm;
  std::string dataset;  // what it was trained on ("synthetic", "kadid", ...)
  int64_t step = 0;
  bool has_config = false;        // the metadata names the model (else preset_fallback built it)
  std::string training_options;   // gsn-train's options as JSON (TrainOptions), "" if absent
};

// preset_fallback: the preset to assume for a checkpoint without gsn metadata (weights
// trained elsewhere, saved with safetensors); "" refuses such a file.
LoadedModel load_model(const std::string& checkpoint, Device device, const std::string& preset_fallback = "");

// The number a checkpoint's metadata holds under key (the whole string must be one), or
// fallback where the key is missing (weights from elsewhere); throws naming the file and the
// key for a missing key without a fallback, or a value that is not a number.
double metadata_number(const std::map<std::string, std::string>& metadata, const char* key, const std::string& path,
                       std::optional<double> fallback = std::nullopt);

// A [1,3,H,W] tensor of an image (whole), or [n,3,c,c] of its five fixed crops.
Tensor image_tensor(const data::Image& image);
Tensor five_crop_tensor(const data::Image& image, int crop);

}  // namespace gsn::train
