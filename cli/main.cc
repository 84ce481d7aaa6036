// The `lazystack` program: parse, dispatch, catch. Exit codes (core/exit_status.h): 0 ok,
// 1 internal error, 2 bad input, 3 the run completed but some zoo members or methods failed.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "core/atomic_file.h"
#include "core/exit_status.h"
#include "core/log.h"
#include "core/memory_policy.h"
#include "core/options.h"
#include "core/provenance.h"
#include "executor/cli.h"
#include "pipeline/cards.h"
#include "pipeline/config.h"
#include "pipeline/run.h"
#include "pipeline/suite.h"
#include "pipeline/suite_processes.h"
#include "reports/readme_docs.h"
#include "reports/report.h"
#include "site/site.h"
#include "zoo/import.h"

namespace {

using namespace lazystack;

template <class Entry>
void print_entries(const std::string& title, const std::vector<const Entry*>& entries,
                   bool verbose) {
  fmt::print("{}:\n", title);
  size_t width = 0;
  for (const auto* e : entries) width = std::max(width, e->name.size());
  for (const auto* e : entries) {
    fmt::print("  {:<{}} {}\n", e->name, width, e->description);
    if (!verbose) continue;
    for (const auto& o : e->options) {
      fmt::print("      {:<20} {} (default {}): {}\n", o.name, o.describe_type(),
                 o.default_value.is_null() ? "required" : o.default_value.dump(), o.description);
    }
  }
}

// Exit 3 with the failed parts on the last line, or 0 when none failed.
int finish_run(const std::vector<std::string>& failures) {
  if (failures.empty()) return kExitOk;
  std::string line;
  for (const std::string& f : failures) {
    std::string one = f;
    for (char& c : one)
      if (c == '\n' || c == '\r') c = ' ';
    if (one.size() > 300) one = one.substr(0, 297) + "...";
    line += (line.empty() ? "" : "; ") + one;
  }
  std::fflush(stdout);
  std::fprintf(stderr, "error: the run completed, but %zu part(s) failed (exit 3): %s\n",
               failures.size(), line.c_str());
  return kExitPartFailed;
}

}  // namespace

int main(int argc, char** argv) {
  keep_large_allocations_on_heap();
  ignore_file_size_signal();       // a failed write is an error with a message, not a signal
  use_builtin_cards_in_reports();  // traits an older run's summary.json lacks
  CLI::App app{
      "lazystack: efficient ensemble inference research harness.\n"
      "Trains or loads a zoo of classifiers, caches their logits in HDF5, runs LazyStack and\n"
      "the cascade/stacking baselines on the same cached outputs through a cost Meter, and\n"
      "writes summary.json, points.csv, Pareto figures and tables."};
  app.set_version_flag("--version", "lazystack " + tool_version() + " (" + git_revision() + ")");
  app.require_subcommand(1);
  bool verbose = false, quiet = false;
  app.add_flag("-v,--verbose", verbose, "more log lines (debug)");
  app.add_flag("-q,--quiet", quiet, "only warnings and results");

  auto* run = app.add_subcommand("run", "run an experiment config end to end");
  std::string config_path;
  std::vector<std::string> overrides;
  bool force = false;
  run->add_option("CONFIG", config_path,
                  "experiment YAML (e.g. experiments/fashion_mnist.yaml) or a suite of them "
                  "(experiments/paper.yaml)")
      ->required();
  run->add_option("--set", overrides,
                  "override one config field: key=value (dotted; zoo entries by name), e.g. "
                  "--set dataset.limit=500 --set zoo.cnn-s.epochs=1. The cache folder: "
                  "--set cache_dir=DIR, else $LAZYSTACK_CACHE, else the config's cache_dir, "
                  "else cache/")
      ->take_all();
  run->add_flag("--force", force, "recompute every cache entry (weights, logits, method results)");
  int jobs = 1;
  run->add_option("--jobs,-j", jobs,
                  "with a suite: run up to N of its experiments at once, each in its own process "
                  "(`run SUITE --only NAME`, its output in <suite results>/logs/NAME.log) with "
                  "LAZYSTACK_THREADS = CPUs / N unless set; memory adds up per process")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  std::string only;
  run->add_option("--only", only,
                  "with a suite: run only its experiment NAME, as the suite would (its overrides "
                  "and results folder); the suite's runs.json and tables are not rewritten");
  std::string record_run_dir;  // how a --jobs child tells its parent where its run folder is
  run->add_option("--record-run-dir", record_run_dir, "write the run folder's path to FILE")
      ->group("");
  executor::ExecutorCli executor_cli(app, run);  // --executor slurm, hidden `task`

  auto* validate = app.add_subcommand("validate", "check a config without running anything");
  validate->add_option("CONFIG", config_path, "experiment or suite YAML")->required();
  validate->add_option("--set", overrides, "override one config field: key=value")->take_all();

  auto* list = app.add_subcommand("list", "list registered datasets, models or methods");
  std::string what;
  bool list_options = false;
  list->add_option("WHAT", what, "datasets | models | methods")
      ->required()
      ->check(CLI::IsMember({"datasets", "models", "methods"}));
  list->add_flag("-o,--options", list_options, "also show each entry's options and defaults");

  auto* report = app.add_subcommand(
      "report", "re-render figures and tables of a run folder, or (--html) the results site");
  std::string results_dir;
  bool report_html = false;
  report->add_option("RESULTS_DIR", results_dir,
                     "a run folder (results/<experiment>/<run-id> or .../latest); with --html "
                     "the results folder (default: results)");
  report->add_flag("--html", report_html,
                   "write the static results site: RESULTS_DIR/index.html (every run, newest "
                   "first), a page per run, per seed and per suite; figures are not re-rendered");
  bool report_regimes = false;
  report->add_flag(
      "--regimes", report_regimes,
      "RESULTS_DIR is a suite's folder (runs.json): re-render its regime study "
      "(figures/regimes, tables/regimes, tables/regimes_costs) from the runs it lists");
  report->footer(
      "The site is plain HTML + CSS, the run's gnuplot figures and relative links: open\n"
      "RESULTS_DIR/index.html in a browser, or copy the folder to any static host.\n"
      "`lazystack run` refreshes it (the index and the run's pages) at the end of each run.");

  auto* docs = app.add_subcommand(
      "docs", "regenerate README.md's result blocks from the runs it cites (docs/runs.json)");
  docs->footer(
      "README.md holds generated blocks between <!-- docs:NAME --> and <!-- /docs:NAME -->\n"
      "(NAME: verdict, headline:<experiment>). They are rendered from the summaries copied to\n"
      "docs/runs/ of the runs docs/runs.json cites. --cite RUN_DIR cites a results folder\n"
      "(replacing the earlier run of its experiment) and copies its Pareto figure to docs/.\n"
      "--check changes nothing and exits 1 when README.md differs from what it would write.");
  std::string docs_root = ".";
  std::vector<std::string> docs_cite;
  bool docs_check = false;
  docs->add_option("--root", docs_root, "the repository (holds README.md and docs/)")
      ->capture_default_str();
  docs->add_option("--cite", docs_cite, "results folders to cite (results/<exp>/latest, ...)");
  docs->add_flag("--check", docs_check, "exit 1 when README.md is stale; write nothing");

  auto* import = app.add_subcommand(
      "import", "turn a model's outputs made elsewhere into a logit-cache entry a config can use");
  import->footer(
      "Inputs (val and test splits, labels required):\n"
      "  HDF5 (--h5 FILE): datasets /val/logits and /test/logits float [N, C] (or\n"
      "    /val/probabilities, /test/probabilities with --kind probabilities) and\n"
      "    /val/labels, /test/labels integer [N].\n"
      "  CSV (--val-csv F --test-csv F): a header line, then one row per sample, one numeric\n"
      "    column per class in class order; the column named by --label-column (default\n"
      "    'label') holds the integer label, else give --val-labels / --test-labels (one\n"
      "    integer per line).\n"
      "  NPY (--val F.npy --test F.npy): float32/float64 [N, C], C order; labels from\n"
      "    --val-labels / --test-labels (.npy int [N] or text).\n"
      "Probabilities become log-probabilities (0 clamped to log 1e-12); each row must sum to\n"
      "1 within --prob-tolerance. Bad input (shapes, NaN/Inf, labels out of range, ragged or\n"
      "non-numeric CSV, missing cost) is an error naming the file; nothing is written.\n"
      "Per-sample costs (any unit: ms, MACs, dollars per query): --val-costs / --test-costs\n"
      "  tables instead of --cost (CSV: header of model names, one row per sample; NPY [N];\n"
      "  HDF5: dataset /NAME), or /val/costs and /test/costs [N] in the --h5 input. Written to\n"
      "  the cache as /val/costs, /test/costs; the Meter charges them per sample.\n"
      "Use in a config: a zoo entry {name: gpt-x, source: import, path: OUT.h5} (cost from the\n"
      "file, or a `cost:` in the entry); its val/test labels must equal the dataset's.\n"
      "Example: lazystack import --name gpt-x --val-csv val.csv --test-csv test.csv \\\n"
      "           --kind probabilities --cost 0.002 -o cache/imported/gpt-x.h5");
  ImportSpec import_spec;
  std::string import_out;
  import->add_option("--name", import_spec.name, "model name (as the zoo entry will call it)")
      ->required();
  import->add_option("--h5", import_spec.h5_path, "HDF5 file holding both splits");
  import->add_option("--val,--val-csv", import_spec.val_path,
                     "val split: CSV, or NPY if the name ends in .npy");
  import->add_option("--test,--test-csv", import_spec.test_path,
                     "test split: CSV, or NPY if the name ends in .npy");
  import->add_option(
      "--val-labels", import_spec.val_labels,
      "val labels: one integer per line, or .npy int [N] (NPY input, CSV without a label column)");
  import->add_option("--test-labels", import_spec.test_labels, "test labels, as --val-labels");
  import->add_option("--label-column", import_spec.label_column, "CSV label column name")
      ->capture_default_str();
  import->add_option("--kind", import_spec.kind, "what the numbers are")
      ->check(CLI::IsMember({"logits", "probabilities"}))
      ->capture_default_str();
  import->add_option("--val-costs", import_spec.val_costs,
                     "per-sample cost table of val: CSV (header of model names, one row per "
                     "sample; the --name column is used), NPY [N] or HDF5 (dataset /NAME)");
  import->add_option("--test-costs", import_spec.test_costs, "per-sample cost table of test");
  // Not required by the parser: per-sample cost tables replace it (import_outputs checks).
  import->add_option("--cost", import_spec.cost,
                     "the model's cost per sample (any unit, >= 0); required unless "
                     "--val-costs/--test-costs or /val/costs in the --h5 input give per-sample "
                     "costs");
  import
      ->add_option("--cost-unit", import_spec.cost_unit,
                   "unit of --cost; latency_ms / macs / params also fill that attribute")
      ->check(CLI::IsMember({"latency_ms", "macs", "params", "given"}))
      ->capture_default_str();
  import
      ->add_option("--prob-tolerance", import_spec.prob_tolerance,
                   "allowed |row sum - 1| for probabilities")
      ->capture_default_str();
  import->add_option("-o,--output", import_out, "logit-cache file to write (.h5)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  set_log_level(quiet ? LogLevel::kQuiet : verbose ? LogLevel::kDebug : LogLevel::kInfo);

  try {
    if (*list) {
      const Registries r = make_builtin_registries();
      if (what == "datasets") print_entries("datasets", r.datasets.entries(), list_options);
      if (what == "models") print_entries("model architectures", r.models.entries(), list_options);
      if (what == "methods") {
        print_entries("methods", r.methods.entries(), list_options);
        if (list_options) {  // declared once for every method instance (core/evaluate.h)
          fmt::print("\n  every method also takes:\n");
          for (const auto& o : accounting_option_specs())
            fmt::print("      {:<20} {} (default {}): {}\n", o.name, o.describe_type(),
                       o.default_value.dump(), o.description);
        }
      }
      if (!list_options) fmt::print("\n(--options shows each entry's options and defaults)\n");
      return 0;
    }
    if (*import) {
      CachedLogits e;
      try {
        e = import_to_cache(import_spec, import_out);
      } catch (const std::invalid_argument& ex) {  // bad input: exit 2, nothing written
        std::fprintf(stderr, "error: %s\n", ex.what());
        return 2;
      }
      fmt::print("{}: {} val + {} test samples, {} classes, cost {} ({}{}); key {}\n", import_out,
                 e.val_labels.size(), e.test_labels.size(), e.num_classes, e.key.value("cost", 0.0),
                 import_spec.cost_unit,
                 e.val_sample_costs.empty() ? "" : ", per sample: mean over val", e.key.dump());
      return 0;
    }
    if (*docs) {
      namespace fs = std::filesystem;
      const fs::path readme_path = fs::path(docs_root) / "README.md";
      std::ifstream in(readme_path, std::ios::binary);
      if (!in) throw std::runtime_error("cannot read " + readme_path.string());
      const std::string readme((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
      const std::vector<reports::CitedRun> runs = docs_check || docs_cite.empty()
                                                      ? reports::load_cited_runs(docs_root)
                                                      : reports::cite_runs(docs_root, docs_cite);
      const std::string updated = reports::update_readme(readme, runs);
      if (docs_check) {
        if (updated == readme) {
          fmt::print("{}: up to date with the {} runs docs/runs.json cites\n", readme_path.string(),
                     runs.size());
          return 0;
        }
        std::fprintf(stderr,
                     "error: %s is stale: its generated blocks differ from what the cited runs "
                     "give; run `make docs` (or `lazystack docs`) and commit the result\n",
                     readme_path.string().c_str());
        return 1;
      }
      write_text_atomically(readme_path.string(), updated);
      fmt::print("{}: blocks regenerated from {} cited run(s)\n", readme_path.string(),
                 runs.size());
      return 0;
    }
    if (*report && report_html) {
      const std::string root = results_dir.empty() ? "results" : results_dir;
      const site::SiteCounts counts = site::render_site(root);
      fmt::print("{}/index.html: {} runs, {} pages\n", root, counts.runs, counts.pages);
      return 0;
    }
    if (*report) {
      if (results_dir.empty()) {
        std::fprintf(stderr,
                     "error: report needs RESULTS_DIR (a run folder), or --html for the site\n");
        return 2;
      }
      if (report_regimes) {
        const std::string listing = results_dir + "/runs.json";
        std::ifstream in(listing);
        if (!in) {
          std::fprintf(stderr, "error: --regimes needs a suite folder; %s cannot be read\n",
                       listing.c_str());
          return 2;
        }
        std::vector<std::string> run_dirs;  // runs.json: {experiment: run folder}
        const nlohmann::json runs = nlohmann::json::parse(in);
        for (const auto& item : runs.items()) run_dirs.push_back(item.value().get<std::string>());
        render_regimes(run_dirs, results_dir);
        fmt::print("re-rendered the regime study in {}\n", results_dir);
        return 0;
      }
      render_report(results_dir);
      fmt::print("re-rendered figures/ and tables/ in {}\n", results_dir);
      return 0;
    }
    if (*run && (jobs > 1 || !only.empty()) &&
        run->get_option("--executor")->as<std::string>() != "local")
      throw InputError(
          "--jobs and --only are the local executor's; the Slurm executor runs every experiment "
          "and method as its own task already");
    if (const auto code = executor_cli.dispatch(config_path, overrides, force)) return *code;
    const Registries r = make_builtin_registries();
    RunOptions options;
    options.force = force;
    std::vector<std::string> failures;
    options.failures = &failures;
    const bool suite_config = is_suite_config(config_path);
    if (*run && !suite_config && (jobs > 1 || !only.empty()))
      throw InputError(
          fmt::format("{} takes a suite (a YAML with `suite:` and `runs:`); {} is "
                      "one experiment",
                      jobs > 1 ? "--jobs" : "--only", config_path));
    if (*run && jobs > 1 && !only.empty())
      throw InputError("--jobs with --only: one experiment runs in one process");
    if (suite_config) {  // e.g. experiments/paper.yaml: several configs
      const SuiteConfig suite = load_suite_config(config_path, overrides, r);
      if (*validate) {
        fmt::print("{}: valid suite '{}' of {} experiments\n", config_path, suite.suite,
                   suite.experiments.size());
        return 0;
      }
      if (!only.empty()) {
        const std::string run_dir = run_suite_experiment(suite, only, r, options);
        if (!record_run_dir.empty()) write_text_atomically(record_run_dir, run_dir + "\n");
      } else if (jobs > 1) {
        SuiteProcesses p;
        p.jobs = jobs;
        p.executable = std::filesystem::read_symlink("/proc/self/exe").string();
        p.overrides = overrides;
        p.force = force;
        run_suite_in_processes(suite, options, p);
      } else {
        run_suite(suite, r, options);
      }
      return finish_run(failures);
    }
    const ExperimentConfig cfg = load_experiment_config(config_path, overrides, r);
    if (*validate) {
      fmt::print("{}: valid ({} models, {} methods, dataset {})\n", config_path, cfg.zoo.size(),
                 cfg.methods.size(), cfg.dataset);
      return 0;
    }
    const std::string run_dir = run_experiment(cfg, r, options);
    if (!record_run_dir.empty()) write_text_atomically(record_run_dir, run_dir + "\n");
    return finish_run(failures);
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "config error: %s\n", e.what());
    return kExitBadInput;
  } catch (const InputError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return kExitInternal;
  }
}
