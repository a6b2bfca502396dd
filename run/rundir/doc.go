// Package rundir is the run directory that rlrun train (package run) and rlrun fit (package
// supervised) share: its file names, atomic checkpoint directories with the latest pointer and
// pruning, the metrics.csv/timing.csv log and its reader, the terminal progress bar, and the
// atomic file and JSON helpers they are built on.
//
// # Why a package of its own
//
// The arrows of the module point cmd → run → agents, supervised. Package supervised importing
// package run would point one backwards (and pull the RL agents into every supervised build),
// and agents/tabular, whose checkpoint files run writes, cannot import run at all: run imports
// it. rundir imports no other gorl package, so all three use it, and one implementation keeps
// the on-disk format of both kinds of run the same.
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
// What differs between the two kinds of run — the unit of global_step, the command that
// resumes, the key of the speed in timing.csv — is a Kind, so that messages name the right one.
//
// # Pieces
//
//   - Create makes the run directory; WriteFileAtomic, SyncTree and ReadJSON are the file
//     helpers the rest is built on.
//   - Kind.WriteCheckpoint writes a checkpoint atomically (temporary directory, fsync, rename,
//     latest replaced by rename, pruning); LatestCheckpoint, CheckpointSteps and ReadLatest read
//     them back for resume and eval.
//   - CSVLog writes metrics.csv and timing.csv (AppendValue's number format), ScanMetrics reads
//     them; Logs holds both with the non-finite-loss guard and the training clock.
//   - Loop is Train's chunked loop with periodic and final checkpoints, Kind.Stopped the error
//     of an interrupted or failed session; Progress and NewProgressBar the terminal bar.
package rundir
