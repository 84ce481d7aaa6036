#include "core/stream.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>
#include <stdexcept>

#include "core/random.h"

namespace lazystack {

StreamMeter::StreamMeter(Meter& zoo, std::vector<OnlineLevel> levels)
    : zoo_(zoo), levels_(std::move(levels)) {
  if (levels_.size() > 64) throw std::invalid_argument("StreamMeter: at most 64 levels");
  for (const OnlineLevel& l : levels_)
    if (!(l.cost >= 0) || !std::isfinite(l.cost))
      throw std::invalid_argument(fmt::format(
          "StreamMeter: level '{}' has cost {}, expected a finite number >= 0", l.name, l.cost));
}

void StreamMeter::reset(int sample) {
  zoo_.reset(sample);
  levels_run_ = 0;
  level_trace_.clear();
  level_cost_ = 0.0;
}

void StreamMeter::run_level(int level) {
  if (level < 0 || level >= num_levels())
    throw std::out_of_range(
        fmt::format("StreamMeter: level {} outside [0, {})", level, num_levels()));
  if ((levels_run_ >> level) & 1u) return;
  levels_run_ |= uint64_t{1} << level;
  level_trace_.push_back(level);
  level_cost_ += levels_[level].cost;
}

ProbView StreamMeter::run_model(int m) { return zoo_.run(m); }

int StreamMeter::answering_stage() const {
  if (zoo_.num_run() > 0) return num_levels();
  return level_trace_.empty() ? -1 : level_trace_.back();
}

std::vector<int> stream_order(const std::vector<int32_t>& labels,
                              const std::vector<int>& shift_classes, uint64_t seed,
                              int* shift_start) {
  const int n = static_cast<int>(labels.size());
  std::mt19937_64 rng = seeded_stream(seed, 0x5157);
  std::vector<int> order(n);
  for (int i = 0; i < n; ++i) order[i] = i;
  seeded_shuffle(order, rng);
  *shift_start = -1;
  if (shift_classes.empty()) return order;
  const std::set<int> group(shift_classes.begin(), shift_classes.end());
  std::vector<int> in_group, others;
  for (int i : order) (group.count(labels[i]) ? in_group : others).push_back(i);
  if (in_group.empty() || others.empty())
    throw std::runtime_error(
        "stream_order: a class shift needs samples both inside and outside the shifted classes");
  // The last part holds every shifted sample and at least a third of the stream.
  const int last = std::max(static_cast<int>(in_group.size()), (n + 2) / 3);
  const int fill = last - static_cast<int>(in_group.size());
  std::vector<int> tail(in_group);
  tail.insert(tail.end(), others.end() - fill, others.end());
  seeded_shuffle(tail, rng);
  order.assign(others.begin(), others.end() - fill);
  *shift_start = static_cast<int>(order.size());
  order.insert(order.end(), tail.begin(), tail.end());
  return order;
}

nlohmann::json StreamRecord::to_json() const {
  using nlohmann::json;
  const int num_stages = static_cast<int>(stages.size());
  json j;
  j["stages"] = stages;
  j["window"] = window;
  j["window_end"] = window_end;
  j["shift"] = shift;
  j["shift_start"] = shift_start;
  json share = json::object();
  std::vector<int64_t> total(num_stages, 0);
  std::vector<double> window_accuracy, running_accuracy;
  int64_t seen = 0, right = 0;
  for (int s = 0; s < num_stages; ++s) share[stages[s]] = json::array();
  for (size_t w = 0; w < window_end.size(); ++w) {
    const int64_t size = window_end[w] - (w == 0 ? 0 : window_end[w - 1]);
    for (int s = 0; s < num_stages; ++s) {
      share[stages[s]].push_back(size > 0 ? static_cast<double>(answered[w][s]) / size : 0.0);
      total[s] += answered[w][s];
    }
    seen += size;
    right += correct[w];
    window_accuracy.push_back(size > 0 ? static_cast<double>(correct[w]) / size : 0.0);
    running_accuracy.push_back(seen > 0 ? static_cast<double>(right) / seen : 0.0);
  }
  j["share"] = share;
  j["window_accuracy"] = window_accuracy;
  j["running_accuracy"] = running_accuracy;
  json end = json::object(), overall = json::object();
  for (int s = 0; s < num_stages; ++s) {
    end[stages[s]] = share[stages[s]].empty() ? 0.0 : share[stages[s]].back().get<double>();
    overall[stages[s]] = seen > 0 ? static_cast<double>(total[s]) / seen : 0.0;
  }
  j["share_last_window"] = end;
  j["share_overall"] = overall;
  j["level_runs"] = level_runs;
  j["zoo_runs"] = zoo_runs;
  j["mean_level_cost"] = level_cost;
  j["mean_zoo_cost"] = zoo_cost;
  j["seconds"] = seconds;
  j["method"] = method;
  return j;
}

OperatingPoint stream_evaluate(OnlineMethod& method, const StreamSplit& split,
                               const StreamSetup& setup, const EvalOptions& options,
                               StreamRecord* record, SampleDecisions* decisions, int num_windows) {
  if (!split.outputs) throw std::invalid_argument("stream_evaluate: no outputs");
  const LogitTable& table = *split.outputs;
  const int N = static_cast<int>(split.order.size());
  const int M = table.num_models();
  if (N != table.num_samples())
    throw std::invalid_argument(
        fmt::format("stream_evaluate: the order has {} positions, the split {} samples", N,
                    table.num_samples()));
  Meter meter = make_meter(table, options);  // never opened for bounds
  struct StreamScope {                       // end_stream() also when serving throws
    OnlineMethod& m;
    ~StreamScope() { m.end_stream(); }
  };
  std::vector<OnlineLevel> levels = method.begin_stream(setup);
  StreamScope scope{method};
  StreamMeter stream_meter(meter, std::move(levels));
  const int L = stream_meter.num_levels();

  StreamRecord rec;
  for (const OnlineLevel& l : stream_meter.levels()) rec.stages.push_back(l.name);
  rec.stages.push_back("expert");
  rec.window = std::max(1, (N + std::max(1, num_windows) - 1) / std::max(1, num_windows));
  rec.level_runs.assign(L, 0);
  rec.shift = split.shift;
  rec.shift_start = split.shift_start;

  PointScorer scorer(N, M + L, M, options, decisions);
  const auto& labels = table.labels();
  double sum_level_cost = 0.0, sum_zoo_cost = 0.0;
  using clock = std::chrono::steady_clock;
  const auto stream_start = clock::now();
  for (int pos = 0; pos < N; ++pos) {
    const int n = split.order[pos];
    StreamSample sample;
    sample.position = pos;
    if (split.features && split.feature_dim > 0) {
      sample.features = split.features + static_cast<size_t>(n) * split.feature_dim;
      sample.feature_dim = split.feature_dim;
    }
    const auto t0 = clock::now();
    stream_meter.reset(n);
    const int prediction = method.serve(sample, stream_meter);
    const double ns = std::chrono::duration<double, std::nano>(clock::now() - t0).count();
    const int depth = static_cast<int>(stream_meter.level_trace().size()) + meter.depth();
    const bool right = prediction == labels[n];  // the label is read here, after the answer
    scorer.add(n, prediction, labels[n], stream_meter.cost(), ns, meter.num_run(), depth,
               meter.executed_mask());
    sum_level_cost += stream_meter.level_cost();
    sum_zoo_cost += meter.cost();
    for (int l : stream_meter.level_trace()) ++rec.level_runs[l];
    rec.zoo_runs += meter.num_run() > 0;
    const int stage = stream_meter.answering_stage();
    if (stage < 0)
      throw std::runtime_error(fmt::format(
          "stream_evaluate: the method answered sample {} without running anything", n));
    const size_t w = static_cast<size_t>(pos / rec.window);
    if (w == rec.window_end.size()) {
      rec.window_end.push_back(std::min(N, pos + rec.window));
      rec.answered.emplace_back(L + 1, 0);
      rec.correct.push_back(0);
    }
    ++rec.answered[w][stage];
    rec.correct[w] += right;
  }
  if (N > 0) {
    rec.level_cost = sum_level_cost / N;
    rec.zoo_cost = sum_zoo_cost / N;
  }
  rec.seconds = std::chrono::duration<double>(clock::now() - stream_start).count();
  rec.method = method.stream_diagnostics();
  if (record) *record = std::move(rec);
  return scorer.finish();
}

}  // namespace lazystack
