#include "data/split.h"

#include <cmath>
#include <fstream>
#include <set>

#include "data/label_file.h"
#include "kernels/core/error.h"
#include "kernels/core/random.h"

namespace gsn::data {

const char* split_part_name(SplitPart part) {
  switch (part) {
    case SplitPart::Train: return "train";
    case SplitPart::Val: return "val";
    case SplitPart::Test: return "test";
  }
  return "?";
}

namespace {

bool parse_part(const std::string& name, SplitPart& part) {
  for (SplitPart p : {SplitPart::Train, SplitPart::Val, SplitPart::Test}) {
    if (name == split_part_name(p)) {
      part = p;
      return true;
    }
  }
  return false;
}

std::vector<std::string> sorted_ref_ids(const PairSource& source) {
  std::set<std::string> ids;
  for (std::size_t i = 0; i < source.size(); ++i) ids.insert(source.info(i).ref_id);
  return {ids.begin(), ids.end()};
}

// Fills the pair lists from part_of_ref, which must cover every reference of the source.
Split with_pairs(const PairSource& source, std::map<std::string, SplitPart> part_of_ref) {
  Split s;
  s.part_of_ref = std::move(part_of_ref);
  for (std::size_t i = 0; i < source.size(); ++i) {
    switch (s.part_of_ref.at(source.info(i).ref_id)) {
      case SplitPart::Train: s.train.push_back(i); break;
      case SplitPart::Val: s.val.push_back(i); break;
      case SplitPart::Test: s.test.push_back(i); break;
    }
  }
  return s;
}

}  // namespace

const std::vector<std::size_t>& Split::pairs(SplitPart part) const {
  return part == SplitPart::Train ? train : part == SplitPart::Val ? val : test;
}

std::size_t Split::refs_in(SplitPart part) const {
  std::size_t n = 0;
  for (const auto& [ref, p] : part_of_ref) n += p == part;
  return n;
}

std::string Split::summary() const {
  std::string s;
  for (SplitPart p : {SplitPart::Train, SplitPart::Val, SplitPart::Test}) {
    s += (s.empty() ? "" : ", ") + std::string(split_part_name(p)) + " " + std::to_string(refs_in(p)) + " refs / " +
         std::to_string(pairs(p).size()) + " pairs";
  }
  return s;
}

Split split_by_reference(const PairSource& source, const SplitOptions& o) {
  GSN_CHECK(o.train >= 0 && o.val >= 0 && o.test >= 0 && std::abs(o.train + o.val + o.test - 1.0) < 1e-6,
            "split: ratios train ", o.train, ", val ", o.val, ", test ", o.test, " must be >= 0 and add up to 1");
  std::vector<std::string> refs = sorted_ref_ids(source);
  const std::size_t n = refs.size();
  GSN_CHECK(n > 0, "split: ", source.name(), " has no references");

  // Sorting first makes the split depend only on the set of references and the seed,
  // not on the order a reader listed the pairs in.
  Generator gen(o.seed, 0x9e3779b97f4a7c15ULL);
  for (std::size_t i = n; i > 1; --i) std::swap(refs[i - 1], refs[gen.below(static_cast<uint32_t>(i))]);

  auto count_for = [n](double ratio) {
    std::size_t k = static_cast<std::size_t>(std::llround(ratio * static_cast<double>(n)));
    return ratio > 0 && k == 0 ? std::size_t{1} : k;
  };
  std::size_t n_val = count_for(o.val);
  std::size_t n_test = count_for(o.test);
  // Too few references to honour every part: train keeps at least one if it asked for any.
  const std::size_t train_min = o.train > 0 ? 1 : 0;
  while (n_val + n_test + train_min > n && (n_val > 0 || n_test > 0)) (n_test >= n_val ? n_test : n_val)--;

  std::map<std::string, SplitPart> part_of_ref;
  for (std::size_t i = 0; i < n; ++i)
    part_of_ref[refs[i]] = i < n_test ? SplitPart::Test : i < n_test + n_val ? SplitPart::Val : SplitPart::Train;
  return with_pairs(source, std::move(part_of_ref));
}

Split split_from_names(const PairSource& source, const std::vector<std::string>& part_per_pair) {
  GSN_CHECK(part_per_pair.size() == source.size(), "split: ", part_per_pair.size(), " split names for ",
            source.size(), " pairs");
  std::map<std::string, SplitPart> part_of_ref;
  for (std::size_t i = 0; i < source.size(); ++i) {
    SplitPart part;
    GSN_CHECK(parse_part(part_per_pair[i], part), "split: pair ", i, " has split \"", part_per_pair[i],
              "\", not train, val or test");
    const std::string& ref = source.info(i).ref_id;
    auto [it, inserted] = part_of_ref.emplace(ref, part);
    GSN_CHECK(inserted || it->second == part, "split: reference ", ref, " is in both ", split_part_name(it->second),
              " and ", split_part_name(part), " (pair ", i, "); a reference must stay in one split");
  }
  return with_pairs(source, std::move(part_of_ref));
}

void write_split(const std::string& path, const PairSource& source, const Split& split) {
  std::ofstream out(path);
  GSN_CHECK(out, "write_split: cannot create ", path);
  out << "# gsn split: " << source.name() << ", " << split.part_of_ref.size() << " references, " << source.size()
      << " pairs\n";
  for (const auto& [ref, part] : split.part_of_ref) out << split_part_name(part) << '\t' << ref << '\n';
  out.flush();
  GSN_CHECK(out.good(), "write_split: cannot write ", path);
}

Split read_split(const std::string& path, const PairSource& source) {
  const std::vector<std::string> refs = sorted_ref_ids(source);
  const std::set<std::string> known(refs.begin(), refs.end());
  std::map<std::string, SplitPart> part_of_ref;
  for (const LabelLine& line : read_label_lines(path)) {
    if (line.text[0] == '#') continue;
    const std::size_t tab = line.text.find('\t');
    if (tab == std::string::npos) throw_at_line(path, line, "expected \"<train|val|test><TAB><ref_id>\"");
    SplitPart part;
    if (!parse_part(line.text.substr(0, tab), part))
      throw_at_line(path, line, "part \"" + line.text.substr(0, tab) + "\" is not train, val or test");
    const std::string ref = line.text.substr(tab + 1);
    if (!known.count(ref)) throw_at_line(path, line, "reference \"" + ref + "\" is not in the " + source.name() + " data set");
    if (!part_of_ref.emplace(ref, part).second) throw_at_line(path, line, "reference \"" + ref + "\" is listed twice");
  }
  for (const std::string& ref : refs)
    GSN_CHECK(part_of_ref.count(ref), "split file ", path, " does not assign reference \"", ref, "\" of the ",
              source.name(), " data set (was it written for another data set?)");
  return with_pairs(source, std::move(part_of_ref));
}

}  // namespace gsn::data
