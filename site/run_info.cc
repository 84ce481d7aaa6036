#include "site/run_info.h"

#include <fmt/core.h>

#include <chrono>
#include <cmath>
#include <set>

#include "reports/summary.h"
#include "reports/tables.h"

namespace lazystack::site {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string text_or(const json& j, const char* key, const std::string& fallback = "") {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : fallback;
}

// Failed members and methods of one summary, as problem lines.
void add_failures(const json& s, const std::string& prefix, RunInfo* info,
                  std::set<std::string>* members, std::set<std::string>* methods) {
  for (const json& m : s.at("zoo")) {
    const json error = m.value("error", json());
    if (!error.is_string()) continue;
    const std::string name = text_or(m, "name", "?");
    members->insert(name);
    info->problems.push_back(
        fmt::format("{}zoo member {} failed: {}", prefix, name, error.get<std::string>()));
  }
  for (const auto& [name, m] : s.at("methods").items()) {
    const json error = m.value("error", json());
    if (!error.is_string()) continue;
    methods->insert(name);
    info->problems.push_back(
        fmt::format("{}method {} failed: {}", prefix, name, error.get<std::string>()));
  }
}

void worsen(RunInfo* info, RunInfo::Status status) {
  if (static_cast<int>(status) > static_cast<int>(info->status)) info->status = status;
}

// What the seeds of a run add up to.
struct Accumulated {
  std::set<std::string> members, methods, baselines;
  double log_sum = 0;                     ///< of x_best_baseline over the compared seeds
  double accuracy_sum = 0, cost_sum = 0;  ///< of LazyStack-SUB's headline over `headlines` seeds
  int headlines = 0;
};

std::string headline_text(double accuracy, double cost, const std::string& cost_unit) {
  return fmt::format("{}% at {} {}", reports::format_percent(accuracy, 2),
                     reports::format_amount(cost),
                     reports::describe_cost_unit(cost_unit).short_label);
}

// One readable summary's contribution to `info`.
void add_summary(const json& s, long folder_seed, const std::string& prefix, bool only_one,
                 RunInfo* info, Accumulated* acc) {
  const long seed =
      s.value("seed", json()).is_number_integer() ? s["seed"].get<long>() : folder_seed;
  info->seeds.push_back(seed);
  if (info->dataset.empty()) {
    info->dataset = reports::dataset_name(s);
    info->cost_unit = text_or(s, "cost_unit");
    const json prov = s.value("provenance", json::object());
    if (prov.is_object()) {
      info->created = text_or(prov, "created");
      info->revision = text_or(prov, "git_revision");
    }
  }
  add_failures(s, prefix, info, &acc->members, &acc->methods);
  const reports::BaselineVerdict v = reports::baseline_verdict(s);
  if (v.state == reports::BaselineVerdict::State::kCompared) {
    ++info->compared;
    acc->log_sum += std::log(v.factor);
    acc->baselines.insert(v.best_baseline);
  } else if (v.state == reports::BaselineVerdict::State::kUnmatched) {
    ++info->unmatched;
  } else if (info->verdict.empty()) {
    info->verdict = v.verdict;  // "failed" / "not run"; "" without metrics
  }
  if (v.state != reports::BaselineVerdict::State::kNotRun &&
      v.state != reports::BaselineVerdict::State::kFailed) {
    const json& h = s.at("methods").at(reports::lead_method(s)).at("headline");
    const double accuracy = reports::number_or_nan(h, "accuracy");
    const double cost = reports::number_or_nan(h, "mean_cost");
    if (only_one) info->headline = headline_text(accuracy, cost, info->cost_unit);
    acc->accuracy_sum += accuracy;
    acc->cost_sum += cost;
    ++acc->headlines;
  }
}

}  // namespace

std::string status_name(RunInfo::Status status) {
  switch (status) {
    case RunInfo::Status::kOk:
      return "ok";
    case RunInfo::Status::kFailures:
      return "failures";
    case RunInfo::Status::kPartial:
      return "partial";
    case RunInfo::Status::kUnreadable:
      return "unreadable";
  }
  return "?";
}

RunInfo run_info(const RunFolder& run) {
  RunInfo info;
  // (folder, seed, prefix of its problem lines)
  struct Part {
    fs::path dir;
    long seed;
    std::string prefix;
  };
  std::vector<Part> parts;
  if (run.has_summary) {
    parts.push_back({run.dir, run.expected_seeds.size() == 1 ? run.expected_seeds[0] : -1, ""});
  } else if (run.seeds.empty()) {
    worsen(&info, RunInfo::Status::kPartial);
    info.problems.push_back(
        "no summary.json: the run stopped before it wrote its results (or is still running)");
  }
  for (const SeedFolder& s : run.seeds) {
    if (run.has_summary) break;
    if (s.has_summary) {
      parts.push_back({run.dir / s.name, s.seed, s.name + ": "});
    } else {
      worsen(&info, RunInfo::Status::kPartial);
      info.problems.push_back(s.name +
                              ": no summary.json (the run stopped before this seed "
                              "finished, or is still running)");
    }
  }
  if (!run.has_summary)
    for (long seed : run.expected_seeds) {
      bool found = false;
      for (const SeedFolder& s : run.seeds) found = found || s.seed == seed;
      if (found || run.seeds.empty()) continue;
      worsen(&info, RunInfo::Status::kPartial);
      info.problems.push_back(fmt::format(
          "seed {} of the config's seeds has no folder: the run stopped before it", seed));
    }

  Accumulated acc;
  for (const Part& part : parts) {
    // A summary from elsewhere may pass check_summary() and still hold a field of another
    // type than expected: whatever throws makes this seed unreadable, never the site.
    try {
      add_summary(reports::load_summary(part.dir.string()), part.seed, part.prefix,
                  parts.size() == 1, &info, &acc);
    } catch (const std::exception& e) {
      worsen(&info, RunInfo::Status::kUnreadable);
      info.problems.push_back(part.prefix + e.what());
    }
  }
  info.failed_members = static_cast<int>(acc.members.size());
  info.failed_methods = static_cast<int>(acc.methods.size());
  if (info.failed_members + info.failed_methods > 0) worsen(&info, RunInfo::Status::kFailures);
  if (parts.size() > 1 && acc.headlines > 0)
    info.headline = headline_text(acc.accuracy_sum / acc.headlines, acc.cost_sum / acc.headlines,
                                  info.cost_unit) +
                    fmt::format(" (mean of {})", acc.headlines);
  if (info.compared > 0) {
    info.factor = std::exp(acc.log_sum / info.compared);
    info.best_baseline = acc.baselines.size() == 1 ? *acc.baselines.begin() : "varies";
    info.verdict = reports::verdict_text(info.factor);
  } else if (info.unmatched > 0) {
    info.verdict = reports::unmatched_verdict_text();
  }
  return info;
}

json to_json(const RunInfo& i) {
  return {{"status", static_cast<int>(i.status)},
          {"problems", i.problems},
          {"failed_members", i.failed_members},
          {"failed_methods", i.failed_methods},
          {"dataset", i.dataset},
          {"created", i.created},
          {"revision", i.revision},
          {"cost_unit", i.cost_unit},
          {"seeds", i.seeds},
          {"compared", i.compared},
          {"unmatched", i.unmatched},
          {"factor", i.factor},
          {"best_baseline", i.best_baseline},
          {"verdict", i.verdict},
          {"headline", i.headline}};
}

RunInfo run_info_from_json(const json& j) {
  RunInfo i;
  const int status = j.at("status").get<int>();
  if (status < 0 || status > static_cast<int>(RunInfo::Status::kUnreadable))
    throw json::other_error::create(501, "bad status", &j);
  i.status = static_cast<RunInfo::Status>(status);
  i.problems = j.at("problems").get<std::vector<std::string>>();
  i.failed_members = j.at("failed_members").get<int>();
  i.failed_methods = j.at("failed_methods").get<int>();
  i.dataset = j.at("dataset").get<std::string>();
  i.created = j.at("created").get<std::string>();
  i.revision = j.at("revision").get<std::string>();
  i.cost_unit = j.at("cost_unit").get<std::string>();
  i.seeds = j.at("seeds").get<std::vector<long>>();
  i.compared = j.at("compared").get<int>();
  i.unmatched = j.at("unmatched").get<int>();
  i.factor = j.at("factor").get<double>();
  i.best_baseline = j.at("best_baseline").get<std::string>();
  i.verdict = j.at("verdict").get<std::string>();
  i.headline = j.at("headline").get<std::string>();
  return i;
}

std::string run_stamp(const RunFolder& run) {
  std::vector<fs::path> files = {run.dir / "summary.json", run.dir / "config.resolved.yaml"};
  for (const SeedFolder& s : run.seeds) {
    files.push_back(run.dir / s.name / "summary.json");
    files.push_back(run.dir / s.name / "config.resolved.yaml");
  }
  std::string stamp;
  for (const fs::path& f : files) {
    std::error_code ec;
    const auto size = fs::file_size(f, ec);
    if (ec) {
      stamp += "-;";
      continue;
    }
    const auto mtime = fs::last_write_time(f, ec).time_since_epoch();
    stamp += fmt::format("{}:{}:{};", f.lexically_relative(run.dir).generic_string(), size,
                         static_cast<long long>(
                             std::chrono::duration_cast<std::chrono::nanoseconds>(mtime).count()));
  }
  return stamp;
}

}  // namespace lazystack::site
