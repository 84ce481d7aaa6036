#include "tests/reports/fixtures.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "reports/gnuplot.h"

namespace lazystack {
namespace testing_reports {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct Reference {
  double full_cost, best_cost, stacker_accuracy;
};

// An operating point with the fields method_summary() adds, derived the same way.
json point(const Reference& ref, json knob, double accuracy, double cost, double models,
           double overhead_ns) {
  json p = {
      {"knob", std::move(knob)},    {"num_samples", 10000},      {"accuracy", accuracy},
      {"mean_cost", cost},          {"std_cost", cost / 3},      {"mean_models", models},
      {"overhead_ns", overhead_ns}, {"depth_histogram", {0, 1}}, {"models_histogram", {0, 1}}};
  p["speedup_vs_full"] = ref.full_cost / cost;
  p["speedup_vs_best_single"] = ref.best_cost / cost;
  p["retention"] = accuracy / ref.stacker_accuracy;
  return p;
}

json zoo_member(const std::string& name, const std::string& arch, double latency_ms, double macs,
                double params, double val_acc, double test_acc) {
  return {{"name", name},
          {"arch", arch},
          {"cost", latency_ms},
          {"latency_ms", latency_ms},
          {"macs", macs},
          {"params", params},
          {"val_accuracy", val_acc},
          {"test_accuracy", test_acc},
          {"train_seconds", 1.0},
          {"from_cache", true},
          {"logits_path", "cache/logits/" + name + ".h5"},
          {"cache_key", name + "-0123456789ab"},
          {"error", nullptr}};
}

}  // namespace

void add_card(json& m, const std::string& registry_name) {
  struct Preset {
    const char *name, *order, *aggregator;
  };
  static const Preset kLazyStack[] = {{"lazystack-sub", "mdp", "sub"},
                                      {"lazystack-mask", "mdp", "mask"},
                                      {"lazystack-no-mdp", "cost", "sub"},
                                      {"lazystack-no-sub", "mdp", "last"},
                                      {"lazystack-neither", "cost", "last"}};
  static const std::map<std::string, std::string> kRoles = {{"single", "each-model"},
                                                            {"cost-cascade", "cost-order-cascade"},
                                                            {"cascade-search", "searched-cascade"},
                                                            {"lazystack-sub", "lead"}};
  static const std::set<std::string> kInFigure = {"lazystack-sub", "lazystack-mask", "woc",   "abc",
                                                  "coe",           "stacker",        "oracle"};
  m["kind"] = m.value("bound", false) ? "bound" : "swept";
  m["early_exit"] = registry_name == "cost-cascade";
  m["version"] = "1";
  m["proposed"] = false;
  m["options"] = json::object();
  const auto role = kRoles.find(registry_name);
  m["role"] = role == kRoles.end() ? "none" : role->second;
  m["in_figure"] = kInFigure.count(registry_name) > 0;
  m["report_order"] = -1;
  for (const Preset& p : kLazyStack)
    if (registry_name == p.name) {
      m["early_exit"] = m["proposed"] = true;
      m["options"] = {{"order", p.order}, {"aggregator", p.aggregator}};
      m["report_order"] = static_cast<int>(&p - kLazyStack);
    }
}

namespace {

// A method entry: curve from the points, Pareto front of the curve computed here by brute
// force (not with core/pareto, which the reports must not need), headline = curve[headline].
json method(const std::string& registry_name, std::vector<json> curve, int headline,
            bool bound = false) {
  json m = {{"method", registry_name}, {"description", registry_name + " (test)"},
            {"bound", bound},          {"fit_seconds", 0.5},
            {"from_cache", false},     {"error", nullptr}};
  m["headline"] = curve[headline];
  m["headline"]["val_accuracy"] = curve[headline]["accuracy"].get<double>() + 0.002;
  m["headline"]["val_mean_cost"] = curve[headline]["mean_cost"];
  m["curve"] = curve;
  m["pareto"] = json::array();
  for (size_t i = 0; i < curve.size(); ++i) {
    const double c = curve[i]["mean_cost"], a = curve[i]["accuracy"];
    bool dominated = false;
    for (size_t j = 0; j < curve.size(); ++j) {
      const double cj = curve[j]["mean_cost"], aj = curve[j]["accuracy"];
      dominated = dominated || (cj <= c && aj >= a && (cj < c || aj > a));
    }
    if (!dominated)
      m["pareto"].push_back({{"accuracy", a}, {"mean_cost", c}, {"knob", curve[i]["knob"]}});
  }
  m["val_curve"] = json::array();
  m["diagnostics"] = json::object();
  add_card(m, registry_name);
  return m;
}

json failed(const std::string& registry_name, const std::string& error) {
  json m = {{"method", registry_name}, {"description", registry_name + " (test)"},
            {"bound", false},          {"fit_seconds", 0.0},
            {"from_cache", false},     {"error", error}};
  add_card(m, registry_name);
  return m;
}

json skeleton(const Reference& ref) {
  return {{"format_version", 1},
          {"experiment", "fashion_mnist"},
          {"dataset", "fashion-mnist"},
          {"domain", "image"},
          {"run_id", "20250101T000000Z-abcdef"},
          {"seed", 0},
          {"cost_unit", "latency_ms"},
          {"cost_model", "sequential"},
          {"config", "experiments/fashion_mnist.yaml"},
          {"num_classes", 10},
          {"splits", {{"train", 50000}, {"val_fit", 5000}, {"val_cal", 5000}, {"test", 10000}}},
          {"reference",
           {{"full_stacker_accuracy", ref.stacker_accuracy},
            {"full_stacker_val_accuracy", ref.stacker_accuracy + 0.002},
            {"target_retention", 0.97},
            {"target_val_accuracy", 0.97 * (ref.stacker_accuracy + 0.002)},
            {"full_ensemble_cost", ref.full_cost},
            {"best_single",
             {{"name", "resnet-8"},
              {"accuracy", 0.9187},
              {"val_accuracy", 0.921},
              {"cost", ref.best_cost}}}}},
          {"methods", json::object()},
          {"provenance", {{"git_revision", "test"}}}};
}

}  // namespace

json small_summary() {
  const Reference ref{/*full_cost=*/0.994, /*best_cost=*/0.9, /*stacker_accuracy=*/0.9305};
  json s = skeleton(ref);
  s["zoo"] = {zoo_member("softmax", "softmax", 0.004, 7840, 7850, 0.842, 0.8391),
              zoo_member("cnn-s", "cnn", 0.09, 1.2e6, 5.2e4, 0.906, 0.9013),
              zoo_member("resnet-8", "resnet", 0.9, 2.3e7, 7.8e4, 0.921, 0.9187)};
  std::vector<json> cascade;
  const double thetas[] = {0.5, 0.7, 0.8, 0.9, 0.99};
  const double acc[] = {0.8912, 0.9051, 0.9123, 0.9178, 0.9169};  // the last is dominated
  const double cost[] = {0.041, 0.128, 0.2215, 0.3871, 0.6524};
  for (int i = 0; i < 5; ++i)
    cascade.push_back(point(ref, {{"theta", thetas[i]}}, acc[i], cost[i], 1.1 + 0.2 * i, 95.5));
  s["methods"]["cost-cascade"] = method("cost-cascade", cascade, /*headline=*/3);
  s["methods"]["stacker"] =
      method("stacker", {point(ref, json::object(), 0.9305, 0.994, 3.0, 1830.0)}, 0);
  s["methods"]["oracle"] =
      method("oracle", {point(ref, json::object(), 0.9712, 0.0316, 1.2, 40.0)}, 0, /*bound=*/true);
  s["methods"]["gatekeeper"] =
      failed("gatekeeper", "needs white-box zoo models; every member here is a black box");
  return s;
}

json paper_summary() {
  const Reference ref{/*full_cost=*/2.861, /*best_cost=*/1.62, /*stacker_accuracy=*/0.9391};
  json s = skeleton(ref);
  s["reference"]["best_single"] = {
      {"name", "resnet-20"}, {"accuracy", 0.9276}, {"val_accuracy", 0.929}, {"cost", 1.62}};
  s["zoo"] = {zoo_member("softmax", "softmax", 0.0041, 7840, 7850, 0.842, 0.8391),
              zoo_member("mlp", "mlp", 0.021, 2.3e5, 2.3e5, 0.884, 0.8822),
              zoo_member("cnn-s", "cnn", 0.094, 1.2e6, 5.2e4, 0.906, 0.9013),
              zoo_member("lenet5", "lenet5", 0.126, 4.2e5, 6.1e4, 0.899, 0.8967),
              zoo_member("resnet-8", "resnet", 0.9, 2.3e7, 7.8e4, 0.921, 0.9187),
              zoo_member("resnet-20", "resnet", 1.62, 4.1e7, 2.7e5, 0.929, 0.9276)};
  // A saturating accuracy-vs-cost family: acc(c) = top - span * exp(-c / scale), swept over
  // thresholds; `jitter` puts some points off the front.
  auto family = [&](double top, double span, double scale, double c0, double c1, int n,
                    double models0, double ovh, bool jitter) {
    std::vector<json> pts;
    for (int i = 0; i < n; ++i) {
      const double t = n == 1 ? 0.0 : static_cast<double>(i) / (n - 1);
      const double c = c0 * std::pow(c1 / c0, t);
      double a = top - span * std::exp(-c / scale);
      if (jitter && i % 3 == 1) a -= 0.004;
      pts.push_back(point(ref, {{"theta", 0.5 + 0.49 * t}}, a, c, models0 + 2.0 * t, ovh));
    }
    return pts;
  };
  s["methods"]["lazystack-sub"] =
      method("lazystack-sub", family(0.9372, 0.05, 0.06, 0.012, 0.45, 9, 1.0, 182, false), 5);
  s["methods"]["lazystack-mask"] =
      method("lazystack-mask", family(0.9361, 0.05, 0.07, 0.013, 0.5, 9, 1.0, 240, false), 5);
  s["methods"]["cost-cascade"] =
      method("cost-cascade", family(0.929, 0.09, 0.22, 0.006, 1.4, 120, 1.0, 60, true), 70);
  s["methods"]["woc"] = method("woc", family(0.9318, 0.08, 0.25, 0.03, 2.2, 8, 1.0, 75, true), 4);
  s["methods"]["abc"] = method("abc", family(0.931, 0.06, 0.3, 0.08, 2.7, 7, 1.5, 120, false), 3);
  s["methods"]["ensemble"] =
      method("ensemble", {point(ref, json::object(), 0.9301, 2.861, 6.0, 310)}, 0);
  s["methods"]["stacker"] =
      method("stacker", {point(ref, json::object(), 0.9391, 2.861, 6.0, 1830)}, 0);
  s["methods"]["oracle"] =
      method("oracle", {point(ref, json::object(), 0.9744, 0.0187, 1.3, 40.0)}, 0, /*bound=*/true);
  s["methods"]["ocl"] = failed("ocl", "the expert model 'resnet-20' has no train split logits");
  return s;
}

json ablation_summary() {
  const Reference ref{/*full_cost=*/10.0, /*best_cost=*/4.0, /*stacker_accuracy=*/0.94};
  json s = skeleton(ref);
  s["zoo"] = {zoo_member("cnn-s", "cnn", 1.0, 1.2e6, 5.2e4, 0.88, 0.88),
              zoo_member("resnet-8", "resnet", 4.0, 2.3e7, 7.8e4, 0.92, 0.92),
              zoo_member("resnet-20", "resnet", 5.0, 4.1e7, 2.7e5, 0.93, 0.93)};
  std::vector<json> cascade;
  const double costs[] = {0.5, 1.0, 3.0, 4.0, 6.0}, accs[] = {0.85, 0.88, 0.91, 0.905, 0.92};
  for (int i = 0; i < 5; ++i)
    cascade.push_back(point(ref, {{"threshold", 0.5 + 0.1 * i}}, accs[i], costs[i], 1.0 + i, 60));
  s["methods"]["cost-cascade"] = method("cost-cascade", cascade, /*headline=*/2);
  s["methods"]["stacker"] = method("stacker", {point(ref, json::object(), 0.94, 10.0, 3, 900)}, 0);
  struct LazyStack {
    const char *name, *registry, *order, *aggregator;
    double cost, accuracy;
  };
  const LazyStack lazystacks[] = {
      {"lazystack-sub", "lazystack-sub", "mdp", "sub", 0.5, 0.895},
      {"lazystack-no-mdp", "lazystack-no-mdp", "cost", "sub", 2.5, 0.93},
      {"lazystack-no-sub", "lazystack-no-sub", "mdp", "last", 2.0, 0.88},
      {"lazystack-neither", "lazystack-neither", nullptr, nullptr, 5.0, 0.80},
      {"lazystack-mask", "lazystack-mask", "mdp", "mask", 2.0, 0.92},
      {"lazystack-no-mdp-mask", "lazystack-no-mdp", "cost", "mask", 2.5, 0.91},
  };
  for (const LazyStack& l : lazystacks) {
    // A cheaper, less accurate point first, then the headline.
    json m = method(l.registry,
                    {point(ref, {{"theta", 0.5}}, l.accuracy - 0.05, l.cost / 2, 1.0, 200),
                     point(ref, {{"theta", 0.9}}, l.accuracy, l.cost, 1.5, 200)},
                    /*headline=*/1);
    if (l.order) m["diagnostics"] = {{"order", l.order}, {"aggregator", l.aggregator}};
    s["methods"][l.name] = m;
  }
  return s;
}

void write_summary(const fs::path& dir, const json& summary) {
  fs::create_directories(dir);
  std::ofstream out(dir / "summary.json");
  out << summary.dump(2) << "\n";
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool gnuplot_on_path() { return !reports::Gnuplot("gnuplot").locate().empty(); }

bool file_starts_with(const fs::path& path, const std::string& magic) {
  return read_file(path).compare(0, magic.size(), magic) == 0;
}

namespace {

// RFC 4180 fields of one CSV line (quotes may hold commas and doubled quotes).
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      out.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

}  // namespace

std::vector<std::map<std::string, std::string>> read_csv(const fs::path& path) {
  std::istringstream in(read_file(path));
  std::string line;
  std::getline(in, line);
  const auto header = csv_fields(line);
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto fields = csv_fields(line);
    EXPECT_EQ(fields.size(), header.size()) << line;
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < header.size() && i < fields.size(); ++i) row[header[i]] = fields[i];
    rows.push_back(row);
  }
  return rows;
}

std::vector<std::string> markdown_row(const std::string& md, const std::string& name) {
  std::istringstream in(md);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] != '|') continue;
    std::vector<std::string> cells;
    std::string cell;
    for (size_t i = 1; i < line.size(); ++i) {
      if (line[i] == '|' && line[i - 1] != '\\') {
        const size_t a = cell.find_first_not_of(' '), b = cell.find_last_not_of(' ');
        cells.push_back(a == std::string::npos ? "" : cell.substr(a, b - a + 1));
        cell.clear();
      } else {
        cell += line[i];
      }
    }
    if (!cells.empty() && cells[0] == name) return cells;
  }
  return {};
}

TempDir::TempDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "test";
  path_ = fs::temp_directory_path() /
          ("lazystack-reports-" + name + "-" + std::to_string(static_cast<long>(getpid())));
  fs::remove_all(path_);
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  if (std::getenv("LAZYSTACK_KEEP_TEST_OUTPUT")) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

}  // namespace testing_reports
}  // namespace lazystack
