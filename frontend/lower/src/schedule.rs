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
//! A job that copies from many others is mostly waiting for them, and
//! waiting for all of them before it starts leaves it to run alone at the
//! end: the final stage of a file that gathers every stage's output takes
//! a tenth of the dispatch that way. So the last job, when it copies from
//! enough others, gets a thread of its own from the start and waits for each
//! job it copies from only where it reads it (`Ready`); the stage it is built
//! on it still waits for first.
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
    /// Of those, how many it reads only part-way through (stages it copies
    /// or mounts from, rather than the one it is built on).
    late: Vec<usize>,
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

/// Jobs a job must copy from before it is worth a thread that mostly waits:
/// waking it costs a little per job it waits for.
const MIN_LATE_DEPS: usize = 16;

/// A second thread's stack: as large as the main thread's, since the
/// stage a thread dispatches may be any stage.
const STACK_BYTES: usize = 8 << 20;

impl Jobs {
    pub(crate) fn new() -> Self {
        Jobs {
            deps: Vec::new(),
            late: Vec::new(),
            cost: Vec::new(),
        }
    }

    /// Adds the next job, reading the earlier jobs `first` before it starts
    /// and `late` while it runs, and returns its index. `None` when a dep is
    /// not an earlier job: only one thread can then give the order-dependent
    /// result.
    pub(crate) fn push(
        &mut self,
        first: Vec<usize>,
        late: Vec<usize>,
        cost: usize,
    ) -> Option<usize> {
        let index = self.deps.len();
        if first.iter().chain(&late).any(|&d| d >= index) {
            return None;
        }
        // Kept as one list: `late` jobs come after the `first` ones.
        let mut deps = first;
        self.late.push(late.len());
        deps.extend(late);
        self.deps.push(deps);
        self.cost.push(cost);
        Some(index)
    }

    /// The job that runs on a thread of its own from the start, waiting for
    /// the jobs it copies from as it reaches them: the last one, when it
    /// reads at least `MIN_LATE_DEPS` jobs that way (no job reads the last
    /// one, so no other thread ever waits for it).
    fn eager(&self, threads: usize) -> Option<usize> {
        let last = self.len().checked_sub(1)?;
        let late = self.late.get(last).copied().unwrap_or(0);
        (threads > 1 && late >= MIN_LATE_DEPS).then_some(last)
    }

    /// The jobs the eager `job` needs done before it starts: those it does
    /// not read part-way through.
    fn first_deps(&self, job: usize) -> &[usize] {
        let deps = self.deps.get(job).map_or(&[][..], Vec::as_slice);
        let late = self.late.get(job).copied().unwrap_or(0);
        deps.get(..deps.len().saturating_sub(late)).unwrap_or(&[])
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

/// Given to a running job: waits until another job is done, `false` when
/// the run failed first (the job should then give up).
pub(crate) trait Ready {
    fn wait_for(&self, job: usize) -> bool;
}

/// Jobs run one after another: every job read is done before.
pub(crate) struct InOrder;

impl Ready for InOrder {
    fn wait_for(&self, _job: usize) -> bool {
        true
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
    fn work<T, E>(
        &self,
        run: &(impl Fn(usize, &dyn Ready) -> Result<T, E> + Sync),
    ) -> Vec<(usize, T)> {
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
                board = self.wait_change(board);
                continue;
            };
            drop(board);
            let result = run(job, self);
            board = self.finish(self.lock(), job, result, &mut out);
        }
        out
    }

    /// Sleeps until another thread finishes a job (or fails), counted as
    /// waiting so that it is woken.
    fn wait_change<'b>(&'b self, mut board: MutexGuard<'b, Board>) -> MutexGuard<'b, Board> {
        board.waiting += 1;
        board = self
            .changed
            .wait(board)
            .unwrap_or_else(PoisonError::into_inner);
        board.waiting -= 1;
        board
    }

    /// Records how `job` went and wakes whoever waits for a change.
    fn finish<'b, T, E>(
        &'b self,
        mut board: MutexGuard<'b, Board>,
        job: usize,
        result: Result<T, E>,
        out: &mut Vec<(usize, T)>,
    ) -> MutexGuard<'b, Board> {
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
        board
    }

    /// Runs the eager job: once the jobs it needs first are done, it starts
    /// and waits for the others as it reads them.
    fn run_eager<T, E>(
        &self,
        job: usize,
        run: &(impl Fn(usize, &dyn Ready) -> Result<T, E> + Sync),
    ) -> Vec<(usize, T)> {
        let _stop = StopOnPanic(self);
        let mut out = Vec::new();
        if self.jobs.first_deps(job).iter().all(|&d| self.wait_for(d)) {
            let result = run(job, self);
            drop(self.finish(self.lock(), job, result, &mut out));
        }
        out
    }
}

impl Ready for Shared<'_> {
    fn wait_for(&self, job: usize) -> bool {
        let mut board = self.lock();
        loop {
            if board.done.get(job).copied().unwrap_or(false) {
                return true;
            }
            if board.failed {
                return false;
            }
            board = self.wait_change(board);
        }
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
/// once the jobs it reads are done, but for the eager job (see
/// [`Jobs::eager`]) on a thread more. `run` gets the job and what waits for
/// the jobs it reads part-way. The results by job, or `None` when a job
/// failed (the rest are then left undone).
pub(crate) fn run_all<T: Send, E>(
    jobs: &Jobs,
    threads: usize,
    run: impl Fn(usize, &dyn Ready) -> Result<T, E> + Sync,
) -> Option<Vec<T>> {
    let n = jobs.len();
    let eager = jobs.eager(threads);
    let mut taken = vec![false; n];
    if let Some(t) = eager.and_then(|e| taken.get_mut(e)) {
        *t = true;
    }
    let run = &run;
    let shared = Shared {
        jobs,
        board: Mutex::new(Board {
            next: 0,
            taken,
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
                    .spawn_scoped(scope, || shared.work(run))
                    .ok()
            })
            .collect();
        let shared_ref = &shared;
        let eager = eager.map(|job| {
            let thread = std::thread::Builder::new()
                .stack_size(STACK_BYTES)
                .spawn_scoped(scope, move || shared_ref.run_eager(job, run));
            (job, thread.ok())
        });
        keep(shared.work(run));
        let eager = match eager {
            Some((_, Some(thread))) => Some(thread),
            // No thread for it: it runs here, after the others.
            Some((job, None)) => {
                keep(shared.run_eager(job, run));
                None
            }
            None => None,
        };
        for other in others.into_iter().chain(eager) {
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
            jobs.push(i.checked_sub(1).into_iter().collect(), Vec::new(), cost)
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
            jobs.push(deps, Vec::new(), 1).unwrap();
        }
        let finished: Vec<AtomicUsize> = (0..200).map(|_| AtomicUsize::new(0)).collect();
        let results = run_all(&jobs, 2, |j, _: &dyn Ready| {
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
            jobs.push(Vec::new(), Vec::new(), 1).unwrap();
        }
        let ran = AtomicUsize::new(0);
        let results = run_all(&jobs, 2, |j, _: &dyn Ready| {
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
        jobs.push(Vec::new(), Vec::new(), 1).unwrap();
        assert_eq!(jobs.push(vec![1], Vec::new(), 1), None);
        assert_eq!(jobs.push(Vec::new(), vec![5], 1), None);
        assert_eq!(jobs.len(), 1);
    }

    #[test]
    fn chains_and_small_runs_stay_on_one_thread_and_wide_ones_split() {
        assert_eq!(chain(5_000, 10).threads(), 1);
        let mut small = Jobs::new();
        for _ in 0..10 {
            small.push(Vec::new(), Vec::new(), 11).unwrap();
        }
        assert_eq!(small.threads(), 1);
        let mut wide = Jobs::new();
        for _ in 0..500 {
            wide.push(Vec::new(), Vec::new(), 11).unwrap();
        }
        wide.push(Vec::new(), (0..500).collect(), 501).unwrap();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(wide.threads(), cores.min(2));
    }

    /// 300 jobs, then one that reads them all part-way, in order.
    fn gather() -> Jobs {
        let mut jobs = Jobs::new();
        for _ in 0..300 {
            jobs.push(Vec::new(), Vec::new(), 10).unwrap();
        }
        jobs.push(Vec::new(), (0..300).collect(), 301).unwrap();
        jobs
    }

    #[test]
    fn the_gathering_job_starts_early_and_reads_each_job_once_it_is_done() {
        let jobs = gather();
        assert_eq!(jobs.eager(2), Some(300));
        assert_eq!(jobs.eager(1), None);
        let finished: Vec<AtomicUsize> = (0..300).map(|_| AtomicUsize::new(0)).collect();
        let read_early = AtomicUsize::new(0);
        for _ in 0..10 {
            let results = run_all(&jobs, 2, |j, ready: &dyn Ready| {
                if j < 300 {
                    std::thread::yield_now();
                    finished[j].store(1, Ordering::SeqCst);
                    return Ok::<_, ()>(j);
                }
                let mut sum = 0;
                for (d, f) in finished.iter().enumerate() {
                    if f.load(Ordering::SeqCst) == 0 {
                        read_early.fetch_add(1, Ordering::SeqCst);
                    }
                    assert!(ready.wait_for(d));
                    assert_eq!(f.load(Ordering::SeqCst), 1, "job {d} read before done");
                    sum += d;
                }
                Ok(sum)
            })
            .unwrap();
            let mut expected: Vec<usize> = (0..300).collect();
            expected.push((0..300).sum());
            assert_eq!(results, expected);
            for f in &finished {
                f.store(0, Ordering::SeqCst);
            }
        }
        // It did start before the jobs it reads were all done.
        assert!(read_early.load(Ordering::SeqCst) > 0);
    }

    #[test]
    fn a_failure_wakes_the_gathering_job_and_the_run_has_no_result() {
        let jobs = gather();
        for _ in 0..10 {
            let gave_up = AtomicUsize::new(0);
            let results = run_all(&jobs, 2, |j, ready: &dyn Ready| {
                if j == 150 {
                    return Err(());
                }
                if j == 300 {
                    if (0..300).all(|d| ready.wait_for(d)) {
                        return Ok(0);
                    }
                    gave_up.fetch_add(1, Ordering::SeqCst);
                    return Err(());
                }
                Ok(j)
            });
            assert!(results.is_none());
            assert_eq!(gave_up.load(Ordering::SeqCst), 1);
        }
    }
}
