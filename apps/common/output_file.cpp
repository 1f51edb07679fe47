#include "apps/common/output_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "kernels/core/error.h"

namespace gsn::app {

namespace fs = std::filesystem;

void check_output_file(const std::string& flag, const std::string& path, const std::vector<std::string>& inputs) {
  const fs::path p(path);
  std::error_code ec;
  for (const std::string& in : inputs)
    GSN_CHECK(!fs::equivalent(p, in, ec), flag, " ", path, ": is an input of this command (", in,
              "); writing it would destroy it");
  GSN_CHECK(p.extension() != ".safetensors", flag, " ", path,
            ": names a checkpoint (.safetensors); give the output another name");
  GSN_CHECK(!fs::is_directory(p, ec), flag, " ", path, ": is a folder; give a file name");
  const fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  GSN_CHECK(fs::is_directory(dir, ec), flag, " ", path, ": the folder ", dir.string(), " does not exist");
  GSN_CHECK(::access(dir.c_str(), W_OK) == 0, flag, " ", path, ": the folder ", dir.string(), " cannot be written (",
            std::strerror(errno), ")");
}

}  // namespace gsn::app
