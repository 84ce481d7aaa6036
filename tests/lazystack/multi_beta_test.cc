// LazyStack fitted for several MDP betas at once (the `betas` option): one artifact per beta,
// a {beta, theta} grid over all of them, and decisions identical to single-beta fits.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/evaluate.h"
#include "methods/lazystack/lazystack_method.h"
#include "tests/lazystack/method_test_util.h"

namespace lazystack {
namespace lazy {
namespace {

using namespace testing;

// On the synthetic zoo (4 models, costs 1.6^m) these betas start the policy at every model
// from the cheapest to the costliest; 100 and 300 yield tries with the same prefixes.
const std::vector<double> kBetas = {0.3, 1.0, 3.0, 100.0, 300.0};

LazyStackMethod& lazy_of(LazyStackMethod& m) { return m; }

std::vector<double> fitted_betas(const LazyStackMethod& m) {
  std::vector<double> betas;
  for (const LazyStackArtifact& a : m.bundle().artifacts) betas.push_back(a.beta);
  return betas;
}

TEST(LazyStackMultiBeta, PresetDefaults) {
  for (const char* name : {"lazystack-sub", "lazystack-mask", "lazystack-no-sub"})
    EXPECT_EQ(default_options(preset_specs(name)).get_doubles("betas"),
              LazyStackMethod::kDefaultBetas)
        << name;
  for (const char* name : {"lazystack-no-mdp", "lazystack-neither"})
    EXPECT_TRUE(default_options(preset_specs(name)).get_doubles("betas").empty()) << name;
}

TEST(LazyStackMultiBeta, GridCoversEveryBetaInOrder) {
  // Unsorted, with a duplicate: fitted once each, ascending.
  std::unique_ptr<LazyStackMethod> method =
      fitted("lazystack-sub", with(fast_options(), {{"betas", {3.0, 0.3, 100.0, 1.0, 3.0}}}));
  const LazyStackMethod& lazy = lazy_of(*method);
  ASSERT_EQ(fitted_betas(lazy), (std::vector<double>{0.3, 1.0, 3.0, 100.0}));

  const std::vector<Knob> grid = method->grid();
  size_t i = 0;
  for (const LazyStackArtifact& a : lazy.bundle().artifacts) {
    ASSERT_GE(a.thetas.size(), 3u);
    EXPECT_GT(a.thetas.back(), 1.0);  // each beta has its never-on-confidence point
    for (double t : a.thetas) {
      ASSERT_LT(i, grid.size());
      EXPECT_EQ(grid[i].values.size(), 2u);
      EXPECT_EQ(grid[i].get("beta"), a.beta);
      EXPECT_EQ(grid[i].get("theta"), t);
      EXPECT_EQ(grid[i].to_string(), fmt::format("beta={:g};theta={:g}", a.beta, t));
      ++i;
    }
  }
  EXPECT_EQ(i, grid.size());

  // Diagnostics: per beta, and the one-file size.
  const nlohmann::json d = method->diagnostics();
  EXPECT_EQ(d.at("betas").get<std::vector<double>>(), fitted_betas(lazy));
  ASSERT_EQ(d.at("per_beta").size(), 4u);
  EXPECT_EQ(d.at("num_knobs").get<size_t>(), grid.size());
  size_t parts = 0;
  for (size_t k = 0; k < 4; ++k) {
    const nlohmann::json& pb = d.at("per_beta").at(k);
    const LazyStackArtifact& a = lazy.bundle().artifacts[k];
    EXPECT_EQ(pb.at("beta").get<double>(), a.beta);
    EXPECT_EQ(pb.at("artifact_bytes").get<size_t>(), a.size_bytes());
    EXPECT_EQ(d.at("artifact_bytes_per_beta").at(k).get<size_t>(), a.size_bytes());
    EXPECT_EQ(pb.at("discovery").at("policy").at("beta").get<double>(), a.beta);
    EXPECT_EQ(pb.at("start_model").get<std::string>(),
              a.model_names.at(a.policy.decide(0, 0, 0).action));
    EXPECT_FALSE(pb.at("trie").empty());
    parts += a.size_bytes();
  }
  EXPECT_EQ(d.at("artifact_bytes").get<size_t>(), lazy.bundle().size_bytes());
  EXPECT_GT(lazy.bundle().size_bytes(), parts);  // plus the bundle header
  // Until a knob is set: the largest beta, never on confidence.
  EXPECT_EQ(d.at("selected").at("beta").get<double>(), 100.0);
  EXPECT_GT(d.at("selected").at("theta").get<double>(), 1.0);
}

// The must-hold link between betas: each beta's knobs decide exactly as a method fitted with
// that beta alone (same seed). SUB trains one MLP per executed set with a seed derived from the
// set, so sharing MLPs across betas changes nothing; the no-substacker ablation has none.
TEST(LazyStackMultiBeta, EachBetaDecidesAsItsSingleBetaFit) {
  for (const char* name : {"lazystack-sub", "lazystack-no-sub"}) {
    SCOPED_TRACE(name);
    std::unique_ptr<LazyStackMethod> multi =
        fitted(name, with(fast_options(), {{"betas", kBetas}}));
    const LazyStackMethod& lazy = lazy_of(*multi);
    ASSERT_EQ(fitted_betas(lazy), kBetas);
    const nlohmann::json d = multi->diagnostics();
    for (size_t k = 0; k < kBetas.size(); ++k) {
      const double beta = kBetas[k];
      SCOPED_TRACE(beta);
      std::unique_ptr<LazyStackMethod> single =
          fitted(name, with(fast_options(), {{"beta", beta}}));
      const LazyStackArtifact& s = lazy_of(*single).artifact();
      const LazyStackArtifact& m = lazy.bundle().artifacts[k];
      EXPECT_EQ(s.beta, beta);
      EXPECT_EQ(m.policy, s.policy);
      EXPECT_EQ(m.trie, s.trie);
      EXPECT_EQ(m.substackers, s.substackers);
      EXPECT_EQ(m.thetas, s.thetas);
      const nlohmann::json& pb = d.at("per_beta").at(k);
      if (pb.contains("same_prefixes_as_beta")) {
        const double from = pb.at("same_prefixes_as_beta").get<double>();
        EXPECT_LT(from, beta);
        for (const LazyStackArtifact& o : lazy.bundle().artifacts) {
          if (o.beta == from) {
            EXPECT_EQ(o.substackers, m.substackers);
          }
        }
      }
      for (double theta : s.thetas) {
        const Outcome x =
            run_knob(*multi, Knob().set("beta", beta).set("theta", theta), splits().test);
        const Outcome y = run_knob(*single, Knob().set("theta", theta), splits().test);
        ASSERT_EQ(x.traces, y.traces) << "theta " << theta;
        ASSERT_EQ(x.predictions, y.predictions) << "theta " << theta;
      }
    }
  }
}

// SUB across betas: an executed set reached by several betas' tries is trained once (the later
// nodes say "reused") and every node of that set, in any beta and any order, holds its weights.
TEST(LazyStackMultiBeta, SubTrainsEachExecutedSetOnce) {
  std::unique_ptr<LazyStackMethod> multi =
      fitted("lazystack-sub", with(fast_options(), {{"betas", kBetas}}));
  const LazyStackMethod& lazy = lazy_of(*multi);
  std::map<uint64_t, const MlpWeights*> by_set;
  int trained = 0, reused = 0;
  for (const LazyStackArtifact& a : lazy.bundle().artifacts) {
    for (size_t id = 1; id < a.trie.num_nodes(); ++id) {
      const uint64_t set = a.trie.node(static_cast<int>(id)).set();
      const bool was_reused = a.substackers.training[id].at("reused").get<bool>();
      auto found = by_set.find(set);
      if (found == by_set.end()) {
        EXPECT_FALSE(was_reused) << "the first node of a set trains it";
        by_set.emplace(set, &a.substackers.weights[id]);
        ++trained;
      } else {
        EXPECT_TRUE(was_reused);
        EXPECT_EQ(*found->second, a.substackers.weights[id]);
        ++reused;
      }
    }
  }
  EXPECT_GT(reused, 0) << "the betas' tries share no executed set: the test sees no sharing";
  EXPECT_EQ(static_cast<size_t>(trained), by_set.size());
}

// MASK: one model over the union of the betas' executed sets serves every beta; each beta's
// policy and trie are still its single-beta fit's.
TEST(LazyStackMultiBeta, MaskTrainsOneModelForEveryBeta) {
  std::unique_ptr<LazyStackMethod> multi =
      fitted("lazystack-mask", with(fast_options(), {{"betas", kBetas}}));
  const LazyStackMethod& lazy = lazy_of(*multi);
  const std::vector<LazyStackArtifact>& all = lazy.bundle().artifacts;
  ASSERT_EQ(all.size(), kBetas.size());
  std::set<uint64_t> union_sets;
  for (size_t k = 0; k < all.size(); ++k) {
    EXPECT_EQ(all[k].substackers, all[0].substackers);
    for (uint64_t s : trie_sets(all[k].trie)) union_sets.insert(s);
    std::unique_ptr<LazyStackMethod> single =
        fitted("lazystack-mask", with(fast_options(), {{"beta", kBetas[k]}}));
    EXPECT_EQ(all[k].policy, lazy_of(*single).artifact().policy);
    EXPECT_EQ(all[k].trie, lazy_of(*single).artifact().trie);
  }
  const nlohmann::json d = multi->diagnostics();
  EXPECT_EQ(all[0].substackers.training.at(0).at("sets").get<size_t>(), union_sets.size());
  EXPECT_GT(d.at("shared_substacker_seconds").get<double>(), 0.0);
}

// What must hold across betas in the MDP itself: every policy pi has a value beta * A_pi - C_pi
// at the start (A_pi its accuracy, C_pi > 0 its cost, both independent of beta), so the optimal
// V(beta) is a maximum of lines with slopes in [0, 1]: non-decreasing, convex, below beta.
// The online mean number of models need not be monotone in beta (the MDP aggregates by mean,
// online by substackers; the trie drops rare trajectories), so it is only recorded.
TEST(LazyStackMultiBeta, StartValueIsNondecreasingAndConvexInBeta) {
  const std::vector<double> betas = {0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0};
  std::unique_ptr<LazyStackMethod> method =
      fitted("lazystack-no-sub", with(fast_options(), {{"betas", betas}}));
  const nlohmann::json d = method->diagnostics();
  std::vector<double> value;
  for (size_t k = 0; k < betas.size(); ++k) {
    value.push_back(d.at("per_beta").at(k).at("discovery").at("start_value").get<double>());
    EXPECT_LT(value[k], betas[k]);
    method->set_knob(Knob().set("beta", betas[k]).set("theta", 1.01));
    const OperatingPoint p = evaluate(*method, splits().test, EvalOptions{});
    ::testing::Test::RecordProperty(fmt::format("mean_models_beta_{:g}", betas[k]),
                                    fmt::format("{:.4f}", p.mean_models));
  }
  std::vector<double> slope;
  for (size_t k = 1; k < betas.size(); ++k) {
    const double tol = 1e-9 * betas[k];
    EXPECT_GE(value[k], value[k - 1] - tol) << betas[k];
    slope.push_back((value[k] - value[k - 1]) / (betas[k] - betas[k - 1]));
    EXPECT_GE(slope.back(), -1e-9);
    EXPECT_LE(slope.back(), 1.0 + 1e-9);
  }
  for (size_t k = 1; k < slope.size(); ++k) EXPECT_GE(slope[k], slope[k - 1] - 1e-9);
}

TEST(LazyStackMultiBeta, BadBetasAreRejected) {
  for (const char* name : {"lazystack-sub", "lazystack-mask", "lazystack-no-mdp",
                           "lazystack-no-sub", "lazystack-neither"}) {
    SCOPED_TRACE(name);
    const std::vector<OptionSpec> specs = preset_specs(name);
    for (const nlohmann::json& bad : {nlohmann::json{0.0}, nlohmann::json{1.0, -2.0},
                                      nlohmann::json(0.0), nlohmann::json{1.0, "ten"}}) {
      SCOPED_TRACE(bad.dump());
      try {
        default_options(specs, {{"betas", bad}});
        ADD_FAILURE() << "accepted";
      } catch (const ConfigError& e) {
        EXPECT_EQ(e.key(), "betas");
      }
    }
    EXPECT_NO_THROW(default_options(specs, {{"betas", {0.05, 1e6}}}));
    // Options that bypass validation still cannot hold a bad beta.
    nlohmann::json raw = default_options(specs).json();
    raw["betas"] = {1.0, -1.0};
    EXPECT_THROW(LazyStackMethod{Options(raw)}, std::invalid_argument);
  }
}

TEST(LazyStackMultiBeta, CostOrderFitsOnceAndIgnoresBetas) {
  std::unique_ptr<LazyStackMethod> method =
      fitted("lazystack-no-mdp", with(fast_options(), {{"betas", {1.0, 10.0}}}));
  const LazyStackMethod& lazy = lazy_of(*method);
  ASSERT_EQ(lazy.bundle().artifacts.size(), 1u);
  for (const Knob& k : method->grid()) EXPECT_FALSE(k.has("beta"));
  const nlohmann::json d = method->diagnostics();
  ASSERT_EQ(d.at("notes").size(), 1u);
  EXPECT_NE(d.at("notes").at(0).get<std::string>().find("betas ignored"), std::string::npos);
  EXPECT_TRUE(d.at("betas").empty());
  EXPECT_TRUE(d.at("selected").at("beta").is_null());
  EXPECT_THROW(method->set_knob(Knob().set("beta", 1.0).set("theta", 0.5)), std::invalid_argument);
  // The same fit as without betas.
  std::unique_ptr<LazyStackMethod> plain = fitted("lazystack-no-mdp");
  EXPECT_EQ(lazy.artifact().substackers, lazy_of(*plain).artifact().substackers);
  EXPECT_TRUE(plain->diagnostics().at("notes").empty());
}

TEST(LazyStackMultiBeta, KnobsMustNameAFittedBeta) {
  std::unique_ptr<LazyStackMethod> method =
      fitted("lazystack-no-sub", with(fast_options(), {{"betas", {1.0, 10.0}}}));
  EXPECT_THROW(method->set_knob(Knob().set("theta", 0.5)), std::invalid_argument);
  EXPECT_THROW(method->set_knob(Knob().set("beta", 2.0).set("theta", 0.5)), std::invalid_argument);
  method->set_knob(Knob().set("beta", 1.0).set("theta", 0.5));
  EXPECT_EQ(lazy_of(*method).artifact().beta, 1.0);
  const nlohmann::json d = method->diagnostics();
  EXPECT_EQ(d.at("selected").at("beta").get<double>(), 1.0);
  EXPECT_EQ(d.at("selected").at("theta").get<double>(), 0.5);
  // A single-beta fit also takes a knob without beta.
  std::unique_ptr<LazyStackMethod> single = fitted("lazystack-no-sub");
  EXPECT_NO_THROW(single->set_knob(Knob().set("theta", 0.5)));
  EXPECT_EQ(single->grid().front().get("beta"), 100.0);  // the `beta` option's default
}

// The whole multi-beta fit saves to one file, loads (the kernel needs no LibTorch) and decides
// identically at every knob; a corrupted byte is caught; a lone artifact file loads too.
TEST(LazyStackMultiBeta, BundleRoundTripPredictsIdentically) {
  std::unique_ptr<LazyStackMethod> method =
      fitted("lazystack-sub", with(fast_options(), {{"betas", {0.3, 3.0, 100.0}}}));
  const LazyStackBundle& bundle = lazy_of(*method).bundle();
  const std::string path = ::testing::TempDir() + "/lazystack_bundle.bin";
  bundle.save(path);
  {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    EXPECT_EQ(static_cast<size_t>(in.tellg()), bundle.size_bytes());
  }
  EXPECT_EQ(method->diagnostics().at("artifact_bytes").get<size_t>(), bundle.size_bytes());

  std::unique_ptr<LazyStackMethod> loaded =
      make("lazystack-mask");  // options are irrelevant once loaded
  lazy_of(*loaded).load(LazyStackBundle::load(path));
  EXPECT_EQ(fitted_betas(lazy_of(*loaded)), (std::vector<double>{0.3, 3.0, 100.0}));
  const std::vector<Knob> grid = method->grid();
  const std::vector<Knob> loaded_grid = loaded->grid();
  ASSERT_EQ(loaded_grid.size(), grid.size());
  for (size_t i = 0; i < grid.size(); ++i) {
    ASSERT_EQ(loaded_grid[i].values, grid[i].values);
    const Outcome x = run_knob(*method, grid[i], splits().test);
    const Outcome y = run_knob(*loaded, grid[i], splits().test);
    ASSERT_EQ(x.traces, y.traces) << grid[i].to_string();
    ASSERT_EQ(x.predictions, y.predictions) << grid[i].to_string();
  }

  // A flipped byte, a truncated file.
  std::string bytes;
  {
    std::ifstream f(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(f), {});
  }
  auto write = [&](const std::string& b) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << b;
  };
  std::string flipped = bytes;
  flipped[flipped.size() * 3 / 4] ^= 0x01;
  write(flipped);
  EXPECT_THROW(LazyStackBundle::load(path), std::runtime_error);
  write(bytes.substr(0, bytes.size() - 9));
  EXPECT_THROW(LazyStackBundle::load(path), std::runtime_error);

  // One artifact alone, in its own format: a bundle of one, deciding as that beta.
  const LazyStackArtifact& middle = bundle.artifacts[1];
  middle.save(path);
  std::unique_ptr<LazyStackMethod> lone = make("lazystack-sub");
  lazy_of(*lone).load(LazyStackBundle::load(path));
  ASSERT_EQ(lazy_of(*lone).bundle().artifacts.size(), 1u);
  EXPECT_EQ(lazy_of(*lone).artifact().beta, 3.0);
  for (double theta : {0.0, 0.7, 1.01}) {
    const Knob knob = Knob().set("beta", 3.0).set("theta", theta);
    EXPECT_EQ(run_knob(*lone, knob, splits().test).traces,
              run_knob(*method, knob, splits().test).traces);
  }
  std::remove(path.c_str());
}

}  // namespace
}  // namespace lazy
}  // namespace lazystack
