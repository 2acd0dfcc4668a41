//! The runtime: draws the state, turns terminal events, the clock, signals and background
//! results into actions, and performs the effects `update` returns. Resolutions run in
//! tokio tasks (at most `concurrency` at once) and report back through a channel, so the
//! loop never waits on the network. It redraws only when something happened.

use super::action::Action;
use super::effect::{Effect, MfaCode, ResolveProfile, TuiHandlers};
use super::keymap::map_key;
use super::rows::ProfileRow;
use super::state::{Mode, State, TuiExit};
use super::terminal::{self, PanicHook, TtyWriter};
use super::update::{resolve_all, update};
use super::{TuiOptions, view};
use crate::resolve::outcome::{ErrorKind, Failure, HopError, Resolution};
use crossterm::event::{Event, EventStream};
use crossterm::execute;
use crossterm::terminal::{Clear, ClearType};
use futures::{FutureExt, Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::widgets::Clear as ClearWidget;
use std::collections::HashMap;
use std::future::Future;
use std::io::{self, BufWriter};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::SystemTime;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::AbortHandle;

/// A terminal to draw on plus its input. The real one is `/dev/tty`; tests use ratatui's
/// `TestBackend` and a channel of events.
pub trait Screen {
    type Backend: Backend;
    fn terminal(&mut self) -> &mut Terminal<Self::Backend>;
    fn events(&mut self) -> &mut (dyn Stream<Item = io::Result<Event>> + Unpin + Send);
    /// Give the terminal back (for a subshell): normal mode, main screen, no input read.
    fn suspend(&mut self) -> io::Result<()>;
    /// Take it again after [`Screen::suspend`] and redraw from scratch.
    fn resume(&mut self) -> io::Result<()>;
}

/// Runs the TUI on the controlling terminal until the user picks a profile or quits.
///
/// Draws on `/dev/tty` (stderr if it cannot be opened), never on stdout; the terminal is
/// restored before this returns, whatever happened, so the caller can then print the
/// picked profile's `export` text on stdout. SIGTERM/SIGINT/SIGHUP end it with
/// [`TuiExit::Signal`]; requests still in flight are aborted on any exit.
pub async fn run(
    opts: TuiOptions,
    rows: Vec<ProfileRow>,
    resolver: Arc<dyn ResolveProfile>,
    handlers: Arc<dyn TuiHandlers>,
) -> anyhow::Result<TuiExit> {
    // Signal handlers first: a SIGTERM that lands while raw mode starts must still end
    // the loop (and restore the terminal) instead of killing the process mid-screen.
    let signals = crate::platform::stop_signal();
    let hook = PanicHook::install();
    let mut screen = TtyScreen::enter()?;
    let result = run_on(&mut screen, opts, rows, resolver, handlers, signals).await;
    drop(screen);
    drop(hook);
    result
}

/// The event loop on any [`Screen`]; `signal` resolves (to a signal number) when the
/// process is asked to stop.
pub async fn run_on<S: Screen>(
    screen: &mut S,
    opts: TuiOptions,
    rows: Vec<ProfileRow>,
    resolver: Arc<dyn ResolveProfile>,
    handlers: Arc<dyn TuiHandlers>,
    signal: impl Future<Output = i32>,
) -> anyhow::Result<TuiExit>
where
    <S::Backend as Backend>::Error: std::error::Error + Send + Sync + 'static,
{
    let (tx, mut rx) = mpsc::unbounded_channel();
    let size = screen.terminal().size()?;
    let mut state = first_state(&opts, rows, handlers.as_ref(), (size.width, size.height));
    let mut tasks = Tasks {
        permits: Arc::new(Semaphore::new(opts.concurrency.max(1))),
        running: HashMap::new(),
        resolver,
        tx: tx.clone(),
        login: None,
        lookups: Vec::new(),
    };
    let mut effects = if opts.resolve_on_start {
        resolve_all(&mut state)
    } else {
        Vec::new()
    };
    tokio::pin!(signal);
    let result = loop {
        if let Some(exit) = perform_all(&mut effects, &mut state, screen, &mut tasks, &handlers, &tx).await {
            break exit;
        }
        if terminal::panicked() {
            break Err(anyhow::anyhow!(
                "internal error: a panic ended the interactive view"
            ));
        }
        screen.terminal().draw(|frame| view::render(&state, frame))?;

        let tick = state.tick_interval();
        let action = tokio::select! {
            event = screen.events().next() => match event {
                Some(Ok(event)) => match event_actions(&state, event) {
                    Ok(actions) => actions,
                    Err(()) => continue,
                },
                Some(Err(e)) => break Err(e.into()),
                None => break Ok(TuiExit::Quit),
            },
            Some(action) = rx.recv() => vec![action],
            () = sleep_or_forever(tick) => vec![Action::Tick(SystemTime::now())],
            number = &mut signal => break Ok(TuiExit::Signal(number)),
        };
        for action in action {
            effects.extend(update(&mut state, action));
        }
        // Take whatever else is already queued before drawing again.
        while let Ok(action) = rx.try_recv() {
            effects.extend(update(&mut state, action));
        }
    };
    tasks.abort_all();
    result
}

/// The state the view opens with: the rows, the look, the formats to copy in, the known
/// account names, the screen's size and the list's height on it, the profile to select.
fn first_state(
    opts: &TuiOptions,
    rows: Vec<ProfileRow>,
    handlers: &dyn TuiHandlers,
    size: (u16, u16),
) -> State {
    let mut state = State::new(rows, opts.look, SystemTime::now());
    state.copy_formats = handlers.copy_formats();
    state.names = opts.names.clone();
    state.refresh_visible();
    state.size = size;
    state.list_rows = view::layout::list_rows(state.size);
    if let Some(profile) = &opts.select {
        state.select(profile);
    }
    state
}

/// Performs `effects` in order, feeding what they answer back through `update` (whose
/// effects are performed in turn); `Some` when one ends the view.
async fn perform_all<S: Screen>(
    effects: &mut Vec<Effect>,
    state: &mut State,
    screen: &mut S,
    tasks: &mut Tasks,
    handlers: &Arc<dyn TuiHandlers>,
    tx: &mpsc::UnboundedSender<Action>,
) -> Option<anyhow::Result<TuiExit>>
where
    <S::Backend as Backend>::Error: std::error::Error + Send + Sync + 'static,
{
    for effect in std::mem::take(effects) {
        match perform(effect, screen, tasks, handlers, tx).await {
            Ok(Performed::Exit(e)) => return Some(Ok(e)),
            Ok(Performed::Then(action)) => effects.extend(update(state, action)),
            Ok(Performed::Nothing) => {}
            Err(e) => return Some(Err(e)),
        }
    }
    None
}

async fn sleep_or_forever(after: Option<std::time::Duration>) {
    match after {
        Some(d) => tokio::time::sleep(d).await,
        None => std::future::pending().await,
    }
}

/// Actions for a terminal event; `Err` means nothing to redraw for.
fn event_actions(state: &State, event: Event) -> Result<Vec<Action>, ()> {
    match event {
        Event::Key(key) => Ok(map_key(state.mode(), key).into_iter().collect()),
        Event::Resize(width, height) => Ok(vec![Action::Resize {
            width,
            height,
            list_rows: view::layout::list_rows((width, height)),
        }]),
        Event::Paste(text) if matches!(state.mode(), Mode::Filter | Mode::Mfa) => Ok(text
            .chars()
            .filter(|c| !c.is_control())
            .map(Action::Input)
            .collect()),
        _ => Err(()),
    }
}

enum Performed {
    Nothing,
    Then(Action),
    Exit(TuiExit),
}

struct Tasks {
    permits: Arc<Semaphore>,
    /// The latest task per profile, aborted when superseded or on exit.
    running: HashMap<String, AbortHandle>,
    resolver: Arc<dyn ResolveProfile>,
    tx: mpsc::UnboundedSender<Action>,
    /// The login in progress, if any.
    login: Option<AbortHandle>,
    /// Account name lookups still running.
    lookups: Vec<AbortHandle>,
}

impl Tasks {
    /// Runs the login in the background: its prompt and its end come back as actions.
    fn login(&mut self, handlers: &Arc<dyn TuiHandlers>, profile: String) {
        self.cancel_login();
        let tx = self.tx.clone();
        let prompt_tx = tx.clone();
        let prompt: crate::tui::effect::LoginPromptFn = Box::new(move |shown| {
            let _ = prompt_tx.send(Action::LoginPrompt(shown));
        });
        let login = handlers.login(&profile, prompt);
        let task = tokio::spawn(async move {
            let result = match AssertUnwindSafe(login).catch_unwind().await {
                Ok(r) => r.map_err(|e| format!("{e:#}")),
                Err(_) => Err("internal error: the login panicked".to_string()),
            };
            let _ = tx.send(Action::LoginDone(result));
        });
        self.login = Some(task.abort_handle());
    }

    fn cancel_login(&mut self) {
        if let Some(task) = self.login.take() {
            task.abort();
        }
    }

    fn resolve(&mut self, request_id: u64, profile: String, mfa: Option<MfaCode>, again: bool) {
        if let Some(old) = self.running.remove(&profile) {
            old.abort();
        }
        let permits = self.permits.clone();
        let resolver = self.resolver.clone();
        let tx = self.tx.clone();
        let name = profile.clone();
        let task = tokio::spawn(async move {
            let Ok(permit) = permits.acquire_owned().await else {
                return;
            };
            let fut = resolver.resolve(name.clone(), mfa, again);
            let resolution = match AssertUnwindSafe(fut).catch_unwind().await {
                Ok(r) => r,
                Err(_) => internal_error(&name, "the resolver panicked"),
            };
            // The account's name may be wanted, after the row shows its identity.
            let identified = resolution.outcome.is_ok().then(|| resolution.clone());
            let _ = tx.send(Action::Resolved {
                request_id,
                profile: name,
                verdict: verdict(&resolution),
                resolution: Box::new(resolution),
            });
            drop(permit);
            if let Some(resolution) = identified {
                let _ = tx.send(Action::Identified(Box::new(resolution)));
            }
        });
        self.running.insert(profile, task.abort_handle());
    }

    /// Looks up the account's name in the background; answers only when one was learned.
    fn look_up_alias(&mut self, resolution: Resolution) {
        let Some(names) = self.resolver.account_names(resolution) else {
            return;
        };
        let tx = self.tx.clone();
        let task = tokio::spawn(async move {
            if let Ok(Some(names)) = AssertUnwindSafe(names).catch_unwind().await {
                let _ = tx.send(Action::AccountNames(names));
            }
        });
        self.lookups.retain(|t| !t.is_finished());
        self.lookups.push(task.abort_handle());
    }

    fn abort_all(&mut self) {
        self.cancel_login();
        for (_, task) in self.running.drain() {
            task.abort();
        }
        for task in self.lookups.drain(..) {
            task.abort();
        }
    }
}

/// The doctor's one-line verdict on a failure, made in the task that made the result so
/// that `update` stays a function of its own data.
fn verdict(resolution: &Resolution) -> Option<String> {
    let failed = resolution.outcome.is_err();
    failed.then(|| crate::doctor::diagnose(None, resolution).short_verdict())
}

fn internal_error(profile: &str, what: &str) -> Resolution {
    Resolution {
        profile: profile.to_string(),
        chain: vec![profile.to_string()],
        region: None,
        hops: Vec::new(),
        outcome: Err(Failure {
            hop: None,
            error: HopError::new(ErrorKind::Other, None, format!("internal error: {what}")),
        }),
    }
}

async fn perform<S: Screen>(
    effect: Effect,
    screen: &mut S,
    tasks: &mut Tasks,
    handlers: &Arc<dyn TuiHandlers>,
    tx: &mpsc::UnboundedSender<Action>,
) -> anyhow::Result<Performed>
where
    <S::Backend as Backend>::Error: std::error::Error + Send + Sync + 'static,
{
    let done = |r: anyhow::Result<String>| match r {
        Ok(message) => Action::HandlerDone {
            message,
            error: false,
        },
        Err(e) => Action::HandlerDone {
            message: format!("{e:#}"),
            error: true,
        },
    };
    match effect {
        Effect::Exit(exit) => return Ok(Performed::Exit(exit)),
        Effect::Login { profile } => tasks.login(handlers, profile),
        Effect::CancelLogin => tasks.cancel_login(),
        Effect::LookUpAlias { resolution } => tasks.look_up_alias(*resolution),
        Effect::Resolve {
            request_id,
            profile,
            mfa,
            again,
        } => tasks.resolve(request_id, profile, mfa, again),
        // Copies may block (clipboard daemons): off the loop, reply by channel.
        Effect::Copy { resolution } => {
            let (handlers, tx) = (handlers.clone(), tx.clone());
            tokio::task::spawn_blocking(move || {
                let _ = tx.send(done(guarded(|| handlers.copy(&resolution))));
            });
        }
        Effect::Console { resolution } => {
            let (handlers, tx) = (handlers.clone(), tx.clone());
            tokio::task::spawn_blocking(move || {
                let _ = tx.send(done(guarded(|| handlers.console(&resolution))));
            });
        }
        Effect::CopyAs { resolution, format } => {
            let (handlers, tx) = (handlers.clone(), tx.clone());
            tokio::task::spawn_blocking(move || {
                let _ = tx.send(done(guarded(|| handlers.copy_as(&resolution, format))));
            });
        }
        Effect::Doctor { resolution } => {
            let (handlers, tx) = (handlers.clone(), tx.clone());
            tokio::task::spawn_blocking(move || {
                let action = match guarded(|| Ok(handlers.doctor(&resolution))) {
                    Ok(text) => Action::DoctorReport {
                        profile: resolution.profile.clone(),
                        text,
                    },
                    Err(e) => done(Err(e)),
                };
                let _ = tx.send(action);
            });
        }
        // The shell owns the terminal until it exits; the loop waits (results queue up).
        Effect::Subshell { resolution } => {
            screen.suspend()?;
            let handlers = handlers.clone();
            let outcome =
                tokio::task::spawn_blocking(move || guarded(|| handlers.subshell(&resolution))).await;
            screen.resume()?;
            let outcome = outcome.unwrap_or_else(|e| Err(anyhow::anyhow!("the subshell failed: {e}")));
            return Ok(Performed::Then(done(outcome)));
        }
    }
    Ok(Performed::Nothing)
}

/// Runs a handler, turning a panic into an error so that the loop wakes up (and, seeing
/// the panic flag, ends instead of drawing on the terminal the hook restored).
fn guarded<T>(f: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<T> {
    std::panic::catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(anyhow::anyhow!("internal error: a handler panicked")))
}

/// The controlling terminal.
struct TtyScreen {
    terminal: Terminal<CrosstermBackend<BufWriter<TtyWriter>>>,
    events: Option<EventStream>,
}

impl TtyScreen {
    fn enter() -> anyhow::Result<Self> {
        let mut out = BufWriter::new(TtyWriter::open());
        if let Err(e) = terminal::enter(&mut out) {
            let _ = terminal::leave(&mut out);
            anyhow::bail!("cannot use the terminal for the interactive view ({e}); name a profile instead");
        }
        let terminal = match Terminal::new(CrosstermBackend::new(out)) {
            Ok(t) => t,
            Err(e) => {
                let _ = terminal::leave(&mut TtyWriter::open());
                return Err(e.into());
            }
        };
        Ok(TtyScreen {
            terminal,
            events: Some(EventStream::new()),
        })
    }
}

impl Screen for TtyScreen {
    type Backend = CrosstermBackend<BufWriter<TtyWriter>>;

    fn terminal(&mut self) -> &mut Terminal<Self::Backend> {
        &mut self.terminal
    }

    fn events(&mut self) -> &mut (dyn Stream<Item = io::Result<Event>> + Unpin + Send) {
        self.events.get_or_insert_with(EventStream::new)
    }

    fn suspend(&mut self) -> io::Result<()> {
        // Dropping the stream stops its reader thread, which would otherwise steal the
        // shell's input.
        self.events = None;
        terminal::leave(self.terminal.backend_mut())
    }

    fn resume(&mut self) -> io::Result<()> {
        terminal::enter(self.terminal.backend_mut())?;
        // Not `Terminal::clear`: it asks the terminal for the cursor position, an answer
        // nobody is reading while the event stream is being restarted. Clear the screen
        // and draw a blank frame instead, so the next draw repaints every cell.
        execute!(self.terminal.backend_mut(), Clear(ClearType::All))?;
        self.terminal
            .draw(|frame| frame.render_widget(ClearWidget, frame.area()))?;
        Ok(())
    }
}

impl Drop for TtyScreen {
    fn drop(&mut self) {
        let _ = terminal::leave(self.terminal.backend_mut());
    }
}
