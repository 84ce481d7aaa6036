#include "methods/lazystack/lazystack_method.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <set>

#include "core/evaluate.h"
#include "core/options.h"
#include "methods/common/mlp.h"
#include "methods/common/model_outputs.h"
#include "tests/lazystack/method_test_util.h"

namespace lazystack {
namespace lazy {
namespace {

using namespace testing;

const nlohmann::json kFast = fast_options();

TEST(LazyStackMethod, FivePresets) {
  std::vector<std::string> names;
  for (const MethodRegistry::Entry& e : LazyStackMethod::registry_entries()) {
    names.push_back(e.name);
    EXPECT_TRUE(e.card.proposed && e.card.early_exit) << e.name;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"lazystack-sub", "lazystack-mask", "lazystack-no-mdp",
                                             "lazystack-no-sub", "lazystack-neither"}));
  auto defaults = [&](const std::string& name) {
    const Options o = default_options(preset_specs(name));
    return o.get_string("aggregator") + "/" + o.get_string("order");
  };
  EXPECT_EQ(defaults("lazystack-sub"), "sub/mdp");
  EXPECT_EQ(defaults("lazystack-mask"), "mask/mdp");
  EXPECT_EQ(defaults("lazystack-no-mdp"), "sub/cost");
  EXPECT_EQ(defaults("lazystack-no-sub"), "last/mdp");
  EXPECT_EQ(defaults("lazystack-neither"), "last/cost");
}

TEST(LazyStackMethod, EveryVariantFollowsTheTrieAndExitsAsSpecified) {
  for (const char* name : {"lazystack-sub", "lazystack-mask", "lazystack-no-mdp",
                           "lazystack-no-sub", "lazystack-neither"}) {
    SCOPED_TRACE(name);
    std::unique_ptr<LazyStackMethod> method = fitted(name);
    auto& lazy = (*method);
    const LazyStackArtifact& a = lazy.artifact();
    const std::vector<Knob> grid = method->grid();
    ASSERT_GE(grid.size(), 3u);
    EXPECT_EQ(grid.front().get("theta"), 0.0);
    EXPECT_GT(grid.back().get("theta"), 1.0);
    for (size_t i = 1; i < grid.size(); ++i)
      EXPECT_LT(grid[i - 1].get("theta"), grid[i].get("theta"));

    const LogitTable& test = splits().test;
    // theta = 0: the first model is always confident enough.
    const int first = a.order == ExecutionOrder::kMdp ? a.policy.decide(0, 0, 0).action
                                                      : ascending_cost_order(test).front();
    for (const auto& t : run_all(*method, 0.0, test).traces)
      EXPECT_EQ(t, (std::vector<int>{first}));

    // theta > 1: never on confidence; every trace runs a set of models that some trie prefix
    // runs (the default set walk: in any order), and ends at a leaf or where the policy stops.
    EXPECT_EQ(a.walk, OnlineWalk::kSets);
    const SetLattice lattice(a.trie);
    const Outcome full = run_all(*method, 1.01, test);
    std::set<std::vector<int>> seen;
    for (const auto& t : full.traces) {
      ASSERT_GE(lattice.node_of(models_set(t)), 0);
      seen.insert(t);
      if (a.order == ExecutionOrder::kCost) {
        EXPECT_EQ(t, ascending_cost_order(test));
      }
    }
    EXPECT_GE(seen.size(), 1u);

    // Cost and accuracy through the evaluator: more theta, more models.
    method->set_knob(Knob().set("theta", 0.0));
    const OperatingPoint low = evaluate(*method, test, EvalOptions{});
    method->set_knob(Knob().set("theta", 1.01));
    const OperatingPoint high = evaluate(*method, test, EvalOptions{});
    EXPECT_DOUBLE_EQ(low.mean_models, 1.0);
    EXPECT_GE(high.mean_models, low.mean_models);
    EXPECT_GE(high.mean_cost, low.mean_cost);
    EXPECT_FALSE(method->diagnostics().at("per_beta").at(0).at("trie").empty());
  }
}

TEST(LazyStackMethod, NeitherIsAMaxProbCostCascade) {
  std::unique_ptr<LazyStackMethod> method = fitted("lazystack-neither");
  const LogitTable& test = splits().test;
  const std::vector<int> order = ascending_cost_order(test);
  for (double theta : {0.3, 0.6, 0.9}) {
    const Outcome r = run_all(*method, theta, test);
    for (int n = 0; n < test.num_samples(); ++n) {
      std::vector<int> trace;
      int answer = -1;
      for (int m : order) {
        trace.push_back(m);
        const ProbView p = test.probs(m, n);
        answer = argmax(p);
        if (p[answer] >= theta) break;
      }
      ASSERT_EQ(r.traces[n], trace) << "theta " << theta << " sample " << n;
      ASSERT_EQ(r.predictions[n], answer);
    }
  }
}

TEST(LazyStackMethod, SubAnswersWithTheNodesSubstacker) {
  std::unique_ptr<LazyStackMethod> method = fitted("lazystack-sub");
  const LazyStackArtifact& a = (*method).artifact();
  const LogitTable& test = splits().test;
  const Outcome r = run_all(*method, 0.0, test);
  const int node = a.trie.find(r.traces[0]);
  ASSERT_GT(node, 0);
  MlpKernel kernel(a.substackers.weights[node]);
  std::vector<float> out(test.num_classes());
  int agree_with_model = 0;
  for (int n = 0; n < test.num_samples(); ++n) {
    kernel.forward(test.probs(r.traces[n][0], n).data, out.data());
    EXPECT_EQ(r.predictions[n], argmax(out.data(), test.num_classes()));
    agree_with_model += r.predictions[n] == argmax(test.probs(r.traces[n][0], n)) ? 1 : 0;
  }
  EXPECT_GT(agree_with_model, test.num_samples() * 9 / 10);  // a trained substacker, not noise
}

TEST(LazyStackMethod, MaskAnswersWithTheMaskedStacker) {
  std::unique_ptr<LazyStackMethod> method = fitted("lazystack-mask");
  const LazyStackArtifact& a = (*method).artifact();
  const LogitTable& test = splits().test;
  MlpKernel kernel(a.substackers.weights.at(0));
  const int m = test.num_models(), c = test.num_classes();
  std::vector<float> input(m * c + m), out(c);
  for (double theta : {0.0, 1.01}) {
    const Outcome r = run_all(*method, theta, test);
    for (int n = 0; n < test.num_samples(); ++n) {
      uint64_t executed = 0;
      for (int j : r.traces[n]) executed |= 1ull << j;
      mask_features(
          executed, m, c, [&](int j) { return test.probs(j, n).data; }, input.data());
      kernel.forward(input.data(), out.data());
      ASSERT_EQ(r.predictions[n], argmax(out.data(), c)) << "theta " << theta << " sample " << n;
    }
  }
}

// The online loop re-derived by hand for the "last" aggregator, whose aggregate is simply the
// last model's output: continue while the policy names a model, take the trie's busiest child
// when that model is not a child, stop on STOP, at a leaf, or on theta.
TEST(LazyStackMethod, OnlineLoopFollowsPolicyStopAndTrieDetours) {
  for (const char* walk : {"trie", "sets"}) {
    SCOPED_TRACE(walk);
    std::unique_ptr<LazyStackMethod> method =
        fitted("lazystack-no-sub", with(fast_options(), {{"walk", walk}}));
    const LazyStackArtifact& a = (*method).artifact();
    const bool by_set = a.walk == OnlineWalk::kSets;
    const SetLattice lattice(a.trie);
    const LogitTable& test = splits().test;
    int policy_stops = 0;
    for (double theta : {0.8, 1.01}) {
      const Outcome r = run_all(*method, theta, test);
      for (int n = 0; n < test.num_samples(); ++n) {
        std::vector<int> trace;
        uint64_t executed = 0;
        const int first = a.policy.decide(0, 0, 0).action;
        TrieStep step = by_set ? lattice.step(0, first) : a.trie.step(PrefixTrie::kRoot, first);
        int answer = -1;
        while (true) {
          trace.push_back(step.model);
          executed |= 1ull << step.model;
          const ProbView p = test.probs(step.model, n);
          answer = argmax(p);
          const bool leaf = by_set ? lattice.is_leaf(executed) : a.trie.node(step.node).is_leaf();
          if (p[answer] >= theta || leaf) break;
          // The policy's state is the MDP's: the mean of the executed models' outputs, summed
          // in ascending model order (the answer is still the last model's, no substackers).
          std::vector<float> sum(test.num_classes(), 0.0f);
          for (int m = 0; m < test.num_models(); ++m)
            if ((executed >> m) & 1u)
              for (int c = 0; c < test.num_classes(); ++c) sum[c] += test.probs(m, n)[c];
          const BinClass bc = mean_bin_class(sum.data(), static_cast<int>(trace.size()),
                                             test.num_classes(), a.policy.num_bins());
          const int next = a.policy.decide(executed, bc.bin, bc.cls).action;
          if (next == kStop) {
            ++policy_stops;
            break;
          }
          step = by_set ? lattice.step(executed, next) : a.trie.step(step.node, next);
        }
        ASSERT_EQ(r.traces[n], trace) << "theta " << theta << " sample " << n;
        ASSERT_EQ(r.predictions[n], answer);
      }
    }
    EXPECT_GT(policy_stops, 0);
  }
}

TEST(LazyStackMethod, SubstackersBeatSingleModelConfidenceAtFullDepth) {
  // With every model run (cost order, theta > 1), the last substacker sees all outputs; the
  // "last" aggregator answers with the costliest model alone.
  std::unique_ptr<LazyStackMethod> sub = fitted("lazystack-no-mdp");
  std::unique_ptr<LazyStackMethod> last = fitted("lazystack-neither");
  sub->set_knob(Knob().set("theta", 1.01));
  last->set_knob(Knob().set("theta", 1.01));
  const OperatingPoint a = evaluate(*sub, splits().test, EvalOptions{});
  const OperatingPoint b = evaluate(*last, splits().test, EvalOptions{});
  EXPECT_DOUBLE_EQ(a.mean_cost, b.mean_cost);
  EXPECT_GT(a.accuracy, b.accuracy + 0.02);
}

// `walk` changes online inference only: the fit is the same, and the artifact records the walk
// (files written before the option read as the trie walk).
TEST(LazyStackMethod, WalkOptionChangesOnlyTheOnlineWalkAndIsSaved) {
  std::unique_ptr<LazyStackMethod> sets =
      fitted("lazystack-sub", with(fast_options(), {{"walk", "sets"}}));
  std::unique_ptr<LazyStackMethod> trie =
      fitted("lazystack-sub", with(fast_options(), {{"walk", "trie"}}));
  const LazyStackArtifact& a = (*sets).artifact();
  const LazyStackArtifact& b = (*trie).artifact();
  EXPECT_EQ(a.walk, OnlineWalk::kSets);
  EXPECT_EQ(b.walk, OnlineWalk::kTrie);
  EXPECT_EQ(a.policy, b.policy);
  EXPECT_EQ(a.trie, b.trie);
  EXPECT_EQ(a.substackers, b.substackers);
  EXPECT_EQ(sets->diagnostics().at("walk"), "sets");
  for (const LazyStackArtifact* x : {&a, &b}) {
    const std::string path = ::testing::TempDir() + "/lazystack_walk.bin";
    x->save(path);
    EXPECT_EQ(LazyStackArtifact::load(path).walk, x->walk);
    std::remove(path.c_str());
  }
  EXPECT_THROW(make("lazystack-sub", with(fast_options(), {{"walk", "dag"}})), std::exception);
}

TEST(LazyStackMethod, ArtifactRoundTripPredictsIdentically) {
  for (const char* name : {"lazystack-sub", "lazystack-mask", "lazystack-no-sub"}) {
    SCOPED_TRACE(name);
    std::unique_ptr<LazyStackMethod> method = fitted(name);
    const LazyStackArtifact& a = (*method).artifact();
    const std::string path = ::testing::TempDir() + "/lazystack_artifact.bin";
    a.save(path);
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    EXPECT_EQ(static_cast<size_t>(in.tellg()), a.size_bytes());
    EXPECT_EQ(method->diagnostics().at("artifact_bytes_per_beta").at(0).get<size_t>(),
              a.size_bytes());

    std::unique_ptr<LazyStackMethod> loaded =
        make("lazystack-sub");  // options are irrelevant once loaded
    (*loaded).load(LazyStackArtifact::load(path));
    EXPECT_EQ(loaded->grid().size(), method->grid().size());
    const LazyStackArtifact& b = (*loaded).artifact();
    EXPECT_EQ(b.substackers, a.substackers);
    EXPECT_EQ(b.trie, a.trie);
    for (const Knob& k : method->grid()) {
      const Outcome x = run_all(*method, k.get("theta"), splits().test);
      const Outcome y = run_all(*loaded, k.get("theta"), splits().test);
      ASSERT_EQ(x.traces, y.traces);
      ASSERT_EQ(x.predictions, y.predictions);
    }
    // A flipped byte is caught.
    std::string bytes;
    {
      std::ifstream f(path, std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(f), {});
    }
    bytes[bytes.size() / 2] ^= 0x01;
    {
      std::ofstream f(path, std::ios::binary | std::ios::trunc);
      f << bytes;
    }
    EXPECT_THROW(LazyStackArtifact::load(path), std::runtime_error);
    std::remove(path.c_str());
  }
}

TEST(LazyStackMethod, MaskFeaturesZeroFillAndMark) {
  const float p0[2] = {0.7f, 0.3f};
  const float p2[2] = {0.1f, 0.9f};
  std::vector<float> out(3 * 2 + 3, -1.0f);
  mask_features(
      0b101, 3, 2, [&](int m) { return m == 0 ? p0 : p2; }, out.data());
  EXPECT_EQ(out, (std::vector<float>{0.7f, 0.3f, 0.0f, 0.0f, 0.1f, 0.9f, 1.0f, 0.0f, 1.0f}));
}

TEST(LazyStackMethod, MaskTrainingRowsAreCapped) {
  nlohmann::json o = kFast;
  o["mask_max_rows"] = 500;
  std::unique_ptr<LazyStackMethod> method = fitted("lazystack-mask", o);
  const nlohmann::json d = method->diagnostics();
  const nlohmann::json& fit = d.at("per_beta").at(0);
  EXPECT_EQ(fit.at("substacker_training").at(0).at("rows").get<int>(), 500);
  EXPECT_EQ(fit.at("num_substackers").get<int>(), 1);
}

TEST(LazyStackMethod, NoTrajectoryAboveMinShareKeepsTheMostCommon) {
  nlohmann::json o = kFast;
  o["min_share"] = 0.9999;  // no trajectory is taken by (almost) every sample
  o["aggregator"] = "last";
  std::unique_ptr<LazyStackMethod> method = fitted("lazystack-sub", o);
  const LazyStackArtifact& a = (*method).artifact();
  ASSERT_EQ(a.notes.size(), 1u);
  EXPECT_NE(a.notes[0].find("min_share"), std::string::npos);
  size_t terminals = 0;
  for (const TrieNode& n : a.trie.nodes()) terminals += n.terminal ? 1 : 0;
  EXPECT_EQ(terminals, 1u);
}

TEST(LazyStackMethod, ExplicitThetasAreTheGrid) {
  nlohmann::json o = kFast;
  o["thetas"] = {0.9, 0.5, 0.7};
  o["aggregator"] = "last";
  std::unique_ptr<LazyStackMethod> method = fitted("lazystack-sub", o);
  const std::vector<Knob> grid = method->grid();
  ASSERT_EQ(grid.size(), 3u);
  EXPECT_EQ(grid[0].get("theta"), 0.5);
  EXPECT_EQ(grid[2].get("theta"), 0.9);
}

TEST(LazyStackMethod, OutOfRangeOptionsAreConfigErrors) {
  const std::vector<std::pair<const char*, nlohmann::json>> bad = {
      {"min_share", 0.0}, {"min_share", 1.0}, {"min_share", -0.1}, {"entropy_bins", 0},
      {"beta", 0.0},      {"beta", -1.0},     {"thetas", {1.5}},   {"thetas", {-0.1, 0.5}}};
  for (const char* name : {"lazystack-sub", "lazystack-mask", "lazystack-no-mdp"}) {
    const std::vector<OptionSpec> specs = preset_specs(name);
    for (const auto& [key, value] : bad) {
      SCOPED_TRACE(std::string(name) + " " + key + "=" + value.dump());
      try {
        default_options(specs, {{key, value}});
        ADD_FAILURE() << "accepted";
      } catch (const ConfigError& e) {
        EXPECT_EQ(e.key(), key);
      }
    }
    EXPECT_NO_THROW(default_options(specs, {{"thetas", {0.0, 1.0}}, {"min_share", 0.5}}));
  }
}

// What a fit cannot work with fails with a message that says why; the pipeline records the
// method as failed and runs the others.
void expect_fit_error(const LogitTable& val_fit, const std::string& needle) {
  std::unique_ptr<LazyStackMethod> method = make("lazystack-sub");
  FitContext ctx{val_fit, val_fit, CostModel::kSequential, 1, "", ""};
  try {
    method->fit(ctx);
    ADD_FAILURE() << "fit accepted a table of " << val_fit.num_models() << " models x "
                  << val_fit.num_samples() << " samples";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(LazyStackMethod, OneModelZooOrTinyValFailClearly) {
  expect_fit_error(synthetic_table(1, 200, 4, 5), "at least 2 models");
  expect_fit_error(synthetic_table(3, 19, 4, 5), "too few");   // 19 < max(5 * 4, 20)
  expect_fit_error(synthetic_table(3, 49, 10, 5), "too few");  // 49 < 5 * 10
  std::unique_ptr<LazyStackMethod> method = make("lazystack-sub");
  const LogitTable enough = synthetic_table(3, 50, 10, 5);
  FitContext ctx{enough, enough, CostModel::kSequential, 1, "", ""};
  EXPECT_NO_THROW(method->fit(ctx));
}

// sweep() caches aggregates per (sample, trie node) across knobs; every point must equal the
// knob evaluated alone (no cache), decisions included.
TEST(LazyStackMethod, SweepCacheChangesNothing) {
  for (const char* name : {"lazystack-sub", "lazystack-mask", "lazystack-no-mdp"}) {
    SCOPED_TRACE(name);
    std::unique_ptr<LazyStackMethod> method = fitted(name, with(kFast, {{"betas", {1.0, 100.0}}}));
    const std::vector<OperatingPoint> swept = sweep(*method, splits().test, EvalOptions{});
    const std::vector<Knob> grid = method->grid();
    ASSERT_EQ(swept.size(), grid.size());
    for (size_t k = 0; k < grid.size(); ++k) {
      method->set_knob(grid[k]);
      const OperatingPoint alone = evaluate(*method, splits().test, EvalOptions{});
      EXPECT_EQ(swept[k].accuracy, alone.accuracy) << grid[k].to_string();
      EXPECT_EQ(swept[k].mean_cost, alone.mean_cost) << grid[k].to_string();
      EXPECT_EQ(swept[k].depth_histogram, alone.depth_histogram) << grid[k].to_string();
    }
    // A second sweep on another split starts from an empty cache.
    const std::vector<OperatingPoint> other = sweep(*method, splits().val_cal, EvalOptions{});
    method->set_knob(grid.back());
    EXPECT_EQ(other.back().accuracy, evaluate(*method, splits().val_cal, EvalOptions{}).accuracy);
  }
}

// One state offline and online: swept on val_fit itself, every online policy lookup of a
// raw, unpruned MDP lands on a cell the build solved (the online state is the mean aggregate
// summed as the build sums it, whatever the substackers answer).
TEST(LazyStackMethod, OnlineStatesAreTheSolvedStatesOnValFit) {
  const nlohmann::json raw = with(fast_options(), {{"beta", 30.0},
                                                   {"prune", false},
                                                   {"folds", 0},
                                                   {"success_prior", 0.0},
                                                   {"transition_prior", 0.0},
                                                   {"min_count", 0},
                                                   {"class_groups", 0},
                                                   {"thetas", {1.0}}});
  std::unique_ptr<LazyStackMethod> method = fitted("lazystack-sub", raw);
  sweep(*method, splits().val_fit, EvalOptions{});
  const nlohmann::json d = method->diagnostics();
  const nlohmann::json& s = d.at("decision_sources").at("val_cal").at("all_knobs");
  EXPECT_GT(s.at("decisions").get<int64_t>(), 100);
  EXPECT_DOUBLE_EQ(s.at("solved").get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(s.at("bin_level").get<double>(), 0.0);
  // Defaults (cross-fitting, smoothing, back-off, grouped classes): shares are reported per
  // sweep and add up; the promise vs val_cal table is there per beta.
  std::unique_ptr<LazyStackMethod> defaults = fitted("lazystack-sub");
  sweep(*defaults, splits().val_cal, EvalOptions{});
  sweep(*defaults, splits().test, EvalOptions{});
  const nlohmann::json e = defaults->diagnostics();
  for (const char* split : {"val_cal", "test"}) {
    const nlohmann::json& x = e.at("decision_sources").at(split).at("all_knobs");
    EXPECT_NEAR(x.at("solved").get<double>() + x.at("backed_off").get<double>() +
                    x.at("unseen_set").get<double>(),
                1.0, 1e-9)
        << split;
  }
  ASSERT_EQ(e.at("mdp_promise_vs_val_cal").size(), 1u);
  EXPECT_TRUE(e.at("selected").contains("mdp_promise"));
  // The range between the cross-fitted and in-sample promises: 0 when val_cal is inside it,
  // else the signed distance (promise minus achieved) to its nearer end.
  const nlohmann::json& row = e.at("mdp_promise_vs_val_cal").at(0);
  const double a = row.at("promised_accuracy").get<double>();
  const double b = row.at("in_sample_promised_accuracy").get<double>();
  const double v = row.at("val_cal_accuracy").get<double>();
  const double lo = std::min(a, b), hi = std::max(a, b);
  const double expected = v < lo ? lo - v : v > hi ? hi - v : 0.0;
  EXPECT_DOUBLE_EQ(row.at("range_gap").get<double>(), expected);
  EXPECT_LE(std::abs(row.at("range_gap").get<double>()), std::abs(row.at("gap").get<double>()));
}

// SUB's input is the executed set in ascending model order: the nodes [2, 0] and [0, 2] (and
// [1] reached twice) share one MLP, trained once, and answer the same for the same sample.
TEST(LazyStackMethod, SubNodesOfOneExecutedSetShareTheirMlpWhateverTheOrder) {
  const Trajectory a = trajectory({2, 0}, 10), b = trajectory({0, 2, 1}, 10),
                   c = trajectory({1}, 10);
  const PrefixTrie trie = PrefixTrie::build({a, b, c}, {a, b, c});
  SubstackerTrainOptions train;
  train.mlp.hidden = {8};
  train.mlp.max_epochs = 3;
  train.mlp.seed = 7;
  SubstackerPool pool;
  const LogitTable& fit = splits().val_fit;
  const Substackers subs = train_substackers(fit, trie, AggregatorKind::kSub, train, &pool);
  // Sets: {2}, {0, 2}, {0}, {0, 1, 2}, {1}.
  EXPECT_EQ(pool.by_set.size(), 5u);
  EXPECT_EQ(trie_sets(trie).size(), 5u);
  auto node_of = [&](const std::vector<int>& prefix) {
    int node = PrefixTrie::kRoot;
    for (int m : prefix) node = trie.node(node).child(m);
    return node;
  };
  const int n20 = node_of({2, 0}), n02 = node_of({0, 2});
  EXPECT_EQ(subs.weights[n20], subs.weights[n02]);
  EXPECT_NE(subs.training[n20].at("reused").get<bool>(),
            subs.training[n02].at("reused").get<bool>());
  // The same pool serves a second trie without training: every node says "reused".
  const Substackers again = train_substackers(fit, trie, AggregatorKind::kSub, train, &pool);
  for (size_t id = 1; id < trie.num_nodes(); ++id)
    EXPECT_TRUE(again.training[id].at("reused").get<bool>()) << id;
  EXPECT_EQ(again.weights, subs.weights);
  // Both orders give the same aggregate, bit for bit, on every val_cal sample.
  Aggregator x(subs, trie), y(subs, trie);
  const LogitTable& t = splits().val_cal;
  const int c_ = t.num_classes();
  for (int n = 0; n < t.num_samples(); ++n) {
    x.reset();
    x.add(2, t.probs(2, n).data, node_of({2}));
    x.add(0, t.probs(0, n).data, n20);
    y.reset();
    y.add(0, t.probs(0, n).data, node_of({0}));
    y.add(2, t.probs(2, n).data, n02);
    const float* px = x.probs();
    const std::vector<float> kept(px, px + c_);
    const float* py = y.probs();
    ASSERT_EQ(kept, std::vector<float>(py, py + c_)) << "sample " << n;
  }
}

// SUB's mean fallback: a node answers with its prefix mean exactly when the mean scored a lower
// cross-entropy than its MLP on the MLP's held-out rows; off, every node uses its MLP.
TEST(LazyStackMethod, SubNodesFallBackToThePrefixMeanOnlyWhenItScoresBetter) {
  std::unique_ptr<LazyStackMethod> method =
      fitted("lazystack-sub", with(fast_options(), {{"epochs", 2}}));
  const LazyStackArtifact& a = (*method).artifact();
  const Substackers& subs = a.substackers;
  ASSERT_EQ(subs.use_mean.size(), a.trie.num_nodes());
  Aggregator aggregator(subs, a.trie);
  const LogitTable& t = splits().val_cal;
  const int c = t.num_classes();
  for (size_t id = 1; id < a.trie.num_nodes(); ++id) {
    const nlohmann::json& tr = subs.training[id];
    EXPECT_EQ(subs.use_mean[id] == 1,
              tr.at("mean_holdout_loss").get<double>() <= tr.at("holdout_loss").get<double>());
    const std::vector<int>& prefix = a.trie.node(static_cast<int>(id)).prefix;
    aggregator.reset();
    int walk = PrefixTrie::kRoot;
    for (int m : prefix) {
      walk = a.trie.node(walk).child(m);
      aggregator.add(m, t.probs(m, 0).data, walk);
    }
    const float* p = aggregator.probs();
    if (subs.use_mean[id]) {
      for (int k = 0; k < c; ++k) {
        float mean = 0.0f;
        for (int m : prefix) mean += t.probs(m, 0)[k];
        EXPECT_NEAR(p[k], mean / prefix.size(), 1e-6);
      }
    }
  }
  // Two epochs leave the MLPs far from trained: the mean wins somewhere.
  EXPECT_GT(std::count(subs.use_mean.begin(), subs.use_mean.end(), 1), 0);
  std::unique_ptr<LazyStackMethod> off =
      fitted("lazystack-sub", with(fast_options(), {{"epochs", 2}, {"mean_fallback", false}}));
  EXPECT_TRUE((*off).artifact().substackers.use_mean.empty());
}

}  // namespace
}  // namespace lazy
}  // namespace lazystack
