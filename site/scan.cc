#include "site/scan.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <stdexcept>

namespace lazystack::site {
namespace fs = std::filesystem;

namespace {

bool skipped_name(const std::string& name) {
  // <run-id>.partial: a run still going, or one that was stopped (never listed as a run).
  const std::string partial = ".partial";
  if (name.size() > partial.size() &&
      name.compare(name.size() - partial.size(), partial.size(), partial) == 0)
    return true;
  return name.empty() || name[0] == '.' || name[0] == '_';
}

// Real folders only: a `latest` link would list its run twice.
std::vector<fs::path> subfolders(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::error_code e2;
    if (entry.is_symlink(e2) || !entry.is_directory(e2)) continue;
    if (skipped_name(entry.path().filename().string())) continue;
    out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool looks_like_run_id(const std::string& name) {  // 20261203T232212Z-9b012a
  if (name.size() < 17 || name[8] != 'T' || name[15] != 'Z') return false;
  for (int i : {0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14})
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) return false;
  return true;
}

std::vector<SeedFolder> seed_folders(const fs::path& run) {
  std::vector<SeedFolder> out;
  for (const fs::path& d : subfolders(run)) {
    const std::string name = d.filename().string();
    if (name.rfind("seed-", 0) != 0) continue;
    SeedFolder s;
    s.name = name;
    char* end = nullptr;
    const long n = std::strtol(name.c_str() + 5, &end, 10);
    s.seed = end && *end == '\0' && end != name.c_str() + 5 ? n : -1;
    s.has_summary = fs::exists(d / "summary.json");
    out.push_back(s);
  }
  std::sort(out.begin(), out.end(), [](const SeedFolder& a, const SeedFolder& b) {
    return a.seed != b.seed ? a.seed < b.seed : a.name < b.name;
  });
  return out;
}

bool is_run_folder(const fs::path& d) {
  return fs::exists(d / "summary.json") || fs::exists(d / "config.resolved.yaml") ||
         !seed_folders(d).empty() || looks_like_run_id(d.filename().string());
}

std::vector<long> expected_seeds(const RunFolder& run) {
  std::vector<fs::path> configs = {run.dir / "config.resolved.yaml"};
  for (const SeedFolder& s : run.seeds)
    configs.push_back(run.dir / s.name / "config.resolved.yaml");
  for (const fs::path& path : configs) {
    if (!fs::exists(path)) continue;
    try {
      const YAML::Node seeds = YAML::LoadFile(path.string())["seeds"];
      if (!seeds || !seeds.IsSequence()) return {};
      std::vector<long> out;
      for (const auto& s : seeds) out.push_back(s.as<long>());
      return out;
    } catch (const std::exception&) {
      return {};  // the page shows the file as it is; the seeds are only unknown
    }
  }
  return {};
}

std::string latest_target(const fs::path& experiment_dir) {
  std::error_code ec;
  const fs::path target = fs::read_symlink(experiment_dir / "latest", ec);
  return ec ? "" : target.filename().string();
}

// The runs of one experiment folder; false when it holds none.
bool add_experiment(const fs::path& dir, const std::vector<std::string>& prefix,
                    std::vector<RunFolder>* runs) {
  bool any = false;
  const std::string latest = latest_target(dir);
  for (const fs::path& d : subfolders(dir)) {
    if (!is_run_folder(d)) continue;
    any = true;
    RunFolder r;
    r.segments = prefix;
    r.segments.push_back(dir.filename().string());
    r.segments.push_back(d.filename().string());
    r.suite = prefix.empty() ? "" : prefix[0];
    r.experiment = dir.filename().string();
    r.run_id = d.filename().string();
    r.dir = d;
    r.has_summary = fs::exists(d / "summary.json");
    r.seeds = seed_folders(d);
    r.expected_seeds = expected_seeds(r);
    r.latest = r.run_id == latest;
    runs->push_back(std::move(r));
  }
  return any;
}

}  // namespace

std::string RunFolder::key() const {
  std::string out;
  for (size_t i = 0; i < segments.size(); ++i) out += (i ? "/" : "") + segments[i];
  return out;
}

std::string RunFolder::experiment_key() const {
  return suite.empty() ? experiment : suite + "/" + experiment;
}

ResultsTree scan_results(const std::string& root) {
  if (!fs::is_directory(root))
    throw std::runtime_error("'" + root +
                             "' is not a folder (expected a results folder such as "
                             "results/, holding <experiment>/<run-id>/)");
  ResultsTree tree;
  for (const fs::path& top : subfolders(root)) {
    if (add_experiment(top, {}, &tree.runs)) continue;
    SuiteFolder suite{top.filename().string(), top, {}};
    for (const fs::path& exp : subfolders(top))
      if (add_experiment(exp, {suite.name}, &tree.runs))
        suite.experiments.push_back(exp.filename().string());
    if (!suite.experiments.empty()) tree.suites.push_back(std::move(suite));
  }
  std::stable_sort(tree.runs.begin(), tree.runs.end(), [](const RunFolder& a, const RunFolder& b) {
    return a.run_id != b.run_id ? a.run_id > b.run_id : a.key() < b.key();
  });
  return tree;
}

std::string run_time_text(const std::string& id) {
  if (!looks_like_run_id(id)) return "";
  return id.substr(0, 4) + "-" + id.substr(4, 2) + "-" + id.substr(6, 2) + " " + id.substr(9, 2) +
         ":" + id.substr(11, 2) + " UTC";
}

}  // namespace lazystack::site
