// Opening the data a run trains and evaluates on: the source (synthetic or a data set on
// disk) and its split by reference: read from a split file (--split), else the data set's
// own (a CSV's split column), else drawn from the seed at the given fractions.
#pragma once
#include <memory>

#include "data/dataset.h"
#include "data/split.h"
#include "train/options.h"

namespace gsn::train {

struct DataSetup {
  std::unique_ptr<data::PairSource> source;
  data::Split split;
};

DataSetup open_data(const TrainOptions& options);

}  // namespace gsn::train
