// Plots a person can open: self-contained SVG line plots and scatter plots, gathered
// into one HTML page (no JavaScript, no network), written atomically.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace gsn::app {

struct Series {
  std::string name;
  std::vector<double> x, y;
};

std::string svg_line_plot(const std::string& title, const std::string& xlabel, const std::string& ylabel,
                          const std::vector<Series>& series, bool log_y = false);
std::string svg_scatter(const std::string& title, const std::string& xlabel, const std::string& ylabel,
                        const std::vector<double>& x, const std::vector<double>& y);

// sections: (heading, html fragment). Writes path via a temporary file and a rename.
void write_html_report(const std::string& path, const std::string& title,
                       const std::vector<std::pair<std::string, std::string>>& sections);

// Writes text to path via a temporary file and a rename (a reader never sees half a file).
void write_file_atomic(const std::string& path, const std::string& text);

std::string html_escape(const std::string& s);

// Axis ticks at round values: the multiples in [lo, hi] of the smallest 1, 2 or 5 x 10^k
// that makes at most 5 steps; and for a log axis, the 1, 2, 5 x 10^k in [lo, hi] (lo > 0),
// or nice_ticks where there are fewer than two of those.
std::vector<double> nice_ticks(double lo, double hi);
std::vector<double> log_ticks(double lo, double hi);

}  // namespace gsn::app
