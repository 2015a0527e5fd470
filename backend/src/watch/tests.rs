use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use super::*;

/// A scripted execution: each fetch takes the next answer; the last one repeats.
struct Script {
    answers: Mutex<Vec<Result<(u32, Pace), Fault>>>,
    fetches: AtomicUsize,
}

impl Script {
    fn new(answers: Vec<Result<(u32, Pace), Fault>>) -> Self {
        Self {
            answers: Mutex::new(answers),
            fetches: AtomicUsize::new(0),
        }
    }
}

impl Source for Script {
    type State = (u32, Pace);

    async fn fetch(&self, _key: &str) -> Result<Self::State, Fault> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        let mut answers = self.answers.lock().expect("script");
        if answers.len() > 1 {
            answers.remove(0)
        } else {
            answers[0].clone()
        }
    }

    fn pace(&self, state: &Self::State) -> Pace {
        state.1
    }

    fn changes(&self, old: Option<&Self::State>, new: &Self::State) -> Vec<Change> {
        let mut changes = vec![Change {
            event: "status",
            data: new.0.to_string(),
            summary: true,
        }];
        if old.is_none() {
            changes.push(Change {
                event: "detail",
                data: format!("\"all of {}\"", new.0),
                summary: false,
            });
        }
        changes
    }
}

fn pacing() -> Pacing {
    Pacing {
        running: Duration::from_millis(10),
        waiting: Duration::from_millis(40),
        max_backoff: Duration::from_millis(640),
        history: 8,
        polls_per_second: None,
    }
}

fn running(n: u32) -> Result<(u32, Pace), Fault> {
    Ok((n, Pace::Running))
}

async fn frames<S: Source>(sub: &mut Subscription<S>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    while let Some(frame) = sub.next().await {
        out.push((frame.event.to_owned(), frame.data.clone()));
    }
    out
}

fn events(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(e, d)| ((*e).to_owned(), (*d).to_owned()))
        .collect()
}

#[tokio::test]
async fn every_viewer_gets_each_change_once_from_one_poller() {
    let mut answers = vec![running(1), running(1), running(1), running(2), running(2)];
    answers.push(Ok((3, Pace::Finished)));
    let hub = Hub::new(Script::new(answers), pacing());
    let mut subs: Vec<_> = (0..50).map(|_| hub.subscribe("e-1", None)).collect();
    let expected = events(&[
        ("status", "1"),
        ("detail", "\"all of 1\""),
        ("status", "2"),
        ("status", "3"),
        ("end", "\"\""),
    ]);
    for sub in &mut subs {
        assert_eq!(frames(sub).await, expected);
    }
    // Six answers scripted, six polls made: 50 viewers cost nothing more than one.
    assert_eq!(hub.source.fetches.load(Ordering::SeqCst), 6);
    assert_eq!(
        hub.watched(),
        0,
        "a finished execution is no longer watched"
    );
}

#[tokio::test]
async fn a_late_viewer_starts_with_the_whole_state() {
    let hub = Hub::new(
        Script::new(vec![running(1), Ok((2, Pace::Waiting))]),
        pacing(),
    );
    let mut first = hub.subscribe("e-1", None);
    while first.next().await.map(|f| f.data.clone()).as_deref() != Some("2") {}
    let mut late = hub.subscribe("e-1", None);
    let a = late.next().await.expect("status");
    let b = late.next().await.expect("detail");
    assert_eq!((a.event, a.data.as_str()), ("status", "2"));
    assert_eq!((b.event, b.data.as_str()), ("detail", "\"all of 2\""));
    assert_eq!(
        a.id, b.id,
        "the whole state is stamped with the current position"
    );
}

#[tokio::test]
async fn a_reconnect_resumes_after_the_last_frame_seen() {
    let hub = Hub::new(
        Script::new(vec![
            running(1),
            running(2),
            running(3),
            running(4),
            Ok((4, Pace::Waiting)),
        ]),
        pacing(),
    );
    let mut first = hub.subscribe("e-1", None);
    let mut last_seen = String::new();
    // Read up to status 2, then "disconnect" while keeping the watcher alive with another viewer.
    let keeper = hub.subscribe("e-1", None);
    while let Some(frame) = first.next().await {
        last_seen = frame.id.clone();
        if frame.data == "2" {
            break;
        }
    }
    drop(first);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut again = hub.subscribe("e-1", Some(&last_seen));
    let a = again.next().await.expect("status 3");
    let b = again.next().await.expect("status 4");
    assert_eq!((a.event, a.data.as_str()), ("status", "3"));
    assert_eq!((b.event, b.data.as_str()), ("status", "4"));
    // An id from another watcher (or a forgotten one) gets the whole state instead.
    let mut stranger = hub.subscribe("e-1", Some("1.1"));
    let whole: Vec<_> = [stranger.next().await, stranger.next().await]
        .into_iter()
        .flatten()
        .map(|f| f.event)
        .collect();
    assert_eq!(whole, ["status", "detail"]);
    drop(keeper);
}

#[tokio::test]
async fn the_watcher_stops_when_the_last_viewer_leaves() {
    let hub = Hub::new(Script::new(vec![running(1)]), pacing());
    let mut sub = hub.subscribe("e-1", None);
    sub.next().await.expect("first frame");
    assert_eq!(hub.watched(), 1);
    drop(sub);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(hub.watched(), 0);
    let polls = hub.source.fetches.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        hub.source.fetches.load(Ordering::SeqCst),
        polls,
        "no polling once unwatched"
    );
}

#[tokio::test]
async fn waiting_executions_are_polled_less_often_than_running_ones() {
    let count = |pace| async move {
        let hub = Hub::new(Script::new(vec![Ok((1, pace))]), pacing());
        let sub = hub.subscribe("e-1", None);
        tokio::time::sleep(Duration::from_millis(400)).await;
        drop(sub);
        hub.source.fetches.load(Ordering::SeqCst)
    };
    let running = count(Pace::Running).await;
    let waiting = count(Pace::Waiting).await;
    assert!(
        running >= 2 * waiting,
        "running {running} polls vs waiting {waiting}"
    );
}

#[tokio::test]
async fn all_the_watchers_together_keep_to_the_poll_budget_each_in_turn() {
    let budget = Pacing {
        polls_per_second: Some(100.0),
        ..pacing()
    };
    let hub = Hub::new(Script::new(vec![running(1)]), budget);
    let started = std::time::Instant::now();
    let mut subs: Vec<_> = (0..50)
        .map(|i| hub.subscribe(&format!("e-{i}"), None))
        .collect();
    // Each of the 50 gets its first state in turn (half a second at 100 polls a second).
    for sub in &mut subs {
        tokio::time::timeout(Duration::from_secs(5), sub.next())
            .await
            .expect("its turn came")
            .expect("a frame");
    }
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    let polls = hub.source.fetches.load(Ordering::SeqCst) as f64;
    let elapsed = started.elapsed().as_secs_f64();
    // Unbudgeted, 50 watchers polling every 10 ms would make 5,000 a second. Slots are 10 ms
    // apart, so never more than the budget; a slow machine may make fewer.
    assert!(
        polls <= elapsed * 100.0 + 1.0,
        "{polls} polls in {elapsed:.2} s"
    );
    assert!(
        polls >= elapsed * 100.0 / 3.0,
        "{polls} polls in {elapsed:.2} s"
    );
}

#[tokio::test]
async fn throttling_backs_off_and_recovers() {
    let throttled = || Err(Fault::Throttled("Rate exceeded".into()));
    let mut answers: Vec<_> = (0..5).map(|_| throttled()).collect();
    answers.push(Ok((1, Pace::Finished)));
    let hub = Hub::new(Script::new(answers), pacing());
    let started = std::time::Instant::now();
    let mut sub = hub.subscribe("e-1", None);
    let got = frames(&mut sub).await;
    // Backoff 20 + 40 + 80 + 160 + 320 ms before the sixth poll; a fixed pace would take 50 ms.
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(got.first().map(|f| f.1.as_str()), Some("1"));
    assert_eq!(hub.source.fetches.load(Ordering::SeqCst), 6);
}

#[tokio::test]
async fn a_failure_is_told_once_and_a_missing_execution_ends_the_stream() {
    let failed = || Err(Fault::Failed("connection refused".into()));
    let hub = Hub::new(
        Script::new(vec![
            failed(),
            failed(),
            Err(Fault::Gone("Execution e-1 was not found.".into())),
        ]),
        Pacing {
            waiting: Duration::from_millis(10),
            ..pacing()
        },
    );
    let mut sub = hub.subscribe("e-1", None);
    let got = frames(&mut sub).await;
    assert_eq!(
        got,
        events(&[
            ("fault", "\"connection refused\""),
            ("fault", "\"Execution e-1 was not found.\""),
            ("end", "\"\""),
        ])
    );
}

#[tokio::test]
async fn a_poke_polls_at_once() {
    let hub = Hub::new(
        Script::new(vec![Ok((1, Pace::Waiting)), Ok((2, Pace::Waiting))]),
        Pacing {
            waiting: Duration::from_secs(3600),
            ..pacing()
        },
    );
    let mut sub = hub.subscribe("e-1", None);
    sub.next().await.expect("status 1");
    sub.next().await.expect("detail");
    hub.poke("e-1");
    let frame = tokio::time::timeout(Duration::from_secs(5), sub.next())
        .await
        .expect("the poke polls before the hour is up")
        .expect("frame");
    assert_eq!(frame.data, "2");
}

#[tokio::test]
async fn a_frame_id_from_another_replica_gets_the_whole_state() {
    // Two replicas started together, each with its first watcher of the same execution.
    let script = || Script::new(vec![running(1), running(2), Ok((2, Pace::Waiting))]);
    let (here, there) = (Hub::new(script(), pacing()), Hub::new(script(), pacing()));
    let mut seen_here = here.subscribe("e-1", None);
    let mut last = seen_here.next().await.expect("status");
    while last.data != "2" {
        last = seen_here.next().await.expect("frame");
    }
    let _keeper = there.subscribe("e-1", None);
    tokio::time::sleep(Duration::from_millis(100)).await;
    // The browser reconnects through the load balancer to the other replica.
    let mut moved = there.subscribe("e-1", Some(&last.id));
    let whole: Vec<_> = [moved.next().await, moved.next().await]
        .into_iter()
        .flatten()
        .map(|f| f.event)
        .collect();
    assert_eq!(
        whole,
        ["status", "detail"],
        "not a resumption of a stranger's frames"
    );
}

/// Any `Last-Event-ID` a browser (or anyone) sends: the stream resumes right after the position
/// it names when the watcher still has it, and otherwise starts with the whole state; never a
/// frame twice, a gap or a panic.
#[test]
fn any_last_event_id_resumes_exactly_or_starts_whole() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    // The last state repeats: once it is reached nothing changes.
    let answers = (1..=5).map(running).chain([Ok((6, Pace::Waiting))]);
    let hub = Hub::new(Script::new(answers.collect()), pacing());
    // Every frame the stream has had, in order.
    let (keeper, seen) = runtime.block_on(async {
        let mut keeper = hub.subscribe("e-1", None);
        let mut seen: Vec<(String, &'static str, String)> = Vec::new();
        while let Some(frame) = keeper.next().await {
            seen.push((frame.id.clone(), frame.event, frame.data.clone()));
            if frame.data == "6" {
                break;
            }
        }
        (keeper, seen)
    });
    let epoch = seen[0].0.split('.').next().expect("epoch").to_owned();
    let ids: Vec<String> = seen.iter().map(|(id, _, _)| id.clone()).collect();
    let resume = prop_oneof![
        3 => proptest::sample::select(ids),
        2 => any::<u64>().prop_map(move |n| format!("{epoch}.{n}")),
        1 => (any::<u64>(), 0u64..10).prop_map(|(e, n)| format!("{e}.{n}")),
        2 => "\\PC{0,24}",
        1 => proptest::sample::select(vec!["", ".", "1.", ".1", "1.2.3", "18446744073709551615.18446744073709551615", "-1.-1", "+0.+3"]).prop_map(str::to_owned),
    ];
    let mut runner = TestRunner::new(Config {
        cases: 256,
        ..Config::default()
    });
    let frames = |from: usize| -> Vec<(&'static str, String)> {
        seen[from..]
            .iter()
            .map(|(_, e, d)| (*e, d.clone()))
            .collect()
    };
    runner
        .run(&resume, |resume| {
            let first = runtime.block_on(async {
                let mut sub = hub.subscribe("e-1", Some(&resume));
                let mut first = Vec::new();
                while let Ok(Some(frame)) =
                    tokio::time::timeout(Duration::from_millis(30), sub.next()).await
                {
                    first.push((frame.event, frame.data.clone()));
                }
                first
            });
            match seen.iter().rposition(|(id, _, _)| *id == resume) {
                // Exactly what came after it (nothing, after the last).
                Some(i) => prop_assert_eq!(first, frames(i + 1), "resumed from {}", resume),
                None => {
                    let whole = vec![
                        ("status", "6".to_owned()),
                        ("detail", "\"all of 6\"".to_owned()),
                    ];
                    // Another spelling of a known position ("+0.+3") resumes too: a suffix.
                    let suffix = (0..=seen.len()).any(|i| first == frames(i));
                    prop_assert!(first == whole || suffix, "{:?} from {:?}", first, resume);
                }
            }
            Ok(())
        })
        .expect("every Last-Event-ID handled");
    drop(keeper);
}
