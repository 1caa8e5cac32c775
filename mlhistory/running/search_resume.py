"""How a search killed at any point goes on as an uninterrupted one would (``search.py``).

Two things Optuna does not keep across a kill: the sampler's state, so every trial is drawn by
its own sampler seeded by the search's seed and the trial's number; and, for a trial killed
between a pruning decision and its record, which way the pruner decided.
"""

import numpy as np

# Where Optuna's successive-halving pruner records a trial's score at a rung, as it decides.
RUNG_KEY = "completed_rung_{}"


def trial_seed(seed: int, number: int) -> int:
    return int(np.random.SeedSequence([seed, number]).generate_state(1)[0])


def sampler_for(seed: int, number: int, startup_trials: int):
    """The sampler that draws trial ``number``: TPE, seeded by the search's seed and the number."""
    import optuna

    return optuna.samplers.TPESampler(seed=trial_seed(seed, number),
                                      n_startup_trials=startup_trials)


def draw_again(study, frozen, distributions: dict, sampler) -> None:
    """Finish drawing the configuration of a trial killed while it was drawn, as ``ask`` drew
    it: the same seeded sampler, the params in the same order (one already saved is drawn and
    set aside, so those after it get the draws they would have had)."""
    import optuna

    study.sampler = sampler
    trial = optuna.trial.Trial(study, frozen._trial_id)
    for name, declared in distributions.items():
        if name in frozen.params:
            study.sampler.sample_independent(study, frozen, name, declared)
        elif isinstance(declared, optuna.distributions.CategoricalDistribution):
            trial.suggest_categorical(name, declared.choices)
        elif isinstance(declared, optuna.distributions.IntDistribution):
            trial.suggest_int(name, declared.low, declared.high, log=declared.log)
        else:
            trial.suggest_float(name, declared.low, declared.high, log=declared.log)


def decided_at(current, rung: int) -> bool:
    """Whether the pruner had recorded its decision on this trial at this rung before a kill."""
    return RUNG_KEY.format(rung) in current.system_attrs


def decided_before(study, current, rung: int, reduction: int) -> bool:
    """Whether the pruner promoted a trial whose decision at this rung it had recorded before the
    search was killed (promoted, or killed before its pruning was recorded): the pruner's rule on
    the scores it saw, those of the trials decided at the rung before it (trials are decided in
    the order of their numbers) and its own, so the resumed search goes on as it would have.
    Asking the pruner again would find the rung done and promote the trial."""
    key = RUNG_KEY.format(rung)
    value = current.system_attrs[key]
    competing = [trial.system_attrs[key] for trial in study.get_trials(deepcopy=False)
                 if trial.number < current.number and key in trial.system_attrs] + [value]
    kept = max(len(competing) // reduction, 1)
    return value >= sorted(competing, reverse=True)[kept - 1]
