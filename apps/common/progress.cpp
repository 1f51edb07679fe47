#include "apps/common/progress.h"

#include <unistd.h>

#include <cmath>

namespace gsn::app {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  const long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%02ld:%02ld", s / 60, s % 60);
  return buf;
}

Progress::Progress(std::string label, int64_t total, std::string unit, std::FILE* out)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), out_(out),
      tty_(::isatty(::fileno(out)) != 0), start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

double Progress::rate() const {
  const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  return dt > 0 ? static_cast<double>(done_) / dt : 0.0;
}

Progress::~Progress() {
  if (tty_ && line_open_) std::fputc('\n', out_);
}

void Progress::end_line() {
  if (!tty_ || !line_open_) return;
  draw(done_, last_extra_, false);
  std::fputc('\n', out_);
  std::fflush(out_);
  line_open_ = false;
}

void Progress::update(int64_t done, const std::string& extra) {
  done_ = done;
  last_extra_ = extra;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_draw_).count();
  if (since < (tty_ ? 0.2 : 5.0)) return;
  last_draw_ = now;
  draw(done, extra, false);
}

void Progress::finish(const std::string& extra) { draw(done_, extra, true); }

void Progress::draw(int64_t done, const std::string& extra, bool final) {
  const double r = rate();
  const double eta = r > 0 ? static_cast<double>(total_ - done) / r : NAN;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string bar;
  if (tty_ && total_ > 0) {
    const int width = 24;
    const int fill = static_cast<int>(width * static_cast<double>(done) / static_cast<double>(total_));
    bar = "[" + std::string(static_cast<std::size_t>(fill), '#') + std::string(static_cast<std::size_t>(width - fill), '.') + "] ";
  }
  std::fprintf(out_, "%s%s %s%lld/%lld %.1f %s/s %s %s %s%s", tty_ ? "\r\033[K" : "", label_.c_str(), bar.c_str(),
               static_cast<long long>(done), static_cast<long long>(total_), r, unit_.c_str(),
               final ? "took" : "ETA", format_duration(final ? elapsed : eta).c_str(), extra.c_str(),
               tty_ && !final ? "" : "\n");
  std::fflush(out_);
  line_open_ = tty_ && !final;
}

}  // namespace gsn::app
