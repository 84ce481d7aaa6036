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

/// How the two Gatekeeper terms are averaged over a mini-batch of N samples.
enum class GatekeeperReduction {
  kBatch,  ///< both sums divided by N, as in the paper (Rabanser et al. 2025, eq. of L_corr)
  kGroup,  ///< each sum divided by its own group's size (papers/README's "mean over ...")
};

/// The Gatekeeper loss (Rabanser et al. 2025, "Gatekeeper: Improving Model Cascades Through
/// Confidence Tuning") of one batch:
///   L = alpha * L_corr + (1 - alpha) * L_incorr,
///   L_corr   = (1/N) sum_i [argmax p_i == y_i] CE(p_i, y_i)        (CE = -log p_i[y_i]),
///   L_incorr = (1/N) sum_i [argmax p_i != y_i] KL(p_i || U)         (= log K - H(p_i)),
/// with p_i = softmax(logits_i), the split by the model's own prediction (first maximum on ties)
/// and, under kGroup, each sum divided by its group's size instead of N (an empty group adds 0).
/// `logits` is [n][num_classes]. The very function the fine-tuning loop minimises (torch
/// inside), exposed torch-free for tests.
double gatekeeper_loss(const std::vector<float>& logits, const std::vector<int32_t>& labels,
                       int num_classes, double alpha, GatekeeperReduction reduction);

/// Gatekeeper fine-tuning of a trained network.
struct GatekeeperConfig {
  double alpha = 0.5;  ///< weight of L_corr; 1 - alpha weighs L_incorr
  GatekeeperReduction reduction = GatekeeperReduction::kBatch;
  TrainConfig train;  ///< epochs, batch size, optimiser and schedule of the fine-tuning
};

/// True if `model` was made by make_torch_classifier (a LibTorch network that can be
/// fine-tuned).
bool is_torch_classifier(const ZooModel& model);
/// Fine-tunes a trained make_torch_classifier model in place on ds.train with the Gatekeeper
/// loss: same network and input standardisation, a fresh optimiser, seeded data order.
/// Throws std::invalid_argument naming the model if it is not a LibTorch network.
void fine_tune_gatekeeper(ZooModel& model, const Dataset& ds, uint64_t seed,
                          const GatekeeperConfig& config);

}  // namespace lazystack
