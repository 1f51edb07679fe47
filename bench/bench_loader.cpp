// The training loader's throughput, in pairs per second (items_per_second), for
// docs/data.md: 64x64 crops, batches of 16, from a folder of PNG pairs listed in a CSV,
// with 0 (inline), 1 and 2 worker threads; and the built-in synthetic set's pairs
// (docs/synthetic.md: one 128x128 pair, its distortion made on demand, one thread).
//
// The pairs are 512x384 (KADID-10k, TID2013) or 288x288 (PIPAL) 8-bit RGB PNGs of
// smooth gradients plus noise, so they compress about as badly as photographs and the
// time goes where it goes on a real data set: decoding two PNGs per pair.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <unistd.h>

#include "data/image_io.h"
#include "data/loader.h"
#include "data/readers.h"
#include "data/synthetic_dataset.h"
#include "kernels/core/random.h"

namespace {

namespace fs = std::filesystem;
using namespace gsn::data;

constexpr int kRefs = 8;
constexpr int kDistsPerRef = 4;

// A folder of PNG pairs and its pairs.csv, made once per image size and removed at exit.
class PngFolder {
 public:
  PngFolder(int width, int height)
      : dir_(fs::temp_directory_path() /
             ("gsn-bench-loader-" + std::to_string(getpid()) + "-" + std::to_string(width))) {
    fs::create_directories(dir_);
    gsn::Generator gen(width);
    std::ofstream csv(dir_ / "pairs.csv");
    csv << "ref,dist,score\n";
    for (int r = 0; r < kRefs; ++r) {
      Image ref(width, height);
      for (int c = 0; c < 3; ++c)
        for (int y = 0; y < height; ++y)
          for (int x = 0; x < width; ++x)
            ref.at(c, y, x) = static_cast<float>(0.2 + 0.5 * (x + y * (c + 1)) / (width + 3.0 * height) +
                                                 0.1 * gen.uniform());
      const std::string ref_name = "ref" + std::to_string(r) + ".png";
      write_png((dir_ / ref_name).string(), ref);
      for (int d = 0; d < kDistsPerRef; ++d) {
        Image dist = ref;
        for (float& v : dist.rgb) v = static_cast<float>(std::min(1.0, v + 0.05 * d * gen.uniform()));
        const std::string dist_name = "dist" + std::to_string(r) + "_" + std::to_string(d) + ".png";
        write_png((dir_ / dist_name).string(), dist);
        csv << ref_name << "," << dist_name << "," << 5 - d << "\n";
      }
    }
  }
  ~PngFolder() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string csv() const { return (dir_ / "pairs.csv").string(); }

 private:
  fs::path dir_;
};

const PngFolder& folder(int width, int height) {
  static PngFolder kadid_size(512, 384), pipal_size(288, 288);
  return width == 512 ? kadid_size : pipal_size;
}

void BM_TrainLoader(benchmark::State& state) {
  const int workers = static_cast<int>(state.range(0));
  const int width = static_cast<int>(state.range(1));
  const auto source = read_csv(folder(width, width == 512 ? 384 : 288).csv());
  std::vector<std::size_t> pairs(source->size());
  for (std::size_t i = 0; i < pairs.size(); ++i) pairs[i] = i;
  LoaderOptions options;
  options.batch_size = 16;
  options.crop = 64;
  options.workers = workers;
  TrainLoader loader(*source, pairs, options);
  for (auto _ : state) {
    Batch b = loader.next();
    benchmark::DoNotOptimize(b.ref.data<float>());
  }
  state.SetItemsProcessed(state.iterations() * options.batch_size);
  state.SetLabel(std::to_string(width) + "x" + (width == 512 ? "384" : "288") + " PNG pairs, " +
                 std::to_string(workers) + " workers");
}

// One synthetic pair per iteration, cycling over every type and level of 4 references
// (made before the timing: references are made once and kept).
void BM_SyntheticPair(benchmark::State& state) {
  SyntheticDataset ds(SyntheticOptions{});
  const std::size_t n = 4 * kNumDistortions * kNumLevels;
  Image ref, dist;
  for (std::size_t k = 0; k < 4; ++k) ds.reference(k);
  std::size_t i = 0;
  for (auto _ : state) {
    ds.load(i, ref, dist);
    benchmark::DoNotOptimize(dist.rgb.data());
    i = (i + 1) % n;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("128x128 pairs, all types and levels");
}
BENCHMARK(BM_SyntheticPair)->Unit(benchmark::kMicrosecond)->MinTime(1.0);

BENCHMARK(BM_TrainLoader)
    ->ArgNames({"workers", "width"})
    ->ArgsProduct({{0, 1, 2}, {512, 288}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
