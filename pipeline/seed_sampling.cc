#include "pipeline/seed_sampling.h"

#include <fmt/core.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <stdexcept>

#include "core/random.h"
#include "zoo/profiler.h"

namespace lazystack {
namespace {

using nlohmann::json;

int uniform_index(uint64_t draw, int n) {
  return static_cast<int>(uniform_below(draw, static_cast<uint64_t>(n)));
}

// Independent streams of one seed: test rows and latencies never share draws.
constexpr uint64_t kTestStream = 0x7465737400000000ull;     // "test"
constexpr uint64_t kLatencyStream = 0x6c6174656e637900ull;  // "latency"

// Rows `rows` of a row-major [N][dim] block.
template <class T>
std::vector<T> gather(const std::vector<T>& block, int dim, const std::vector<int>& rows) {
  std::vector<T> out;
  if (block.empty() || dim <= 0) return out;
  out.reserve(rows.size() * dim);
  for (int r : rows)
    out.insert(out.end(), block.begin() + static_cast<size_t>(r) * dim,
               block.begin() + static_cast<size_t>(r + 1) * dim);
  return out;
}

}  // namespace

OptionSpec seed_draws_option_spec() {
  return opt_strings("seed_draws", {"test", "latency"},
                     "what seeds other than 0 re-draw besides the val_fit/val_cal split: test (a "
                     "bootstrap replicate of the test set), latency (each model's latency from "
                     "its profiler repeats); [] = the val split only. Seed 0 is the data as "
                     "observed")
      .one_of({"test", "latency"});
}

SeedDraws parse_seed_draws(const std::vector<std::string>& names) {
  SeedDraws d;
  d.test = std::find(names.begin(), names.end(), "test") != names.end();
  d.latency = std::find(names.begin(), names.end(), "latency") != names.end();
  return d;
}

std::vector<int> bootstrap_rows(int n, uint64_t seed) {
  std::vector<int> rows(std::max(0, n));
  uint64_t state = splitmix64(seed ^ kTestStream);
  for (int& r : rows) {
    state = splitmix64(state);
    r = uniform_index(state, n);
  }
  return rows;
}

double redrawn_latency_ms(double measured_ms, const std::vector<double>& repeats_ms,
                          uint64_t seed) {
  if (repeats_ms.empty()) return measured_ms;
  // The repeats' own values pick the stream: equal profiles draw equal latencies.
  uint64_t state = splitmix64(seed ^ kLatencyStream);
  for (double ms : repeats_ms) {
    uint64_t bits = 0;
    std::memcpy(&bits, &ms, sizeof bits);
    state = splitmix64(state ^ bits);
  }
  const int n = static_cast<int>(repeats_ms.size());
  std::vector<double> resample(n);
  for (double& v : resample) {
    state = splitmix64(state);
    v = repeats_ms[uniform_index(state, n)];
  }
  const double centre = median_ms(repeats_ms);
  if (!(centre > 0)) return measured_ms;
  return measured_ms * median_ms(std::move(resample)) / centre;
}

json SeedData::cache_key() const {
  return {{"test", description_.at("test")}, {"latency", description_.at("latency")}};
}

SeedData draw_seed_data(const Dataset& ds, const Zoo& zoo, uint64_t seed, const SeedDraws& draws,
                        CostUnit cost_unit) {
  SeedData out;
  out.dataset_ = &ds;
  out.zoo_ = &zoo;
  const bool observed = seed == 0;
  const bool redraw_test = !observed && draws.test && zoo.test.num_samples() > 0;
  bool any_repeats = false;
  for (const ZooMember& m : zoo.members) any_repeats |= !m.latency_repeats_ms.empty();
  const bool redraw_latency = !observed && draws.latency && cost_unit == CostUnit::kLatencyMs &&
                              zoo.test.sample_costs().empty() && any_repeats;

  json& d = out.description_;
  d = {{"seed", seed},
       {"val_split", "re-split"},
       {"test", redraw_test ? "bootstrap" : "observed"},
       {"latency", redraw_latency                                     ? "bootstrap"
                   : cost_unit == CostUnit::kLatencyMs && any_repeats ? "measured"
                                                                      : "fixed"},
       {"zoo_training", "fixed"}};

  // Costs: per model of the tables, by name.
  const std::vector<std::string>& names = zoo.val.model_names();
  std::vector<double> costs = zoo.val.costs();
  json cost_json = json::object();
  for (size_t k = 0; k < names.size(); ++k) {
    const ZooMember* member = nullptr;
    for (const ZooMember& m : zoo.members)
      if (m.error.empty() && m.name == names[k]) member = &m;
    json c = {{"measured", costs[k]}, {"used", costs[k]}, {"repeats", 0}};
    if (member) {
      c["repeats"] = member->latency_repeats_ms.size();
      if (redraw_latency && !member->latency_repeats_ms.empty())
        costs[k] = redrawn_latency_ms(costs[k], member->latency_repeats_ms, seed);
      c["used"] = costs[k];
    }
    cost_json[names[k]] = c;
  }
  d["costs"] = cost_json;

  std::vector<int> rows;
  if (redraw_test) rows = bootstrap_rows(zoo.test.num_samples(), seed);
  d["test_samples"] = zoo.test.num_samples();
  d["test_unique_samples"] = redraw_test ? std::set<int>(rows.begin(), rows.end()).size()
                                         : static_cast<size_t>(zoo.test.num_samples());
  if (!redraw_test && !redraw_latency) return out;

  auto z = std::make_shared<Zoo>();
  z->members = zoo.members;
  z->val = zoo.val;
  z->test = redraw_test ? zoo.test.subset(rows) : zoo.test;
  z->val.set_costs(costs);
  z->test.set_costs(costs);
  for (ZooMember& m : z->members) {
    if (!m.error.empty()) continue;
    const int k = z->test.model_index(m.name);
    if (k < 0) continue;
    m.cost = costs[k];
    m.test_accuracy = z->test.model_accuracy(k);
  }
  out.own_zoo_ = std::move(z);

  if (redraw_test) {
    if (ds.test.num_samples != zoo.test.num_samples())
      throw std::logic_error(
          fmt::format("draw_seed_data: the dataset's test split has {} samples, "
                      "the zoo's test outputs {}",
                      ds.test.num_samples, zoo.test.num_samples()));
    auto copy = std::make_shared<Dataset>(ds);  // keeps every fingerprint: see cache_key()
    copy->test.x = gather(ds.test.x, ds.shape.feature_dim(), rows);
    copy->test.y = gather(ds.test.y, 1, rows);
    copy->test.num_samples = static_cast<int>(rows.size());
    out.own_dataset_ = std::move(copy);
  }
  return out;
}

}  // namespace lazystack
