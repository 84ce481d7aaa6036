#include "site/site.h"

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/json_numbers.h"
#include "core/log.h"
#include "reports/text_file.h"
#include "site/assets.h"
#include "site/index_page.h"
#include "site/run_info.h"
#include "site/run_page.h"
#include "site/scan.h"
#include "site/suite_page.h"

namespace lazystack::site {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int kCacheVersion = 1;

fs::path cache_path(const std::string& root) {
  return fs::path(root) / kAssetsFolder / "index-cache.json";
}

// The index facts of every run: from the cache when the run's files are unchanged (`reuse`),
// else read; the cache is rewritten with exactly the runs of `tree`.
std::vector<RunInfo> run_infos(const std::string& root, const ResultsTree& tree, bool reuse) {
  json cache;
  if (reuse) {
    try {
      cache = json::parse(reports::read_text_file(cache_path(root).string()));
      decode_nonfinite(cache);
      if (cache.value("version", 0) != kCacheVersion) cache = json();
    } catch (const std::exception&) {
      cache = json();  // absent or damaged: every run is read again
    }
  }
  json fresh = {{"version", kCacheVersion}, {"runs", json::object()}};
  std::vector<RunInfo> infos;
  for (const RunFolder& run : tree.runs) {
    const std::string stamp = run_stamp(run);
    std::optional<RunInfo> info;
    if (cache.is_object() && cache.contains("runs") && cache["runs"].contains(run.key())) {
      const json& entry = cache["runs"][run.key()];
      try {
        if (entry.at("stamp") == stamp) info = run_info_from_json(entry.at("info"));
      } catch (const json::exception&) {
      }
    }
    if (!info) info = run_info(run);
    fresh["runs"][run.key()] = {{"stamp", stamp}, {"info", to_json(*info)}};
    infos.push_back(std::move(*info));
  }
  reports::write_text_file(cache_path(root).string(), dump_with_nonfinite(fresh, 1) + "\n");
  return infos;
}

void write_index(const std::string& root, const ResultsTree& tree,
                 const std::vector<RunInfo>& infos) {
  reports::write_text_file((fs::path(root) / "index.html").string(), index_html(tree, infos));
}

void write_suite(const SuiteFolder& suite, const ResultsTree& tree,
                 const std::vector<RunInfo>& infos) {
  reports::write_text_file((suite.dir / "index.html").string(),
                           suite_page_html(suite, tree, infos));
}

bool same_folder(const fs::path& a, const fs::path& b) {
  std::error_code ec1, ec2;
  const fs::path ca = fs::weakly_canonical(a, ec1), cb = fs::weakly_canonical(b, ec2);
  return !ec1 && !ec2 && ca == cb;
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

SiteCounts render_site(const std::string& root) {
  if (fs::exists(fs::path(root) / "summary.json") ||
      (fs::is_directory(root) && fs::exists(fs::path(root) / "seed-0")))
    throw std::runtime_error("'" + root +
                             "' is a run folder; the site covers a whole results folder: pass "
                             "the folder that holds <experiment>/<run-id>/ (e.g. results)");
  ResultsTree tree = scan_results(root);
  write_assets(root);
  const std::vector<RunInfo> infos = run_infos(root, tree, /*reuse=*/false);
  SiteCounts counts;
  counts.runs = static_cast<int>(tree.runs.size());
  for (size_t i = 0; i < tree.runs.size(); ++i)
    counts.pages += write_run_pages(tree.runs[i], infos[i]);
  for (const SuiteFolder& suite : tree.suites) {
    write_suite(suite, tree, infos);
    ++counts.pages;
  }
  write_index(root, tree, infos);
  return {counts.runs, counts.pages + 1};
}

void refresh_site_after_run(const std::string& root, const std::string& run_dir) noexcept {
  const auto t0 = std::chrono::steady_clock::now();
  try {
    const ResultsTree tree = scan_results(root);
    write_assets(root);
    const std::vector<RunInfo> infos = run_infos(root, tree, /*reuse=*/true);
    for (size_t i = 0; i < tree.runs.size(); ++i) {
      if (!same_folder(tree.runs[i].dir, run_dir)) continue;
      write_run_pages(tree.runs[i], infos[i]);
      for (const SuiteFolder& suite : tree.suites)
        if (suite.name == tree.runs[i].suite) write_suite(suite, tree, infos);
    }
    write_index(root, tree, infos);
    log_info("[site] {}/index.html and the run's pages refreshed in {:.0f} ms", root, ms_since(t0));
  } catch (const std::exception& e) {
    log_warn("[site] results site under {} not refreshed: {}", root, e.what());
  }
}

void refresh_site_after_suite(const std::string& root, const std::string& suite_dir) noexcept {
  const auto t0 = std::chrono::steady_clock::now();
  try {
    const ResultsTree tree = scan_results(root);
    write_assets(root);
    const std::vector<RunInfo> infos = run_infos(root, tree, /*reuse=*/true);
    for (const SuiteFolder& suite : tree.suites)
      if (same_folder(suite.dir, suite_dir)) write_suite(suite, tree, infos);
    write_index(root, tree, infos);
    log_info("[site] {}/index.html and the suite's page refreshed in {:.0f} ms", root,
             ms_since(t0));
  } catch (const std::exception& e) {
    log_warn("[site] results site under {} not refreshed: {}", root, e.what());
  }
}

}  // namespace lazystack::site
