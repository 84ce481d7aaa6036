// The synthetic and imported datasets: labels without features (see featureless.h).
#include "datasets/featureless.h"

#include <fmt/core.h>

#include <chrono>
#include <cmath>
#include <stdexcept>

#include "core/hdf5_io.h"
#include "core/log.h"
#include "core/synthetic.h"

namespace lazystack {
namespace {

// Labels only: no features, no train split (nothing is trained on such a dataset).
std::unique_ptr<Dataset> labels_only(const std::string& name, int num_classes,
                                     std::vector<int32_t> val, std::vector<int32_t> test) {
  auto ds = std::make_unique<Dataset>();
  ds->name = name;
  ds->domain = name;
  ds->num_classes = num_classes;
  ds->shape = InputShape{1, 1, 0, /*is_image=*/false};
  ds->val.num_samples = static_cast<int>(val.size());
  ds->val.y = std::move(val);
  ds->test.num_samples = static_cast<int>(test.size());
  ds->test.y = std::move(test);
  ds->finalize();
  return ds;
}

std::unique_ptr<Dataset> make_synthetic(const Options& options, uint64_t /*seed*/) {
  const auto seed = static_cast<uint64_t>(options.get_int("seed"));
  const int classes = static_cast<int>(options.get_int("classes"));
  const int val_size = static_cast<int>(options.get_int("val_size"));
  const int test_size = static_cast<int>(options.get_int("test_size"));
  // Val and test draw from different streams of the one seed.
  auto ds = labels_only("synthetic", classes, synthetic_labels(val_size, classes, 2 * seed),
                        synthetic_labels(test_size, classes, 2 * seed + 1));
  log_info("[dataset] synthetic: {} classes, val {}, test {} labels (seed {}), no features",
           classes, val_size, test_size, seed);
  return ds;
}

std::vector<int32_t> read_labels(const h5::File& f, const std::string& name) {
  if (!f.exists(name)) throw std::runtime_error(fmt::format("'{}': no dataset {}", f.path(), name));
  std::vector<uint64_t> dims;
  const std::vector<double> y = f.read_f64(name, &dims);
  if (dims.size() != 1)
    throw std::runtime_error(fmt::format("'{}': {} must be 1-D [N]", f.path(), name));
  std::vector<int32_t> labels;
  for (size_t i = 0; i < y.size(); ++i) {
    if (y[i] != std::floor(y[i]) || std::fabs(y[i]) > 2e9)
      throw std::runtime_error(fmt::format("'{}': {} at sample {}: {} is not an integer label",
                                           f.path(), name, i, y[i]));
    labels.push_back(static_cast<int32_t>(y[i]));
  }
  return labels;
}

std::unique_ptr<Dataset> make_imported(const Options& options, uint64_t /*seed*/) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::string path = options.get_string("labels");
  h5::File f = h5::File::open(path);
  std::vector<int32_t> val = read_labels(f, "/val/labels"), test = read_labels(f, "/test/labels");
  int classes = static_cast<int>(options.get_int("classes"));
  if (classes == 0) {
    for (const char* values : {"/val/logits", "/val/probabilities"})
      if (f.exists(values)) {
        const std::vector<uint64_t> dims = f.dims(values);
        if (dims.size() == 2) classes = static_cast<int>(dims[1]);
        break;
      }
    if (classes == 0)
      throw std::runtime_error(
          fmt::format("'{}' has no /val/logits or /val/probabilities to count the classes: give "
                      "dataset.classes",
                      path));
  }
  auto ds = labels_only("imported", classes, std::move(val), std::move(test));
  log_info("[dataset] imported: labels of {}: {} classes, val {}, test {} ({:.2f} s)", path,
           classes, ds->val.num_samples, ds->test.num_samples, seconds_since(t0));
  return ds;
}

}  // namespace

DatasetRegistry::Entry synthetic_dataset_entry() {
  return {"synthetic",
          "seeded labels without features (uniform over the classes), for a zoo of synthetic "
          "members (arch synthetic) or imported outputs; no train split",
          {opt_int("classes", 10, "number of classes").range(2, 1e6),
           opt_int("val_size", 5000, "samples in val (fits and calibrates methods)").range(1, 1e8),
           opt_int("test_size", 5000, "samples in test (reported numbers)").range(1, 1e8),
           opt_int("seed", 0, "seed of the labels (and, through them, of every member's noise)")
               .range(0, 9e15)},
          make_synthetic,
          DatasetCard{/*has_features=*/false, [](const Options& o) {
                        return DatasetSize{
                            static_cast<uint64_t>(o.get_int("val_size") + o.get_int("test_size")),
                            static_cast<uint64_t>(o.get_int("classes")), "val_size"};
                      }}};
}

DatasetRegistry::Entry imported_dataset_entry() {
  return {"imported",
          "the val/test labels of an HDF5 file (/val/labels, /test/labels), e.g. the first "
          "`lazystack import` output of a zoo made only of imported members; no features, no "
          "train split",
          {opt_required("labels", OptionType::kString,
                        "HDF5 file with /val/labels and /test/labels (a `lazystack import` "
                        "output or its input)")
               .existing_path(),
           opt_int("classes", 0,
                   "number of classes; 0 = the width of /val/logits or /val/probabilities in "
                   "the labels file")
               .range(0, 1e6)},
          make_imported,
          DatasetCard{/*has_features=*/false, /*size_from_options=*/nullptr}};
}

}  // namespace lazystack
