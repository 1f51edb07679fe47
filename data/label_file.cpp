#include "data/label_file.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "kernels/core/error.h"

namespace gsn::data {
namespace {

std::string trim(const std::string& s) {
  const char* space = " \t\r\n";
  const std::size_t b = s.find_first_not_of(space);
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(space) - b + 1);
}

}  // namespace

std::vector<LabelLine> read_label_lines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  GSN_CHECK(in, "cannot open label file ", path, ": ", std::strerror(errno));
  std::vector<LabelLine> lines;
  std::string text;
  for (int number = 1; std::getline(in, text); ++number) {
    if (number == 1 && text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
    text = trim(text);
    if (!text.empty()) lines.push_back({number, text});
  }
  GSN_CHECK(!in.bad(), "error reading label file ", path);
  GSN_CHECK(!lines.empty(), "label file ", path, " is empty");
  return lines;
}

std::vector<std::string> split_fields(const std::string& text, char separator) {
  std::vector<std::string> fields;
  if (separator == ' ') {
    std::size_t i = 0;
    while (true) {
      i = text.find_first_not_of(" \t", i);
      if (i == std::string::npos) break;
      const std::size_t end = text.find_first_of(" \t", i);
      fields.push_back(text.substr(i, end == std::string::npos ? std::string::npos : end - i));
      if (end == std::string::npos) break;
      i = end;
    }
    return fields;
  }
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    fields.push_back(trim(text.substr(start, end == std::string::npos ? std::string::npos : end - start)));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return fields;
}

double parse_score(const std::string& field, const std::string& path, const LabelLine& line) {
  const char* begin = field.c_str();
  char* end = nullptr;
  const double v = std::strtod(begin, &end);
  if (field.empty() || end != begin + field.size())
    throw_at_line(path, line, "score \"" + field + "\" is not a number");
  if (std::isnan(v)) throw_at_line(path, line, "score is NaN");
  if (!std::isfinite(v)) throw_at_line(path, line, "score \"" + field + "\" is not finite");
  return v;
}

int parse_level(const std::string& field) {
  if (field.empty() || field.size() > 6 || field.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::stoi(field);
}

void throw_at_line(const std::string& path, const LabelLine& line, const std::string& what) {
  GSN_THROW(path, ", line ", line.number, ": ", what, " (the line reads: \"", line.text, "\")");
}

}  // namespace gsn::data
