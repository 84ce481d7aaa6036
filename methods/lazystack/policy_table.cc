#include "methods/lazystack/policy_table.h"

#include <fmt/core.h>

#include <algorithm>
#include <cstdlib>
#include <istream>
#include <ostream>
#include <stdexcept>

#include "methods/lazystack/binary_io.h"
#include "methods/lazystack/state.h"

namespace lazystack {
namespace lazy {
namespace {
constexpr char kPolicyTag[9] = "LZSPOLCY";
constexpr uint32_t kPolicyVersion = 1;
}  // namespace

const char* to_string(PolicySource source) {
  switch (source) {
    case PolicySource::kExact:
      return "exact";
    case PolicySource::kNearestBin:
      return "nearest-bin";
    case PolicySource::kSetMajority:
      return "set-majority";
    case PolicySource::kCheapest:
      return "cheapest";
  }
  return "?";
}

PolicyTable PolicyTable::from_solution(const TrajectoryMdp& mdp, const MdpSolution& solution) {
  if (solution.best_action.size() != mdp.states.size())
    throw std::invalid_argument(fmt::format("PolicyTable: a solution of {} states for an MDP of {}",
                                            solution.best_action.size(), mdp.states.size()));
  if (mdp.num_bins > 255 || mdp.num_classes > 65535 || mdp.num_models > 64)
    throw std::invalid_argument("PolicyTable: needs <= 255 bins, <= 65535 classes, <= 64 models");
  PolicyTable table;
  table.num_models_ = mdp.num_models;
  table.num_classes_ = mdp.num_classes;
  table.num_bins_ = mdp.num_bins;
  table.beta_ = mdp.beta;
  table.norm_costs_ = mdp.norm_costs;
  table.start_action_ = solution.action_model(mdp, 0);
  for (const MdpSet& s : mdp.sets) {
    if (s.executed == 0) continue;
    Set set;
    set.executed = s.executed;
    set.first = static_cast<uint32_t>(table.entries_.size());
    set.count = s.num_states;
    std::vector<uint64_t> votes(mdp.num_models + 1, 0);  // [0] = STOP, [j + 1] = EXEC(j)
    for (uint32_t i = s.first_state; i < s.first_state + s.num_states; ++i) {
      const MdpState& st = mdp.states[i];
      Entry e;
      e.cls = static_cast<uint16_t>(st.cls);
      e.bin = static_cast<uint8_t>(st.bin);
      e.action = static_cast<int8_t>(solution.action_model(mdp, i));
      e.traffic = st.count;
      votes[e.action + 1] += st.count;
      table.entries_.push_back(e);
    }
    // Majority action; ties go to STOP, then to the lower model index.
    const auto top = std::max_element(votes.begin(), votes.end());
    set.majority = static_cast<int8_t>((top - votes.begin()) - 1);
    table.sets_.push_back(set);
  }
  table.index();
  table.check();
  return table;
}

void PolicyTable::index() {
  index_.clear();
  for (uint32_t i = 0; i < sets_.size(); ++i) index_[sets_[i].executed] = i;
}

void PolicyTable::check() const {
  auto fail = [](const std::string& what) { throw std::runtime_error("PolicyTable: " + what); };
  if (num_models_ < 1 || num_models_ > 64) fail(fmt::format("{} models", num_models_));
  if (num_classes_ < 1 || num_bins_ < 1 || num_bins_ > 255)
    fail(fmt::format("{} classes, {} bins", num_classes_, num_bins_));
  if (static_cast<int>(norm_costs_.size()) != num_models_) fail("costs do not match the models");
  if (start_action_ < 0 || start_action_ >= num_models_)
    fail(fmt::format("start action {} is not a model", start_action_));
  if (index_.size() != sets_.size()) fail("duplicate executed sets");
  const uint64_t all = num_models_ == 64 ? ~0ull : (1ull << num_models_) - 1;
  uint32_t expected_first = 0;
  for (const Set& set : sets_) {
    if (set.executed == 0 || (set.executed & ~all))
      fail(fmt::format("bad executed set {:#x}", set.executed));
    if (set.first != expected_first || set.count == 0)
      fail(fmt::format("set {:#x}: entries not contiguous", set.executed));
    expected_first += set.count;
    if (expected_first > entries_.size()) fail("entry ranges exceed the entries");
    auto valid_action = [&](int a) {
      return a == kStop || (a >= 0 && a < num_models_ && !((set.executed >> a) & 1u));
    };
    if (!valid_action(set.majority))
      fail(fmt::format("set {:#x}: bad majority action", set.executed));
    for (uint32_t i = set.first; i < set.first + set.count; ++i) {
      const Entry& e = entries_[i];
      if (e.cls >= num_classes_ || e.bin >= num_bins_ || !valid_action(e.action))
        fail(fmt::format("set {:#x}: bad entry (k={}, h={}, action={})", set.executed, e.cls, e.bin,
                         e.action));
      if (i > set.first &&
          std::make_pair(entries_[i - 1].cls, entries_[i - 1].bin) >= std::make_pair(e.cls, e.bin))
        fail(fmt::format("set {:#x}: entries not sorted by (k, h)", set.executed));
    }
  }
  if (expected_first != entries_.size()) fail("entries outside every set");
}

PolicyDecision PolicyTable::decide(uint64_t executed, int bin, int cls) const {
  if (executed == 0) return {start_action_, PolicySource::kExact};
  auto it = index_.find(executed);
  if (it == index_.end()) {
    int best = kStop;
    for (int j = 0; j < num_models_; ++j)
      if (!((executed >> j) & 1u) && (best == kStop || norm_costs_[j] < norm_costs_[best]))
        best = j;
    return {best, PolicySource::kCheapest};
  }
  const Set& set = sets_[it->second];
  const Entry* first = entries_.data() + set.first;
  const Entry* last = first + set.count;
  const Entry* lo =
      std::lower_bound(first, last, cls, [](const Entry& e, int k) { return e.cls < k; });
  const Entry* hi = lo;
  while (hi != last && hi->cls == cls) ++hi;
  if (lo == hi) return {set.majority, PolicySource::kSetMajority};
  const Entry* nearest = lo;
  for (const Entry* e = lo; e != hi; ++e) {
    if (e->bin == bin) return {e->action, PolicySource::kExact};
    // Bins ascend, so on equal distance the later (higher) bin wins.
    if (std::abs(e->bin - bin) <= std::abs(nearest->bin - bin)) nearest = e;
  }
  return {nearest->action, PolicySource::kNearestBin};
}

PolicyDecision PolicyTable::decide_probs(uint64_t executed, const float* probs) const {
  const BinClass bc = bin_class(probs, num_classes_, num_bins_);
  return decide(executed, bc.bin, bc.cls);
}

std::vector<uint64_t> PolicyTable::executed_sets() const {
  std::vector<uint64_t> out;
  for (const Set& s : sets_) out.push_back(s.executed);
  return out;
}

void PolicyTable::write(std::ostream& out) const {
  ByteWriter w;
  w.u32(static_cast<uint32_t>(num_models_));
  w.u32(static_cast<uint32_t>(num_classes_));
  w.u32(static_cast<uint32_t>(num_bins_));
  w.f64(beta_);
  for (double c : norm_costs_) w.f64(c);
  w.i32(start_action_);
  w.u32(static_cast<uint32_t>(sets_.size()));
  for (const Set& s : sets_) {
    w.u64(s.executed);
    w.u32(s.count);
    w.u8(static_cast<uint8_t>(s.majority));
  }
  for (const Entry& e : entries_) {
    w.u16(e.cls);
    w.u8(e.bin);
    w.u8(static_cast<uint8_t>(e.action));
    w.u32(e.traffic);
  }
  write_section(out, kPolicyTag, kPolicyVersion, w.bytes());
}

PolicyTable PolicyTable::read(std::istream& in) {
  ByteReader r(read_section(in, kPolicyTag, kPolicyVersion), "LazyStack policy");
  PolicyTable t;
  t.num_models_ = static_cast<int>(r.u32());
  t.num_classes_ = static_cast<int>(r.u32());
  t.num_bins_ = static_cast<int>(r.u32());
  if (t.num_models_ < 1 || t.num_models_ > 64) r.fail(fmt::format("{} models", t.num_models_));
  t.beta_ = r.f64();
  for (int m = 0; m < t.num_models_; ++m) t.norm_costs_.push_back(r.f64());
  t.start_action_ = r.i32();
  const uint32_t n_sets = r.u32();
  uint32_t n_entries = 0;
  for (uint32_t i = 0; i < n_sets; ++i) {
    Set s;
    s.executed = r.u64();
    s.count = r.u32();
    s.majority = static_cast<int8_t>(r.u8());
    s.first = n_entries;
    n_entries += s.count;
    t.sets_.push_back(s);
  }
  for (uint32_t i = 0; i < n_entries; ++i) {
    Entry e;
    e.cls = r.u16();
    e.bin = r.u8();
    e.action = static_cast<int8_t>(r.u8());
    e.traffic = r.u32();
    t.entries_.push_back(e);
  }
  r.expect_end();
  t.index();
  t.check();
  return t;
}

bool PolicyTable::operator==(const PolicyTable& o) const {
  return num_models_ == o.num_models_ && num_classes_ == o.num_classes_ &&
         num_bins_ == o.num_bins_ && beta_ == o.beta_ && norm_costs_ == o.norm_costs_ &&
         start_action_ == o.start_action_ && entries_ == o.entries_ && sets_ == o.sets_;
}

nlohmann::json PolicyTable::summary_json() const {
  return {{"start_model", start_action_},
          {"num_sets", sets_.size()},
          {"num_entries", entries_.size()},
          {"num_bins", num_bins_},
          {"beta", beta_}};
}

}  // namespace lazy
}  // namespace lazystack
