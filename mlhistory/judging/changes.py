"""What changed since an earlier judging: ``mlhistory judge --changes-since REVISION``.

Each claim judged now is set against the same claim (same dataset and claim id, in whichever
experiment it was then) in the claims files committed at ``REVISION``. Every claim whose
verdict or test changed gets a row of ``VERDICT_CHANGES_FILE``: the earlier verdict, test and
p-value, the new verdict, and why. The why is written from the two rows: a test that changed,
sides that changed (a side now tuned by the equal search, say), or the same test on new
numbers, each with both gaps and intervals. Where the test was rewritten for a reason the rows
cannot show (a misread claim re-tested), ``REASONS`` holds the developer's one-line account,
which comes first. A claim judged then and no longer made gets a row too, its new verdict
``RETIRED_VERDICT``, and its account in ``RETIRED``. The earlier rows are read from git, so the
file can be written again from the repository at any time.
"""

import csv
import io
import subprocess
from pathlib import Path

from ..errors import UsageError
from ..results.schema import CLAIMS_FILE, VERDICT_CHANGES_COLUMNS, VERDICT_CHANGES_FILE

# Why a run that misses shuttle's rarest classes now counts (``flags.NEVER_RIGHT_MIN_ROWS``).
SMALL_CLASSES = ("a run that never gets right a class of fewer than 20 test rows is no longer "
                 "failed and left out (shuttle's two rarest classes hold 3 test rows each, "
                 "which working models miss by chance); its macro-F1 counts, and the interval "
                 "carries those rows")
# The tables' claims of experiment 11, whose sides the equal search now tunes.
TABLES_SEARCHED = ("on letter, shuttle and satellite every family now runs as the equal search "
                   "tuned it (24 trials each; most kept their recipe), no longer on the fair "
                   "budget; " + SMALL_CLASSES)
# Claim id -> why its test was rewritten, for changes of test the rows alone cannot explain.
REASONS = {
    "boosting_beats_forest": SMALL_CLASSES + "; pairs on fewer than 2,000 test images (the "
    "digits, satellite) are shown and not counted",
    "trees_over_kernels": TABLES_SEARCHED + "; satellite's pair (1,609 test images) is shown "
    "and not counted",
    **dict.fromkeys(("boosting_wins_structured", "boosting_best_every_table",
                     "tables_shallow_wins", "forest_second_best",
                     "boosting_for_tables_nets_for_images"), TABLES_SEARCHED),
    "greedy_diminishing_returns": "the earlier test asked only whether greedy stacking's first "
    "gain exceeds its last; the book's point is an interaction, so the test is whether joint "
    "training gains more than greedy stacking from two layers to the deepest",
    "small_data_shallow_wins": "the earlier test looked at 100 training images only; a "
    "'sometimes' claim holds when any cell of the learning curves shows a shallow model "
    "beating both nets, and fails only when every cell refutes it",
    "modern_recipe_trains_depth_20": "the earlier test compared test accuracy after 3 epochs; "
    "the claim is about gradient propagation, so it is judged on trainability: the final "
    "training loss and the first-to-last gradient ratio against the 2010 recipe at 20 layers",
    "nineties_recipe_fails_deep": "experiment 09 redesigned: the 1990s recipe starts from the "
    "period's small uniform initialisation (it took LeCun's), chooses its learning rate at "
    "each depth (it chose at depth 2), trains 10 epochs (3), and 'fails to train' is judged on "
    "the final training loss against depth 2's (it was test accuracy); depth 20 now fails to "
    "train, depth 10 still trains",
    "recipe_2010_trains_10_layers": "experiment 09 redesigned: 10 epochs (3), and 'trains' is "
    "judged on the final training loss against depth 2's (it was test accuracy)",
    "fading_gradient": "experiment 09 redesigned (the 1990s recipe's initialisation and "
    "per-depth learning rate, 10 epochs); the trend of the first-to-last gradient ratio over "
    "four depths by rank correlation could only say 'inconclusive' short of a perfect order, "
    "and a signal fading on the way forward shrinks the last layer's gradient too, so the test "
    "is the first layer's gradient norm, the shallowest net's minus the deepest's, with its "
    "interval and margin",
    "probe_rises_default": "the earlier test was a rank correlation of the five block outputs' "
    "mean probe accuracies, with no gap and no margin; distillation is step by step, so each "
    "step's rise in probe accuracy is now drawn by the paired bootstrap over seeds and test "
    "images and must lie above 0",
    "small_models_on_a_laptop": "the earlier test held the slowest run against the hour with "
    "nothing to spare; machines of this kind differ 2-3 times in speed, so the hour must now "
    "hold with a factor of 3 to spare, judged on the runs' mean log fit time with its interval",
    "convnet_wins_images": "the 8x8 digits' pair (450 test images, not cross-validated) decided "
    "the earlier verdict; it is shown as an illustration and not counted",
    "svm_hard_to_scale": "the earlier test held the SVM's exponent against a threshold of 1.5 "
    "and the net's against a 'near linear' band, so a slope of 1.49 decided it; the book says "
    "SVMs scale worse than nets, so the test is now the gap of the two exponents, each fitted "
    "over every run, against a margin of 0.1",
    "svm_weak_on_perception": "the earlier test (experiment 03) set the SVM against the "
    "two-layer dense net; the deep nets that replaced SVMs on perception are convnets, so it "
    "is the book's convnet against the RBF SVM (experiment 05)",
}

# Claim id -> why a claim judged earlier is no longer made.
RETIRED = {
    "drifts_from_input_digits": "the 8x8 digits' 450 test images are too few to decide a "
    "verdict and are not cross-validated: their net's plots illustrate experiment 07 and its "
    "claims are no longer made",
    "probe_rises_digits": "the 8x8 digits' 450 test images are too few to decide a verdict "
    "(and the probe starts at 0.96, so it cannot rise): their net's plots illustrate "
    "experiment 07 and its claims are no longer made",
}
RETIRED_VERDICT = "no longer judged"


def earlier_claims(revision: str, results_dir: Path) -> dict[tuple[str, str], dict]:
    """The claim rows committed at ``revision`` under ``results_dir``, by (dataset, claim id)."""
    root = _git("rev-parse", "--show-toplevel", cwd=results_dir).strip()
    inside = Path(results_dir).resolve().relative_to(Path(root).resolve())
    listed = _git("ls-tree", "-r", "--name-only", revision, "--", str(inside), cwd=root)
    rows = {}
    for path in listed.splitlines():
        parts = Path(path).parts
        if parts[-1] != CLAIMS_FILE or len(parts) != len(inside.parts) + 3:
            continue  # only <dataset>/<experiment>/claims.csv, not the combined file
        for row in csv.DictReader(io.StringIO(_git("show", f"{revision}:{path}", cwd=root))):
            rows[(row["dataset"], row["claim_id"])] = row
    return rows


def changes(earlier: dict[tuple[str, str], dict], judged: list[dict]) -> list[dict]:
    """A change row for every claim judged now whose verdict or test differs from before, and
    for every claim of an experiment judged now that was judged before and no longer is."""
    found = []
    for row in judged:
        old = earlier.get((row["dataset"], row["claim_id"]))
        if old is None or (old["verdict"], old["test"]) == (row["verdict"], row["test"]):
            continue
        found.append(_change(old, row["experiment"], row["verdict"], reason(old, row)))
    now = {(row["dataset"], row["claim_id"]) for row in judged}
    experiments = {row["experiment"] for row in judged}
    for key, old in earlier.items():
        if key not in now and old["experiment"] in experiments:
            found.append(_change(old, old["experiment"], RETIRED_VERDICT,
                                 RETIRED.get(old["claim_id"], "the claim is no longer made")))
    return found


def _change(old: dict, experiment: str, new_verdict: str, why: str) -> dict:
    """A row of ``VERDICT_CHANGES_FILE``: the claim's earlier verdict and test, and its new one."""
    return {"experiment": experiment, "dataset": old["dataset"], "claim_id": old["claim_id"],
            "old_verdict": old["verdict"], "old_test": old["test"],
            "old_p_value": old["p_value"], "new_verdict": new_verdict, "reason": why}


def reason(old: dict, new: dict) -> str:
    """Why a claim's verdict or test changed, from its two rows (and ``REASONS``)."""
    parts = [REASONS[new["claim_id"]]] if new["claim_id"] in REASONS else []
    if old["experiment"] != new["experiment"]:
        parts.append(f"judged in experiment {new['experiment']}, before in {old['experiment']}")
    if old["test"] != new["test"] and new["claim_id"] not in REASONS:
        parts.append(f"the test is now: {new['test']}")
    sides = [(name, old.get(name, ""), new.get(name, "")) for name in ("side_a", "side_b")]
    moved = [f"{before} -> {after}" for _, before, after in sides if before and before != after]
    if moved:
        parts.append("a side changed: " + "; ".join(moved))
    if not parts:
        parts.append("the same test on new numbers")
    return "; ".join(parts + [f"earlier {_numbers(old)}", f"now {_numbers(new)}"])


def _numbers(row: dict) -> str:
    if not row.get("gap"):
        return row["verdict"]
    return (f"{row['verdict']}: gap {row['gap']} ({row['gap_low']}..{row['gap_high']}), "
            f"margin {row['margin']}")


def write_changes(results_dir: Path, revision: str, judged: list[dict]) -> list[dict]:
    """Write ``VERDICT_CHANGES_FILE`` for the claims judged now against ``revision``, keeping
    from the file as it was each claim's earlier change that still ends in its verdict now (a
    claim this change left alone keeps the account of the last change that moved it). Returns
    the changes found against ``revision``."""
    from ..results import write_rows

    path = Path(results_dir) / VERDICT_CHANGES_FILE
    found = changes(earlier_claims(revision, results_dir), judged)
    write_rows(path, [*found, *still_standing(path, found, judged)], VERDICT_CHANGES_COLUMNS)
    return found


def still_standing(path: Path, found: list[dict], judged: list[dict]) -> list[dict]:
    """The rows of the changes file at ``path`` for claims not in ``found`` whose new verdict is
    still the claim's verdict now."""
    if not path.exists():
        return []
    with open(path, newline="") as handle:
        earlier = list(csv.DictReader(handle))
    moved = {(row["dataset"], row["claim_id"]) for row in found}
    verdicts = {(row["dataset"], row["claim_id"]): row["verdict"] for row in judged}
    return [row for row in earlier if (row["dataset"], row["claim_id"]) not in moved
            and verdicts.get((row["dataset"], row["claim_id"]),
                             RETIRED_VERDICT) == row["new_verdict"]]


def _git(*arguments: str, cwd) -> str:
    try:
        return subprocess.run(["git", *arguments], cwd=cwd, capture_output=True, text=True,
                              check=True).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", "") or str(error)
        raise UsageError(f"--changes-since needs the git history of the results: git "
                         f"{' '.join(arguments[:2])} failed ({detail.strip().splitlines()[-1]})"
                         ) from error
