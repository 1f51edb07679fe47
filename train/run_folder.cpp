#include "train/run_folder.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "kernels/core/error.h"
#include "nn/safetensors.h"

namespace gsn::train {

namespace fs = std::filesystem;

std::string resolve_resume(const TrainOptions& o) {
  if (o.resume == "last") return (fs::path(o.out) / "last.safetensors").string();
  return o.resume;
}

const char* const kRunFiles[7] = {"options.json", "split.txt", "log.csv", "eval.csv", "last.safetensors",
                                 "best.safetensors", "report.html"};

std::vector<std::string> check_run_folder(const TrainOptions& o) {
  if (!o.resume.empty()) {
    std::error_code ec;
    fs::path dir = fs::path(resolve_resume(o)).parent_path();
    if (dir.empty()) dir = ".";
    const fs::path from = fs::weakly_canonical(dir, ec);
    if (!ec && from == fs::weakly_canonical(fs::path(o.out), ec) && !ec) return {};
  }
  std::vector<std::string> found;
  for (const char* f : kRunFiles)
    if (fs::exists(fs::path(o.out) / f)) found.push_back(f);
  if (found.empty() || o.overwrite) return found;
  std::string list;
  for (const std::string& f : found) list += (list.empty() ? "" : ", ") + f;
  throw OptionError("--out " + o.out + " holds an earlier run (" + list + "): " +
                    (o.resume.empty() && fs::exists(fs::path(o.out) / "last.safetensors") ? "continue it with --resume last, "
                                                                                           : "") +
                    "replace it with --overwrite, or choose another --out");
}

void clear_run_files(const TrainOptions& o, const std::vector<std::string>& files) {
  for (const std::string& f : files) fs::remove(fs::path(o.out) / f);
}

namespace {
// The options that do not change what a run computes.
bool free_on_resume(const std::string& key) {
  for (const char* k : {"workers", "threads", "device", "eval_every", "baselines", "out", "resume", "stop_at", "overwrite"})
    if (key == k) return true;
  return false;
}
std::string flag_of(const std::string& key) {
  if (key == "split_file") return "--split";
  if (key == "attention") return "--no-attention";
  std::string f = "--" + key;
  for (char& c : f)
    if (c == '_') c = '-';
  return f;
}
}  // namespace

void check_resume_options(const std::string& path, const std::map<std::string, std::string>& meta,
                          const TrainOptions& o) {
  auto it = meta.find("options");
  if (it == meta.end())
    throw OptionError(path + ": has no training options in its metadata (not written by gsn-train), so it cannot be "
                      "resumed; start a new run");
  nlohmann::json saved, now = nlohmann::json::parse(with_absolute_paths(o).to_json());
  try {
    // Paths compared as absolute: runs before 2026-11-29 stored them as typed.
    saved = nlohmann::json::parse(with_absolute_paths(TrainOptions::from_json(it->second, path)).to_json());
  } catch (const std::exception& e) {
    GSN_THROW(path, ": the training options in its metadata are not usable (", e.what(), ")");
  }
  std::string diff;
  for (const auto& [key, value] : now.items()) {
    if (free_on_resume(key)) continue;
    const auto s = saved.find(key);
    if (s != saved.end() && *s == value) continue;
    diff += (diff.empty() ? "" : ", ") + flag_of(key) + " " + value.dump() + " (the run: " +
            (s == saved.end() ? std::string("not set") : s->dump()) + ")";
  }
  if (!diff.empty())
    throw OptionError(path + ": resume with the options of the run it continues; these differ: " + diff +
                      ". Leave them out and gsn-train takes the run's (from the checkpoint's metadata); to change "
                      "them, start a new run");
}

std::string option_key_of_flag(const std::string& flag) {
  if (flag == "--split") return "split_file";
  if (flag == "--no-attention") return "attention";
  if (flag == "--no-baselines") return "baselines";
  std::string key = flag.rfind("--", 0) == 0 ? flag.substr(2) : flag;
  for (char& c : key)
    if (c == '-') c = '_';
  return key;
}

void take_resumed_options(TrainOptions& o, const std::set<std::string>& given) {
  if (o.resume.empty()) return;
  // --resume FILE without --out continues in the checkpoint's folder, where the run is.
  if (o.resume != "last" && given.count("out") == 0) {
    const fs::path dir = fs::path(o.resume).parent_path();
    o.out = dir.empty() ? "." : dir.string();
  }
  const std::string path = resolve_resume(o);
  const SafetensorsFile file = load_safetensors(path);
  auto it = file.metadata.find("options");
  if (it == file.metadata.end()) return;  // check_resume_options refuses it, with the reason
  nlohmann::json saved, now = nlohmann::json::parse(o.to_json());
  try {
    saved = nlohmann::json::parse(it->second);
  } catch (const std::exception&) {
    return;  // likewise
  }
  for (const auto& [key, value] : saved.items())
    if (now.contains(key) && given.count(key) == 0 && key != "out" && key != "resume" && key != "stop_at" &&
        key != "overwrite")
      now[key] = value;
  o = TrainOptions::from_json(now.dump(), path);
}

RunOnDisk read_run(const std::string& dir) {
  const fs::path options = fs::path(dir) / "options.json";
  std::ifstream in(options);
  GSN_CHECK(in, options.string(), ": cannot open (is ", dir, " a gsn-train output folder?)");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  RunOnDisk run;
  copy_data_options(TrainOptions::from_json(text, options.string()), run.options);
  run.options.split_file = (fs::path(dir) / "split.txt").string();
  const fs::path best = fs::path(dir) / "best.safetensors";
  run.checkpoint = fs::exists(best) ? best.string() : (fs::path(dir) / "last.safetensors").string();
  return run;
}

}  // namespace gsn::train
