// The data set factory behind --data KIND --root DIR.
#include "data/readers.h"
#include "kernels/core/error.h"

namespace gsn::data {

std::unique_ptr<FilePairSource> open_dataset(const std::string& kind, const std::string& root,
                                             const DatasetOptions& options) {
  if (kind == "pipal") return read_pipal(root, options.part);
  if (kind == "kadid") return read_kadid(root);
  if (kind == "tid2013") return read_tid2013(root);
  if (kind == "csiq") return read_csiq(root, options.labels);
  if (kind == "csv") return read_csv(root, options.labels, options.lower_is_better);
  GSN_THROW("unknown data set \"", kind, "\" (expected pipal, kadid, tid2013, csiq or csv; the synthetic set is "
            "built by the caller, not opened from a folder)");
}

}  // namespace gsn::data
