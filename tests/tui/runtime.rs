//! The runtime on a test screen: real tokio tasks, a resolver that answers with fixture
//! results after a delay, keys sent as terminal events.

use super::fixtures::{self, resolution, unicode};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use futures::{Stream, future::BoxFuture};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use rswitch::export::Format;
use rswitch::resolve::outcome::Resolution;
use rswitch::tui::{MfaCode, ResolveProfile, Screen, TuiExit, TuiHandlers, TuiOptions, run_on};
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

struct TestScreen {
    terminal: Terminal<TestBackend>,
    events: UnboundedReceiver<io::Result<Event>>,
    suspended: usize,
    resumed: usize,
}

impl Screen for TestScreen {
    type Backend = TestBackend;
    fn terminal(&mut self) -> &mut Terminal<TestBackend> {
        &mut self.terminal
    }
    fn events(&mut self) -> &mut (dyn Stream<Item = io::Result<Event>> + Unpin + Send) {
        &mut self.events
    }
    fn suspend(&mut self) -> io::Result<()> {
        self.suspended += 1;
        Ok(())
    }
    fn resume(&mut self) -> io::Result<()> {
        self.resumed += 1;
        Ok(())
    }
}

fn screen() -> (TestScreen, UnboundedSender<io::Result<Event>>) {
    let (tx, rx) = unbounded();
    let screen = TestScreen {
        terminal: Terminal::new(TestBackend::new(80, 24)).expect("terminal"),
        events: rx,
        suspended: 0,
        resumed: 0,
    };
    (screen, tx)
}

fn key(tx: &UnboundedSender<io::Result<Event>>, code: KeyCode) {
    let event = Event::Key(KeyEvent::new(code, KeyModifiers::NONE));
    tx.unbounded_send(Ok(event)).expect("send key");
}

/// `(profile, mfa_code)` of every call.
type Calls = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// Answers after `delay`, counting how many resolutions run at once and how many were
/// dropped before they finished (aborted).
struct SlowResolver {
    delay: Duration,
    running: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
    abandoned: Arc<AtomicUsize>,
    calls: Calls,
}

/// Counts a resolution dropped while it was still running.
struct Unfinished(Option<Arc<AtomicUsize>>);

impl Drop for Unfinished {
    fn drop(&mut self) {
        if let Some(counter) = self.0.take() {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    }
}

impl ResolveProfile for SlowResolver {
    fn resolve(&self, profile: String, mfa: Option<MfaCode>, _again: bool) -> BoxFuture<'static, Resolution> {
        let (running, peak, delay) = (self.running.clone(), self.peak.clone(), self.delay);
        let abandoned = self.abandoned.clone();
        if let Ok(mut calls) = self.calls.lock() {
            calls.push((profile.clone(), mfa.map(|m| m.code.expose().to_string())));
        }
        Box::pin(async move {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            let mut guard = Unfinished(Some(abandoned));
            tokio::time::sleep(delay).await;
            guard.0 = None;
            running.fetch_sub(1, Ordering::SeqCst);
            resolution(&profile)
        })
    }
}

fn slow(delay: Duration) -> SlowResolver {
    SlowResolver {
        delay,
        running: Arc::default(),
        peak: Arc::default(),
        abandoned: Arc::default(),
        calls: Arc::default(),
    }
}

#[derive(Default)]
struct Handlers {
    shells: AtomicUsize,
    copies: AtomicUsize,
    panic_on_copy: bool,
}

impl TuiHandlers for Handlers {
    fn copy(&self, _: &Resolution) -> anyhow::Result<String> {
        self.copies.fetch_add(1, Ordering::SeqCst);
        if self.panic_on_copy {
            // Unwinds like a panic without running the hook (no slow backtrace).
            std::panic::resume_unwind(Box::new("copy handler failure"));
        }
        Ok("copied to clipboard via OSC 52".into())
    }
    fn copy_formats(&self) -> Vec<Format> {
        vec![Format::Env]
    }
    fn copy_as(&self, _: &Resolution, format: Format) -> anyhow::Result<String> {
        Ok(format!("copied as {}", format.name()))
    }
    fn subshell(&self, r: &Resolution) -> anyhow::Result<String> {
        self.shells.fetch_add(1, Ordering::SeqCst);
        Ok(format!("shell for {} exited", r.profile))
    }
}

fn options(concurrency: usize) -> TuiOptions {
    TuiOptions {
        look: unicode(),
        concurrency,
        resolve_on_start: true,
        select: Some("SwitchToRole".into()),
        ..TuiOptions::default()
    }
}

fn buffer_text(screen: &TestScreen) -> String {
    screen.terminal.backend().to_string()
}

#[tokio::test]
async fn resolves_with_bounded_concurrency_then_picks() {
    let (mut screen, tx) = screen();
    let resolver = slow(Duration::from_millis(200));
    let peak = resolver.peak.clone();
    let events = tokio::spawn(async move {
        // Enter while SwitchToRole is still resolving: picked once its result is in.
        tokio::time::sleep(Duration::from_millis(10)).await;
        key(&tx, KeyCode::Enter);
        tx
    });
    let exit = tokio::time::timeout(
        Duration::from_secs(5),
        run_on(
            &mut screen,
            options(2),
            fixtures::rows(),
            Arc::new(resolver),
            Arc::new(Handlers::default()),
            std::future::pending(),
        ),
    )
    .await
    .expect("no hang")
    .expect("runs");
    let _tx = events.await;
    match exit {
        TuiExit::Pick { profile, resolution } => {
            assert_eq!(profile, "SwitchToRole");
            assert!(resolution.is_some());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        peak.load(Ordering::SeqCst),
        2,
        "at most two at once, and two did run together"
    );
}

#[tokio::test]
async fn quit_is_immediate_and_aborts_requests_in_flight() {
    let (mut screen, tx) = screen();
    let resolver = slow(Duration::from_secs(3600));
    let (running, abandoned) = (resolver.running.clone(), resolver.abandoned.clone());
    // Quit once all four unattended resolutions are under way.
    let quitter = tokio::spawn({
        let running = running.clone();
        async move {
            while running.load(Ordering::SeqCst) < 4 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            key(&tx, KeyCode::Char('q'));
            tx
        }
    });
    let started = std::time::Instant::now();
    let exit = run_on(
        &mut screen,
        options(8),
        fixtures::rows(),
        Arc::new(resolver),
        Arc::new(Handlers::default()),
        std::future::pending(),
    )
    .await
    .expect("runs");
    assert_eq!(exit, TuiExit::Quit);
    assert!(started.elapsed() < Duration::from_secs(2));
    let _tx = quitter.await;
    // The aborted tasks are dropped, not left running for an hour.
    tokio::time::timeout(Duration::from_secs(2), async {
        while abandoned.load(Ordering::SeqCst) < 4 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("all four requests aborted");
}

#[tokio::test]
async fn a_signal_ends_the_loop() {
    let (mut screen, _tx) = screen();
    let exit = run_on(
        &mut screen,
        options(8),
        fixtures::rows(),
        Arc::new(slow(Duration::from_secs(3600))),
        Arc::new(Handlers::default()),
        async { 15 },
    )
    .await
    .expect("runs");
    assert_eq!(exit, TuiExit::Signal(15));
}

#[tokio::test]
async fn subshell_suspends_and_resumes_the_screen() {
    let (mut screen, tx) = screen();
    let handlers = Arc::new(Handlers::default());
    let h = handlers.clone();
    let resolver = slow(Duration::from_millis(10));
    let (calls, running) = (resolver.calls.clone(), resolver.running.clone());
    let sender = async move {
        // Keys only once the four unattended profiles are resolved.
        wait_until(|| calls.lock().map(|c| c.len()).unwrap_or(0) == 4 && running.load(Ordering::SeqCst) == 0)
            .await;
        key(&tx, KeyCode::Char('s'));
        wait_until(|| h.shells.load(Ordering::SeqCst) > 0).await;
        key(&tx, KeyCode::Char('c'));
        wait_until(|| h.copies.load(Ordering::SeqCst) > 0).await;
        key(&tx, KeyCode::Char('q'));
        (tx, h)
    };
    let (exit, (_tx, h)) = tokio::join!(
        run_on(
            &mut screen,
            options(8),
            fixtures::rows(),
            Arc::new(resolver),
            handlers,
            std::future::pending(),
        ),
        sender
    );
    assert_eq!(exit.expect("runs"), TuiExit::Quit);
    assert_eq!(h.shells.load(Ordering::SeqCst), 1);
    assert_eq!((screen.suspended, screen.resumed), (1, 1));
    // The last message before quitting came from the copy handler.
    let text = buffer_text(&screen);
    assert!(text.contains("copied to clipboard via OSC 52"), "{text}");
}

#[tokio::test]
async fn mfa_code_reaches_the_resolver() {
    let (mut screen, tx) = screen();
    let resolver = slow(Duration::from_millis(1));
    let calls = resolver.calls.clone();
    let mut opts = options(8);
    opts.select = Some("mfa-admin".into());
    opts.resolve_on_start = false;
    key(&tx, KeyCode::Enter);
    for c in "246810".chars() {
        key(&tx, KeyCode::Char(c));
    }
    key(&tx, KeyCode::Enter);
    let exit = tokio::time::timeout(
        Duration::from_secs(5),
        run_on(
            &mut screen,
            opts,
            fixtures::rows(),
            Arc::new(resolver),
            Arc::new(Handlers::default()),
            std::future::pending(),
        ),
    )
    .await
    .expect("no hang")
    .expect("runs");
    assert!(matches!(exit, TuiExit::Pick { ref profile, .. } if profile == "mfa-admin"));
    let calls = calls.lock().expect("calls").clone();
    assert_eq!(calls, [("mfa-admin".to_string(), Some("246810".to_string()))]);
}

#[tokio::test]
async fn a_panicking_handler_becomes_a_message() {
    let (mut screen, tx) = screen();
    let handlers = Arc::new(Handlers {
        panic_on_copy: true,
        ..Handlers::default()
    });
    let h = handlers.clone();
    let resolver = slow(Duration::from_millis(10));
    let (calls, running) = (resolver.calls.clone(), resolver.running.clone());
    let sender = async move {
        wait_until(|| calls.lock().map(|c| c.len()).unwrap_or(0) == 4 && running.load(Ordering::SeqCst) == 0)
            .await;
        key(&tx, KeyCode::Char('c'));
        wait_until(|| h.copies.load(Ordering::SeqCst) > 0).await;
        key(&tx, KeyCode::Char('q'));
        tx
    };
    let (exit, _tx) = tokio::join!(
        run_on(
            &mut screen,
            options(8),
            fixtures::rows(),
            Arc::new(resolver),
            handlers,
            std::future::pending(),
        ),
        sender
    );
    assert_eq!(exit.expect("runs"), TuiExit::Quit);
    let text = buffer_text(&screen);
    assert!(text.contains("internal error: a handler panicked"), "{text}");
}

/// Polls `done`, then lets queued replies reach the loop.
async fn wait_until(done: impl Fn() -> bool) {
    while !done() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
}
