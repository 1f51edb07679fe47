// Checks on a file an app is asked to write (gsn-score --output, gsn-eval --predictions),
// made before the work that fills it, so a bad path fails at once and not after an hour of
// scoring, and a typo cannot replace a checkpoint.
#pragma once
#include <string>
#include <vector>

namespace gsn::app {

// Throws gsn::Error, naming `flag` and the path, when path is one of `inputs` (the same
// file, under any name), names a checkpoint (*.safetensors), is a folder, or lies in a
// folder that does not exist or cannot be written.
void check_output_file(const std::string& flag, const std::string& path, const std::vector<std::string>& inputs);

}  // namespace gsn::app
