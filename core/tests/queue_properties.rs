//! Property: under any interleaving of new events, timers, flushes, page
//! hides, answers (lost, partial, failed, throttled, replayed), reloads and
//! going offline, no usage event is lost and none is confirmed twice; once
//! everything is allowed through, every event reaches the server.

mod queue_support;

use proptest::prelude::*;
use queue_support::{absorb, event, Server};
use rork_cloud_credits_core::queue::{
    Batch, Failure, Outcome, Poll, QueueConfig, Trigger, UsageQueue,
};
use rork_cloud_credits_core::retry::Backoff;
use rork_cloud_credits_core::wire::UsageResult;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone)]
enum Fate {
    /// Processed; the answer arrives.
    Answered,
    /// Processed, but the answer is lost (connection cut after the commit).
    AnswerLost,
    /// Processed; the answer mentions only the first half of the events.
    Partial,
    /// Never reached the server.
    Unreachable,
    /// Not processed: 503.
    Unavailable,
    /// Not processed: 429 with Retry-After.
    Throttled(u64),
}

#[derive(Debug, Clone)]
enum Op {
    Push(u8),
    Tick(u64),
    Flush,
    Hide,
    Answer(usize, Fate),
    Replay(usize),
    Reload(bool),
    Online(bool),
}

fn fate() -> impl Strategy<Value = Fate> {
    prop_oneof![
        3 => Just(Fate::Answered),
        1 => Just(Fate::AnswerLost),
        1 => Just(Fate::Partial),
        1 => Just(Fate::Unreachable),
        1 => Just(Fate::Unavailable),
        1 => (0u64..10_000).prop_map(Fate::Throttled),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (1u8..8).prop_map(Op::Push),
        3 => (0u64..5_000).prop_map(Op::Tick),
        2 => Just(Op::Flush),
        1 => Just(Op::Hide),
        5 => (any::<usize>(), fate()).prop_map(|(i, f)| Op::Answer(i, f)),
        1 => any::<usize>().prop_map(Op::Replay),
        1 => any::<bool>().prop_map(Op::Reload),
        1 => any::<bool>().prop_map(Op::Online),
    ]
}

fn config() -> QueueConfig {
    QueueConfig {
        capacity: 10_000,
        max_batch_events: 4,
        max_batch_bytes: 2_048,
        batch_delay_ms: 1_000,
        keepalive_budget: 1_500,
        backoff: Backoff {
            base_ms: 100,
            max_ms: 5_000,
        },
    }
}

struct World {
    queue: UsageQueue,
    server: Server,
    now: u64,
    pushed: Vec<String>,
    in_flight: Vec<Batch>,
    answered: Vec<(u64, Outcome)>,
    confirmed: HashMap<String, u32>,
    rejected: HashMap<String, u32>,
    random: u64,
}

impl World {
    fn new() -> Self {
        let server = Server {
            reject: (0..1_000).step_by(13).map(|i| format!("e{i}")).collect(),
            ..Server::default()
        };
        World {
            queue: UsageQueue::new(config()),
            server,
            now: 1_000_000,
            pushed: Vec::new(),
            in_flight: Vec::new(),
            answered: Vec::new(),
            confirmed: HashMap::new(),
            rejected: HashMap::new(),
            random: 0x9E37_79B9_7F4A_7C15,
        }
    }

    fn next_random(&mut self) -> u64 {
        // xorshift: deterministic jitter, different each call.
        self.random ^= self.random << 13;
        self.random ^= self.random >> 7;
        self.random ^= self.random << 17;
        self.random
    }

    fn sent(&mut self, batch: Batch) {
        for id in &batch.ids {
            assert!(
                !self.confirmed.contains_key(id) && !self.rejected.contains_key(id),
                "{id} was sent again after the queue had let it go"
            );
            assert!(
                self.in_flight.iter().all(|b| !b.ids.contains(id)),
                "{id} is in two batches in flight"
            );
        }
        self.in_flight.push(batch);
    }

    fn poll(&mut self, trigger: Trigger) {
        if let Poll::Send(batch) = self.queue.poll(self.now, trigger) {
            self.sent(batch);
        }
    }

    fn answer(&mut self, pick: usize, fate: Fate) {
        if self.in_flight.is_empty() {
            return;
        }
        let batch = self.in_flight.remove(pick % self.in_flight.len());
        let outcome = match fate {
            Fate::Answered => Outcome::Answered(self.server.answer(&batch)),
            Fate::AnswerLost => {
                self.server.answer(&batch);
                Outcome::Failed(Failure::Network("connection reset".into()))
            }
            Fate::Partial => {
                let mut results: Vec<UsageResult> = self.server.answer(&batch);
                results.truncate(results.len() / 2);
                Outcome::Answered(results)
            }
            Fate::Unreachable => Outcome::Failed(Failure::Network("refused".into())),
            Fate::Unavailable => Outcome::Failed(Failure::Status {
                status: 503,
                retry_after_ms: None,
                error: None,
            }),
            Fate::Throttled(ms) => Outcome::Failed(Failure::Status {
                status: 429,
                retry_after_ms: Some(ms),
                error: None,
            }),
        };
        self.complete(batch.token, outcome);
    }

    fn complete(&mut self, token: u64, outcome: Outcome) {
        let random = self.next_random();
        let before: HashSet<String> = self.queue.ids().map(String::from).collect();
        let report = self
            .queue
            .complete(token, outcome.clone(), self.now, random);
        let after: HashSet<String> = self.queue.ids().map(String::from).collect();
        let gone: Vec<&String> = before.difference(&after).collect();
        assert_eq!(
            gone.len(),
            report.accepted + report.duplicate + report.rejected.len(),
            "every event that left the queue is accounted for"
        );
        for rejection in &report.rejected {
            *self.rejected.entry(rejection.id.clone()).or_default() += 1;
        }
        for id in gone {
            if !self.rejected.contains_key(id) {
                *self.confirmed.entry(id.clone()).or_default() += 1;
            }
        }
        self.answered.push((token, outcome));
    }

    fn apply(&mut self, op: Op) {
        match op {
            Op::Push(n) => {
                for _ in 0..n {
                    let id = format!("e{}", self.pushed.len());
                    self.queue.push(&event(&id), self.now).unwrap();
                    self.pushed.push(id);
                }
            }
            Op::Tick(ms) => {
                self.now += ms;
                self.poll(Trigger::Scheduled);
            }
            Op::Flush => self.poll(Trigger::Flush),
            Op::Hide => {
                for batch in self.queue.keepalive(self.now) {
                    assert!(batch.keepalive);
                    self.sent(batch);
                }
                let in_flight: usize = self
                    .in_flight
                    .iter()
                    .filter(|b| b.keepalive)
                    .map(|b| b.body.len())
                    .sum();
                assert!(in_flight <= config().keepalive_budget);
            }
            Op::Answer(pick, fate) => self.answer(pick, fate),
            Op::Replay(pick) => {
                if !self.answered.is_empty() {
                    let (token, outcome) = self.answered[pick % self.answered.len()].clone();
                    self.complete(token, outcome);
                }
            }
            Op::Reload(reaches_server) => {
                let saved = self.queue.snapshot();
                // The page is gone: requests in flight either made it or not,
                // and their answers (and any replay of an old answer; batch
                // tokens belong to one queue instance) are lost with the page.
                self.answered.clear();
                for batch in std::mem::take(&mut self.in_flight) {
                    if reaches_server {
                        self.server.answer(&batch);
                    }
                }
                self.queue = UsageQueue::new(config());
                let absorbed = absorb(&mut self.queue, &saved);
                assert_eq!(absorbed.discarded, 0);
                assert!(absorbed.error.is_none());
            }
            Op::Online(online) => self.queue.set_online(online),
        }
    }

    fn check_nothing_lost(&self) {
        let held: HashSet<&str> = self.queue.ids().collect();
        for id in &self.pushed {
            assert_eq!(
                self.queue.contains(id),
                held.contains(id.as_str()),
                "contains({id}) disagrees with the events held"
            );
            let places = usize::from(held.contains(id.as_str()))
                + usize::from(self.confirmed.contains_key(id))
                + usize::from(self.rejected.contains_key(id));
            assert_eq!(
                places, 1,
                "{id} is held, delivered or rejected: exactly one"
            );
        }
        assert!(self.confirmed.values().all(|&n| n == 1), "confirmed twice");
        assert!(self.rejected.values().all(|&n| n == 1), "rejected twice");
    }

    fn drain(&mut self) {
        self.queue.set_online(true);
        for batch in std::mem::take(&mut self.in_flight) {
            self.complete(
                batch.token,
                Outcome::Failed(Failure::Network("lost".into())),
            );
        }
        for _ in 0..10_000 {
            self.now += 100_000;
            match self.queue.poll(self.now, Trigger::Flush) {
                Poll::Send(batch) => {
                    self.sent(batch);
                    self.answer(0, Fate::Answered);
                }
                Poll::Idle => return,
                other => panic!("drain stuck at {other:?}"),
            }
        }
        panic!("drain did not finish");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_event_is_lost_or_confirmed_twice(ops in prop::collection::vec(op(), 1..80)) {
        let mut world = World::new();
        for op in ops {
            world.apply(op);
            world.check_nothing_lost();
        }
        world.drain();
        world.check_nothing_lost();
        prop_assert!(world.queue.is_empty());
        for id in &world.pushed {
            if world.server.reject.contains(id) {
                prop_assert_eq!(world.rejected.get(id), Some(&1));
            } else {
                prop_assert!(world.server.received.get(id).is_some_and(|&n| n >= 1), "{} never reached the server", id);
                prop_assert_eq!(world.confirmed.get(id), Some(&1));
            }
        }
    }

    #[test]
    fn absorbing_arbitrary_text_never_panics(text in any::<String>()) {
        let mut queue = UsageQueue::new(config());
        let absorbed = absorb(&mut queue, &text);
        prop_assert_eq!(absorbed.added, queue.len());
    }

    #[test]
    fn absorbing_mangled_snapshots_never_panics(cut in 0usize..400, junk in "[\\[\\]{}\",:0-9a-z]{0,12}") {
        let mut source = UsageQueue::new(config());
        for i in 0..4 {
            source.push(&event(&format!("m{i}")), 5).unwrap();
        }
        let mut text = source.snapshot();
        let at = cut.min(text.len());
        text.insert_str(at, &junk);
        let mut queue = UsageQueue::new(config());
        let absorbed = absorb(&mut queue, &text);
        prop_assert!(absorbed.added <= 4);
        prop_assert_eq!(absorbed.added, queue.len());
    }
}
