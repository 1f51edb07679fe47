#include "train/data_setup.h"

#include "data/readers.h"
#include "data/synthetic_dataset.h"

namespace gsn::train {

DataSetup open_data(const TrainOptions& o) {
  validate_data(o);
  DataSetup d;
  std::vector<std::string> preset;  // the split the data set gives per pair, if any
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
    dopt.part = o.pipal_part;
    auto files = data::open_dataset(o.data, o.root, dopt);
    preset = files->preset_split();
    d.source = std::move(files);
  }
  if (!o.split_file.empty()) {
    d.split = data::read_split(o.split_file, *d.source);
  } else if (!preset.empty()) {  // a CSV's split column: the data set's own split wins
    d.split = data::split_from_names(*d.source, preset);
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
