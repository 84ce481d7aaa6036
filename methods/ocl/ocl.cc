// The only translation unit of methods/ocl that includes LibTorch.
#include "methods/ocl/ocl.h"

#include <fmt/core.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "core/atomic_file.h"
#include "core/hash.h"
#include "core/provenance.h"
#include "core/random.h"
#include "methods/common/method_kit.h"
#include "methods/common/mlp_train.h"
#include "methods/common/model_outputs.h"
#include "methods/common/torch_mlp.h"

namespace lazystack {

namespace ocl_detail {

constexpr int kDeferralHidden = 128;  // the public code's deferral MLP: C -> 128 -> 1

struct Cascade {
  std::vector<TorchMlp> learners, deferrals;
  std::vector<std::unique_ptr<torch::optim::Adam>> learner_optimisers;
  std::unique_ptr<torch::optim::Adam> deferral_optimiser;
  torch::Tensor x;  // [1, D]: the current sample, standardised
  int previous_threads = 1;
};

}  // namespace ocl_detail

namespace {

using ocl_detail::Cascade;

// Median wall time (ms) of `repeats` batch-1 forwards of learner + softmax + deferral.
double level_latency_ms(TorchMlp& learner, TorchMlp& deferral, int feature_dim, int repeats) {
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::zeros({1, feature_dim});
  auto once = [&] {
    const torch::Tensor p = torch::softmax(learner.forward(x), 1);
    return torch::sigmoid(deferral.forward(p)).item<float>();
  };
  for (int i = 0; i < std::min(repeats, 20); ++i) once();
  std::vector<double> ms(repeats);
  for (int i = 0; i < repeats; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    once();
    ms[i] =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }
  std::nth_element(ms.begin(), ms.begin() + repeats / 2, ms.end());
  return ms[repeats / 2];
}

}  // namespace

Ocl::Ocl(const Options& options)
    : mu_grid_(options.get_doubles("mu")),
      decay_(options.get_double("decay")),
      warmup_(static_cast<int>(options.get_int("warmup"))),
      batch_(static_cast<int>(options.get_int("batch"))),
      replay_(static_cast<int>(options.get_int("replay"))),
      learning_rate_(options.get_double("learning_rate")),
      deferral_learning_rate_(options.get_double("deferral_learning_rate")),
      hidden_(static_cast<int>(options.get_int("hidden"))),
      learners_(options.get_strings("learners")),
      expert_name_(options.get_string("expert")),
      expert_stacker_(options.get_bool("expert_stacker")),
      shift_(options.get_string("shift")),
      shift_classes_(options.get_ints("shift_classes")),
      option_seed_(static_cast<uint64_t>(options.get_int("seed"))),
      given_level_costs_(options.get_doubles("level_costs")) {
  if (mu_grid_.empty()) throw std::invalid_argument("mu: needs at least one value");
  if (learners_.empty())
    throw std::invalid_argument("learners: needs at least one learner (logistic, mlp)");
  for (const std::string& l : learners_)
    if (std::find(known_learners().begin(), known_learners().end(), l) == known_learners().end())
      throw std::invalid_argument("learners: unknown learner '" + l + "'; known: logistic, mlp");
  if (!given_level_costs_.empty() && given_level_costs_.size() != learners_.size())
    throw std::invalid_argument(fmt::format("level_costs: {} value(s) for {} learner(s)",
                                            given_level_costs_.size(), learners_.size()));
  if (expert_stacker_ && !expert_name_.empty())
    throw std::invalid_argument(
        "expert: a named expert and expert_stacker: true exclude each other");
  if (shift_ == "none" && !shift_classes_.empty())
    throw std::invalid_argument("shift_classes: given, but shift is none");
}

Ocl::~Ocl() = default;

void Ocl::fit(const FitContext& ctx) {
  const LogitTable& val_fit = ctx.val_fit;
  require_models(val_fit, "ocl");
  model_names_ = val_fit.model_names();
  fit_seed_ = ctx.seed;
  cache_dir_ = ctx.cache_dir;
  stacker_members_.clear();
  if (expert_stacker_) {
    // The full stacker, fitted offline on labelled val_fit exactly like the `stacker` method
    // (its default training options and this run's seed); at serving time it runs every model.
    stacker_members_ = all_models(val_fit);
    const std::vector<float> features = concat_probs(val_fit, stacker_members_);
    MlpTrainData data;
    data.features = features.data();
    data.labels = val_fit.labels().data();
    data.num_rows = val_fit.num_samples();
    data.input_dim = static_cast<int>(stacker_members_.size()) * val_fit.num_classes();
    data.num_classes = val_fit.num_classes();
    MlpTrainOptions train;
    train.seed = ctx.seed;
    stacker_ = MlpKernel(train_mlp(data, train).weights);
    stacker_input_.assign(data.input_dim, 0.0f);
    stacker_probs_.assign(val_fit.num_classes(), 0.0f);
    expert_ = -2;  // not one zoo model
    expert_choice_ = "full stacker over every zoo model, fitted on val_fit";
    const std::vector<double> costs = val_fit.mean_costs();
    expert_cost_ = 0.0;
    for (double c : costs)
      expert_cost_ =
          ctx.cost_model == CostModel::kParallel ? std::max(expert_cost_, c) : expert_cost_ + c;
    return;
  }
  if (!expert_name_.empty()) {
    expert_ = val_fit.model_index(expert_name_);
    if (expert_ < 0)
      throw std::runtime_error("ocl: expert '" + expert_name_ + "' is not a model of the zoo");
    expert_choice_ = "named in the config";
  } else {
    // An offline choice, like picking which LLM to imitate: labelled val_fit is allowed here.
    expert_ = 0;
    for (int m = 1; m < val_fit.num_models(); ++m)
      if (val_fit.model_accuracy(m) > val_fit.model_accuracy(expert_)) expert_ = m;
    expert_choice_ = "most accurate zoo model on val_fit";
  }
  expert_cost_ = val_fit.mean_costs()[expert_];
}

CacheKey Ocl::latency_key(const StreamSetup& setup) const {
  CacheKey key;
  key.prefix = "ocl-level-latency";
  key.fields = {{"learners", learners_},
                {"hidden", hidden_},
                {"deferral_hidden", ocl_detail::kDeferralHidden},
                {"feature_dim", setup.feature_dim},
                {"num_classes", setup.num_classes},
                {"hardware", hardware_fingerprint()}};
  return key;
}

// Latencies are measured once per shape and machine and kept in the method cache, so every
// stream, instance and run charges the same costs (a re-measurement under other load moved
// them by half).
void Ocl::measure_latencies(const StreamSetup& setup) {
  const CacheKey key = latency_key(setup);
  const std::string path = cache_dir_.empty() ? "" : cache_dir_ + "/" + key.file_stem() + ".json";
  measured_latency_ms_.clear();
  if (!path.empty() && std::filesystem::exists(path)) {
    try {
      std::ifstream in(path);
      const nlohmann::json j = nlohmann::json::parse(in);
      if (j.at("key") == key.fields)
        measured_latency_ms_ = j.at("latency_ms").get<std::vector<double>>();
    } catch (const std::exception&) {
      measured_latency_ms_.clear();  // unusable: measure again
    }
  }
  if (measured_latency_ms_.size() != learners_.size()) {
    measured_latency_ms_.clear();
    for (size_t k = 0; k < learners_.size(); ++k)
      measured_latency_ms_.push_back(level_latency_ms(cascade_->learners[k], cascade_->deferrals[k],
                                                      setup.feature_dim, /*repeats=*/300));
    if (!path.empty()) {
      write_text_atomically(
          path, nlohmann::json{{"key", key.fields}, {"latency_ms", measured_latency_ms_}}.dump());
    }
  }
  measured_key_ = key.file_stem();
}

std::vector<OnlineLevel> Ocl::begin_stream(const StreamSetup& setup) {
  if (expert_ == -1) throw std::logic_error("ocl: begin_stream() before fit()");
  if (setup.feature_dim <= 0)
    throw std::runtime_error(
        "ocl: learners need raw features, and this dataset has none (labels and model outputs "
        "only)");
  if (setup.cost_unit == CostUnit::kGiven && given_level_costs_.empty())
    throw std::runtime_error("ocl: cost: given needs the learners' costs in level_costs");
  num_classes_ = setup.num_classes;
  feature_dim_ = setup.feature_dim;
  const int L = static_cast<int>(learners_.size());

  cascade_ = std::make_unique<Cascade>();
  cascade_->previous_threads = torch::get_num_threads();
  // Batch-1 steps: one thread is the serving setting the costs model, and the fastest here.
  if (cascade_->previous_threads != 1) torch::set_num_threads(1);
  std::mt19937_64 init = seeded_stream(setup.seed ^ (option_seed_ << 20), 1);
  for (const std::string& kind : learners_) {
    std::vector<int> widths = {num_classes_};
    if (kind == "mlp") widths = {hidden_, num_classes_};
    cascade_->learners.emplace_back(feature_dim_, widths, init);
    cascade_->deferrals.emplace_back(num_classes_, std::vector<int>{ocl_detail::kDeferralHidden, 1},
                                     init);
    cascade_->learner_optimisers.push_back(std::make_unique<torch::optim::Adam>(
        cascade_->learners.back().parameters(), torch::optim::AdamOptions(learning_rate_)));
  }
  std::vector<torch::Tensor> deferral_params;
  for (const TorchMlp& d : cascade_->deferrals)
    for (const torch::Tensor& p : d.parameters()) deferral_params.push_back(p);
  cascade_->deferral_optimiser = std::make_unique<torch::optim::Adam>(
      deferral_params, torch::optim::AdamOptions(deferral_learning_rate_));
  cascade_->x = torch::zeros({1, feature_dim_});

  levels_.clear();
  for (int i = 0; i < L; ++i) {
    OnlineLevel level;
    level.name = learners_[i];
    TorchMlp& learner = cascade_->learners[i];
    TorchMlp& deferral = cascade_->deferrals[i];
    if (!given_level_costs_.empty()) {
      level.cost = given_level_costs_[i];
      cost_source_ = "level_costs option";
    } else if (setup.cost_unit == CostUnit::kMacs) {
      level.cost = static_cast<double>(learner.macs() + deferral.macs());
      cost_source_ = "multiply-adds of learner + deferral MLP";
    } else if (setup.cost_unit == CostUnit::kParams) {
      level.cost = static_cast<double>(learner.num_params() + deferral.num_params());
      cost_source_ = "parameters of learner + deferral MLP";
    } else {
      if (measured_latency_ms_.empty() || measured_key_ != latency_key(setup).file_stem())
        measure_latencies(setup);
      level.cost = measured_latency_ms_[i];
      cost_source_ =
          "median batch-1 LibTorch forward latency (ms) of learner + softmax + deferral MLP, "
          "one thread";
    }
    levels_.push_back(level);
  }
  // c_{i+1} / c_expert: the next level's cost, the expert's after the last learner.
  normalised_next_cost_.assign(L, 1.0);
  const double expert_cost = std::max(expert_cost_, 1e-12);
  for (int i = 0; i + 1 < L; ++i) normalised_next_cost_[i] = levels_[i + 1].cost / expert_cost;

  rng_ = seeded_stream(setup.seed ^ (option_seed_ << 20), 2);
  feature_mean_.assign(feature_dim_, 0.0);
  feature_m2_.assign(feature_dim_, 0.0);
  seen_ = 0;
  memory_x_.clear();
  memory_y_.clear();
  memory_x_.reserve(static_cast<size_t>(setup.num_samples) * feature_dim_);
  pending_ = 0;
  updates_ = expert_calls_ = warmup_samples_ = jumps_ = 0;
  forwards_.assign(L, 0);
  standardised_.assign(feature_dim_, 0.0f);
  level_probs_.assign(L, std::vector<float>(num_classes_, 0.0f));
  return levels_;
}

void Ocl::end_stream() {
  if (cascade_ && torch::get_num_threads() != cascade_->previous_threads)
    torch::set_num_threads(cascade_->previous_threads);
}

namespace {

// Standardises raw features with the running mean and variance; the floor on the variance
// (1% of the mean variance) keeps near-constant features (image borders) from exploding.
void standardise(const float* raw, const std::vector<double>& mean, const std::vector<double>& m2,
                 int64_t seen, float* out) {
  const size_t D = mean.size();
  double mean_var = 0.0;
  for (size_t d = 0; d < D; ++d) mean_var += m2[d];
  mean_var /= std::max<double>(1.0, static_cast<double>(seen) * D);
  const double floor = 1e-2 * mean_var + 1e-8;
  for (size_t d = 0; d < D; ++d) {
    const double var = seen > 0 ? m2[d] / seen : 0.0;
    out[d] = static_cast<float>((raw[d] - mean[d]) / std::sqrt(var + floor));
  }
}

}  // namespace

int Ocl::serve(const StreamSample& sample, StreamMeter& meter) {
  if (!cascade_) throw std::logic_error("ocl: serve() before begin_stream()");
  if (!sample.features || sample.feature_dim != feature_dim_)
    throw std::runtime_error("ocl: a stream sample without the expected raw features");
  // Running feature statistics: unlabelled, from what the stream has shown so far.
  ++seen_;
  for (int d = 0; d < feature_dim_; ++d) {
    const double delta = sample.features[d] - feature_mean_[d];
    feature_mean_[d] += delta / static_cast<double>(seen_);
    feature_m2_[d] += delta * (sample.features[d] - feature_mean_[d]);
  }
  standardise(sample.features, feature_mean_, feature_m2_, seen_, cascade_->x.data_ptr<float>());

  const int L = static_cast<int>(learners_.size());
  const bool warm = updates_ < warmup_;
  const double jump_probability = warm ? 1.0 : std::pow(decay_, static_cast<double>(updates_));
  bool to_expert = false;
  {
    torch::NoGradGuard no_grad;
    for (int i = 0; i < L; ++i) {
      meter.run_level(i);
      ++forwards_[i];
      const torch::Tensor p = torch::softmax(cascade_->learners[i].forward(cascade_->x), 1);
      std::copy(p.data_ptr<float>(), p.data_ptr<float>() + num_classes_, level_probs_[i].begin());
      const float defer = torch::sigmoid(cascade_->deferrals[i].forward(p)).item<float>();
      // Headed to the expert already: this level runs only so it can learn from the answer.
      if (to_expert || defer > 0.5f) continue;
      if (warm || uniform_unit(rng_()) < jump_probability) {
        to_expert = true;
        jumps_ += !warm;
        continue;
      }
      return argmax(level_probs_[i].data(), num_classes_);
    }
  }
  warmup_samples_ += warm;
  const int label = ask_expert(meter);  // the only label ocl ever sees
  ++expert_calls_;
  memory_x_.insert(memory_x_.end(), sample.features, sample.features + feature_dim_);
  memory_y_.push_back(label);
  ++pending_;
  update_deferrals(label);
  if (pending_ >= batch_) update_learners();
  return label;
}

int Ocl::ask_expert(StreamMeter& meter) {
  if (stacker_members_.empty()) return argmax(meter.run_model(expert_));
  meter.run_tier(stacker_members_);
  concat_probs(meter.zoo(), stacker_members_, stacker_input_.data());
  stacker_.forward(stacker_input_.data(), stacker_probs_.data());
  return argmax(stacker_probs_.data(), num_classes_);
}

void Ocl::update_deferrals(int expert_label) {
  const int L = static_cast<int>(learners_.size());
  torch::Tensor objective = torch::zeros({1, 1});
  torch::Tensor reach = torch::ones({1, 1});
  for (int i = 0; i < L; ++i) {
    const std::vector<float>& probs = level_probs_[i];
    const torch::Tensor p = torch::from_blob(const_cast<float*>(probs.data()), {1, num_classes_});
    const torch::Tensor defer = torch::sigmoid(cascade_->deferrals[i].forward(p));
    const double loss = -std::log(std::max(1e-12, static_cast<double>(probs[expert_label])));
    const double wrong = argmax(probs.data(), num_classes_) != expert_label ? 1.0 : 0.0;
    objective = objective +
                reach * ((1 - defer) * loss + defer * (mu_ * normalised_next_cost_[i])) +
                (defer - wrong).pow(2);
    reach = reach * defer;
  }
  cascade_->deferral_optimiser->zero_grad();
  objective.sum().backward();
  cascade_->deferral_optimiser->step();
}

void Ocl::update_learners() {
  const int rows_in_memory = static_cast<int>(memory_y_.size());
  std::vector<int> rows;
  for (int r = rows_in_memory - pending_; r < rows_in_memory; ++r) rows.push_back(r);
  for (int k = 0; k < replay_ && rows_in_memory > pending_; ++k)
    rows.push_back(static_cast<int>(uniform_below(rng_(), rows_in_memory)));
  const int B = static_cast<int>(rows.size());
  torch::Tensor x = torch::empty({B, feature_dim_});
  torch::Tensor y = torch::empty({B}, torch::kInt64);
  for (int b = 0; b < B; ++b) {
    standardise(memory_x_.data() + static_cast<size_t>(rows[b]) * feature_dim_, feature_mean_,
                feature_m2_, seen_, x.data_ptr<float>() + static_cast<size_t>(b) * feature_dim_);
    y.data_ptr<int64_t>()[b] = memory_y_[rows[b]];
  }
  for (size_t i = 0; i < cascade_->learners.size(); ++i) {
    cascade_->learner_optimisers[i]->zero_grad();
    torch::nn::functional::cross_entropy(cascade_->learners[i].forward(x), y).backward();
    cascade_->learner_optimisers[i]->step();
  }
  ++updates_;
  pending_ = 0;
}

nlohmann::json Ocl::stream_diagnostics() const {
  nlohmann::json levels = nlohmann::json::array();
  for (const OnlineLevel& l : levels_) levels.push_back({{"name", l.name}, {"cost", l.cost}});
  return {{"levels", levels},
          {"level_cost_source", cost_source_},
          {"expert", expert_name()},
          {"expert_cost", expert_cost_},
          {"mu", mu_},
          {"learner_updates", updates_},
          {"expert_calls", expert_calls_},
          {"warmup_samples", warmup_samples_},
          {"jumps_to_expert", jumps_},
          {"final_jump_probability",
           updates_ < warmup_ ? 1.0 : std::pow(decay_, static_cast<double>(updates_))},
          {"level_forwards", forwards_}};
}

}  // namespace lazystack
