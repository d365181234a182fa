//! Per-chat lanes: jobs with the same key run one after another in arrival
//! order, jobs with different keys run concurrently, at most `limit` at a
//! time. The owner drives it (`push`, `join_next`) from a single task, so
//! there is no shared state and no lock; the running jobs are tasks in a
//! `JoinSet` the lanes own, so dropping the lanes aborts them.

use futures::future::BoxFuture;
use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::Hash;
use std::sync::Arc;
use tokio::task::{Id, JoinError, JoinSet};

type Runner<J, R> = Arc<dyn Fn(J) -> BoxFuture<'static, R> + Send + Sync>;

pub struct Lanes<K, J, R> {
    /// Jobs not started yet, per key. A key is present while it has queued
    /// jobs or a running one.
    queues: HashMap<K, VecDeque<J>>,
    running: HashSet<K>,
    /// Keys with queued jobs and nothing running, waiting for a free slot,
    /// oldest first so no chat starves.
    ready: VecDeque<K>,
    tasks: JoinSet<R>,
    task_keys: HashMap<Id, K>,
    queued: usize,
    limit: usize,
    run: Runner<J, R>,
}

impl<K, J, R> Lanes<K, J, R>
where
    K: Eq + Hash + Clone + Send + 'static,
    J: Send + 'static,
    R: Send + 'static,
{
    pub fn new(limit: usize, run: impl Fn(J) -> BoxFuture<'static, R> + Send + Sync + 'static) -> Self {
        Self {
            queues: HashMap::new(),
            running: HashSet::new(),
            ready: VecDeque::new(),
            tasks: JoinSet::new(),
            task_keys: HashMap::new(),
            queued: 0,
            limit: limit.max(1),
            run: Arc::new(run),
        }
    }

    pub fn push(&mut self, key: K, job: J) {
        let q = self.queues.entry(key.clone()).or_default();
        q.push_back(job);
        self.queued += 1;
        // Newly non-empty and idle: it was not in `ready` yet.
        if q.len() == 1 && !self.running.contains(&key) {
            self.ready.push_back(key);
        }
        self.pump();
    }

    fn pump(&mut self) {
        while self.tasks.len() < self.limit {
            let Some(key) = self.ready.pop_front() else { break };
            let Some(job) = self.queues.get_mut(&key).and_then(VecDeque::pop_front) else { continue };
            self.queued -= 1;
            self.running.insert(key.clone());
            let handle = self.tasks.spawn((self.run)(job));
            self.task_keys.insert(handle.id(), key);
        }
    }

    fn finished(&mut self, key: &K) {
        self.running.remove(key);
        match self.queues.get(key) {
            Some(q) if !q.is_empty() => self.ready.push_back(key.clone()),
            _ => {
                self.queues.remove(key);
            }
        }
        self.pump();
    }

    /// The next finished job (and starts whatever it was holding back).
    /// `None` when nothing is running. Cancel safe.
    pub async fn join_next(&mut self) -> Option<(K, Result<R, JoinError>)> {
        let (id, result) = match self.tasks.join_next_with_id().await? {
            Ok((id, r)) => (id, Ok(r)),
            Err(e) => (e.id(), Err(e)),
        };
        let key = self.task_keys.remove(&id)?;
        self.finished(&key);
        Some((key, result))
    }

    pub fn running(&self) -> usize {
        self.tasks.len()
    }

    pub fn queued(&self) -> usize {
        self.queued
    }

    pub fn is_idle(&self) -> bool {
        self.tasks.is_empty() && self.queued == 0
    }

    /// Takes every job that has not started (shutdown: hand them back).
    pub fn take_queued(&mut self) -> Vec<J> {
        let mut out = Vec::with_capacity(self.queued);
        for q in self.queues.values_mut() {
            out.extend(q.drain(..));
        }
        self.queues.retain(|k, _| self.running.contains(k));
        self.ready.clear();
        self.queued = 0;
        out
    }

    /// Aborts the running jobs; `join_next` then reports them as cancelled.
    pub fn abort_running(&mut self) {
        self.tasks.abort_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::FutureExt;
    use std::time::Duration;

    #[tokio::test]
    async fn one_key_runs_in_order_and_keys_run_side_by_side() {
        let log = Arc::new(std::sync::Mutex::new(Vec::<(u32, u32, &'static str)>::new()));
        let l2 = log.clone();
        let mut lanes: Lanes<u32, (u32, u32, u64), ()> = Lanes::new(4, move |(k, i, ms)| {
            let log = l2.clone();
            async move {
                log.lock().unwrap().push((k, i, "start"));
                tokio::time::sleep(Duration::from_millis(ms)).await;
                log.lock().unwrap().push((k, i, "end"));
            }
            .boxed()
        });
        // Key 1's first job is slow; its second must still wait for it.
        lanes.push(1, (1, 0, 40));
        lanes.push(1, (1, 1, 1));
        lanes.push(2, (2, 0, 1));
        assert_eq!(lanes.running(), 2);
        assert_eq!(lanes.queued(), 1);
        while lanes.join_next().await.is_some() {}
        let log = log.lock().unwrap().clone();
        let pos = |e| log.iter().position(|x| *x == e).unwrap();
        assert!(pos((1, 0, "end")) < pos((1, 1, "start")), "{log:?}");
        assert!(pos((2, 0, "end")) < pos((1, 0, "end")), "key 2 did not wait for key 1: {log:?}");
        assert!(lanes.is_idle());
    }

    #[tokio::test]
    async fn the_limit_bounds_running_jobs_and_queued_jobs_can_be_taken_back() {
        let mut lanes: Lanes<u32, u32, u32> = Lanes::new(2, |j| async move { j }.boxed());
        for k in 0..5 {
            lanes.push(k, k);
        }
        assert_eq!(lanes.running(), 2);
        let back = lanes.take_queued();
        assert_eq!(back.len(), 3);
        let mut done = Vec::new();
        while let Some((k, r)) = lanes.join_next().await {
            assert_eq!(r.unwrap(), k);
            done.push(k);
        }
        assert_eq!(done.len(), 2);
        assert!(lanes.is_idle());
    }

    #[tokio::test]
    async fn aborted_jobs_free_their_lane() {
        let mut lanes: Lanes<u32, u64, ()> =
            Lanes::new(1, |ms| async move { tokio::time::sleep(Duration::from_millis(ms)).await }.boxed());
        lanes.push(7, 60_000);
        lanes.push(7, 0);
        lanes.abort_running();
        let (k, r) = lanes.join_next().await.unwrap();
        assert_eq!(k, 7);
        assert!(r.unwrap_err().is_cancelled());
        // The queued job of the same lane starts after the aborted one.
        let (_, r) = lanes.join_next().await.unwrap();
        assert!(r.is_ok());
    }
}
