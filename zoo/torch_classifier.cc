// The only translation unit that includes <torch/torch.h>: network modules built from a NetSpec,
// the training loop, batched and batch-1 inference, and weight files.
#include "zoo/torch_classifier.h"

#include <fmt/core.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <numeric>
#include <random>
#include <sstream>
#include <stdexcept>

#include "core/atomic_file.h"
#include "core/log.h"
#include "zoo/threads.h"

namespace lazystack {
namespace {

namespace nn = torch::nn;

constexpr const char* kSpecKey = "lazystack.net_spec";
// Inference batch: keeps activation buffers a few MB (memory grows with it, speed barely).
constexpr int64_t kInferenceBatch = 256;

// Standardises inputs with statistics of the train split, kept as buffers so they are saved with
// the weights: per channel for images, per feature for tabular data.
class StandardizeImpl : public nn::Module {
 public:
  explicit StandardizeImpl(const ActShape& s) {
    mean_ = register_buffer("mean", torch::zeros({s.c, s.h, s.w}));
    inv_std_ = register_buffer("inv_std", torch::ones({s.c, s.h, s.w}));
  }
  torch::Tensor forward(const torch::Tensor& x) { return (x - mean_) * inv_std_; }
  void fit(const torch::Tensor& x, bool per_channel) {  // x: [N, C, H, W]
    torch::NoGradGuard no_grad;
    const std::vector<int64_t> dims =
        per_channel ? std::vector<int64_t>{0, 2, 3} : std::vector<int64_t>{0};
    const auto mean = x.mean(dims, /*keepdim=*/true);
    const auto std = (x - mean).pow(2).mean(dims, /*keepdim=*/true).sqrt();
    // A constant feature gets scale 1: it carries nothing, and 1/0 would blow up elsewhere.
    const auto inv = torch::where(std > 1e-6, 1.0 / std, torch::ones_like(std));
    mean_.copy_(mean.squeeze(0).expand_as(mean_));
    inv_std_.copy_(inv.squeeze(0).expand_as(inv_std_));
  }

 private:
  torch::Tensor mean_, inv_std_;
};
TORCH_MODULE(Standardize);

// LayerKind::kBasicBlock (see net_spec.h).
class BasicBlockImpl : public nn::Module {
 public:
  BasicBlockImpl(int in, int out, int stride)
      : conv1_(register_module(
            "conv1",
            nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false)))),
        bn1_(register_module("bn1", nn::BatchNorm2d(out))),
        conv2_(register_module(
            "conv2", nn::Conv2d(nn::Conv2dOptions(out, out, 3).stride(1).padding(1).bias(false)))),
        bn2_(register_module("bn2", nn::BatchNorm2d(out))) {
    if (stride != 1 || in != out)
      shortcut_ = register_module(
          "shortcut",
          nn::Sequential(nn::Conv2d(nn::Conv2dOptions(in, out, 1).stride(stride).bias(false)),
                         nn::BatchNorm2d(out)));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    auto y = torch::relu(bn1_(conv1_(x)));
    y = bn2_(conv2_(y));
    return torch::relu(y + (shortcut_ ? shortcut_->forward(x) : x));
  }

 private:
  nn::Conv2d conv1_;
  nn::BatchNorm2d bn1_;
  nn::Conv2d conv2_;
  nn::BatchNorm2d bn2_;
  nn::Sequential shortcut_{nullptr};
};
TORCH_MODULE(BasicBlock);

nn::Sequential build_layers(const NetSpec& spec) {
  const std::vector<LayerCost> costs = analyse(spec);
  nn::Sequential seq;
  bool flat = false;  // activations are [N, C, H, W] until the first linear layer
  for (size_t i = 0; i < spec.layers.size(); ++i) {
    const LayerSpec& l = spec.layers[i];
    const ActShape& in = costs[i].in;
    switch (l.kind) {
      case LayerKind::kLinear:
        if (!flat) seq->push_back(nn::Flatten());
        flat = true;
        seq->push_back(nn::Linear(in.numel(), l.out));
        break;
      case LayerKind::kConv:
        seq->push_back(nn::Conv2d(nn::Conv2dOptions(in.c, l.out, l.kernel)
                                      .stride(l.stride)
                                      .padding(l.padding)
                                      .bias(l.bias)));
        break;
      case LayerKind::kBatchNorm:
        if (flat) throw std::logic_error(spec.arch + ": batch norm after a linear layer");
        seq->push_back(nn::BatchNorm2d(in.c));
        break;
      case LayerKind::kReLU:
        seq->push_back(nn::ReLU());
        break;
      case LayerKind::kMaxPool:
        seq->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(l.kernel).stride(l.kernel)));
        break;
      case LayerKind::kGlobalAvgPool:
        seq->push_back(nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions(1)));
        break;
      case LayerKind::kDropout:
        seq->push_back(nn::Dropout(l.rate));
        break;
      case LayerKind::kBasicBlock:
        seq->push_back(BasicBlock(in.c, l.out, l.stride));
        break;
    }
  }
  return seq;
}

class NetImpl : public nn::Module {
 public:
  explicit NetImpl(const NetSpec& spec)
      : standardize(register_module("standardize", Standardize(spec.input))),
        layers(register_module("layers", build_layers(spec))) {}
  torch::Tensor forward(const torch::Tensor& x) { return layers->forward(standardize(x)); }

  Standardize standardize;
  nn::Sequential layers;
};
TORCH_MODULE(Net);

// Shapes of every parameter and buffer, to check that a loaded file matched the network
// (torch's loader silently replaces a tensor by one of another shape).
std::map<std::string, std::vector<int64_t>> tensor_shapes(const Net& net) {
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& p : net->named_parameters()) shapes[p.key()] = p.value().sizes().vec();
  for (const auto& b : net->named_buffers()) shapes[b.key()] = b.value().sizes().vec();
  return shapes;
}

// The Gatekeeper loss of a batch (see gatekeeper_loss in the header): logits [B, C], y [B].
torch::Tensor gatekeeper_loss_tensor(const torch::Tensor& logits, const torch::Tensor& y,
                                     double alpha, GatekeeperReduction reduction) {
  const torch::Tensor log_p = torch::log_softmax(logits, /*dim=*/1);
  // The model's own prediction splits the batch; the split carries no gradient.
  const torch::Tensor correct = (logits.argmax(/*dim=*/1) == y).to(logits.scalar_type()).detach();
  const torch::Tensor wrong = 1.0 - correct;
  const torch::Tensor ce = -log_p.gather(1, y.unsqueeze(1)).squeeze(1);
  // KL(p || U) = sum_c p_c log(p_c / (1/K)) = sum_c p_c log p_c + log K.
  const torch::Tensor kl =
      (log_p.exp() * log_p).sum(/*dim=*/1) + std::log(static_cast<double>(logits.size(1)));
  torch::Tensor corr_sum = (correct * ce).sum(), wrong_sum = (wrong * kl).sum();
  if (reduction == GatekeeperReduction::kBatch) {
    const double n = static_cast<double>(logits.size(0));
    return alpha * corr_sum / n + (1.0 - alpha) * wrong_sum / n;
  }
  // Per group; an empty group divides a zero sum by 1.
  return alpha * corr_sum / correct.sum().clamp_min(1.0) +
         (1.0 - alpha) * wrong_sum / wrong.sum().clamp_min(1.0);
}

class TorchClassifier : public ZooModel {
 public:
  TorchClassifier(NetSpec spec, const TrainConfig& config, int num_classes)
      : spec_(std::move(spec)), config_(config), num_classes_(num_classes), cost_(net_cost(spec_)) {
    if (cost_.output.numel() != num_classes_)
      throw std::logic_error(fmt::format("{}: the network outputs {} values for {} classes",
                                         spec_.arch, cost_.output.numel(), num_classes_));
    net_ = Net(spec_);
    double torch_params = 0;
    for (const auto& p : net_->parameters()) torch_params += static_cast<double>(p.numel());
    if (torch_params != cost_.params)
      throw std::logic_error(fmt::format("{}: torch has {} parameters, the analytic count is {}",
                                         spec_.arch, torch_params, cost_.params));
    net_->eval();
  }

  void train(const Dataset& ds, uint64_t seed) override {
    try {
      train_impl(ds, seed);
    } catch (const c10::Error& e) {
      throw std::runtime_error(
          fmt::format("{}: training failed: {}", name(), e.what_without_backtrace()));
    }
  }

  void fine_tune(const Dataset& ds, uint64_t seed, const GatekeeperConfig& config) {
    try {
      fine_tune_impl(ds, seed, config);
    } catch (const c10::Error& e) {
      throw std::runtime_error(
          fmt::format("{}: fine-tuning failed: {}", name(), e.what_without_backtrace()));
    }
  }

  void save(const std::string& path) const override {
    torch::serialize::OutputArchive archive;
    net_->save(archive);
    archive.write(kSpecKey, c10::IValue(spec_.to_json().dump()));
    // Serialised in memory, written with checked writes: torch's file writer reports a failed
    // write (disk full, file-size limit) from a destructor, which aborts the process.
    std::ostringstream bytes;
    archive.save_to(bytes);
    const std::string data = bytes.str();
    write_bytes_to(path, data.data(), data.size());
  }

  void load(const std::string& path) override {
    try {
      torch::serialize::InputArchive archive;
      archive.load_from(path);
      c10::IValue stored;
      const std::string expected = spec_.to_json().dump();
      if (!archive.try_read(kSpecKey, stored) || !stored.isString())
        throw std::runtime_error("no network description (not a lazystack weights file)");
      if (stored.toStringRef() != expected)
        throw std::runtime_error(fmt::format("it holds another network: {} (expected {})",
                                             stored.toStringRef(), expected));
      Net fresh(spec_);
      const auto shapes = tensor_shapes(fresh);
      fresh->load(archive);
      if (tensor_shapes(fresh) != shapes)
        throw std::runtime_error("tensor shapes differ from the network's");
      for (const auto& p : fresh->parameters())
        if (!torch::isfinite(p).all().item<bool>())
          throw std::runtime_error("non-finite parameters");
      net_ = fresh;
      net_->eval();
    } catch (const c10::Error& e) {
      throw std::runtime_error(
          fmt::format("cannot load weights '{}': {}", path, e.what_without_backtrace()));
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(fmt::format("cannot load weights '{}': {}", path, e.what()));
    }
  }

  std::vector<float> logits(const Split& split) override {
    const torch::Tensor x = input_tensor(split);
    std::vector<float> out(static_cast<size_t>(split.num_samples) * num_classes_);
    torch::InferenceMode inference;
    net_->eval();
    for (int64_t start = 0; start < split.num_samples; start += kInferenceBatch) {
      const int64_t end = std::min<int64_t>(split.num_samples, start + kInferenceBatch);
      const torch::Tensor y = net_->forward(x.slice(0, start, end)).contiguous();
      std::memcpy(out.data() + start * num_classes_, y.data_ptr<float>(),
                  sizeof(float) * (end - start) * num_classes_);
    }
    return out;
  }

  void logits_one(const float* x, float* out_logits) override {
    torch::InferenceMode inference;
    const auto& s = spec_.input;
    const torch::Tensor in = torch::from_blob(const_cast<float*>(x), {1, s.c, s.h, s.w});
    const torch::Tensor y = net_->forward(in).contiguous();
    std::memcpy(out_logits, y.data_ptr<float>(), sizeof(float) * num_classes_);
  }

  double macs() const override { return cost_.macs; }
  double params() const override { return cost_.params; }
  std::string weights_suffix() const override { return ".pt"; }

 private:
  // A [N, C, H, W] view of the split's features (no copy; never written to).
  torch::Tensor input_tensor(const Split& split) const {
    const auto& s = spec_.input;
    if (split.x.size() != static_cast<size_t>(split.num_samples) * s.numel())
      throw std::invalid_argument(fmt::format("{}: expected {} samples of {} values, got {} values",
                                              name(), split.num_samples, s.str(), split.x.size()));
    return torch::from_blob(const_cast<float*>(split.x.data()), {split.num_samples, s.c, s.h, s.w});
  }

  std::unique_ptr<torch::optim::Optimizer> make_optimizer(const TrainConfig& config) const {
    if (config.optimizer == "sgd")
      return std::make_unique<torch::optim::SGD>(
          net_->parameters(),
          torch::optim::SGDOptions(config.lr).momentum(0.9).nesterov(true).weight_decay(
              config.weight_decay));
    return std::make_unique<torch::optim::Adam>(
        net_->parameters(), torch::optim::AdamOptions(config.lr).weight_decay(config.weight_decay));
  }

  // The training loss of one mini-batch: logits [B, C], labels [B] (int64).
  using BatchLoss = std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>;

  void train_impl(const Dataset& ds, uint64_t seed) {
    check_dataset(ds);
    torch::manual_seed(seed);
    net_ = Net(spec_);  // fresh, seeded initialisation
    net_->standardize->fit(input_tensor(ds.train), ds.shape.is_image);
    run_epochs(ds, seed, config_, "training",
               [](const torch::Tensor& logits, const torch::Tensor& y) {
                 return nn::functional::cross_entropy(logits, y);
               });
  }

  void fine_tune_impl(const Dataset& ds, uint64_t seed, const GatekeeperConfig& gk) {
    check_dataset(ds);
    torch::manual_seed(seed);
    // The same network and input standardisation: only the weights move.
    run_epochs(ds, seed, gk.train, fmt::format("Gatekeeper fine-tuning (alpha {})", gk.alpha),
               [&gk](const torch::Tensor& logits, const torch::Tensor& y) {
                 return gatekeeper_loss_tensor(logits, y, gk.alpha, gk.reduction);
               });
  }

  void check_dataset(const Dataset& ds) const {
    const auto& s = spec_.input;
    if (ds.shape.channels != s.c || ds.shape.height != s.h || ds.shape.width != s.w ||
        ds.num_classes != num_classes_)
      throw std::invalid_argument(
          fmt::format("{}: built for {} inputs and {} classes, dataset {} has {}x{}x{} and {}",
                      name(), s.str(), num_classes_, ds.name, ds.shape.channels, ds.shape.height,
                      ds.shape.width, ds.num_classes));
    if (ds.train.num_samples < 2)
      throw std::invalid_argument(name() + ": fewer than 2 training samples");
  }

  // Mini-batch training of net_ as it stands: seeded shuffles, the config's optimiser and
  // learning-rate schedule, `loss` per batch.
  void run_epochs(const Dataset& ds, uint64_t seed, const TrainConfig& config,
                  const std::string& what, const BatchLoss& loss_of) {
    keep_large_allocations_on_heap();
    const int64_t n = ds.train.num_samples;
    const torch::Tensor x = input_tensor(ds.train);
    const torch::Tensor y =
        torch::from_blob(const_cast<int32_t*>(ds.train.y.data()), {n}, torch::kInt32)
            .to(torch::kLong);
    auto optimizer = make_optimizer(config);

    const int64_t batch = std::min<int64_t>(config.batch_size, n);
    // A trailing batch of one sample is skipped: batch norm cannot normalise a single value.
    const int64_t batches = n / batch + (n % batch > 1 ? 1 : 0);
    const long total_steps = static_cast<long>(batches) * config.epochs;
    std::mt19937_64 rng(seed);
    std::vector<int64_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    Progress progress("zoo", name() + " " + what, total_steps);
    net_->train();
    long step = 0;
    for (int epoch = 0; epoch < config.epochs; ++epoch) {
      // Minibatch order only, not a split: std::shuffle stays (another standard library gives
      // other batches, so other weights, but never another train/val/test split); changing it
      // would retrain every cached torch member.
      std::shuffle(order.begin(), order.end(), rng);
      const torch::Tensor perm = torch::from_blob(order.data(), {n}, torch::kLong);
      double loss_sum = 0;
      int64_t seen = 0;
      for (int64_t b = 0; b < batches; ++b, ++step) {
        if (config.lr_schedule == "cosine") {
          const double lr = config.lr * 0.5 * (1 + std::cos(M_PI * step / total_steps));
          for (auto& group : optimizer->param_groups()) group.options().set_lr(lr);
        }
        const torch::Tensor idx = perm.slice(0, b * batch, std::min(n, (b + 1) * batch));
        optimizer->zero_grad();
        const torch::Tensor loss =
            loss_of(net_->forward(x.index_select(0, idx)), y.index_select(0, idx));
        loss.backward();
        optimizer->step();
        loss_sum += loss.item<double>() * idx.size(0);
        seen += idx.size(0);
        progress.update(step + 1, fmt::format("epoch {}/{} loss {:.4f}", epoch + 1, config.epochs,
                                              loss_sum / seen));
      }
      if (!std::isfinite(loss_sum))
        throw std::runtime_error(
            fmt::format("{}: {} diverged (non-finite loss in epoch {}); try a lower lr than {}",
                        name(), what, epoch + 1, config.lr));
    }
    net_->eval();
  }

  NetSpec spec_;
  TrainConfig config_;
  int num_classes_;
  NetCost cost_;
  Net net_{nullptr};
};

}  // namespace

std::vector<OptionSpec> train_option_specs(const TrainConfig& d) {
  return {
      opt_int("epochs", d.epochs, "passes over the train split").range(1, 10000),
      opt_int("batch_size", d.batch_size, "training mini-batch size").range(1, 1 << 20),
      opt_double("lr", d.lr, "peak learning rate").range(0, 10).above(0),
      opt_double("weight_decay", d.weight_decay, "L2 penalty on the weights").range(0, 1),
      opt_string("optimizer", d.optimizer, "adam, or sgd (momentum 0.9, Nesterov)")
          .one_of({"adam", "sgd"}),
      opt_string("lr_schedule", d.lr_schedule, "cosine (decays to 0 over all steps) or constant")
          .one_of({"cosine", "constant"}),
  };
}

TrainConfig train_config(const Options& o) {
  TrainConfig t;
  t.epochs = static_cast<int>(o.get_int("epochs"));
  t.batch_size = static_cast<int>(o.get_int("batch_size"));
  t.lr = o.get_double("lr");
  t.weight_decay = o.get_double("weight_decay");
  t.optimizer = o.get_string("optimizer");
  t.lr_schedule = o.get_string("lr_schedule");
  return t;
}

std::unique_ptr<ZooModel> make_torch_classifier(const NetSpec& net, const TrainConfig& train,
                                                int num_classes) {
  return std::make_unique<TorchClassifier>(net, train, num_classes);
}

double gatekeeper_loss(const std::vector<float>& logits, const std::vector<int32_t>& labels,
                       int num_classes, double alpha, GatekeeperReduction reduction) {
  const int64_t n = static_cast<int64_t>(labels.size());
  if (num_classes < 2 || n == 0 || logits.size() != static_cast<size_t>(n) * num_classes)
    throw std::invalid_argument(fmt::format(
        "gatekeeper_loss: {} logits for {} labels of {} classes", logits.size(), n, num_classes));
  torch::NoGradGuard no_grad;
  const torch::Tensor l =
      torch::from_blob(const_cast<float*>(logits.data()), {n, num_classes}).to(torch::kDouble);
  const torch::Tensor y =
      torch::from_blob(const_cast<int32_t*>(labels.data()), {n}, torch::kInt32).to(torch::kLong);
  return gatekeeper_loss_tensor(l, y, alpha, reduction).item<double>();
}

bool is_torch_classifier(const ZooModel& model) {
  return dynamic_cast<const TorchClassifier*>(&model) != nullptr;
}

void fine_tune_gatekeeper(ZooModel& model, const Dataset& ds, uint64_t seed,
                          const GatekeeperConfig& config) {
  auto* net = dynamic_cast<TorchClassifier*>(&model);
  if (!net)
    throw std::invalid_argument(fmt::format(
        "{} is not a LibTorch network and cannot be fine-tuned with the Gatekeeper loss",
        model.name()));
  net->fine_tune(ds, seed, config);
}

}  // namespace lazystack
