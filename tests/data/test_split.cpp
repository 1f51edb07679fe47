// Splits: by reference (no reference in two parts), seeded, ratios, and the split file.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "data/split.h"
#include "tests/data/data_fixtures.h"
#include "tests/test_util.h"

using namespace gsn::data;
using gsn::test::contains;
using gsn::test::error_of;
using gsn::test::TempDir;

namespace {

// `refs` references with `per_ref` pairs each, listed interleaved (ref 0, 1, 2, ..., 0,
// 1, ...) so a split by pair position would mix references. No images.
class ListSource : public PairSource {
 public:
  ListSource(int refs, int per_ref) {
    for (int k = 0; k < per_ref; ++k)
      for (int r = 0; r < refs; ++r) {
        PairInfo p;
        p.ref_id = "ref" + std::to_string(r);
        p.score = k;
        pairs_.push_back(p);
      }
  }
  std::string name() const override { return "list"; }
  std::size_t size() const override { return pairs_.size(); }
  const PairInfo& info(std::size_t i) const override { return pairs_.at(i); }
  void load(std::size_t, Image&, Image&) const override { GSN_THROW("ListSource has no images"); }

 private:
  std::vector<PairInfo> pairs_;
};

void check_by_reference(const PairSource& src, const Split& s) {
  std::map<std::string, std::set<SplitPart>> parts_of_ref;
  std::vector<int> seen(src.size(), 0);
  for (SplitPart part : {SplitPart::Train, SplitPart::Val, SplitPart::Test}) {
    for (std::size_t i : s.pairs(part)) {
      ++seen.at(i);
      parts_of_ref[src.info(i).ref_id].insert(part);
      CHECK(s.part_of_ref.at(src.info(i).ref_id) == part);
    }
  }
  for (int n : seen) CHECK(n == 1);  // every pair in exactly one part
  for (const auto& [ref, parts] : parts_of_ref) CHECK(parts.size() == 1);
}

}  // namespace

TEST_CASE("split_by_reference: no reference in two parts, ratios kept, every pair placed") {
  const ListSource src(50, 4);
  const Split s = split_by_reference(src, SplitOptions{0.8, 0.1, 0.1, 7});
  check_by_reference(src, s);
  CHECK(s.refs_in(SplitPart::Train) == 40);
  CHECK(s.refs_in(SplitPart::Val) == 5);
  CHECK(s.refs_in(SplitPart::Test) == 5);
  CHECK(s.train.size() == 160);
  CHECK(std::is_sorted(s.train.begin(), s.train.end()));
  CHECK(contains(s.summary(), "train 40 refs / 160 pairs"));
}

TEST_CASE("split_by_reference: same seed same split, another seed another") {
  const ListSource src(30, 2);
  const SplitOptions a{0.6, 0.2, 0.2, 1};
  CHECK(split_by_reference(src, a).part_of_ref == split_by_reference(src, a).part_of_ref);
  SplitOptions b = a;
  b.seed = 2;
  CHECK(split_by_reference(src, a).part_of_ref != split_by_reference(src, b).part_of_ref);
}

TEST_CASE("split_by_reference: small sets and bad ratios") {
  const Split two = split_by_reference(ListSource(2, 3), SplitOptions{0.8, 0.1, 0.1, 0});
  CHECK(two.refs_in(SplitPart::Train) == 1);
  CHECK(two.refs_in(SplitPart::Val) + two.refs_in(SplitPart::Test) == 1);
  const Split all_train = split_by_reference(ListSource(5, 1), SplitOptions{1, 0, 0, 0});
  CHECK(all_train.train.size() == 5);
  CHECK(contains(error_of([] { split_by_reference(ListSource(5, 1), SplitOptions{0.5, 0.1, 0.1, 0}); }),
                 "add up to 1"));
}

TEST_CASE("split file: written and read back the same; reading validates") {
  TempDir dir;
  const ListSource src(12, 3);
  const Split s = split_by_reference(src, SplitOptions{0.5, 0.25, 0.25, 3});
  const std::string path = dir.file("split.txt");
  write_split(path, src, s);
  const Split back = read_split(path, src);
  CHECK(back.part_of_ref == s.part_of_ref);
  CHECK(back.train == s.train);
  CHECK(back.val == s.val);
  CHECK(back.test == s.test);

  std::string text = "# a comment\ntrain\tref0\n";
  for (int r = 1; r < 12; ++r) text += "val\tref" + std::to_string(r) + "\n";
  const std::pair<std::string, std::string> cases[] = {
      {"train\tref0\nholdout\tref1\n", "line 2: part \"holdout\""},
      {"train\tref0\ntrain ref1\n", "line 2: expected"},
      {"train\tref0\ntest\tref99\n", "line 2: reference \"ref99\" is not in the list data set"},
      {"train\tref0\n\ntest\tref0\n", "line 3: reference \"ref0\" is listed twice"},
      {"train\tref0\n", "does not assign reference \"ref1\""}};
  for (const auto& [bad, what] : cases) {
    CAPTURE(what);
    dir.write("bad.txt", bad);
    const std::string msg = error_of([&] { read_split(dir.file("bad.txt"), src); });
    CHECK(contains(msg, dir.file("bad.txt")));
    CHECK(contains(msg, what));
  }
  dir.write("ok.txt", text);
  CHECK(read_split(dir.file("ok.txt"), src).refs_in(SplitPart::Val) == 11);
}

TEST_CASE("split_from_names: a preset split, refused when it splits a reference") {
  const ListSource src(2, 2);  // pairs: ref0, ref1, ref0, ref1
  const Split s = split_from_names(src, {"train", "test", "train", "test"});
  CHECK(s.train == std::vector<std::size_t>{0, 2});
  CHECK(s.test == std::vector<std::size_t>{1, 3});
  const std::string msg = error_of([&] { split_from_names(src, {"train", "test", "val", "test"}); });
  CHECK(contains(msg, "reference ref0 is in both train and val"));
}
