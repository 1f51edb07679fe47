// A progress line for long work: count, rate, ETA and whatever the caller adds
// ("loss 0.213"). On a terminal it redraws one line; otherwise (CI logs, files) it
// prints a plain line every few seconds so logs stay readable.
#pragma once
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace gsn::app {

class Progress {
 public:
  Progress(std::string label, int64_t total, std::string unit = "it", std::FILE* out = stderr);
  ~Progress();  // ends a line left open on a terminal (an error message then starts on its own)
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  // done: items finished so far; extra: appended to the line.
  void update(int64_t done, const std::string& extra = "");
  void finish(const std::string& extra = "");
  // Before other output to the same stream: on a terminal, redraws the line with the
  // latest count (updates between redraws are not shown) and ends it, so the message
  // does not run into the bar; the next update() starts a new one.
  void end_line();
  double rate() const;  // items per second since start

 private:
  void draw(int64_t done, const std::string& extra, bool final);
  std::string label_, unit_;
  int64_t total_;
  std::FILE* out_;
  bool tty_;
  bool line_open_ = false;  // a terminal line drawn without its newline
  std::string last_extra_;
  int64_t done_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

std::string format_duration(double seconds);  // "1:02:03" or "02:03"

}  // namespace gsn::app
