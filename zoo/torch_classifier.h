// A LibTorch classifier trained here from a NetSpec: standardised inputs, seeded initialisation
// and data order, Adam or SGD, cosine learning-rate decay. The header is torch-free.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/options.h"
#include "zoo/model.h"
#include "zoo/net_spec.h"

namespace lazystack {

/// How a network is trained (the same options for every architecture, arch-specific defaults).
struct TrainConfig {
  int epochs = 5;
  int batch_size = 128;
  double lr = 1e-3;
  double weight_decay = 0.0;
  std::string optimizer = "adam";      ///< adam | sgd (momentum 0.9, Nesterov)
  std::string lr_schedule = "cosine";  ///< cosine (decays to 0 over all steps) | constant
};

/// Declared options epochs, batch_size, lr, weight_decay, optimizer, lr_schedule, with these
/// defaults.
std::vector<OptionSpec> train_option_specs(const TrainConfig& defaults);
/// Reads the options declared by train_option_specs.
TrainConfig train_config(const Options& options);

/// A ZooModel training `net` on its dataset's train split. Throws std::logic_error if the
/// built torch network's parameter count differs from the analytic one (net_cost).
std::unique_ptr<ZooModel> make_torch_classifier(const NetSpec& net, const TrainConfig& train,
                                                int num_classes);

}  // namespace lazystack
