//! How long a notification waits after a failed attempt: exponential, capped, with jitter so that
//! the notifications of one outage do not all come back at the same moment.

use std::time::Duration;

/// The wait after the `attempts`-th failed attempt: `first` doubled `attempts - 1` times, at most
/// `cap`, then a random point of its upper half (`[d/2, d]`). Never more than `cap`, however many
/// attempts; the notification is never given up.
pub fn backoff(attempts: i64, first: Duration, cap: Duration, rng: &mut fastrand::Rng) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 31)).unwrap_or(31);
    let full = first.checked_mul(1u32 << doublings).unwrap_or(cap).min(cap);
    let half = full / 2;
    let spread = u64::try_from((full - half).as_nanos()).unwrap_or(u64::MAX);
    half + Duration::from_nanos(rng.u64(0..=spread))
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);
    const CAP: Duration = Duration::from_secs(300);

    #[test]
    fn doubles_from_the_first_wait_to_the_cap_with_jitter_in_the_upper_half() {
        let mut rng = fastrand::Rng::with_seed(7);
        for (attempts, full) in [(1, 1), (2, 2), (3, 4), (9, 256), (10, 300), (11, 300)] {
            let full = Duration::from_secs(full);
            let waits: Vec<Duration> = (0..200).map(|_| backoff(attempts, S, CAP, &mut rng)).collect();
            assert!(waits.iter().all(|w| *w >= full / 2 && *w <= full), "attempt {attempts}: {waits:?}");
            // Jitter: not all the same.
            assert!(waits.iter().any(|w| *w != waits[0]), "attempt {attempts}");
        }
    }

    #[test]
    fn never_past_the_cap_and_never_gives_up() {
        let mut rng = fastrand::Rng::with_seed(1);
        for attempts in [0, -5, 32, 33, 64, 1_000, i64::MAX] {
            let w = backoff(attempts, S, CAP, &mut rng);
            assert!(w <= CAP && w >= Duration::from_millis(500), "attempt {attempts}: {w:?}");
        }
        assert!(backoff(i64::MAX, S, CAP, &mut rng) >= CAP / 2);
    }
}
