//! SIGINT / SIGTERM to a `CancellationToken`: the first asks for a graceful
//! shutdown, a second one exits at once.

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::Running;

/// Cancels `token` on the first signal; exits the process (status 130) on
/// the second, for an operator who does not want to wait for the deadline.
pub fn cancel_on_signal(token: CancellationToken) -> Running<()> {
    let mut tasks = JoinSet::new();
    tasks.spawn(async move {
        if !wait_for_signal().await {
            return;
        }
        tracing::warn!("shutting down (signal again to exit now)");
        token.cancel();
        if wait_for_signal().await {
            eprintln!("second signal: exiting now");
            std::process::exit(130);
        }
    });
    Running::new(tasks)
}

/// True when a signal arrived, false when signals cannot be watched.
async fn wait_for_signal() -> bool {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (mut term, mut int) = match (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) {
            (Ok(t), Ok(i)) => (t, i),
            (Err(e), _) | (_, Err(e)) => {
                tracing::error!(error = %e, "cannot watch signals");
                return false;
            }
        };
        tokio::select! {
            _ = term.recv() => true,
            _ = int.recv() => true,
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.is_ok()
    }
}
