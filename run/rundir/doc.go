// Package rundir is the run directory that rlrun train (package run) and rlrun fit (package
// supervised) share: its file names, atomic checkpoint directories with the latest pointer and
// pruning, the metrics.csv/timing.csv log and its reader, the terminal progress bar, and the
// atomic file and JSON helpers they are built on.
//
// # Why a package of its own
//
// The arrows of the module point cmd → run → agents, supervised: package supervised cannot
// import package run (run would sit below the trainers it drives, and run already imports the
// agents), and agents/tabular writes its files into run's checkpoints. rundir imports no other
// gorl package, so all three use it and one implementation keeps the on-disk format of both
// kinds of run the same: a run of either kind resumes, evaluates and plots with the same code.
//
// # Layout
//
//	config.yml     the resolved config
//	metrics.csv    global_step,key,value rows: identical for the same seed
//	timing.csv     the same format for wall-clock figures, which differ run to run
//	checkpoints/   step-000010000/ ... and latest (the newest one's name); each checkpoint holds
//	               run.json (the run's counters), config.yml and the trainer's own files
//	eval.json      the final evaluation
//
// What differs between the two kinds of run — the unit of global_step and the command that
// resumes — is a Kind, so that messages name the right one.
package rundir
