// The loaders: paired crops, batches, determinism across thread counts, evaluation
// crops, and errors from worker threads reaching the caller.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "data/loader.h"
#include "tests/data/data_fixtures.h"

using namespace gsn::data;
using gsn::test::contains;
using gsn::test::error_of;

namespace {

// Pair i: ref is a pattern image of a size that varies with i; dist is 1 - ref, so a
// dist crop equals 1 - the ref crop exactly when both were cut at the same window.
class PatternSource : public PairSource {
 public:
  explicit PatternSource(int n, int broken = -1) : broken_(broken) {
    for (int i = 0; i < n; ++i) {
      PairInfo p;
      p.ref_id = "r" + std::to_string(i);
      p.dist_path = "pattern-" + std::to_string(i);
      p.score = 0.5 * i;
      pairs_.push_back(p);
    }
  }
  static int width_of(std::size_t i) { return 20 + static_cast<int>(i % 5); }
  static int height_of(std::size_t i) { return 18 + static_cast<int>(i % 3); }
  std::string name() const override { return "pattern"; }
  std::size_t size() const override { return pairs_.size(); }
  const PairInfo& info(std::size_t i) const override { return pairs_.at(i); }
  void load(std::size_t i, Image& ref, Image& dist) const override {
    GSN_CHECK(static_cast<int>(i) != broken_, "pattern pair ", i, " is broken on purpose");
    ref = gsn::test::pattern_image(width_of(i), height_of(i), static_cast<uint32_t>(i));
    dist = ref;
    for (float& v : dist.rgb) v = 1.f - v;
  }

 private:
  std::vector<PairInfo> pairs_;
  int broken_;
};

std::vector<std::size_t> all_pairs(const PairSource& s) {
  std::vector<std::size_t> v(s.size());
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = i;
  return v;
}

bool same_batch(const Batch& a, const Batch& b) {
  return a.pairs == b.pairs && a.ref.to_vector<float>() == b.ref.to_vector<float>() &&
         a.dist.to_vector<float>() == b.dist.to_vector<float>() &&
         a.score.to_vector<float>() == b.score.to_vector<float>();
}

// Whether `crop` (3 x size x size) is some window of `image`, plain or mirrored.
bool is_window_of(const Image& image, const float* crop, int size) {
  for (int flip = 0; flip < 2; ++flip)
    for (int y0 = 0; y0 + size <= image.height; ++y0)
      for (int x0 = 0; x0 + size <= image.width; ++x0) {
        bool match = true;
        for (int c = 0; c < 3 && match; ++c)
          for (int y = 0; y < size && match; ++y)
            for (int x = 0; x < size && match; ++x)
              match = crop[(c * size + y) * size + x] == image.at(c, y0 + y, x0 + (flip ? size - 1 - x : x));
        if (match) return true;
      }
  return false;
}

}  // namespace

TEST_CASE("TrainLoader: shapes, scores, and the same window on ref and dist") {
  const PatternSource src(10);
  LoaderOptions o;
  o.batch_size = 4;
  o.crop = 8;
  o.seed = 5;
  TrainLoader loader(src, all_pairs(src), o);
  CHECK(loader.batches_per_epoch() == 2);  // 10 pairs: the last 2 are dropped
  for (int k = 0; k < 4; ++k) {
    const Batch b = loader.next();
    CHECK(b.epoch == k / 2);
    CHECK(b.index == k % 2);
    REQUIRE(b.ref.shape() == gsn::Shape{4, 3, 8, 8});
    REQUIRE(b.dist.shape() == gsn::Shape{4, 3, 8, 8});
    REQUIRE(b.score.shape() == gsn::Shape{4});
    const float* ref = b.ref.data<float>();
    const float* dist = b.dist.data<float>();
    for (int64_t i = 0; i < b.ref.numel(); ++i) REQUIRE(dist[i] == 1.f - ref[i]);
    for (int r = 0; r < 4; ++r) {
      const std::size_t pair = b.pairs[r];
      CHECK(b.score.data<float>()[r] == static_cast<float>(src.info(pair).score));
      Image im, unused;
      src.load(pair, im, unused);
      CHECK(is_window_of(im, ref + r * 3 * 8 * 8, 8));
    }
  }
}

TEST_CASE("TrainLoader: each epoch is a new shuffle of distinct pairs") {
  const PatternSource src(12);
  LoaderOptions o;
  o.batch_size = 3;
  o.crop = 4;
  TrainLoader loader(src, all_pairs(src), o);
  std::vector<std::vector<std::size_t>> epochs(2);
  for (int e = 0; e < 2; ++e)
    for (int k = 0; k < loader.batches_per_epoch(); ++k) {
      const Batch b = loader.next();
      epochs[e].insert(epochs[e].end(), b.pairs.begin(), b.pairs.end());
    }
  for (const auto& order : epochs) CHECK(std::set<std::size_t>(order.begin(), order.end()).size() == 12);
  CHECK(epochs[0] != epochs[1]);

  o.shuffle = false;
  TrainLoader in_order(src, {5, 6, 7, 8, 9, 10}, o);
  CHECK(in_order.next().pairs == std::vector<std::size_t>{5, 6, 7});
  CHECK(in_order.next().pairs == std::vector<std::size_t>{8, 9, 10});
  CHECK(in_order.next().pairs == std::vector<std::size_t>{5, 6, 7});
}

TEST_CASE("TrainLoader: the same batches for 0, 1 and 3 worker threads; another seed differs") {
  const PatternSource src(20);
  LoaderOptions o;
  o.batch_size = 4;
  o.crop = 10;
  o.seed = 42;
  auto first_batches = [&](int workers, uint64_t seed) {
    LoaderOptions w = o;
    w.workers = workers;
    w.seed = seed;
    TrainLoader loader(src, all_pairs(src), w);
    std::vector<Batch> out;
    for (int k = 0; k < 12; ++k) out.push_back(loader.next());
    return out;
  };
  const std::vector<Batch> inline_batches = first_batches(0, 42);
  for (int workers : {1, 3}) {
    CAPTURE(workers);
    const std::vector<Batch> threaded = first_batches(workers, 42);
    for (std::size_t k = 0; k < threaded.size(); ++k) CHECK(same_batch(threaded[k], inline_batches[k]));
  }
  CHECK_FALSE(same_batch(first_batches(0, 43)[0], inline_batches[0]));
}

TEST_CASE("TrainLoader: flips happen only when asked for") {
  const PatternSource src(8);
  LoaderOptions o;
  o.batch_size = 8;
  o.crop = 6;
  o.workers = 0;
  auto count_flips = [&](bool flip) {
    o.flip = flip;
    TrainLoader loader(src, all_pairs(src), o);
    int flips = 0;
    for (int k = 0; k < 4; ++k) {
      const Batch b = loader.next();
      for (int r = 0; r < 8; ++r) {
        Image im, unused;
        src.load(b.pairs[r], im, unused);
        const float* crop = b.ref.data<float>() + r * 3 * 6 * 6;
        // Mirrored when no unmirrored window matches.
        bool plain = false;
        for (int y0 = 0; y0 + 6 <= im.height && !plain; ++y0)
          for (int x0 = 0; x0 + 6 <= im.width && !plain; ++x0) {
            bool match = true;
            for (int c = 0; c < 3 && match; ++c)
              for (int y = 0; y < 6 && match; ++y)
                for (int x = 0; x < 6 && match; ++x) match = crop[(c * 6 + y) * 6 + x] == im.at(c, y0 + y, x0 + x);
            plain = match;
          }
        flips += !plain;
      }
    }
    return flips;
  };
  CHECK(count_flips(false) == 0);
  const int flips = count_flips(true);  // 32 rows, about half
  CHECK(flips > 5);
  CHECK(flips < 27);
}

TEST_CASE("TrainLoader: errors reach the caller with their message") {
  const PatternSource src(8, /*broken=*/3);
  LoaderOptions o;
  o.batch_size = 8;
  o.crop = 4;
  for (int workers : {0, 2}) {
    CAPTURE(workers);
    o.workers = workers;
    TrainLoader loader(src, all_pairs(src), o);
    CHECK(contains(error_of([&] { loader.next(); }), "pattern pair 3 is broken on purpose"));
    CHECK(contains(error_of([&] { loader.next(); }), "broken on purpose"));  // and stays failed
  }
  o.crop = 64;
  o.workers = 2;
  const PatternSource fine(8);
  TrainLoader too_big(fine, all_pairs(fine), o);
  CHECK(contains(error_of([&] { too_big.next(); }), "64x64 crops do not fit pair"));
  o.batch_size = 9;
  CHECK(contains(error_of([&] { TrainLoader few(fine, all_pairs(fine), o); }), "do not fill one batch"));
}

TEST_CASE("TrainLoader: destroyed at once, or with batches still in flight, it joins cleanly") {
  const PatternSource src(40);
  LoaderOptions o;
  o.batch_size = 4;
  o.crop = 8;
  o.workers = 4;
  o.prefetch = 2;
  { TrainLoader unused(src, all_pairs(src), o); }
  TrainLoader loader(src, all_pairs(src), o);
  loader.next();
}

TEST_CASE("EvalLoader: full images, one pair per batch, in the given order") {
  const PatternSource src(6);
  EvalOptions o;
  o.workers = 2;
  EvalLoader loader(src, {4, 1, 2}, o);
  CHECK(loader.size() == 3);
  for (std::size_t pair : {4, 1, 2}) {
    const std::optional<Batch> b = loader.next();
    REQUIRE(b);
    CHECK(b->pairs == std::vector<std::size_t>{pair});
    CHECK(b->ref.shape() == gsn::Shape{1, 3, PatternSource::height_of(pair), PatternSource::width_of(pair)});
    Image im, unused;
    src.load(pair, im, unused);
    CHECK(b->ref.to_vector<float>() == im.rgb);
    CHECK(b->score.item() == doctest::Approx(src.info(pair).score));
  }
  CHECK_FALSE(loader.next());
  CHECK_FALSE(loader.next());
}

TEST_CASE("EvalLoader: five fixed crops, centre then corners, the same every run") {
  const PatternSource src(3);
  EvalOptions o;
  o.mode = EvalMode::FiveCrops;
  o.crop = 8;
  EvalLoader a(src, all_pairs(src), o);
  o.workers = 0;
  EvalLoader b(src, all_pairs(src), o);
  for (std::size_t pair = 0; pair < 3; ++pair) {
    const Batch x = *a.next();
    CHECK(same_batch(x, *b.next()));
    REQUIRE(x.ref.shape() == gsn::Shape{5, 3, 8, 8});
    Image im, unused;
    src.load(pair, im, unused);
    const std::vector<float> crops = x.ref.to_vector<float>();
    // Row 4 is the bottom-right corner: its last pixel is the image's last pixel.
    CHECK(crops[4 * 192 + 63] == im.at(0, im.height - 1, im.width - 1));
    CHECK(crops[1 * 192] == im.at(0, 0, 0));  // row 1: top-left
    CHECK(crops[0] == im.at(0, (im.height - 8) / 2, (im.width - 8) / 2));  // row 0: centre
  }
  o.crop = 30;
  EvalLoader too_big(src, all_pairs(src), o);
  CHECK(contains(error_of([&] { too_big.next(); }), "30x30 crops do not fit pair 0"));
}

TEST_CASE("TrainLoader: start_batch continues the stream where a run stopped, across epochs") {
  const PatternSource src(10);  // 5 batches per epoch
  LoaderOptions o;
  o.batch_size = 2;
  o.crop = 8;
  o.seed = 3;
  TrainLoader whole(src, all_pairs(src), o);
  std::vector<Batch> expected;
  for (int k = 0; k < 12; ++k) expected.push_back(whole.next());
  o.start_batch = 7;  // epoch 1, batch 2
  TrainLoader resumed(src, all_pairs(src), o);
  for (int k = 7; k < 12; ++k) {
    Batch b = resumed.next();
    CHECK(same_batch(b, expected[static_cast<std::size_t>(k)]));
    CHECK(b.epoch == k / 5);
  }
}
