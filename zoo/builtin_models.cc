// register_builtin_models: the networks (LibTorch), hog-knn (OpenCV) and gatekeeper (a network
// fine-tuned from an earlier zoo entry).
#include "zoo/architectures.h"
#include "zoo/gatekeeper.h"
#include "zoo/hog_knn.h"
#include "zoo/model.h"
#include "zoo/torch_classifier.h"

namespace lazystack {

void register_builtin_models(ModelRegistry& registry) {
  for (TorchArch& arch : torch_architectures()) {
    auto build = arch.build;
    registry.add({arch.name, arch.description, std::move(arch.options),
                  [build](const Options& options, const Dataset& ds) {
                    return make_torch_classifier(build(options, ds), train_config(options),
                                                 ds.num_classes);
                  }});
  }
  registry.add({"hog-knn",
                "HOG descriptors + k-nearest-neighbour vote (OpenCV); image datasets only; "
                "logits are log smoothed vote fractions",
                hog_knn_option_specs(), make_hog_knn});
  registry.add(gatekeeper_entry());
}

}  // namespace lazystack
