// The built-in synthetic data set and its reference generators: counts, order, labels,
// determinism to the bit (across constructions, threads and type selections), --refs.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <thread>
#include <tuple>

#include "data/image_io.h"
#include "data/synthetic_dataset.h"
#include "data/synthetic_refs.h"
#include "tests/test_util.h"

using namespace gsn;
using namespace gsn::data;

TEST_CASE("reference generators: sizes, range, determinism") {
  for (RefKind kind : {RefKind::DeadLeaves, RefKind::Gradient, RefKind::Texture}) {
    CAPTURE(ref_kind_name(kind));
    Generator g1(5), g2(5), g3(6);
    const Image a = make_reference(kind, 70, 41, g1), b = make_reference(kind, 70, 41, g2);
    const Image c = make_reference(kind, 70, 41, g3);
    CHECK(a.width == 70);
    CHECK(a.height == 41);
    CHECK(a.rgb == b.rgb);
    CHECK(a.rgb != c.rgb);
    for (float v : a.rgb) REQUIRE((v >= 0.f && v <= 1.f));
  }
  Generator gen(0);
  CHECK_THROWS_AS(dead_leaves(0, 10, gen), gsn::Error);
  CHECK_THROWS_AS(dead_leaves(10, 10, gen, 3.0, 2.0), gsn::Error);
}

TEST_CASE("dead leaves cover the canvas with many discs; gradients are smooth") {
  Generator gen(11);
  const Image dl = dead_leaves(128, 128, gen);
  std::set<std::tuple<float, float, float>> colours;
  for (std::size_t i = 0; i < dl.plane_size(); ++i) {
    // Every natural colour has luma >= 0.06, so a black pixel would be an unpainted one.
    REQUIRE(std::max({dl.plane(0)[i], dl.plane(1)[i], dl.plane(2)[i]}) > 0.f);
    colours.insert({dl.plane(0)[i], dl.plane(1)[i], dl.plane(2)[i]});
  }
  CHECK(colours.size() > 100);
  const Image gr = smooth_gradient(128, 96, gen);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < gr.height; ++y)
      for (int x = 1; x < gr.width; ++x) REQUIRE(std::abs(gr.at(c, y, x) - gr.at(c, y, x - 1)) < 0.05f);
}

TEST_CASE("synthetic data set: counts, order, ids and labels") {
  SyntheticDataset all(SyntheticOptions{});
  CHECK(all.name() == "synthetic");
  CHECK(all.num_refs() == 64);
  CHECK(all.size() == 64u * kNumDistortions * kNumLevels);
  CHECK(all.info(0).ref_id == "synth-0");
  CHECK(all.info(kNumDistortions * kNumLevels).ref_id == "synth-1");

  SyntheticOptions o;
  o.num_refs = 3;
  o.width = 48;
  o.height = 40;
  o.types = {Distortion::Jpeg, Distortion::GaussianBlur};
  o.levels = {1, 3, 5};
  SyntheticDataset ds(o);
  REQUIRE(ds.size() == 18);
  // Reference, then type, then level, in the order given.
  CHECK(ds.info(0).distortion == "jpeg");
  CHECK(ds.info(0).level == 1);
  CHECK(ds.info(2).level == 5);
  CHECK(ds.info(3).distortion == "gaussian_blur");
  CHECK(ds.info(17).ref_id == "synth-2");
  CHECK(ds.info(17).ref_path.empty());
  CHECK_THROWS_AS(ds.info(18), gsn::Error);
  Image ref, dist;
  ds.load(7, ref, dist);
  CHECK(ref.width == 48);
  CHECK(dist.height == 40);
  CHECK(ref.rgb == ds.reference(1).rgb);

  // Labels fall with the level for every type, inside (0, 1).
  for (Distortion d : all_distortions()) {
    double prev = 1.0;
    for (int level = 1; level <= kNumLevels; ++level) {
      const double s = SyntheticDataset::label(d, level);
      CHECK(s < prev);
      CHECK(s > 0.0);
      prev = s;
    }
  }
  CHECK(SyntheticDataset::label(Distortion::GaussianBlur, 3) == doctest::Approx(0.5));  // severity 1
  // Equal severity x level is an exact tie (0.8 x 3 = 0.6 x 4, which differ by an ulp as products).
  CHECK(SyntheticDataset::label(Distortion::ImpulseNoise, 3) == SyntheticDataset::label(Distortion::ColorNoise, 4));
  CHECK(SyntheticDataset::label(Distortion::ImpulseNoise, 3) == 0.6);
  CHECK(ds.info(4).score == SyntheticDataset::label(Distortion::GaussianBlur, 3));

  o.levels = {0};
  CHECK_THROWS_AS(SyntheticDataset{o}, gsn::Error);
}

TEST_CASE("synthetic data set: the same seed gives the same bits, in any thread and any selection") {
  SyntheticOptions o;
  o.num_refs = 4;
  o.width = 40;
  o.height = 36;
  o.seed = 1234;
  SyntheticDataset a(o), b(o);
  std::vector<Image> refs(a.size()), dists(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) a.load(i, refs[i], dists[i]);

  // Four threads load b's pairs interleaved, racing for the lazily made references.
  std::vector<Image> refs_b(b.size()), dists_b(b.size());
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (std::size_t i = b.size() - 1 - t; i < b.size(); i -= 4) b.load(i, refs_b[i], dists_b[i]);
    });
  for (auto& th : threads) th.join();
  for (std::size_t i = 0; i < a.size(); ++i) {
    REQUIRE(refs[i].rgb == refs_b[i].rgb);
    REQUIRE(dists[i].rgb == dists_b[i].rgb);
  }

  // A pair's images depend on (seed, reference, type, level) only, not on the selection.
  SyntheticOptions one = o;
  one.types = {Distortion::MotionBlur};
  one.levels = {4};
  SyntheticDataset c(one);
  const std::size_t k = 2, idx = (k * kNumDistortions + static_cast<int>(Distortion::MotionBlur)) * kNumLevels + 3;
  REQUIRE(a.info(idx).distortion == "motion_blur");
  Image r, d;
  c.load(k, r, d);
  CHECK(d.rgb == dists[idx].rgb);

  // Another seed, other images.
  o.seed = 1235;
  SyntheticDataset e(o);
  e.load(0, r, d);
  CHECK(r.rgb != refs[0].rgb);
}

TEST_CASE("synthetic data set: references from a folder of images") {
  gsn::test::TempDir dir;
  Generator gen(3);
  const Image x = texture(33, 21, gen), y = smooth_gradient(20, 24, gen);
  write_png(dir.file("b_second.png"), x);
  write_png(dir.file("a_first.PNG"), y);
  dir.write("notes.txt", "not an image");
  SyntheticOptions o;
  o.refs_dir = dir.path().string();
  o.types = {Distortion::WhiteNoise};
  SyntheticDataset ds(o);
  REQUIRE(ds.num_refs() == 2);
  CHECK(ds.size() == 2 * kNumLevels);
  CHECK(ds.info(0).ref_id == "a_first");
  CHECK(ds.info(kNumLevels).ref_id == "b_second");
  CHECK(ds.info(0).ref_path == dir.file("a_first.PNG"));
  Image ref, dist;
  ds.load(kNumLevels + 2, ref, dist);
  REQUIRE(ref.width == 33);
  REQUIRE(dist.height == 21);
  for (std::size_t i = 0; i < ref.rgb.size(); ++i) REQUIRE(std::abs(ref.rgb[i] - x.rgb[i]) <= 0.5f / 255 + 1e-6f);

  // Two files with one stem (a.jpg beside a.k.png beside a.png, so not neighbours when
  // sorted) would be one reference id: refused, naming both.
  gsn::test::TempDir twins;
  write_png(twins.file("a.png"), x);
  write_png(twins.file("a.k.png"), x);
  write_bmp(twins.file("a.bmp"), y);
  o.refs_dir = twins.path().string();
  CHECK_THROWS_WITH_AS(SyntheticDataset{o}, doctest::Contains("have the same name stem"), gsn::Error);

  gsn::test::TempDir empty;
  o.refs_dir = empty.path().string();
  CHECK_THROWS_WITH_AS(SyntheticDataset{o}, doctest::Contains("no .png"), gsn::Error);
  o.refs_dir = empty.file("missing");
  CHECK_THROWS_WITH_AS(SyntheticDataset{o}, doctest::Contains("is not a folder"), gsn::Error);
}

