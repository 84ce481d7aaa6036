// The only translation unit of methods/common that includes LibTorch.
#include "methods/common/mlp_train.h"

#include <fmt/core.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

#include "core/random.h"
#include "methods/common/torch_mlp.h"

namespace lazystack {
namespace {

namespace F = torch::nn::functional;

// Sets torch's intra-op threads for the scope (capped at 2: OpenCV's TBB pool shares the 2
// cores) and restores the previous count.
class TorchThreadCap {
 public:
  explicit TorchThreadCap(int threads) : previous_(torch::get_num_threads()) {
    threads = std::clamp(threads, 1, 2);
    if (threads != previous_) torch::set_num_threads(threads);
  }
  ~TorchThreadCap() {
    if (torch::get_num_threads() != previous_) torch::set_num_threads(previous_);
  }
  TorchThreadCap(const TorchThreadCap&) = delete;
  TorchThreadCap& operator=(const TorchThreadCap&) = delete;

 private:
  int previous_;
};

// The trained network as MlpWeights (the torch-free kernel's format).
MlpWeights export_weights(const TorchMlp& net) {
  MlpWeights w;
  for (const auto& layer : net.layers) {
    MlpLayer out;
    out.in = static_cast<int>(layer->weight.size(1));
    out.out = static_cast<int>(layer->weight.size(0));
    // torch stores [out][in]; MlpLayer is input-major.
    const torch::Tensor wt = layer->weight.detach().t().contiguous();
    out.weight.assign(wt.data_ptr<float>(), wt.data_ptr<float>() + wt.numel());
    const torch::Tensor b = layer->bias.detach().contiguous();
    out.bias.assign(b.data_ptr<float>(), b.data_ptr<float>() + b.numel());
    w.layers.push_back(std::move(out));
  }
  return w;
}

// Mean cross-entropy, weighted by `weights` when defined.
torch::Tensor mean_loss(const torch::Tensor& logits, const torch::Tensor& labels,
                        const torch::Tensor& weights) {
  if (!weights.defined()) return F::cross_entropy(logits, labels);
  const torch::Tensor per_row =
      F::cross_entropy(logits, labels, F::CrossEntropyFuncOptions().reduction(torch::kNone));
  return (per_row * weights).sum() / weights.sum().clamp_min(1e-12);
}

void check(const MlpTrainData& data, const MlpTrainOptions& o) {
  if (!data.features || !data.labels || data.num_rows <= 0 || data.input_dim <= 0)
    throw std::invalid_argument(fmt::format(
        "train_mlp: need at least one row with input_dim > 0 (got {} rows of {} features)",
        data.num_rows, data.input_dim));
  if (data.num_classes < 2)
    throw std::invalid_argument(
        fmt::format("train_mlp: need at least 2 classes, got {}", data.num_classes));
  for (int i = 0; i < data.num_rows; ++i)
    if (data.labels[i] < 0 || data.labels[i] >= data.num_classes)
      throw std::invalid_argument(fmt::format("train_mlp: label {} of row {} is outside [0, {})",
                                              data.labels[i], i, data.num_classes));
  if (data.sample_weights)
    for (int i = 0; i < data.num_rows; ++i)
      if (!(data.sample_weights[i] >= 0.0f) || !std::isfinite(data.sample_weights[i]))
        throw std::invalid_argument(
            fmt::format("train_mlp: sample weight {} of row {} is not a finite number >= 0",
                        data.sample_weights[i], i));
  if (data.eval_rows < 0 || (data.eval_rows > 0 && (!data.eval_features || !data.eval_labels)))
    throw std::invalid_argument("train_mlp: eval_rows > 0 needs eval_features and eval_labels");
  if (data.eval_rows > 0 && o.holdout_fraction > 0)
    throw std::invalid_argument(
        "train_mlp: given eval rows replace the random holdout: set holdout_fraction to 0");
  for (int i = 0; i < data.eval_rows; ++i)
    if (data.eval_labels[i] < 0 || data.eval_labels[i] >= data.num_classes)
      throw std::invalid_argument(
          fmt::format("train_mlp: eval label {} of row {} is outside [0, {})", data.eval_labels[i],
                      i, data.num_classes));
  for (int h : o.hidden)
    if (h <= 0) throw std::invalid_argument("train_mlp: hidden widths must be positive");
  if (o.max_epochs < 1 || o.batch_size < 1 || o.patience < 1 || !(o.learning_rate > 0) ||
      !(o.weight_decay >= 0) || !(o.holdout_fraction >= 0 && o.holdout_fraction < 1))
    throw std::invalid_argument(fmt::format(
        "train_mlp: bad options (epochs {}, batch {}, patience {}, lr {}, weight decay {}, "
        "holdout {})",
        o.max_epochs, o.batch_size, o.patience, o.learning_rate, o.weight_decay,
        o.holdout_fraction));
}

torch::Tensor index_tensor(const std::vector<int64_t>& rows) {
  return torch::tensor(torch::ArrayRef<int64_t>(rows), torch::kLong);
}

}  // namespace

nlohmann::json MlpTrainResult::to_json() const {
  nlohmann::json j = {{"architecture", weights.architecture()},
                      {"parameters", weights.num_parameters()},
                      {"epochs_run", epochs_run},
                      {"best_epoch", best_epoch},
                      {"early_stopped", early_stopped},
                      {"train_rows", train_rows},
                      {"holdout_rows", holdout_rows},
                      {"train_loss", train_loss},
                      {"seconds", seconds}};
  j["holdout_loss"] = holdout_rows > 0 ? nlohmann::json(holdout_loss) : nlohmann::json(nullptr);
  j["holdout_accuracy"] =
      holdout_rows > 0 ? nlohmann::json(holdout_accuracy) : nlohmann::json(nullptr);
  return j;
}

MlpTrainResult train_mlp(const MlpTrainData& data, const MlpTrainOptions& options) {
  check(data, options);
  const auto t0 = std::chrono::steady_clock::now();
  TorchThreadCap thread_cap(options.num_threads);
  std::mt19937_64 init_rng = seeded_stream(options.seed, 0);
  std::mt19937_64 split_rng = seeded_stream(options.seed, 1);
  std::mt19937_64 batch_rng = seeded_stream(options.seed, 2);

  // Held-out rows for early stopping: a seeded random slice.
  const int n = data.num_rows;
  int n_holdout = 0;
  if (options.holdout_fraction > 0 && n >= 2)
    n_holdout = std::clamp(static_cast<int>(std::lround(options.holdout_fraction * n)), 1, n - 1);
  std::vector<int64_t> rows(n);
  std::iota(rows.begin(), rows.end(), 0);
  seeded_shuffle(rows, split_rng);
  std::vector<int64_t> holdout_rows(rows.begin(), rows.begin() + n_holdout);
  std::vector<int64_t> train_rows(rows.begin() + n_holdout, rows.end());
  std::sort(holdout_rows.begin(), holdout_rows.end());
  std::sort(train_rows.begin(), train_rows.end());

  // from_blob does not copy; index_select below does, so the caller's data is never written.
  const torch::Tensor x_all =
      torch::from_blob(const_cast<float*>(data.features), {n, data.input_dim}, torch::kFloat);
  const torch::Tensor y_all =
      torch::from_blob(const_cast<int32_t*>(data.labels), {n}, torch::kInt).to(torch::kLong);
  const torch::Tensor w_all =
      data.sample_weights
          ? torch::from_blob(const_cast<float*>(data.sample_weights), {n}, torch::kFloat)
          : torch::Tensor();
  const torch::Tensor train_idx = index_tensor(train_rows);
  const torch::Tensor x_train = x_all.index_select(0, train_idx);
  const torch::Tensor y_train = y_all.index_select(0, train_idx);
  const torch::Tensor w_train = w_all.defined() ? w_all.index_select(0, train_idx) : w_all;
  torch::Tensor x_hold, y_hold, w_hold;
  if (n_holdout > 0) {
    const torch::Tensor hold_idx = index_tensor(holdout_rows);
    x_hold = x_all.index_select(0, hold_idx);
    y_hold = y_all.index_select(0, hold_idx);
    if (w_all.defined()) w_hold = w_all.index_select(0, hold_idx);
  } else if (data.eval_rows > 0) {  // the caller's held-out rows (copied: never written)
    x_hold = torch::from_blob(const_cast<float*>(data.eval_features),
                              {data.eval_rows, data.input_dim}, torch::kFloat)
                 .clone();
    y_hold = torch::from_blob(const_cast<int32_t*>(data.eval_labels), {data.eval_rows}, torch::kInt)
                 .to(torch::kLong);
  }
  const int held_out = n_holdout > 0 ? n_holdout : data.eval_rows;

  std::vector<int> widths = options.hidden;
  widths.push_back(data.num_classes);
  TorchMlp net(data.input_dim, widths, init_rng);
  torch::optim::Adam optimizer(
      net.parameters(),
      torch::optim::AdamOptions(options.learning_rate).weight_decay(options.weight_decay));

  MlpTrainResult result;
  result.train_rows = static_cast<int>(train_rows.size());
  result.holdout_rows = held_out;
  result.holdout_indices.assign(holdout_rows.begin(), holdout_rows.end());
  double best_loss = std::numeric_limits<double>::infinity();
  std::vector<torch::Tensor> best_state;
  int epochs_without_gain = 0;
  std::vector<int64_t> order(train_rows.size());
  for (int epoch = 1; epoch <= options.max_epochs; ++epoch) {
    std::iota(order.begin(), order.end(), 0);
    seeded_shuffle(order, batch_rng);
    const torch::Tensor order_t = index_tensor(order);
    double loss_sum = 0.0;
    int batches = 0;
    for (size_t start = 0; start < order.size(); start += options.batch_size) {
      const int64_t end = std::min(order.size(), start + options.batch_size);
      const torch::Tensor idx = order_t.slice(0, static_cast<int64_t>(start), end);
      const torch::Tensor loss =
          mean_loss(net.forward(x_train.index_select(0, idx)), y_train.index_select(0, idx),
                    w_train.defined() ? w_train.index_select(0, idx) : w_train);
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<double>();
      ++batches;
    }
    const double train_loss = loss_sum / std::max(1, batches);
    result.epochs_run = epoch;
    if (held_out == 0) {
      result.best_epoch = epoch;
      result.train_loss = train_loss;
      continue;
    }
    torch::NoGradGuard no_grad;
    const torch::Tensor logits = net.forward(x_hold);
    const double loss = mean_loss(logits, y_hold, w_hold).item<double>();
    const double accuracy = logits.argmax(1).eq(y_hold).to(torch::kDouble).mean().item<double>();
    result.holdout_loss_curve.push_back(loss);
    result.holdout_accuracy_curve.push_back(accuracy);
    if (loss < best_loss) {
      best_loss = loss;
      result.best_epoch = epoch;
      result.train_loss = train_loss;
      result.holdout_loss = loss;
      result.holdout_accuracy = accuracy;
      best_state.clear();
      for (const auto& p : net.parameters()) best_state.push_back(p.detach().clone());
      epochs_without_gain = 0;
    } else if (++epochs_without_gain >= options.patience) {
      result.early_stopped = true;
      break;
    }
  }
  if (!best_state.empty()) {
    torch::NoGradGuard no_grad;
    const auto params = net.parameters();
    for (size_t i = 0; i < params.size(); ++i) params[i].copy_(best_state[i]);
  }
  result.weights = export_weights(net);
  result.weights.validate();  // a diverged run (NaN weights) fails here, loudly
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

}  // namespace lazystack
