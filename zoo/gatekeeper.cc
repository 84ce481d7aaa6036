// The `gatekeeper` architecture: a wrapper around the parent's network that fine-tunes it with
// the Gatekeeper loss (zoo/torch_classifier.cc) and otherwise behaves exactly like it (same
// weight files, inference, MACs and parameters; latency is profiled as for any member).
#include "zoo/gatekeeper.h"

#include <fmt/core.h>

#include <stdexcept>

#include "zoo/torch_classifier.h"

namespace lazystack {
namespace {

class GatekeeperModel : public ZooModel {
 public:
  explicit GatekeeperModel(const GatekeeperConfig& config) : config_(config) {}

  // Any LibTorch network can be a parent, a fine-tuned one too (its network is taken over).
  void set_parent(std::unique_ptr<ZooModel> parent) override {
    if (!parent) throw std::logic_error(name() + ": set_parent without a model");
    if (auto* gk = dynamic_cast<GatekeeperModel*>(parent.get())) {
      if (!gk->net_) throw std::logic_error(name() + ": the parent has no network yet");
      parent = std::move(gk->net_);
    }
    if (!is_torch_classifier(*parent))
      throw std::invalid_argument(fmt::format(
          "{}: Gatekeeper fine-tunes a LibTorch network, but its parent '{}' is not one and "
          "cannot be fine-tuned (parents can be softmax, mlp, lenet5, cnn, resnet or gatekeeper "
          "entries)",
          name(), parent->name()));
    net_ = std::move(parent);
    net_->set_name(name());
  }

  void train(const Dataset& ds, uint64_t seed) override {
    fine_tune_gatekeeper(net(), ds, seed, config_);
  }
  void save(const std::string& path) const override { net().save(path); }
  void load(const std::string& path) override { net().load(path); }
  std::vector<float> logits(const Split& split) override { return net().logits(split); }
  void logits_one(const float* x, float* out_logits) override { net().logits_one(x, out_logits); }
  double macs() const override { return net().macs(); }
  double params() const override { return net().params(); }
  std::string weights_suffix() const override { return net().weights_suffix(); }

 private:
  ZooModel& net() const {
    if (!net_)
      throw std::logic_error(name() +
                             ": a gatekeeper model needs its parent's network first (build_zoo "
                             "hands it over; see ZooModel::set_parent)");
    return *net_;
  }

  GatekeeperConfig config_;
  std::unique_ptr<ZooModel> net_;
};

std::vector<OptionSpec> gatekeeper_option_specs() {
  std::vector<OptionSpec> specs = {
      opt_required("parent", OptionType::kString,
                   "name of an earlier zoo entry (a LibTorch network) to copy and fine-tune"),
      opt_required("alpha", OptionType::kDouble,
                   "weight of the cross-entropy on right answers; 1 - alpha weighs the KL to "
                   "uniform on wrong answers (lower: defers more)")
          .range(0, 1),
      opt_string("reduction", "batch",
                 "batch: both terms divided by the batch size (the paper); group: each by the "
                 "number of right / wrong answers in the batch")
          .one_of({"batch", "group"}),
  };
  TrainConfig defaults;
  defaults.epochs = 3;
  defaults.batch_size = 128;
  defaults.lr = 1e-3;
  for (auto& spec : train_option_specs(defaults)) specs.push_back(std::move(spec));
  return specs;
}

}  // namespace

ModelRegistry::Entry gatekeeper_entry() {
  return {"gatekeeper",
          "an earlier zoo entry (option parent, a LibTorch network) fine-tuned on train with the "
          "Gatekeeper loss (Rabanser et al. 2025) for one alpha; same cost as its parent",
          gatekeeper_option_specs(), [](const Options& o, const Dataset&) {
            GatekeeperConfig c;
            c.alpha = o.get_double("alpha");
            c.reduction = o.get_string("reduction") == "group" ? GatekeeperReduction::kGroup
                                                               : GatekeeperReduction::kBatch;
            c.train = train_config(o);
            return std::make_unique<GatekeeperModel>(c);
          }};
}

}  // namespace lazystack
