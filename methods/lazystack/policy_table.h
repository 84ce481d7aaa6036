// LazyStack's learned execution policy as a queryable table (DESIGN.md section 6): for a state
// (E, h, k), run which model next, or STOP. Built from a solved trajectory-discovery MDP,
// serialisable without the MDP.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "methods/lazystack/mdp.h"
#include "methods/lazystack/mdp_solve.h"

namespace lazystack {
namespace lazy {

/// Where a decision came from: the state itself or a fallback for a state val_fit never reached.
enum class PolicySource : uint8_t {
  kExact = 0,        ///< (E, h, k) was an MDP state
  kNearestBin = 1,   ///< same E and k, nearest seen h (ties: the higher, more uncertain, bin)
  kSetMajority = 2,  ///< same E, k unseen: the action most val_fit samples at E took
  kCheapest = 3,     ///< E unseen: the cheapest unexecuted model (STOP once all ran)
};
const char* to_string(PolicySource source);

struct PolicyDecision {
  int action = kStop;  ///< model index to run next, or kStop
  PolicySource source = PolicySource::kExact;
};

/// The greedy policy of a solved MDP, keyed by executed set, then (k, h).
///
/// Unseen states fall back, in this order: the same E and k at the nearest seen entropy bin
/// (the aggregate's class agrees and its confidence is closest); else the majority action at E,
/// weighted by val_fit samples per state; else, for an executed set val_fit never reached, the
/// cheapest unexecuted model (ties: lower index), which is what a cost cascade would do.
class PolicyTable {
 public:
  PolicyTable() = default;
  /// The greedy policy of `solution` on every state of `mdp`.
  static PolicyTable from_solution(const TrajectoryMdp& mdp, const MdpSolution& solution);

  /// The action for (E, h, k). E = {} ignores h and k and gives the first model.
  PolicyDecision decide(uint64_t executed, int bin, int cls) const;
  /// The action for executed set E whose current aggregate prediction is `probs` (C floats).
  PolicyDecision decide_probs(uint64_t executed, const float* probs) const;

  int num_models() const { return num_models_; }
  int num_classes() const { return num_classes_; }
  int num_bins() const { return num_bins_; }
  double beta() const { return beta_; }
  /// Normalised model costs (cost / max) used by the cheapest-model fallback.
  const std::vector<double>& norm_costs() const { return norm_costs_; }
  /// Executed sets and (E, h, k) entries held (the start state is not counted).
  size_t num_sets() const { return sets_.size(); }
  size_t num_entries() const { return entries_.size(); }
  /// Every executed set the table holds, in stored order.
  std::vector<uint64_t> executed_sets() const;

  /// One checksummed section (tag "LZSPOLCY"); see binary_io.h.
  void write(std::ostream& out) const;
  /// Reads what write() wrote; throws std::runtime_error on a corrupted or foreign blob.
  static PolicyTable read(std::istream& in);

  bool operator==(const PolicyTable& other) const;
  bool operator!=(const PolicyTable& other) const { return !(*this == other); }
  nlohmann::json summary_json() const;

 private:
  struct Entry {
    uint16_t cls = 0;
    uint8_t bin = 0;
    int8_t action = kStop;
    uint32_t traffic = 0;  ///< val_fit samples in the state
    bool operator==(const Entry& o) const {
      return cls == o.cls && bin == o.bin && action == o.action && traffic == o.traffic;
    }
  };
  struct Set {
    uint64_t executed = 0;
    uint32_t first = 0;  ///< entries_[first, first + count), sorted by (cls, bin)
    uint32_t count = 0;
    int8_t majority = kStop;
    bool operator==(const Set& o) const {
      return executed == o.executed && first == o.first && count == o.count &&
             majority == o.majority;
    }
  };
  void index();
  void check() const;

  int num_models_ = 0;
  int num_classes_ = 0;
  int num_bins_ = 0;
  double beta_ = 0.0;
  std::vector<double> norm_costs_;
  int start_action_ = kStop;
  std::vector<Entry> entries_;
  std::vector<Set> sets_;
  std::unordered_map<uint64_t, uint32_t> index_;
};

}  // namespace lazy
}  // namespace lazystack
