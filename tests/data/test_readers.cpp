// Data set readers: each format written into a temporary folder and read back (counts,
// ids, score direction), and every kind of bad input rejected with the file and line.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>

#include "data/image_io.h"
#include "data/file_index.h"
#include "data/readers.h"
#include "tests/data/data_fixtures.h"
#include "tests/test_util.h"

using namespace gsn::data;
using gsn::test::contains;
using gsn::test::error_of;
using gsn::test::TempDir;

namespace {

// Writes a small image at dir/rel (creating folders): PNG unless the name ends in .bmp.
void put_image(const TempDir& dir, const std::string& rel, uint32_t seed, int size = 8) {
  const std::filesystem::path p = dir.path() / rel;
  std::filesystem::create_directories(p.parent_path());
  const Image im = gsn::test::pattern_image(size, size, seed);
  const std::string ext = to_lower(p.extension().string());
  if (ext == ".bmp") {
    write_bmp(p.string(), im);
  } else {
    write_png(p.string(), im);
  }
}

void make_pipal(const TempDir& dir) {
  put_image(dir, "Train_Ref/A0001.bmp", 1);
  put_image(dir, "Train_Ref/A0002.bmp", 2);
  put_image(dir, "Distortion_1/A0001_00_00.bmp", 3);
  put_image(dir, "Distortion_2/A0001_10_01.bmp", 4);
  put_image(dir, "Distortion_4/A0002_01_00.bmp", 5);
  dir.write("Train_Label/A0001.txt", "A0001_00_00.bmp,1500.5\r\nA0001_10_01.bmp, 1400\n");
  dir.write("Train_Label/A0002.txt", "\nA0002_01_00.bmp ,  1300.25\n");
}

void make_kadid(const TempDir& dir, const std::string& header = "dist_img,ref_img,dmos,var") {
  put_image(dir, "images/I01.png", 1);
  put_image(dir, "images/I02.png", 2);
  put_image(dir, "images/I01_01_01.png", 3);
  put_image(dir, "images/I01_01_05.png", 4);
  put_image(dir, "images/I02_07_03.png", 5);
  const bool with_var = contains(header, "var");
  dir.write("dmos.csv", header + "\n" +
                            "I01_01_01.png,I01.png,4.57" + (with_var ? ",0.5" : "") + "\n" +
                            "I01_01_05.png,I01.png,1.20" + (with_var ? ",0.7" : "") + "\n" +
                            "I02_07_03.png,I02.png,3.00" + (with_var ? ",0.1" : "") + "\n");
}

const PairInfo* find_pair(const PairSource& s, const std::string& dist_file) {
  for (std::size_t i = 0; i < s.size(); ++i)
    if (std::filesystem::path(s.info(i).dist_path).filename() == dist_file) return &s.info(i);
  return nullptr;
}

}  // namespace

TEST_CASE("pipal: Distortion_1..4 layout, spaces after the comma, ref ids from the names") {
  TempDir dir;
  make_pipal(dir);
  const auto src = read_pipal(dir.path().string());
  REQUIRE(src->size() == 3);
  CHECK(src->name() == "pipal");
  const PairInfo* p = find_pair(*src, "A0001_10_01.bmp");
  REQUIRE(p);
  CHECK(p->score == 1400.0);
  CHECK(p->ref_id == "A0001");
  CHECK(p->distortion == "10");
  CHECK(std::filesystem::path(p->ref_path).filename() == "A0001.bmp");
  CHECK(find_pair(*src, "A0002_01_00.bmp")->score == 1300.25);
  Image ref, dist;
  src->load(0, ref, dist);
  CHECK(ref.width == 8);
  CHECK(contains(summarize(*src), "pipal: 3 pairs, 2 references"));
}

TEST_CASE("pipal: flat Train_Dist layout and the validation part") {
  TempDir dir;
  put_image(dir, "Train_Ref/A0001.png", 1);
  put_image(dir, "Train_Dist/A0001_00_00.png", 2);
  dir.write("Train_Label.txt", "A0001_00_00.png,1200\n");
  put_image(dir, "Val_Ref/A0100.bmp", 3);
  put_image(dir, "Val_Dist/A0100_02_00.bmp", 4);
  put_image(dir, "Val_Dist/A0100_03_00.bmp", 5);
  dir.write("Val_Label/A0100.txt", "A0100_02_00.bmp,1100\nA0100_03_00.bmp,1000\n");
  CHECK(read_pipal(dir.path().string(), "train")->size() == 1);
  const auto val = open_dataset("pipal", dir.path().string(), DatasetOptions{"val", "", false});
  CHECK(val->size() == 2);
  CHECK(val->info(0).ref_id == "A0100");
  CHECK(contains(error_of([&] { read_pipal(dir.path().string(), "test"); }), "part must be"));
}

TEST_CASE("pipal: a malformed line and a missing image name the label file and the line") {
  TempDir dir;
  make_pipal(dir);
  const std::string label = dir.write("Train_Label/A0001.txt", "A0001_00_00.bmp,1500\nA0001_10_01.bmp 1400\n");
  std::string msg = error_of([&] { read_pipal(dir.path().string()); });
  CHECK(contains(msg, label + ", line 2"));
  CHECK(contains(msg, "dist_name,score"));
  dir.write("Train_Label/A0001.txt", "A0001_00_00.bmp,1500\n\nA0001_99_99.bmp,1400\n");
  msg = error_of([&] { read_pipal(dir.path().string()); });
  CHECK(contains(msg, label + ", line 3"));
  CHECK(contains(msg, "A0001_99_99.bmp not found"));
}

TEST_CASE("kadid: header columns by name, var optional, higher is better, type and level") {
  for (const std::string header : {"dist_img,ref_img,dmos,var", "dist_img,ref_img,dmos"}) {
    CAPTURE(header);
    TempDir dir;
    make_kadid(dir, header);
    const auto src = open_dataset("kadid", dir.path().string());
    REQUIRE(src->size() == 3);
    const PairInfo* mild = find_pair(*src, "I01_01_01.png");
    const PairInfo* strong = find_pair(*src, "I01_01_05.png");
    CHECK(mild->score == doctest::Approx(4.57));
    CHECK(mild->score > strong->score);  // level 1 looks better than level 5: no flip
    CHECK(strong->distortion == "01");
    CHECK(strong->level == 5);
    CHECK(find_pair(*src, "I02_07_03.png")->ref_id == "I02");
  }
}

TEST_CASE("kadid: NaN and Inf scores, a short line, a missing image and a bad header are rejected") {
  TempDir dir;
  make_kadid(dir);
  const std::string csv = dir.file("dmos.csv");
  const std::string head = "dist_img,ref_img,dmos,var\nI01_01_01.png,I01.png,4.5,0.1\n";
  const std::pair<std::string, std::string> cases[] = {
      {head + "I01_01_05.png,I01.png,nan,0.1\n", "score is NaN"},
      {head + "I01_01_05.png,I01.png,inf,0.1\n", "not finite"},
      {head + "I01_01_05.png,I01.png,4.x,0.1\n", "not a number"},
      {head + "I01_01_05.png,I01.png,4.0\n", "3 fields, the header has 4"},
      {head + "I01_01_09.png,I01.png,4.0,0.1\n", "I01_01_09.png not found"},
      {head + "I01_01_05.png,I07.png,4.0,0.1\n", "reference image I07.png not found"}};
  for (const auto& [text, what] : cases) {
    CAPTURE(what);
    dir.write("dmos.csv", text);
    const std::string msg = error_of([&] { read_kadid(dir.path().string()); });
    CHECK(contains(msg, csv + ", line 3"));
    CHECK(contains(msg, what));
  }
  dir.write("dmos.csv", "dist,ref,mos\nI01_01_01.png,I01.png,4.5\n");
  CHECK(contains(error_of([&] { read_kadid(dir.path().string()); }), "no column \"dist_img\""));
}

TEST_CASE("tid2013: names looked up without case, ref of i01_01_2.bmp is I01.BMP") {
  TempDir dir;
  put_image(dir, "reference_images/I01.BMP", 1);
  put_image(dir, "reference_images/I02.BMP", 2);
  put_image(dir, "distorted_images/i01_01_2.bmp", 3);
  put_image(dir, "distorted_images/I01_11_1.BMP", 4);
  put_image(dir, "distorted_images/i02_01_5.bmp", 5);
  dir.write("mos_with_names.txt", "5.51429 I01_01_2.bmp\n3.2\ti01_11_1.bmp\n  4.0   I02_01_5.BMP  \n");
  const auto src = read_tid2013(dir.path().string());
  REQUIRE(src->size() == 3);
  CHECK(src->info(0).ref_id == "I01");
  CHECK(std::filesystem::path(src->info(0).ref_path).filename() == "I01.BMP");
  CHECK(std::filesystem::path(src->info(0).dist_path).filename() == "i01_01_2.bmp");
  CHECK(src->info(0).score == doctest::Approx(5.51429));
  CHECK(src->info(1).distortion == "11");
  CHECK(src->info(1).level == 1);
  CHECK(src->info(2).ref_id == "I02");
  Image ref, dist;
  src->load(2, ref, dist);

  const std::string mos = dir.write("mos_with_names.txt", "5.5 I01_01_2.bmp\n4.4\n");
  std::string msg = error_of([&] { read_tid2013(dir.path().string()); });
  CHECK(contains(msg, mos + ", line 2"));
  dir.write("mos_with_names.txt", "5.5 I01_01_2.bmp\n4.4 i01_01_x.bmp\n");
  CHECK(contains(error_of([&] { read_tid2013(dir.path().string()); }), "not of the form"));
}

TEST_CASE("csiq: DMOS flipped so higher is better; released and flat layouts") {
  for (bool released : {true, false}) {
    CAPTURE(released);
    TempDir dir;
    put_image(dir, released ? "src_imgs/1600.png" : "1600.png", 1);
    put_image(dir, released ? "dst_imgs/awgn/1600.AWGN.1.png" : "1600.AWGN.1.png", 2);
    put_image(dir, released ? "dst_imgs/blur/1600.BLUR.5.png" : "1600.BLUR.5.png", 3);
    dir.write("csiq_label.txt", "1600.AWGN.1.png 0.062\n1600.BLUR.5.png 0.35\n");
    const auto src = open_dataset("csiq", dir.path().string());
    REQUIRE(src->size() == 2);
    CHECK(src->info(0).score == doctest::Approx(-0.062));
    CHECK(src->info(0).score > src->info(1).score);  // the mild AWGN is better than strong blur
    CHECK(src->info(1).ref_id == "1600");
    CHECK(src->info(1).distortion == "BLUR");
    CHECK(src->info(1).level == 5);
  }
  TempDir dir;
  put_image(dir, "1600.png", 1);
  const std::string labels = dir.write("my_labels.txt", "1600.AWGN.1.png 0.062\n");
  std::string msg = error_of([&] { read_csiq(dir.path().string(), "my_labels.txt"); });
  CHECK(contains(msg, labels + ", line 1"));
  CHECK(contains(msg, "1600.AWGN.1.png not found"));
  CHECK(contains(error_of([&] { read_csiq(dir.path().string()); }), "no label file"));
}

TEST_CASE("csv: relative paths, lower-is-better flip, the split column") {
  TempDir dir;
  put_image(dir, "refs/a.png", 1);
  put_image(dir, "refs/b.png", 2);
  put_image(dir, "dists/a1.png", 3);
  put_image(dir, "dists/a2.png", 4);
  put_image(dir, "dists/b1.png", 5);
  dir.write("pairs.csv", "ref,dist,score,split\nrefs/a.png,dists/a1.png,10,train\n"
                         "refs/a.png, dists/a2.png ,20,Train\nrefs/b.png,dists/b1.png,30,test\n");
  const auto higher = read_csv(dir.path().string());
  REQUIRE(higher->size() == 3);
  CHECK(higher->info(2).score == 30.0);
  CHECK(higher->info(0).ref_id == "refs/a.png");
  CHECK(higher->preset_split() == std::vector<std::string>{"train", "train", "test"});

  // One file is one reference however a row names it: else a split by reference could put
  // the same image in train and test.
  put_image(dir, "dists/a3.png", 6);
  dir.write("names.csv", "ref,dist,score\nrefs/a.png,dists/a1.png,1\n./refs/a.png,dists/a2.png,2\n"
                         "refs/../refs/a.png,dists/b1.png,3\n" + std::filesystem::absolute(dir.file("refs/a.png")).string() +
                         ",dists/a3.png,4\nrefs/b.png,dists/b1.png,5\n");
  const auto named = read_csv(dir.file("names.csv"));
  REQUIRE(named->size() == 5);
  for (std::size_t i = 0; i < 4; ++i) CHECK(named->info(i).ref_id == "refs/a.png");
  CHECK(named->info(4).ref_id == "refs/b.png");
  const auto lower = open_dataset("csv", dir.file("pairs.csv"), DatasetOptions{"train", "", true});
  CHECK(lower->info(2).score == -30.0);
  CHECK(lower->info(0).score > lower->info(2).score);

  const std::string csv = dir.write("bad.csv", "ref,dist,score,split\nrefs/a.png,dists/a1.png,10,holdout\n");
  std::string msg = error_of([&] { read_csv(csv); });
  CHECK(contains(msg, csv + ", line 2"));
  CHECK(contains(msg, "holdout"));
  dir.write("bad.csv", "ref,dist,score\nrefs/a.png,dists/zz.png,10\n");
  CHECK(contains(error_of([&] { read_csv(csv); }), "zz.png not found"));
  dir.write("bad.csv", "reference,distorted,mos\nrefs/a.png,dists/a1.png,10\n");
  CHECK(contains(error_of([&] { read_csv(csv); }), csv + ", line 1"));
  dir.write("bad.csv", "ref,dist,score\n");
  CHECK(contains(error_of([&] { read_csv(csv); }), "no pairs"));
}

TEST_CASE("csv: gsn-synth's type and level columns; a pair listed twice is refused, in any reader") {
  TempDir dir;
  put_image(dir, "a.png", 1);
  put_image(dir, "a_jpeg_1.png", 2);
  put_image(dir, "a_blur_5.png", 3);
  dir.write("pairs.csv", "ref,dist,score,type,level\na.png,a_jpeg_1.png,0.9,jpeg,1\na.png,a_blur_5.png,0.2,blur,5\n");
  const auto typed = read_csv(dir.path().string());
  REQUIRE(typed->size() == 2);
  CHECK(typed->info(0).distortion == "jpeg");
  CHECK(typed->info(1).level == 5);
  dir.write("pairs.csv", "ref,dist,score,type,level\na.png,a_jpeg_1.png,0.9,jpeg,high\n");
  CHECK(contains(error_of([&] { read_csv(dir.path().string()); }), "level \"high\""));
  // The same pair twice, spelled two ways, with two scores: the data set contradicts itself.
  dir.write("pairs.csv", "ref,dist,score\na.png,a_jpeg_1.png,0.9\na.png,./a_jpeg_1.png,0.1\n");
  const std::string msg = error_of([&] { read_csv(dir.path().string()); });
  CHECK(contains(msg, "is listed twice, with scores 0.9 and 0.1"));
  // KADID goes through the same check.
  TempDir kd;
  make_kadid(kd);
  kd.write("dmos.csv", "dist_img,ref_img,dmos\nI01_01_01.png,I01.png,4.57\nI01_01_05.png,I01.png,1.20\n"
                       "I01_01_01.png,I01.png,1.5\n");
  CHECK(contains(error_of([&] { read_kadid(kd.path().string()); }), "listed twice"));
}

TEST_CASE("load() refuses a pair whose images differ in size, naming both") {
  TempDir dir;
  put_image(dir, "a.png", 1, 8);
  put_image(dir, "b.png", 2, 6);
  dir.write("pairs.csv", "ref,dist,score\na.png,b.png,1\n");
  const auto src = read_csv(dir.path().string());
  Image ref, dist;
  const std::string msg = error_of([&] { src->load(0, ref, dist); });
  CHECK(contains(msg, "a.png is 8x8"));
  CHECK(contains(msg, "b.png is 6x6"));
}

TEST_CASE("open_dataset: an unknown kind and a missing folder are errors") {
  CHECK(contains(error_of([] { open_dataset("live", "/nonexistent"); }), "unknown data set \"live\""));
  CHECK(contains(error_of([] { open_dataset("kadid", "/nonexistent/kadid"); }), "/nonexistent/kadid does not exist"));
}

TEST_CASE("shared Kodak photographs read as 768x512 or 512x768 RGB" * doctest::test_suite("shared")) {
  const std::string shared = gsn::test::shared_data_dir();
  if (shared.empty()) return gsn::test::skip("../shared/data is not there");
  const Image im = read_image(shared + "/kodak24/kodim01.png");
  CHECK(im.width == 768);  // landscape
  CHECK(im.height == 512);
  const Image portrait = read_image(shared + "/kodak24/kodim04.png");
  CHECK(portrait.width == 512);
  CHECK(portrait.height == 768);
  float lo = 1, hi = 0;
  for (float v : im.rgb) lo = std::min(lo, v), hi = std::max(hi, v);
  CHECK(lo >= 0.f);
  CHECK(hi <= 1.f);
  CHECK(hi - lo > 0.5f);  // a photograph, not a black image
}
