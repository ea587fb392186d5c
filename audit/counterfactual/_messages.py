"""Messages of the counterfactual auditor, as constants (tests assert them verbatim)."""
from __future__ import annotations

__all__ = ["NOT_CLASSIFIER", "UNKNOWN_FEATURE", "WHICH_FEATURE", "NOT_CALLABLE", "NO_SWAP",
           "TOO_MANY_GROUPS", "ONE_GROUP", "NO_PROBA", "SWAP_FAILED", "SWAP_SHAPE", "SWAP_NOT_FINITE", "FLIPS",
           "STABLE"]

NOT_CLASSIFIER = "the counterfactual test compares predicted classes; this subject's task is {task!r}."
UNKNOWN_FEATURE = ("counterfactual: feature {feature!r} is not a sensitive feature of the subject; "
                   "expected one of {features}.")
WHICH_FEATURE = ("counterfactual: the subject has sensitive features {features}; name the one whose groups are "
                 "swapped with feature=\"...\" ([auditors.counterfactual] feature in a spec).")
NOT_CALLABLE = "counterfactual: swap must be a function swap(batch, from_group, to_group) -> batch; got {type}."
NO_SWAP = ("no swap function: pass swap=<function(batch, from_group, to_group) -> batch> that turns inputs of one "
           "group of {feature!r} into the same inputs as members of another (for images: e.g. a colour or "
           "background change); for a table, the model must read {feature!r} for the default swap.")
TOO_MANY_GROUPS = ("counterfactual: {feature!r} has {n} groups, more than {limit}; the test swaps every ordered pair. "
                   "Audit a coarser column.")
ONE_GROUP = "{feature!r} has one group in the data: there is nothing to swap it with."
NO_PROBA = "the {kind} model gives no class probabilities, which the counterfactual score change needs."
SWAP_FAILED = ("swap(batch, {a!r}, {b!r}) (feature {feature!r}) raised {error_type}: {error}. The function must take a "
               "batch of model inputs and two group values and return the swapped batch.")
SWAP_SHAPE = ("swap(batch, {a!r}, {b!r}) (feature {feature!r}) returned shape {got} for a batch of shape {expected}; "
              "a swap must return the same inputs, one for one, in the same shape.")
SWAP_NOT_FINITE = ("swap(batch, {a!r}, {b!r}) (feature {feature!r}) returned missing or infinite pixel values; "
                   "a swap must return finite inputs.")
FLIPS = ("swapping {feature!r} from {a} to {b} changes {rate:.1%} of the predictions ({level:.0%} interval "
         "{low:.1%} to {high:.1%}, {n:,} inputs), above {limit:.0%}: the model's output depends on the group "
         "attribute itself.")
STABLE = ("swapping {feature!r} between its groups changes {rate:.1%} of {n:,} predictions; no pair's interval lies "
          "above {limit:.0%}.")
