"""Why now: hardware, measured on this machine.

Deep Learning with Python, chapter 1, "Why deep learning? Why now?", section "Hardware".
Between 1990 and 2010 off-the-shelf CPUs became about 5,000 times faster; gaming GPUs then
brought massively parallel arithmetic to deep learning: an NVIDIA Titan RTX delivers about
16 TFLOPS in float32, some 500 times the 1990 Intel Touchstone Delta supercomputer, a
Google TPU v3 card 420 TFLOPS and a TPU pod about 100 PFLOPS (all quoted from the book).

Here the same question is asked of the machine that runs these experiments:

- its peak: a float32 matrix product with TensorFlow, on the CPU and on a GPU when one is
  present (detected at run time, never required);
- what the book's dense net and convnet achieve while training: FLOPs per image counted
  from their layer shapes, times the images per second of their real training runs (the
  same runs as experiment 05, three seeds, reused from the run cache);
- how long each takes to reach its final test accuracy.

What the reader should see: where this machine's measured peak and the nets' achieved
FLOP/s fall on the log scale of the quoted machines, what share of the peak each net's
training uses, and how the convnet's FLOPs per image and images per second compare with the
dense net's.
"""

from mlhistory.judging import GpuSpeedup, TrainsWithin
from mlhistory.reporting.plots import Plot
from mlhistory.reporting.tables import Table
from mlhistory.running.experiment import Experiment, main
from mlhistory.running.steps import hardware_measurement

HOUR = 3600  # seconds: the bound of "trains on a laptop", drawn where the verdict reads it

EXPERIMENT = Experiment(
    experiment_id="10_why_now_hardware",
    title="Why now: hardware, measured on this machine",
    book_section='Chapter 1.3.1, "Hardware" (in "Why deep learning? Why now?")',
    summary=__doc__,
    # Exactly experiment 05's specs for these two nets, so they come from the run cache.
    runs=("dense", "convnet"),
    claims=(
        TrainsWithin("small_models_on_a_laptop", "CPUs became thousands of times faster, so "
                     "small deep-learning models now train on a laptop: the book's convnet "
                     "trains on all of the training images on this 2-core machine within an "
                     "hour.", label="convnet", seconds=HOUR,
                     passage="1st ed. Why deep learning? Why now? (Hardware); 2nd ed. (same "
                             "section)"),
        GpuSpeedup("gpu_hundreds_of_times", "One gaming GPU gives hundreds of times a "
                   "laptop's throughput (1st edition: a Titan X, about 350 times): a GPU's "
                   "measured peak against this machine's CPU.", factor=350,
                   passage="1st ed. Why deep learning? Why now? (Hardware)"),
    ),
    plots=(Plot("accuracy_and_fit_time", labels=["dense", "convnet"], time_bound=HOUR),
           Plot("hardware_flops")),
    tables=(Table("hardware_throughput"),),
    extra_steps=(hardware_measurement,),
)

if __name__ == "__main__":
    main(EXPERIMENT)
