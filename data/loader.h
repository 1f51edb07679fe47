// The loaders: pairs from a PairSource to batches of tensors, made on background threads.
//
// TrainLoader: epoch after epoch, a shuffled order of the given pairs, cut into batches of
// batch_size (an epoch's last, partial batch is dropped: batch norm and the loss's
// in-batch softmax want full batches). Each row is a random square crop, the same window
// on ref and dist, mirrored left-right half of the time. All randomness of batch b of
// epoch e comes from (seed, e, b): the stream of batches is the same for any number of
// worker threads, and batches come out in order.
//
// EvalLoader: the given pairs in order, no randomness; per pair one batch, either the
// full images ([1,3,H,W]: sizes differ between pairs) or five fixed crops ([5,3,c,c]:
// centre and four corners; average the model's five scores).
//
// Tensors are float32 on the CPU, values in [0, 1]: the model does the ImageNet
// normalisation. Errors from a worker (a missing file, a size mismatch, an image smaller
// than the crop) are re-thrown by next() with their message.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "data/dataset.h"
#include "kernels/core/tensor.h"

namespace gsn::data {

struct Batch {
  Tensor ref;    // [B,3,H,W] float32, CPU
  Tensor dist;   // [B,3,H,W]
  Tensor score;  // [B], the pairs' scores (higher is better)
  std::vector<std::size_t> pairs;  // the source's pair index of each row
  int64_t epoch = 0;  // TrainLoader: the epoch; EvalLoader: 0
  int64_t index = 0;  // TrainLoader: the batch within its epoch; EvalLoader: the position in `pairs`
};

template <class Item>
class Prefetcher;

struct LoaderOptions {
  int batch_size = 16;
  int crop = 64;        // square crops of crop x crop pixels
  bool flip = true;     // random left-right mirroring
  bool shuffle = true;  // a new order every epoch; false: the given order every epoch
  int workers = 2;      // background threads; 0 makes each batch inside next()
  int prefetch = 4;     // batches made ahead of the consumer, at most
  uint64_t seed = 0;
  // The first batch next() returns, counted over epochs (epoch * batches_per_epoch +
  // index): a resumed run starts where it stopped and sees the same batches.
  int64_t start_batch = 0;
};

class TrainLoader {
 public:
  // `pairs`: indices into source (e.g. Split::train). source must outlive the loader.
  TrainLoader(const PairSource& source, std::vector<std::size_t> pairs, const LoaderOptions& options);
  ~TrainLoader();
  TrainLoader(const TrainLoader&) = delete;
  TrainLoader& operator=(const TrainLoader&) = delete;

  Batch next();  // never ends: epoch 0 batch 0, 1, ..., then epoch 1, ...
  int64_t batches_per_epoch() const { return batches_per_epoch_; }

  // The batch (epoch, index) as next() returns it, made on the calling thread.
  Batch make_batch(int64_t epoch, int64_t index) const;

 private:
  std::vector<std::size_t> epoch_order(int64_t epoch) const;
  const PairSource& source_;
  const std::vector<std::size_t> pairs_;
  const LoaderOptions options_;
  const int64_t batches_per_epoch_;
  std::unique_ptr<Prefetcher<Batch>> prefetcher_;
};

enum class EvalMode { FullImage, FiveCrops };

struct EvalOptions {
  EvalMode mode = EvalMode::FullImage;
  int crop = 64;  // FiveCrops: the crop size
  int workers = 2;
  int prefetch = 4;
};

class EvalLoader {
 public:
  EvalLoader(const PairSource& source, std::vector<std::size_t> pairs, const EvalOptions& options);
  ~EvalLoader();
  EvalLoader(const EvalLoader&) = delete;
  EvalLoader& operator=(const EvalLoader&) = delete;

  std::optional<Batch> next();  // one batch per pair, in the given order; nothing at the end
  std::size_t size() const { return pairs_.size(); }

  Batch make_batch(int64_t position) const;

 private:
  const PairSource& source_;
  const std::vector<std::size_t> pairs_;
  const EvalOptions options_;
  std::unique_ptr<Prefetcher<Batch>> prefetcher_;
};

}  // namespace gsn::data
