#include "train/data_setup.h"

#include "data/readers.h"
#include "data/synthetic_dataset.h"

namespace gsn::train {

DataSetup open_data(const TrainOptions& o) {
  DataSetup d;
  if (o.data == "synthetic") {
    data::SyntheticOptions s;
    s.num_refs = static_cast<std::size_t>(o.synth_refs);
    s.width = s.height = o.synth_size;
    s.seed = o.seed;
    s.refs_dir = o.refs;
    d.source = std::make_unique<data::SyntheticDataset>(s);
  } else {
    GSN_CHECK(!o.root.empty(), "--data ", o.data, " needs --root (the data set's folder)");
    data::DatasetOptions dopt;
    dopt.labels = o.labels;
    dopt.lower_is_better = o.lower_is_better;
    d.source = data::open_dataset(o.data, o.root, dopt);
  }
  if (!o.split_file.empty()) {
    d.split = data::read_split(o.split_file, *d.source);
  } else {
    data::SplitOptions sp;
    sp.val = o.val_fraction;
    sp.test = o.test_fraction;
    sp.train = 1.0 - o.val_fraction - o.test_fraction;
    sp.seed = o.seed;
    d.split = data::split_by_reference(*d.source, sp);
  }
  GSN_CHECK(!d.split.train.empty(), "the training split is empty: ", d.split.summary());
  return d;
}

}  // namespace gsn::train
