#include "methods/stacker/stacker_cv.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <stdexcept>

#include "core/random.h"

namespace lazystack {

std::string StackerCandidate::hidden_name() const {
  if (hidden.empty()) return "logistic";
  std::string s;
  for (int h : hidden) s += (s.empty() ? "" : "x") + std::to_string(h);
  return s;
}

std::vector<int> parse_hidden(const std::string& text) {
  if (text == "logistic") return {};
  std::vector<int> widths;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find('x', start), text.size());
    const std::string part = text.substr(start, end - start);
    int width = 0;
    size_t used = 0;
    try {
      width = std::stoi(part, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (part.empty() || used != part.size() || width < 1 || width > 4096)
      throw std::invalid_argument(fmt::format(
          "'{}' is not an architecture: 'logistic' or hidden widths in [1, 4096] joined by 'x' "
          "(e.g. 64, 128x64)",
          text));
    widths.push_back(width);
    start = end + 1;
  }
  return widths;
}

std::vector<StackerCandidate> stacker_candidates(const std::vector<std::string>& hidden,
                                                 const std::vector<double>& weight_decays) {
  std::vector<StackerCandidate> out;
  for (const std::string& h : hidden)
    for (double wd : weight_decays) out.push_back({parse_hidden(h), wd});
  return out;
}

nlohmann::json StackerCvResult::to_json() const {
  nlohmann::json candidates = nlohmann::json::array();
  for (const StackerCvScore& s : scores)
    candidates.push_back({{"hidden", s.candidate.hidden_name()},
                          {"weight_decay", s.candidate.weight_decay},
                          {"cv_accuracy", s.accuracy},
                          {"cv_loss", s.loss},
                          {"epochs", s.epochs},
                          {"seconds", s.seconds}});
  nlohmann::json j = {{"folds", folds}, {"candidates", candidates}, {"seconds", seconds}};
  if (chosen >= 0) {
    const StackerCvScore& c = scores[chosen];
    j["chosen"] = {{"hidden", c.candidate.hidden_name()},
                   {"weight_decay", c.candidate.weight_decay},
                   {"epochs", c.epochs},
                   {"cv_accuracy", c.accuracy},
                   {"cv_loss", c.loss}};
  }
  return j;
}

std::vector<std::vector<int>> stratified_folds(const int32_t* labels, int num_rows, int folds,
                                               uint64_t seed) {
  std::map<int32_t, std::vector<int>> by_class;
  for (int i = 0; i < num_rows; ++i) by_class[labels[i]].push_back(i);
  std::mt19937_64 rng = seeded_stream(seed, 0x5f0d);
  std::vector<std::vector<int>> out(std::max(0, folds));
  int next = 0;  // continue the deal across classes so small classes do not pile on fold 0
  for (auto& kv : by_class) {
    seeded_shuffle(kv.second, rng);
    for (int row : kv.second) {
      out[next].push_back(row);
      next = (next + 1) % folds;
    }
  }
  for (auto& f : out) std::sort(f.begin(), f.end());
  return out;
}

namespace {

// Rows `rows` of a row-major [N][dim] block.
template <class T>
std::vector<T> take(const T* block, int dim, const std::vector<int>& rows) {
  std::vector<T> out;
  out.reserve(rows.size() * dim);
  for (int r : rows)
    out.insert(out.end(), block + static_cast<size_t>(r) * dim,
               block + static_cast<size_t>(r + 1) * dim);
  return out;
}

// The curve's value at epoch index e, its last value past its end.
double at(const std::vector<double>& curve, size_t e) {
  return curve.empty() ? 0.0 : curve[std::min(e, curve.size() - 1)];
}

}  // namespace

StackerCvResult cross_validate_stacker(const MlpTrainData& data,
                                       const std::vector<StackerCandidate>& candidates,
                                       const MlpTrainOptions& base, int folds) {
  if (candidates.empty()) throw std::invalid_argument("stacker cross-validation: no candidates");
  if (folds < 2 || folds > data.num_rows)
    throw std::invalid_argument(
        fmt::format("stacker cross-validation: {} folds for {} rows (need 2 <= folds <= rows)",
                    folds, data.num_rows));
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<std::vector<int>> fold_rows =
      stratified_folds(data.labels, data.num_rows, folds, base.seed);

  // The training and held-out blocks of each fold, built once for every candidate.
  struct FoldData {
    std::vector<float> x_train, x_eval;
    std::vector<int32_t> y_train, y_eval;
  };
  std::vector<FoldData> fold_data(folds);
  for (int f = 0; f < folds; ++f) {
    std::vector<int> train;
    for (int g = 0; g < folds; ++g)
      if (g != f) train.insert(train.end(), fold_rows[g].begin(), fold_rows[g].end());
    std::sort(train.begin(), train.end());
    fold_data[f].x_train = take(data.features, data.input_dim, train);
    fold_data[f].y_train = take(data.labels, 1, train);
    fold_data[f].x_eval = take(data.features, data.input_dim, fold_rows[f]);
    fold_data[f].y_eval = take(data.labels, 1, fold_rows[f]);
  }

  StackerCvResult result;
  result.folds = folds;
  for (const StackerCandidate& c : candidates) {
    const auto tc = std::chrono::steady_clock::now();
    std::vector<MlpTrainResult> runs;
    size_t longest = 0;
    for (int f = 0; f < folds; ++f) {
      const FoldData& fd = fold_data[f];
      MlpTrainData d;
      d.features = fd.x_train.data();
      d.labels = fd.y_train.data();
      d.num_rows = static_cast<int>(fd.y_train.size());
      d.input_dim = data.input_dim;
      d.num_classes = data.num_classes;
      d.eval_features = fd.x_eval.data();
      d.eval_labels = fd.y_eval.data();
      d.eval_rows = static_cast<int>(fd.y_eval.size());
      MlpTrainOptions o = base;
      o.hidden = c.hidden;
      o.weight_decay = c.weight_decay;
      o.holdout_fraction = 0.0;
      o.seed = base.seed * 1000003ull + static_cast<uint64_t>(f);
      runs.push_back(train_mlp(d, o));
      longest = std::max(longest, runs.back().holdout_accuracy_curve.size());
    }
    StackerCvScore score;
    score.candidate = c;
    score.accuracy = -1.0;
    for (size_t e = 0; e < longest; ++e) {
      double acc = 0.0, loss = 0.0;
      for (const MlpTrainResult& r : runs) {
        acc += at(r.holdout_accuracy_curve, e) / folds;
        loss += at(r.holdout_loss_curve, e) / folds;
      }
      if (acc > score.accuracy || (acc == score.accuracy && loss < score.loss)) {
        score.accuracy = acc;
        score.loss = loss;
        score.epochs = static_cast<int>(e) + 1;
      }
    }
    score.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - tc).count();
    result.scores.push_back(score);
    const StackerCvScore* best = result.chosen >= 0 ? &result.scores[result.chosen] : nullptr;
    if (!best || score.accuracy > best->accuracy ||
        (score.accuracy == best->accuracy && score.loss < best->loss))
      result.chosen = static_cast<int>(result.scores.size()) - 1;
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

}  // namespace lazystack
