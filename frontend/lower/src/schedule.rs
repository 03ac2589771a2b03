//! Running the stages of one build on two threads.
//!
//! A file of many stages spends most of its lowering in dispatch, one stage
//! after another, while the machine has a second core. A stage reads only
//! the stages it is built on or copies and mounts from, which the plan
//! knows before dispatch and which all come earlier in the file. So the
//! stages ("jobs" here) are handed out in file order to whichever thread is
//! free, each once the jobs it reads are done, and their results are kept
//! by job for the caller to merge in file order: the output is the one
//! running them one after another gives.
//!
//! On any failure the run stops and says so, without the error: which
//! error a run one after another would report (the first stage's, or the
//! line where the shared output budget overflows) depends on the order, so
//! the caller runs the jobs again in order to report it.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// The jobs of one run, in the order a single thread would take them.
pub(crate) struct Jobs {
    /// For each job, the earlier jobs it reads.
    deps: Vec<Vec<usize>>,
    /// For each job, a rough measure of its work (its instruction count).
    cost: Vec<usize>,
}

/// Work one more thread must take off the first for it to pay: starting
/// and joining a thread costs about as much as dispatching a few dozen
/// instructions, and handing jobs between threads adds a little per job.
const MIN_SAVED_COST: usize = 128;

/// How many jobs past the first one not taken a thread looks for one that
/// is ready: enough to skip a few waiting on a job still running, without
/// scanning the whole file each time.
const LOOKAHEAD: usize = 64;

/// A second thread's stack: as large as the main thread's, since the
/// stage a thread dispatches may be any stage.
const STACK_BYTES: usize = 8 << 20;

impl Jobs {
    pub(crate) fn new() -> Self {
        Jobs {
            deps: Vec::new(),
            cost: Vec::new(),
        }
    }

    /// Adds the next job, reading the earlier jobs `deps`, and returns its
    /// index. `None` when a dep is not an earlier job: only one thread can
    /// then give the order-dependent result.
    pub(crate) fn push(&mut self, deps: Vec<usize>, cost: usize) -> Option<usize> {
        let index = self.deps.len();
        if deps.iter().any(|&d| d >= index) {
            return None;
        }
        self.deps.push(deps);
        self.cost.push(cost);
        Some(index)
    }

    pub(crate) fn len(&self) -> usize {
        self.deps.len()
    }

    /// Threads worth using: two when the jobs leave the second enough
    /// work (a chain of stages each built on the last leaves it none) and
    /// the process may use a second core, else one. Not more: the rest of
    /// the conversion runs on one thread, and each thread's allocator heap
    /// adds to peak memory.
    pub(crate) fn threads(&self) -> usize {
        let total: usize = self.cost.iter().sum();
        // The longest chain of jobs each reading the one before bounds
        // how fast any number of threads gets through them.
        let mut finish: Vec<usize> = Vec::with_capacity(self.len());
        for (deps, cost) in self.deps.iter().zip(&self.cost) {
            let start = deps
                .iter()
                .filter_map(|&d| finish.get(d))
                .max()
                .copied()
                .unwrap_or(0);
            finish.push(start + cost);
        }
        let critical = finish.iter().max().copied().unwrap_or(0);
        let saved = total.saturating_sub(critical.max(total.div_ceil(2)));
        if saved < MIN_SAVED_COST {
            return 1;
        }
        std::thread::available_parallelism().map_or(1, |n| n.get().min(2))
    }
}

/// Which jobs are taken and done, shared by the threads.
struct Board {
    /// Every job before this one is taken.
    next: usize,
    taken: Vec<bool>,
    done: Vec<bool>,
    /// Threads waiting for a job to become ready.
    waiting: usize,
    failed: bool,
}

struct Shared<'a> {
    jobs: &'a Jobs,
    board: Mutex<Board>,
    changed: Condvar,
}

impl Shared<'_> {
    fn lock(&self) -> MutexGuard<'_, Board> {
        // A thread panics only with a bug; the board is still consistent.
        self.board.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The first job not taken whose deps are done, taking it.
    fn take(&self, board: &mut Board) -> Option<usize> {
        let n = self.jobs.len();
        while board.taken.get(board.next).copied().unwrap_or(false) {
            board.next += 1;
        }
        let found = (board.next..n.min(board.next + LOOKAHEAD)).find(|&j| {
            !board.taken.get(j).copied().unwrap_or(true)
                && self.jobs.deps.get(j).is_some_and(|deps| {
                    deps.iter()
                        .all(|&d| board.done.get(d).copied().unwrap_or(false))
                })
        })?;
        if let Some(t) = board.taken.get_mut(found) {
            *t = true;
        }
        Some(found)
    }

    /// Takes ready jobs until every job is taken or one failed.
    fn work<T, E>(&self, run: &(impl Fn(usize) -> Result<T, E> + Sync)) -> Vec<(usize, T)> {
        // A panicking job stops the other thread rather than leaving it
        // waiting for the job forever.
        let _stop = StopOnPanic(self);
        let mut out = Vec::new();
        let mut board = self.lock();
        loop {
            if board.failed || board.next >= self.jobs.len() {
                break;
            }
            let Some(job) = self.take(&mut board) else {
                if board.next >= self.jobs.len() {
                    // Every job is taken: the others finish theirs.
                    break;
                }
                board.waiting += 1;
                board = self
                    .changed
                    .wait(board)
                    .unwrap_or_else(PoisonError::into_inner);
                board.waiting -= 1;
                continue;
            };
            drop(board);
            let result = run(job);
            board = self.lock();
            match result {
                Ok(value) => {
                    if let Some(d) = board.done.get_mut(job) {
                        *d = true;
                    }
                    out.push((job, value));
                }
                Err(_) => board.failed = true,
            }
            if board.waiting > 0 {
                self.changed.notify_all();
            }
        }
        out
    }
}

struct StopOnPanic<'a, 'b>(&'a Shared<'b>);

impl Drop for StopOnPanic<'_, '_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.lock().failed = true;
            self.0.changed.notify_all();
        }
    }
}

/// Runs every job on `threads` threads (this one and the others), each
/// once the jobs it reads are done. The results by job, or `None` when a
/// job failed (the rest are then left undone).
pub(crate) fn run_all<T: Send, E>(
    jobs: &Jobs,
    threads: usize,
    run: impl Fn(usize) -> Result<T, E> + Sync,
) -> Option<Vec<T>> {
    let n = jobs.len();
    let shared = Shared {
        jobs,
        board: Mutex::new(Board {
            next: 0,
            taken: vec![false; n],
            done: vec![false; n],
            waiting: 0,
            failed: false,
        }),
        changed: Condvar::new(),
    };
    let mut slots: Vec<Option<T>> = std::iter::repeat_with(|| None).take(n).collect();
    let mut keep = |results: Vec<(usize, T)>| {
        for (job, value) in results {
            if let Some(slot) = slots.get_mut(job) {
                *slot = Some(value);
            }
        }
    };
    std::thread::scope(|scope| {
        let others: Vec<_> = (1..threads)
            .filter_map(|_| {
                // Without a second thread this one does every job.
                std::thread::Builder::new()
                    .stack_size(STACK_BYTES)
                    .spawn_scoped(scope, || shared.work(&run))
                    .ok()
            })
            .collect();
        keep(shared.work(&run));
        for other in others {
            match other.join() {
                Ok(results) => keep(results),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    if shared.lock().failed {
        return None;
    }
    slots.into_iter().collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code

    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A chain: each job reads the one before.
    fn chain(n: usize, cost: usize) -> Jobs {
        let mut jobs = Jobs::new();
        for i in 0..n {
            jobs.push(i.checked_sub(1).into_iter().collect(), cost)
                .unwrap();
        }
        jobs
    }

    #[test]
    fn a_job_runs_after_the_jobs_it_reads_and_results_come_back_in_order() {
        // Job i reads i-1 and i-2: every job sees its deps finished.
        let mut jobs = Jobs::new();
        for i in 0..200usize {
            let deps = (i.saturating_sub(2)..i).collect();
            jobs.push(deps, 1).unwrap();
        }
        let finished: Vec<AtomicUsize> = (0..200).map(|_| AtomicUsize::new(0)).collect();
        let results = run_all(&jobs, 2, |j| {
            let deps = &finished[j.saturating_sub(2)..j];
            assert!(
                deps.iter().all(|f| f.load(Ordering::SeqCst) == 1),
                "job {j}"
            );
            finished[j].store(1, Ordering::SeqCst);
            Ok::<_, ()>(j * 10)
        })
        .unwrap();
        assert_eq!(results, (0..200).map(|j| j * 10).collect::<Vec<_>>());
    }

    #[test]
    fn a_failed_job_stops_the_run_without_a_result() {
        let mut jobs = Jobs::new();
        for _ in 0..100 {
            jobs.push(Vec::new(), 1).unwrap();
        }
        let ran = AtomicUsize::new(0);
        let results = run_all(&jobs, 2, |j| {
            ran.fetch_add(1, Ordering::SeqCst);
            if j == 10 { Err("bad") } else { Ok(j) }
        });
        assert!(results.is_none());
        // The threads stop taking jobs once one failed.
        assert!(ran.load(Ordering::SeqCst) < 100);
    }

    #[test]
    fn a_dep_on_a_later_job_is_refused() {
        let mut jobs = Jobs::new();
        jobs.push(Vec::new(), 1).unwrap();
        assert_eq!(jobs.push(vec![1], 1), None);
        assert_eq!(jobs.push(vec![5], 1), None);
        assert_eq!(jobs.len(), 1);
    }

    #[test]
    fn chains_and_small_runs_stay_on_one_thread_and_wide_ones_split() {
        assert_eq!(chain(5_000, 10).threads(), 1);
        let mut small = Jobs::new();
        for _ in 0..10 {
            small.push(Vec::new(), 11).unwrap();
        }
        assert_eq!(small.threads(), 1);
        let mut wide = Jobs::new();
        for _ in 0..500 {
            wide.push(Vec::new(), 11).unwrap();
        }
        wide.push((0..500).collect(), 501).unwrap();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(wide.threads(), cores.min(2));
    }
}
