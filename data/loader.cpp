#include "data/loader.h"

#include <cstring>

#include "data/crop.h"
#include "data/prefetcher.h"
#include "kernels/core/error.h"
#include "kernels/core/random.h"

namespace gsn::data {
namespace {

// SplitMix64's finaliser: neighbouring (seed, epoch, batch) give unrelated generators.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

constexpr uint64_t kOrderStream = 1;  // the epoch's shuffle
constexpr uint64_t kCropStream = 2;   // a batch's crops and flips

Generator generator_for(uint64_t seed, int64_t epoch, int64_t batch, uint64_t stream) {
  return Generator(mix(mix(mix(seed) ^ static_cast<uint64_t>(epoch)) ^ static_cast<uint64_t>(batch)), stream);
}

// The tensors of a batch of `rows` crops of `size` pixels.
Batch empty_batch(int64_t rows, int64_t height, int64_t width) {
  Batch b;
  b.ref = Tensor::empty({rows, 3, height, width});
  b.dist = Tensor::empty({rows, 3, height, width});
  b.score = Tensor::empty({rows});
  return b;
}

}  // namespace

TrainLoader::TrainLoader(const PairSource& source, std::vector<std::size_t> pairs, const LoaderOptions& options)
    : source_(source),
      pairs_(std::move(pairs)),
      options_(options),
      batches_per_epoch_(options.batch_size > 0 ? static_cast<int64_t>(pairs_.size()) / options.batch_size : 0) {
  GSN_CHECK(options.batch_size > 0 && options.crop > 0, "TrainLoader: batch size ", options.batch_size,
            " and crop ", options.crop, " must be positive");
  GSN_CHECK(options.workers >= 0, "TrainLoader: ", options.workers, " workers");
  GSN_CHECK(batches_per_epoch_ > 0, "TrainLoader: ", pairs_.size(), " pairs of ", source.name(),
            " do not fill one batch of ", options.batch_size);
  for (std::size_t p : pairs_) GSN_CHECK(p < source.size(), "TrainLoader: pair ", p, " out of range");
  GSN_CHECK(options.start_batch >= 0, "TrainLoader: start batch ", options.start_batch);
  const int64_t per_epoch = batches_per_epoch_, start = options.start_batch;
  prefetcher_ = std::make_unique<Prefetcher<Batch>>(
      [this, per_epoch, start](int64_t k) { return make_batch((start + k) / per_epoch, (start + k) % per_epoch); },
      Prefetcher<Batch>::kUnbounded, options.workers, options.prefetch);
}

TrainLoader::~TrainLoader() = default;

Batch TrainLoader::next() { return *prefetcher_->next(); }

std::vector<std::size_t> TrainLoader::epoch_order(int64_t epoch) const {
  std::vector<std::size_t> order = pairs_;
  if (!options_.shuffle) return order;
  Generator gen = generator_for(options_.seed, epoch, -1, kOrderStream);
  for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[gen.below(static_cast<uint32_t>(i))]);
  return order;
}

Batch TrainLoader::make_batch(int64_t epoch, int64_t index) const {
  const int size = options_.crop;
  const int64_t rows = options_.batch_size;
  // The whole order for one batch: a shuffle of n indices costs far less than decoding
  // one image, and keeps every batch independent of the others.
  const std::vector<std::size_t> order = epoch_order(epoch);
  Generator gen = generator_for(options_.seed, epoch, index, kCropStream);
  Batch b = empty_batch(rows, size, size);
  b.epoch = epoch;
  b.index = index;
  const std::size_t row_floats = static_cast<std::size_t>(3) * size * size;
  Image ref, dist;
  for (int64_t r = 0; r < rows; ++r) {
    const std::size_t pair = order[static_cast<std::size_t>(index * rows + r)];
    source_.load(pair, ref, dist);
    const PairInfo& info = source_.info(pair);
    GSN_CHECK(ref.width >= size && ref.height >= size, "TrainLoader: ", size, "x", size, " crops do not fit pair ",
              pair, " (", info.dist_path.empty() ? info.ref_id : info.dist_path, ", ", ref.size_str(), ")");
    CropWindow w;
    w.size = size;
    w.x = static_cast<int>(gen.below(static_cast<uint32_t>(ref.width - size + 1)));
    w.y = static_cast<int>(gen.below(static_cast<uint32_t>(ref.height - size + 1)));
    w.flip = options_.flip && gen.below(2) == 1;
    copy_crop(ref, w, b.ref.data<float>() + r * row_floats);
    copy_crop(dist, w, b.dist.data<float>() + r * row_floats);
    b.score.data<float>()[r] = static_cast<float>(info.score);
    b.pairs.push_back(pair);
  }
  return b;
}

EvalLoader::EvalLoader(const PairSource& source, std::vector<std::size_t> pairs, const EvalOptions& options)
    : source_(source), pairs_(std::move(pairs)), options_(options) {
  GSN_CHECK(options.mode == EvalMode::FullImage || options.crop > 0, "EvalLoader: crop ", options.crop,
            " must be positive");
  GSN_CHECK(options.workers >= 0, "EvalLoader: ", options.workers, " workers");
  for (std::size_t p : pairs_) GSN_CHECK(p < source.size(), "EvalLoader: pair ", p, " out of range");
  prefetcher_ = std::make_unique<Prefetcher<Batch>>([this](int64_t k) { return make_batch(k); },
                                                    static_cast<int64_t>(pairs_.size()), options.workers,
                                                    options.prefetch);
}

EvalLoader::~EvalLoader() = default;

std::optional<Batch> EvalLoader::next() { return prefetcher_->next(); }

Batch EvalLoader::make_batch(int64_t position) const {
  GSN_CHECK(position >= 0 && position < static_cast<int64_t>(pairs_.size()), "EvalLoader: position ", position,
            " out of range");
  const std::size_t pair = pairs_[static_cast<std::size_t>(position)];
  Image ref, dist;
  source_.load(pair, ref, dist);
  const float score = static_cast<float>(source_.info(pair).score);
  Batch b;
  if (options_.mode == EvalMode::FullImage) {
    b = empty_batch(1, ref.height, ref.width);
    std::memcpy(b.ref.data<float>(), ref.rgb.data(), ref.rgb.size() * sizeof(float));
    std::memcpy(b.dist.data<float>(), dist.rgb.data(), dist.rgb.size() * sizeof(float));
    b.score.data<float>()[0] = score;
    b.pairs = {pair};
  } else {
    GSN_CHECK(ref.width >= options_.crop && ref.height >= options_.crop, "EvalLoader: ", options_.crop, "x",
              options_.crop, " crops do not fit pair ", pair, " (",
              source_.info(pair).dist_path.empty() ? source_.info(pair).ref_id : source_.info(pair).dist_path, ", ",
              ref.size_str(), ")");
    const std::vector<CropWindow> windows = five_crops(ref.width, ref.height, options_.crop);
    const int64_t rows = static_cast<int64_t>(windows.size());
    b = empty_batch(rows, options_.crop, options_.crop);
    const std::size_t row_floats = static_cast<std::size_t>(3) * options_.crop * options_.crop;
    for (int64_t r = 0; r < rows; ++r) {
      copy_crop(ref, windows[static_cast<std::size_t>(r)], b.ref.data<float>() + r * row_floats);
      copy_crop(dist, windows[static_cast<std::size_t>(r)], b.dist.data<float>() + r * row_floats);
      b.score.data<float>()[r] = score;
      b.pairs.push_back(pair);
    }
  }
  b.index = position;
  return b;
}

}  // namespace gsn::data
