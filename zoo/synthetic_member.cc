#include "zoo/synthetic_member.h"

#include <fmt/core.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/atomic_file.h"
#include "core/hash.h"
#include "core/synthetic.h"

namespace lazystack {
namespace {

class SyntheticModel : public ZooModel {
 public:
  SyntheticModel(const Options& options, const Dataset& ds)
      : num_classes_(ds.num_classes), option_seed_(static_cast<uint64_t>(options.get_int("seed"))) {
    member_.accuracy = options.get_double("accuracy");
    member_.correlation = options.get_double("correlation");
    member_.temperature = options.get_double("temperature");
    // Also checks the accuracy against this dataset's chance level before any work.
    signal_ = synthetic_signal_for_accuracy(member_.accuracy, num_classes_);
  }

  void train(const Dataset& /*ds*/, uint64_t seed) override { zoo_seed_ = seed; }

  void save(const std::string& path) const override {
    const std::string text = state().dump() + "\n";
    write_bytes_to(path, text.data(), text.size());
  }

  void load(const std::string& path) override {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    const nlohmann::json j = nlohmann::json::parse(in);
    zoo_seed_ = j.at("zoo_seed").get<uint64_t>();
    if (j != state()) throw std::runtime_error(path + " holds another synthetic member");
  }

  std::vector<float> logits(const Split& split) override {
    if (split.fingerprint.empty())
      throw std::logic_error("synthetic member: the split has no fingerprint (not finalized)");
    std::vector<float> out(static_cast<size_t>(split.num_samples) * num_classes_);
    // The split's fingerprint identifies its samples: the noise shared between members is
    // drawn from it, so every member of a zoo sees the same shared component.
    synthetic_member_logits(with_seed(), signal_, std::stoull(split.fingerprint, nullptr, 16),
                            split.y, num_classes_, out.data());
    return out;
  }

  void logits_one(const float* /*x*/, float* out_logits) override {
    // The generator's time for one sample (a label is needed; any will do).
    synthetic_member_logits(with_seed(), signal_, ++profile_calls_, {0}, num_classes_, out_logits);
  }

  double macs() const override { return 0.0; }
  double params() const override { return 0.0; }
  std::string weights_suffix() const override { return ".json"; }

 private:
  // Members differ by name (and the `seed` option, and the experiment's zoo seed).
  SyntheticMember with_seed() const {
    SyntheticMember m = member_;
    m.seed = Hasher().update(name()).update(option_seed_).update(zoo_seed_).digest();
    return m;
  }
  nlohmann::json state() const {
    return {{"accuracy", member_.accuracy},
            {"correlation", member_.correlation},
            {"temperature", member_.temperature},
            {"seed", option_seed_},
            {"zoo_seed", zoo_seed_},
            {"num_classes", num_classes_}};
  }

  SyntheticMember member_;
  double signal_;  ///< true-class shift for member_.accuracy on this dataset's class count
  int num_classes_;
  uint64_t option_seed_;
  uint64_t zoo_seed_ = 0;
  uint64_t profile_calls_ = 0;
};

}  // namespace

std::vector<OptionSpec> synthetic_member_option_specs() {
  return {
      opt_double("accuracy", 0.7,
                 "expected top-1 accuracy; must exceed chance (1 / classes) on the dataset")
          .above(0)
          .below(1),
      opt_double("correlation", 0.5,
                 "share of the noise variance common to all members (their errors agree more "
                 "as it grows)")
          .range(0, 1)
          .below(1),
      opt_double("temperature", 1.0,
                 "divides the calibrated logits: 1 calibrated, > 1 under-, < 1 over-confident")
          .above(0),
      opt_int("seed", 0, "the member's own noise stream (with its name and the zoo seed)")
          .range(0, 9e15),
  };
}

std::unique_ptr<ZooModel> make_synthetic_member(const Options& options, const Dataset& ds) {
  return std::make_unique<SyntheticModel>(options, ds);
}

}  // namespace lazystack
