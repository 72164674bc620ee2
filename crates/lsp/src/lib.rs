//! The language server for huiqi policy files, started by `huiqi lsp` over stdio.
//!
//! It works on the whole library an open file belongs to (the nearest directory above with a
//! `platform.hq`, as `huiqi check` finds it), with the open documents' unsaved text in place of
//! their files: diagnostics as you type (the checker's own, codes included), hover, completion,
//! go to definition, references, rename across the library, formatting (the dsl's formatter),
//! the outline, and quick fixes from the checker's "did you mean" suggestions.
//!
//! Built on `lsp-server` and `lsp-types`, the synchronous scaffold rust-analyzer uses, rather
//! than the async tower-lsp-server: every answer is computed from memory in well under a
//! millisecond to a few milliseconds, so one thread reading one message at a time is simplest and
//! keeps edits and answers in order without locks. lsp-types is held at 0.95, rust-analyzer's,
//! whose `Url` turns file addresses into paths (0.97's `Uri` does not).
//!
//! An edit re-parses only the edited file and checks the library again from the other files'
//! trees, kept parsed (see `workspace`); parsing is what costs, so that is the incremental part.

mod actions;
mod completion;
mod diagnostics;
mod hover;
mod keywords;
mod navigate;
mod outline;
mod position;
mod server;
mod workspace;

pub use position::Encoding;
pub use server::{answer, notice, serve};
pub use workspace::{Publish, Workspace};

/// Why the server stopped: the connection failed or the client broke the protocol.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Serves one client over stdin and stdout until it shuts down.
pub fn run_stdio() -> Result<(), Error> {
    let (connection, io_threads) = lsp_server::Connection::stdio();
    serve(connection)?;
    io_threads.join()?;
    Ok(())
}
