#include "apps/common/report.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "kernels/core/error.h"

namespace gsn::app {

namespace {

constexpr int kW = 640, kH = 400, kL = 70, kR = 20, kT = 36, kB = 50;  // size and margins
const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};

struct Range {
  double lo = INFINITY, hi = -INFINITY;
  void add(double v) {
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  void settle() {
    if (!(lo <= hi)) lo = 0, hi = 1;
    if (lo == hi) {  // one value (one validation): a span around it, at least 1 wide
      const double pad = std::max(1.0, std::fabs(lo) * 0.1);
      lo -= pad, hi += pad;
    }
  }
};

std::string fmt(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.4g", v);
  return b;
}

// Axes, ticks and labels; returns the opening of the SVG with the frame drawn. yr is in
// log10 units when log_y.
std::string frame(const std::string& title, const std::string& xl, const std::string& yl, const Range& xr,
                  const Range& yr, bool log_y) {
  std::ostringstream s;
  s << "<svg xmlns='http://www.w3.org/2000/svg' width='" << kW << "' height='" << kH
    << "' font-family='sans-serif' font-size='12'>\n<rect width='100%' height='100%' fill='white'/>\n"
    << "<text x='" << kW / 2 << "' y='20' text-anchor='middle' font-size='14'>" << html_escape(title) << "</text>\n"
    << "<rect x='" << kL << "' y='" << kT << "' width='" << kW - kL - kR << "' height='" << kH - kT - kB
    << "' fill='none' stroke='#444'/>\n";
  for (double fx : nice_ticks(xr.lo, xr.hi)) {
    const double px = kL + (fx - xr.lo) / (xr.hi - xr.lo) * (kW - kL - kR);
    s << "<text x='" << px << "' y='" << kH - kB + 16 << "' text-anchor='middle'>" << fmt(fx) << "</text>\n";
  }
  const std::vector<double> yticks =
      log_y ? log_ticks(std::pow(10.0, yr.lo), std::pow(10.0, yr.hi)) : nice_ticks(yr.lo, yr.hi);
  for (double v : yticks) {
    const double fy = log_y ? std::log10(v) : v;
    const double py = kH - kB - (fy - yr.lo) / (yr.hi - yr.lo) * (kH - kT - kB);
    s << "<text x='" << kL - 6 << "' y='" << py + 4 << "' text-anchor='end'>" << fmt(v) << "</text>\n<line x1='" << kL
      << "' x2='" << kW - kR << "' y1='" << py << "' y2='" << py << "' stroke='#eee'/>\n";
  }
  s << "<text x='" << kW / 2 << "' y='" << kH - 12 << "' text-anchor='middle'>" << html_escape(xl) << "</text>\n"
    << "<text x='16' y='" << kH / 2 << "' text-anchor='middle' transform='rotate(-90 16 " << kH / 2 << ")'>"
    << html_escape(yl) << "</text>\n";
  return s.str();
}

double px(double v, const Range& r) { return kL + (v - r.lo) / (r.hi - r.lo) * (kW - kL - kR); }
double py(double v, const Range& r) { return kH - kB - (v - r.lo) / (r.hi - r.lo) * (kH - kT - kB); }

}  // namespace

std::vector<double> nice_ticks(double lo, double hi) {
  if (!(std::isfinite(lo) && std::isfinite(hi) && hi > lo)) return {};
  // The smallest of 1, 2, 5 x 10^k that cuts [lo, hi] into at most 5 steps.
  const double raw = (hi - lo) / 5, mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = 10 * mag;
  for (double m : {1.0, 2.0, 5.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  std::vector<double> t;
  for (double k = std::ceil(lo / step); k * step <= hi * (1 + 1e-12) + 1e-300; ++k) t.push_back(k * step);
  return t;
}

std::vector<double> log_ticks(double lo, double hi) {
  if (!(lo > 0 && hi > lo && std::isfinite(hi))) return {};
  std::vector<double> t;
  for (double d = std::pow(10.0, std::floor(std::log10(lo))); d <= hi; d *= 10)
    for (double m : {1.0, 2.0, 5.0})
      if (m * d >= lo * (1 - 1e-12) && m * d <= hi * (1 + 1e-12)) t.push_back(m * d);
  // Under two 1-2-5 values in a narrow range: ticks of the linear scale instead.
  return t.size() >= 2 ? t : nice_ticks(lo, hi);
}

std::string html_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '&': o += "&amp;"; break;
      case '\'': o += "&#39;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string svg_line_plot(const std::string& title, const std::string& xlabel, const std::string& ylabel,
                          const std::vector<Series>& series, bool log_y) {
  auto ty = [log_y](double v) { return log_y ? (v > 0 ? std::log10(v) : NAN) : v; };
  Range xr, yr;
  for (const Series& s : series)
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) xr.add(s.x[i]), yr.add(ty(s.y[i]));
  xr.settle();
  yr.settle();
  std::ostringstream o;
  o << frame(title, xlabel, ylabel, xr, yr, log_y);
  for (std::size_t k = 0; k < series.size(); ++k) {
    const Series& s = series[k];
    const char* color = kColors[k % 6];
    o << "<polyline fill='none' stroke='" << color << "' stroke-width='1.5' points='";
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i)
      if (std::isfinite(ty(s.y[i]))) o << fmt(px(s.x[i], xr)) << "," << fmt(py(ty(s.y[i]), yr)) << " ";
    o << "'/>\n";
    // A few points (validations) get markers too: a line through one point draws nothing.
    const std::size_t n = std::min(s.x.size(), s.y.size());
    if (n <= 60)
      for (std::size_t i = 0; i < n; ++i)
        if (std::isfinite(ty(s.y[i])))
          o << "<circle cx='" << fmt(px(s.x[i], xr)) << "' cy='" << fmt(py(ty(s.y[i]), yr)) << "' r='3' fill='" << color
            << "'/>\n";
    o << "<text x='" << kW - kR - 8 << "' y='" << kT + 16 + 16 * k << "' text-anchor='end' fill='" << color << "'>"
      << html_escape(s.name) << "</text>\n";
  }
  o << "</svg>\n";
  return o.str();
}

std::string svg_scatter(const std::string& title, const std::string& xlabel, const std::string& ylabel,
                        const std::vector<double>& x, const std::vector<double>& y) {
  Range xr, yr;
  for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) xr.add(x[i]), yr.add(y[i]);
  xr.settle();
  yr.settle();
  std::ostringstream o;
  o << frame(title, xlabel, ylabel, xr, yr, false);
  for (std::size_t i = 0; i < x.size() && i < y.size(); ++i)
    if (std::isfinite(x[i]) && std::isfinite(y[i]))
      o << "<circle cx='" << fmt(px(x[i], xr)) << "' cy='" << fmt(py(y[i], yr)) << "' r='2.5' fill='"
        << kColors[0] << "' fill-opacity='0.6'/>\n";
  o << "</svg>\n";
  return o.str();
}

void write_file_atomic(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary);
    GSN_CHECK(out, path, ": cannot create ", tmp, " (", std::strerror(errno), ")");
    out << text;
    out.flush();
    if (!out) {
      const int e = errno;
      out.close();
      std::remove(tmp.c_str());
      GSN_THROW(path, ": write to ", tmp, " failed (", std::strerror(e), ")");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    std::remove(tmp.c_str());
    GSN_THROW(path, ": cannot rename ", tmp, " over it (", std::strerror(e), ")");
  }
}

void write_html_report(const std::string& path, const std::string& title,
                       const std::vector<std::pair<std::string, std::string>>& sections) {
  std::ostringstream o;
  o << "<!doctype html>\n<html><head><meta charset='utf-8'><title>" << html_escape(title)
    << "</title>\n<style>body{font-family:sans-serif;max-width:1400px;margin:2em auto;}"
       "svg{margin:8px;border:1px solid #ddd} table{border-collapse:collapse} td,th{padding:2px 10px;"
       "border-bottom:1px solid #ddd;text-align:right}</style></head><body>\n<h1>"
    << html_escape(title) << "</h1>\n";
  for (const auto& [heading, html] : sections) o << "<h2>" << html_escape(heading) << "</h2>\n" << html << "\n";
  o << "</body></html>\n";
  write_file_atomic(path, o.str());
}

}  // namespace gsn::app
