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

/// Where a decision came from: a solved cell, a backed-off estimate, or a fallback.
enum class PolicySource : uint8_t {
  kExact = 0,      ///< (E, h, k) is an MDP state with its own estimate (count >= min_count)
  kBackedOff = 1,  ///< (E, h, k) is an MDP state whose count is below min_count: its parent's
  kBinLevel = 2,   ///< (E, h, k) unseen on val_fit: the solved virtual bin state (E, h)
  kCheapest = 3,   ///< E unseen: the cheapest unexecuted model (STOP once all ran)
};
const char* to_string(PolicySource source);

struct PolicyDecision {
  int action = kStop;  ///< model index to run next, or kStop
  PolicySource source = PolicySource::kExact;
};

/// The greedy policy of a solved MDP, keyed by executed set, then (k, h).
///
/// A cell (E, h, k) val_fit never reached takes the action of the virtual bin state (E, h),
/// solved with the pooled estimates of its bin (MdpSolution::bin_action); an executed set val_fit
/// never reached takes the cheapest unexecuted model (ties: lower index), as a cost cascade
/// would. The class k of a query is mapped to the MDP's class code (class groups) first.
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
  /// Class code of class c (its group, or c itself without groups).
  int code_of(int c) const { return class_group_.empty() ? c : class_group_[c]; }
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
    uint8_t backed_off = 0;  ///< the state's own count was below min_count
    uint32_t traffic = 0;    ///< val_fit samples in the state
    bool operator==(const Entry& o) const {
      return cls == o.cls && bin == o.bin && action == o.action && traffic == o.traffic &&
             backed_off == o.backed_off;
    }
  };
  struct Set {
    uint64_t executed = 0;
    uint32_t first = 0;  ///< entries_[first, first + count), sorted by (cls, bin)
    uint32_t count = 0;
    bool operator==(const Set& o) const {
      return executed == o.executed && first == o.first && count == o.count;
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
  std::vector<uint16_t> class_group_;  ///< empty: codes are classes
  int num_codes_ = 0;
  std::vector<int8_t> bin_actions_;  ///< [set index * num_bins + h]
  std::vector<Entry> entries_;
  std::vector<Set> sets_;
  std::unordered_map<uint64_t, uint32_t> index_;
};

}  // namespace lazy
}  // namespace lazystack
