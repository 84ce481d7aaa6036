#include "tests/reports/fixtures.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

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
  return m;
}

json failed(const std::string& registry_name, const std::string& error) {
  return {{"method", registry_name}, {"description", registry_name + " (test)"},
          {"bound", false},          {"fit_seconds", 0.0},
          {"from_cache", false},     {"error", error}};
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
