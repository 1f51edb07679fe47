// Reading the text label files of IQA data sets, with the file and line number in every
// error so a user can open the file at the bad line.
#pragma once
#include <string>
#include <vector>

namespace gsn::data {

struct LabelLine {
  int number = 0;    // 1-based line number in the file
  std::string text;  // without the line ending (\n or \r\n) and surrounding spaces
};

// The non-blank lines of a text file; a UTF-8 byte-order mark is skipped. Throws when the
// file cannot be read or has no non-blank line.
std::vector<LabelLine> read_label_lines(const std::string& path);

// Splits a line at `separator` (',' for CSV) and trims spaces around each field; with
// separator ' ' it splits at any run of spaces and tabs.
std::vector<std::string> split_fields(const std::string& text, char separator);

// A finite number that is the whole of `field`; throws "<path>, line N: ..." otherwise
// (malformed, NaN or infinite).
double parse_score(const std::string& field, const std::string& path, const LabelLine& line);

// A distortion level written as 1..6 decimal digits ("03" -> 3); -1 for anything else.
int parse_level(const std::string& field);

// Throws gsn::Error "<path>, line N: <what> (the line reads: ...)".
[[noreturn]] void throw_at_line(const std::string& path, const LabelLine& line, const std::string& what);

}  // namespace gsn::data
