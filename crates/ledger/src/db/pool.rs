//! A small bounded pool of connections, safe to share between threads: at most `max` open, a
//! caller waits for one to come back when all are in use. Broken connections are not returned.

use std::sync::{Condvar, Mutex, PoisonError};

use crate::error::LedgerError;

type Connect<C> = Box<dyn Fn() -> Result<C, LedgerError> + Send + Sync>;

pub(crate) struct Pool<C> {
    state: Mutex<State<C>>,
    returned: Condvar,
    max: usize,
    connect: Connect<C>,
}

struct State<C> {
    idle: Vec<C>,
    open: usize,
}

impl<C> Pool<C> {
    pub(crate) fn new(max: usize, connect: Connect<C>) -> Self {
        Pool {
            state: Mutex::new(State { idle: Vec::new(), open: 0 }),
            returned: Condvar::new(),
            max,
            connect,
        }
    }

    /// A connection for the time of `f`; returned to the pool afterwards unless `broken` says
    /// it is no longer usable.
    pub(crate) fn with<T>(
        &self,
        broken: impl Fn(&C) -> bool,
        f: impl FnOnce(&mut C) -> Result<T, LedgerError>,
    ) -> Result<T, LedgerError> {
        let mut conn = self.take()?;
        let result = f(&mut conn);
        // A poisoned lock only means another thread panicked while holding it; the counts it
        // guards are updated in single steps, so they are still right.
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if broken(&conn) {
            state.open = state.open.saturating_sub(1);
        } else {
            state.idle.push(conn);
        }
        drop(state);
        self.returned.notify_one();
        result
    }

    fn take(&self) -> Result<C, LedgerError> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(conn) = state.idle.pop() {
                return Ok(conn);
            }
            if state.open < self.max {
                state.open += 1;
                drop(state);
                return (self.connect)().inspect_err(|_| {
                    let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
                    state.open = state.open.saturating_sub(1);
                    self.returned.notify_one();
                });
            }
            state = self.returned.wait(state).unwrap_or_else(PoisonError::into_inner);
        }
    }
}
