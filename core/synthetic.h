// Seeded synthetic logit tables: a zoo of graded strength and cost without training anything.
// For tests, benchmarks, scale runs and trying a method out before a real zoo exists.
#pragma once

#include <cstdint>
#include <vector>

#include "core/logit_table.h"

namespace lazystack {

/// M models of rising strength and cost (cost of model m = 1.6^m) on N samples of C classes.
/// Each sample has a difficulty in [0, 1); model m's logits are Gaussian noise (sd 1.2) plus a
/// bump on the true class of (1.5 + 4 m / (M - 1)) * (1.2 - difficulty), so models agree on
/// easy samples and the stronger ones win on hard ones. Same seed, same table.
LogitTable synthetic_logit_table(int num_models, int num_samples, int num_classes, uint64_t seed);

/// The knobs of one member of a knob-driven synthetic zoo (synthetic_member_logits).
struct SyntheticMember {
  double accuracy = 0.7;     ///< expected top-1 accuracy, in (1 / num_classes, 1)
  double correlation = 0.5;  ///< share of the noise variance common to all members, [0, 1)
  double temperature = 1.0;  ///< 1 = calibrated probabilities; > 1 under-, < 1 over-confident
  uint64_t seed = 0;         ///< the member's own noise stream
};

/// The true-class shift mu (in noise standard deviations) at which argmax(mu e_y + noise), with
/// i.i.d. standard normal noise over `num_classes` classes, is right with probability
/// `accuracy`: solves  integral phi(t) Phi(t + mu)^(C-1) dt = accuracy  by bisection.
/// Throws std::invalid_argument unless 1 / C < accuracy < 1.
double synthetic_signal_for_accuracy(double accuracy, int num_classes);

/// Logits [labels.size()][num_classes] of one member on the samples of one split. Per sample n
/// and class c: z = mu 1[c == y_n] + sqrt(rho) s_nc + sqrt(1 - rho) e_nc, logits = (mu / T) z,
/// where s is drawn from (split_seed, n) and so shared by every member of the split (their
/// errors correlate through it: high rho, same wrong answers), e from (split_seed,
/// member.seed, n), mu = synthetic_signal_for_accuracy and T the temperature. The noise is
/// standard normal per class for any rho, so the expected accuracy is the knob for every rho;
/// with T = 1 softmax(logits) is the exact posterior of the class given z (uniform prior).
/// Deterministic in (split_seed, member.seed, n): members can be generated independently.
void synthetic_member_logits(const SyntheticMember& member, uint64_t split_seed,
                             const std::vector<int32_t>& labels, int num_classes, float* out);
/// The same with mu given (synthetic_signal_for_accuracy(member.accuracy, num_classes) computed
/// once, e.g. by a member that generates one sample at a time).
void synthetic_member_logits(const SyntheticMember& member, double signal, uint64_t split_seed,
                             const std::vector<int32_t>& labels, int num_classes, float* out);

/// `num_samples` labels uniform over `num_classes`, drawn from `seed`.
std::vector<int32_t> synthetic_labels(int num_samples, int num_classes, uint64_t seed);

/// base * growth^m for m = 0 .. num_models - 1 (a zoo whose costs span growth^(M-1)).
std::vector<double> geometric_costs(int num_models, double base, double growth);

/// A whole knob-driven zoo on one split: labels from `seed`, member m's logits from
/// synthetic_member_logits(members[m], seed, ...), model names "m0", "m1", ..., `costs` one per
/// member. Same arguments, same table.
LogitTable synthetic_zoo_table(const std::vector<SyntheticMember>& members,
                               const std::vector<double>& costs, int num_samples, int num_classes,
                               uint64_t seed);

}  // namespace lazystack
