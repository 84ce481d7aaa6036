// The `gatekeeper` zoo architecture: a copy of an earlier zoo member (a LibTorch network)
// fine-tuned with the Gatekeeper loss of Rabanser et al. (2025), "Gatekeeper: Improving Model
// Cascades Through Confidence Tuning", so that its max-softmax confidence separates its right
// from its wrong answers better; a max-prob cascade then defers on it. One zoo entry per
// (parent, alpha): changing alpha means fine-tuning again, and the fine-tuning time is the
// member's setup cost. Torch-free header.
#pragma once

#include "core/options.h"
#include "zoo/model.h"

namespace lazystack {

/// The registry entry: options `parent` (required: the name of an earlier zoo entry whose
/// trained network is copied and fine-tuned), `alpha` (required, in [0, 1]: the weight of the
/// cross-entropy on right answers; 1 - alpha weighs the pull of wrong answers towards the
/// uniform distribution), `reduction` (batch, as in the paper, or group) and the training
/// options of the fine-tuning (epochs 3, batch_size 128, lr 1e-3, adam, cosine by default).
/// Its models are built by build_zoo, which hands them their parent (ZooModel::set_parent).
ModelRegistry::Entry gatekeeper_entry();

}  // namespace lazystack
